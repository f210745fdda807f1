//! The TLS stack of the HTTP client, per feature, trusting the roots of
//! [`opretail_model::tls::trusted_roots`].

use opretail_model::{Config, Error};
use reqwest::ClientBuilder;

/// Whether this build can speak https.
pub(crate) const ENABLED: bool = cfg!(any(feature = "rustls", feature = "native-tls"));

/// native-tls when it is enabled (choosing it is explicit; rustls is only the default).
#[cfg(feature = "native-tls")]
pub(crate) fn configure(builder: ClientBuilder, config: &Config) -> Result<ClientBuilder, Error> {
    let roots = opretail_model::tls::trusted_roots(config)
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok())
        .collect::<Vec<_>>();
    Ok(builder.tls_backend_native().tls_certs_only(roots))
}

/// rustls with the ring provider, built here so that the process-wide default provider is
/// neither needed nor changed.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
pub(crate) fn configure(builder: ClientBuilder, config: &Config) -> Result<ClientBuilder, Error> {
    use std::sync::Arc;

    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(opretail_model::tls::trusted_roots(config));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid_input("TLS", format!("the TLS settings were refused: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(tls))
}

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
pub(crate) fn configure(builder: ClientBuilder, _config: &Config) -> Result<ClientBuilder, Error> {
    Ok(builder)
}
