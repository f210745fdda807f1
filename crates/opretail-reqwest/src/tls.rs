//! The TLS stack of the HTTP client, per feature, trusting the roots of
//! [`opretail_model::engine::tls::trusted_roots`].

use std::error::Error as StdError;

use opretail_model::{Config, Error};
use reqwest::ClientBuilder;

/// Whether this build can speak https.
pub(crate) const ENABLED: bool = cfg!(any(feature = "rustls", feature = "native-tls"));

/// native-tls when it is enabled (choosing it is explicit; rustls is only the default).
#[cfg(feature = "native-tls")]
pub(crate) fn configure(builder: ClientBuilder, config: &Config) -> Result<ClientBuilder, Error> {
    let roots = opretail_model::engine::tls::trusted_roots(config)
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
    roots.add_parsable_certificates(opretail_model::engine::tls::trusted_roots(config));
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

/// Whether `error` is one of the enabled TLS libraries' own errors: a handshake or
/// certificate failure.
#[allow(unused_variables)]
pub(crate) fn is_tls_type(error: &(dyn StdError + 'static)) -> bool {
    #[cfg(feature = "rustls")]
    if error.is::<rustls::Error>() {
        return true;
    }
    #[cfg(feature = "native-tls")]
    if error.is::<native_tls::Error>() {
        return true;
    }
    false
}

/// Whether `error`, or anything in its chain, is a TLS failure.
pub(crate) fn is_tls_error(error: &(dyn StdError + 'static)) -> bool {
    opretail_model::engine::tls::is_tls_error(error, &is_tls_type)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_io_error_wrapping_a_tls_error_is_a_tls_error() {
        let plain = std::io::Error::other("reset");
        assert!(!super::is_tls_error(&plain));
        #[cfg(feature = "rustls")]
        {
            let tls = std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
            );
            assert!(super::is_tls_error(&tls));
        }
    }
}
