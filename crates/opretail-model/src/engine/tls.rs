//! The SDK's one TLS story, shared by both clients and both TLS stacks: which roots are
//! trusted, and how a TLS failure is found in an error's chain (each transport says which
//! error types are its TLS library's).
//!
//! Both clients trust the bundled Mozilla root set (`webpki-root-certs`) plus the extra roots
//! of [`Config::root_certificates`], with rustls and with native-tls alike: the same roots
//! on every machine, container or not, and a corporate proxy's CA is one setting away. The
//! machine's own store is not read.

use std::error::Error as StdError;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::{Config, Error};

/// The certificates of one PEM text; an error when it holds none or one does not parse.
pub(crate) fn parse_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::invalid_input(
                "root certificate",
                format!("is not valid PEM ({e}); pass the CA certificate as PEM text"),
            )
        })?;
    if certs.is_empty() {
        return Err(Error::invalid_input(
            "root certificate",
            "holds no PEM certificate (a `-----BEGIN CERTIFICATE-----` block)",
        ));
    }
    Ok(certs)
}

/// Every root certificate a client trusts with this configuration, DER-encoded: the bundled
/// Mozilla set and the configured extra roots.
pub fn trusted_roots(config: &Config) -> Vec<CertificateDer<'static>> {
    let mut roots: Vec<CertificateDer<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec();
    for cert in config.root_certificates() {
        // The PEM was checked when the configuration was built.
        roots.extend(parse_pem(cert.pem()).expect("root certificates are checked by build()"));
    }
    roots
}

/// Whether `error`, or anything in its chain of sources, is one `is_tls_type` recognises: a
/// transport passes the test for its TLS library's error types, which it alone knows.
///
/// `std::io::Error` hides the error it wraps from `source()`, so each I/O error's inner error
/// is looked at too.
pub fn is_tls_error(
    error: &(dyn StdError + 'static),
    is_tls_type: &dyn Fn(&(dyn StdError + 'static)) -> bool,
) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if is_tls_type(error) {
            return true;
        }
        if let Some(inner) = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            if is_tls_error(inner, is_tls_type) {
                return true;
            }
        }
        next = error.source();
    }
    false
}

/// Logs one warning when `config`'s endpoint is plain http beyond this machine: called once
/// per client, when its [`Engine`](super::Engine) is built.
pub fn warn_if_clear_text(config: &Config) {
    if config.endpoint().is_clear_text_remote() {
        tracing::warn!(
            endpoint = config.endpoint().as_str(),
            "the endpoint is plain http beyond this machine: the key, the signature, every \
             parameter and answer travel in clear text; use https"
        );
    }
}

/// Whether a client built with the enabled TLS features can reach `config`'s endpoint: an
/// `https` endpoint needs one of them. Checked when a client is built, not at its first call.
pub fn check_tls_available(config: &Config, tls_enabled: bool) -> Result<(), Error> {
    if config.endpoint().url().scheme() == "https" && !tls_enabled {
        return Err(Error::invalid_input(
            "endpoint",
            format!(
                "{} is https, but this build has no TLS: enable the `rustls` (default) or \
                 `native-tls` feature of opretail",
                config.endpoint()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_wrapping_a_tls_error_is_a_tls_error() {
        #[derive(Debug)]
        struct Handshake;
        impl std::fmt::Display for Handshake {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bad certificate")
            }
        }
        impl StdError for Handshake {}
        let is_handshake = |e: &(dyn StdError + 'static)| e.is::<Handshake>();
        let plain = std::io::Error::other("reset");
        assert!(!is_tls_error(&plain, &is_handshake));
        let tls = std::io::Error::new(std::io::ErrorKind::InvalidData, Handshake);
        assert!(is_tls_error(&tls, &is_handshake));
    }

    #[test]
    fn an_https_endpoint_needs_a_tls_feature_and_says_which() {
        let config = Config::default();
        let error = check_tls_available(&config, false).unwrap_err().to_string();
        assert!(
            error.contains("rustls") && error.contains("native-tls"),
            "{error}"
        );
        assert!(check_tls_available(&config, true).is_ok());
        let clear = Config::builder()
            .endpoint("http://127.0.0.1:1/m.api")
            .build()
            .unwrap();
        assert!(check_tls_available(&clear, false).is_ok());
    }

    #[test]
    fn the_bundled_roots_are_trusted_without_configuration() {
        assert!(trusted_roots(&Config::default()).len() > 50);
    }
}
