//! HTTPS: a client trusting the sandbox's CA gets answers, one that does not fails the
//! handshake. The client is rustls itself (ring provider) with HTTP/1.1 written by hand.
#![cfg(feature = "tls")]

mod common;

use std::sync::Arc;

use common::Form;
use opretail_sandbox::{Sandbox, SandboxHandle};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

fn connector(roots: RootCertStore) -> TlsConnector {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

fn trusting(sandbox: &SandboxHandle) -> TlsConnector {
    let pem = sandbox.ca_cert_pem().expect("a TLS sandbox has a CA");
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pem.as_bytes()).unwrap())
        .unwrap();
    connector(roots)
}

/// Posts `body` over HTTPS to `name` (the name the certificate is checked against); returns
/// the status and the body.
async fn post_tls(
    sandbox: &SandboxHandle,
    connector: &TlsConnector,
    name: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let tcp = TcpStream::connect(sandbox.addr()).await?;
    let name = ServerName::try_from(name.to_owned()).unwrap();
    let mut tls = connector.connect(name, tcp).await?;
    let request = format!(
        "POST /m.api HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    tls.read_to_end(&mut response).await?;
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    Ok((status, body.to_owned()))
}

#[tokio::test]
async fn a_client_trusting_the_ca_gets_answers_for_every_name() {
    let sandbox = Sandbox::builder().tls(true).start().await.unwrap();
    assert!(
        sandbox.url().starts_with("https://127.0.0.1:") && sandbox.url().ends_with("/m.api"),
        "{}",
        sandbox.url()
    );
    let pem = sandbox.ca_cert_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let connector = trusting(&sandbox);
    for name in ["localhost", "127.0.0.1", "::1"] {
        let body = Form::total_data("S_1").signed().encode();
        let (status, body) = post_tls(&sandbox, &connector, name, &body).await.unwrap();
        assert_eq!(status, 200, "{body}");
        let envelope: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(envelope["stat"]["code"], "0", "{envelope}");
    }
    assert_eq!(sandbox.counters().answers(0), 3);
}

#[tokio::test]
async fn clients_not_trusting_the_ca_fail_the_handshake() {
    let sandbox = Sandbox::builder().tls(true).start().await.unwrap();
    let body = Form::total_data("S_1").signed().encode();
    let error = post_tls(
        &sandbox,
        &connector(RootCertStore::empty()),
        "localhost",
        &body,
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
    // Another sandbox's CA does not do either: each start makes a new one.
    let other = Sandbox::builder().tls(true).start().await.unwrap();
    assert_ne!(other.ca_cert_pem(), sandbox.ca_cert_pem());
    let error = post_tls(&sandbox, &trusting(&other), "localhost", &body)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
    // A name the certificate does not cover fails too.
    let error = post_tls(&sandbox, &trusting(&sandbox), "example.com", &body)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
    assert_eq!(sandbox.counters().requests(), 0);
}

#[tokio::test]
async fn plain_http_has_no_ca_and_a_plain_url() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    assert!(sandbox.url().starts_with("http://"), "{}", sandbox.url());
    assert_eq!(sandbox.ca_cert_pem(), None);
}

#[test]
fn a_blocking_sandbox_serves_tls_too() {
    let sandbox = Sandbox::builder().tls(true).start_blocking().unwrap();
    assert!(sandbox.url().starts_with("https://"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = Form::total_data("S_1").signed().encode();
    let (status, _) = runtime
        .block_on(post_tls(&sandbox, &trusting(&sandbox), "localhost", &body))
        .unwrap();
    assert_eq!(status, 200);
}

#[cfg(feature = "cli")]
#[test]
fn binary_with_tls_writes_the_ca_and_says_where() {
    let dir =
        std::env::temp_dir().join(format!("opretail-sandbox-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ca.pem");
    let mut binary = common::Binary::start(&[
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--tls".as_ref(),
        "--ca-cert".as_ref(),
        path.as_os_str(),
    ]);
    let first = binary.line();
    let second = binary.line();
    binary.stop();
    assert!(
        first.starts_with("listening on https://127.0.0.1:"),
        "{first}"
    );
    assert_eq!(second, format!("ca certificate: {}", path.display()));
    let pem = std::fs::read_to_string(&path).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    std::fs::remove_dir_all(&dir).unwrap();
}
