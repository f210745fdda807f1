//! The per-request log line names the method, code and cid, and never the secret or `_sig`.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Form, post};
use opretail_sandbox::Sandbox;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_logs_have_method_code_and_cid_but_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let secret = "very-distinctive-secret-4711";
    let sandbox = Sandbox::builder()
        .credential("log-key", secret)
        .start()
        .await
        .unwrap();
    let form = Form::total_data("S_1")
        .set("_akey", "log-key")
        .signed_with(secret);
    let sig = form
        .pairs
        .iter()
        .find(|(k, _)| k == "_sig")
        .unwrap()
        .1
        .clone();
    let ok = post(sandbox.url(), &form).await;
    let wrong = post(
        sandbox.url(),
        &Form::total_data("S_1")
            .set("_akey", "log-key")
            .signed_with("guess"),
    )
    .await;
    sandbox.shutdown().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for envelope in [&ok, &wrong] {
        assert!(
            logs.contains(envelope["stat"]["cid"].as_str().unwrap()),
            "{logs}"
        );
    }
    assert!(
        logs.contains("open.shopweb.passengerFlow.getTotalData"),
        "{logs}"
    );
    assert!(logs.contains("code=0") && logs.contains("code=7"), "{logs}");
    assert!(!logs.contains(secret), "{logs}");
    assert!(!logs.contains(&sig), "{logs}");
}
