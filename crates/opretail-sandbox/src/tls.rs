//! HTTPS: a CA and a server certificate for `localhost`, `127.0.0.1` and `::1`, generated at
//! start, served with rustls on the ring provider.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The names the server certificate is valid for.
pub(crate) const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What a sandbox serving HTTPS needs: the acceptor, and the CA certificate clients trust.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_cert_pem: String,
}

fn generation_error(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!(
        "cannot set up the sandbox's TLS certificate: {error}; start it without TLS or report this"
    ))
}

impl Tls {
    /// A fresh CA, a server certificate it signs, and a rustls configuration serving it over
    /// HTTP/1.1.
    pub(crate) fn generate() -> io::Result<Tls> {
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(generation_error)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "opretail-sandbox test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().map_err(generation_error)?;
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(generation_error)?;

        let names: Vec<String> = SERVER_NAMES.iter().map(|n| (*n).to_owned()).collect();
        let mut server_params = CertificateParams::new(names).map_err(generation_error)?;
        server_params
            .distinguished_name
            .push(DnType::CommonName, "opretail-sandbox");
        server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_params.use_authority_key_identifier_extension = true;
        let server_key = KeyPair::generate().map_err(generation_error)?;
        let server_cert = server_params
            .signed_by(&server_key, &ca)
            .map_err(generation_error)?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        // ring explicitly: the workspace builds with one rustls provider only.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(generation_error)?
            .with_no_client_auth()
            .with_single_cert(vec![server_cert.der().clone()], key)
            .map_err(generation_error)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_cert_pem: ca.pem(),
        })
    }
}
