//! What travels on the wire and how: real TLS against the sandbox for each client and each
//! TLS stack the build has, a CA that is not trusted, and the clear-text warning.

mod common;

use std::time::{Duration, Instant};

use common::{LogBuffer, credentials, sandbox, store};
use opretail::{Config, RetryPolicy, TransportKind};

/// A configuration for `url` trusting `ca` (PEM), with retries far apart: a retry would show
/// as a call that takes seconds.
fn tls_config(url: &str, ca: Option<&str>) -> Config {
    let mut builder = Config::builder()
        .endpoint(url)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_secs(4)));
    if let Some(ca) = ca {
        builder = builder.add_root_certificates_pem(ca);
    }
    builder.build().expect("valid test configuration")
}

#[cfg(all(feature = "async", any(feature = "rustls", feature = "native-tls")))]
#[tokio::test]
async fn async_client_gets_totals_over_https_trusting_the_sandbox_ca() {
    let sandbox = sandbox().tls(true).start().await.expect("sandbox starts");
    assert!(sandbox.url().starts_with("https://"), "{}", sandbox.url());
    let ca = sandbox.ca_cert_pem().expect("a TLS sandbox has a CA");
    let client = opretail::Client::new(credentials(), tls_config(sandbox.url(), Some(ca)))
        .expect("client builds");
    let totals = client
        .send(&opretail::GetTotalData::new(store(1001)))
        .await
        .expect("call over https");
    assert!(totals.day_flow.is_some());
}

#[cfg(all(feature = "blocking", any(feature = "rustls", feature = "native-tls")))]
#[test]
fn blocking_client_gets_totals_over_https_trusting_the_sandbox_ca() {
    let sandbox = sandbox()
        .tls(true)
        .start_blocking()
        .expect("sandbox starts");
    let ca = sandbox.ca_cert_pem().expect("a TLS sandbox has a CA");
    let client =
        opretail::blocking::Client::new(credentials(), tls_config(sandbox.url(), Some(ca)))
            .expect("client builds");
    let totals = client
        .send(&opretail::GetTotalData::new(store(1001)))
        .expect("call over https");
    assert!(totals.day_flow.is_some());
}

/// An untrusted certificate ends the call at once, as a TLS error, before any request
/// reached the server.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
fn assert_refused_unretried(error: &opretail::Error, started: Instant, requests: u64) {
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::Tls),
        "{error:?}"
    );
    assert!(error.to_string().contains("TLS"), "{error}");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "retried: {elapsed:?}");
    assert_eq!(requests, 0);
}

#[cfg(all(feature = "async", any(feature = "rustls", feature = "native-tls")))]
#[tokio::test]
async fn async_client_refuses_an_untrusted_certificate_without_retrying() {
    let sandbox = sandbox().tls(true).start().await.expect("sandbox starts");
    let client = opretail::Client::new(credentials(), tls_config(sandbox.url(), None))
        .expect("client builds");
    let started = Instant::now();
    let error = client
        .send(&opretail::GetTotalData::new(store(1)))
        .await
        .unwrap_err();
    assert_refused_unretried(&error, started, sandbox.counters().requests());
}

#[cfg(all(feature = "blocking", any(feature = "rustls", feature = "native-tls")))]
#[test]
fn blocking_client_refuses_an_untrusted_certificate_without_retrying() {
    let sandbox = sandbox()
        .tls(true)
        .start_blocking()
        .expect("sandbox starts");
    let client = opretail::blocking::Client::new(credentials(), tls_config(sandbox.url(), None))
        .expect("client builds");
    let started = Instant::now();
    let error = client
        .send(&opretail::GetTotalData::new(store(1)))
        .unwrap_err();
    assert_refused_unretried(&error, started, sandbox.counters().requests());
}

#[test]
fn a_certificate_that_is_not_pem_is_refused_before_any_request() {
    let error = Config::builder()
        .add_root_certificates_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("PEM"), "{error}");
}

/// Builds a client of each kind the build has for `endpoint`, capturing what they log.
fn logs_of_clients_for(endpoint: &str) -> String {
    let logs = LogBuffer::default();
    let config = Config::builder()
        .endpoint(endpoint)
        .build()
        .expect("config");
    tracing::subscriber::with_default(logs.subscriber(), || {
        #[cfg(feature = "async")]
        opretail::Client::new(credentials(), config.clone()).expect("client");
        #[cfg(feature = "blocking")]
        opretail::blocking::Client::new(credentials(), config.clone()).expect("client");
    });
    logs.text()
}

#[test]
fn clear_text_beyond_this_machine_is_warned_about_once_per_client() {
    let logs = logs_of_clients_for("http://gateway.example/m.api");
    let clients = usize::from(cfg!(feature = "async")) + usize::from(cfg!(feature = "blocking"));
    assert_eq!(logs.matches("WARN").count(), clients, "{logs}");
    assert!(logs.contains("clear text"), "{logs}");
    for quiet in [
        "http://127.0.0.1:9/m.api",
        "http://localhost:9/m.api",
        "https://gateway.example/m.api",
    ] {
        let logs = logs_of_clients_for(quiet);
        assert!(!logs.contains("WARN"), "{quiet}: {logs}");
    }
}
