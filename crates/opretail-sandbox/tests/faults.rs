//! Every fault kind, scripted and random, and the counters that record them.

mod common;

use std::time::{Duration, Instant};

use common::{Form, client, post};
use opretail_sandbox::{Fault, FaultKind, FaultPlan, Sandbox, SandboxHandle};
use serde_json::Value;

async fn with_script(faults: impl IntoIterator<Item = Fault>) -> SandboxHandle {
    Sandbox::builder()
        .faults(FaultPlan::script(faults))
        .start()
        .await
        .unwrap()
}

async fn send(url: &str) -> reqwest::Result<reqwest::Response> {
    common::send_total_data(&client(), url).await
}

#[tokio::test]
async fn gateway_codes_on_script_then_normal() {
    // "The next 2 requests get -500, then normal": a retrying client makes three attempts.
    let sandbox = Sandbox::builder()
        .faults(
            FaultPlan::default()
                .then(Fault::Gateway(-500))
                .then(Fault::Gateway(-500)),
        )
        .start()
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
        seen.push(envelope["stat"]["code"].as_str().unwrap().to_owned());
        if envelope["stat"]["code"] == "-500" {
            assert_eq!(envelope["stat"]["codename"], "API_SYSTEM_CALL_ERROR");
            assert!(envelope.get("data").is_none());
        }
    }
    assert_eq!(seen, ["-500", "-500", "0"]);
    let counters = sandbox.counters();
    assert_eq!(counters.requests(), 3);
    assert_eq!(counters.answers(-500), 2);
    assert_eq!(counters.answers(0), 1);
    assert_eq!(counters.faults(FaultKind::Gateway), 2);
    assert_eq!(counters.faults_total(), 2);
}

#[tokio::test]
async fn gateway_minus_999_and_minus_100() {
    let sandbox = with_script([
        Fault::Gateway(-999),
        Fault::Gateway(-100),
        Fault::Gateway(opretail_sandbox::ID_ILLEGAL),
    ])
    .await;
    let a = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
    assert_eq!(
        (&a["stat"]["code"], &a["stat"]["codename"]),
        (&Value::from("-999"), &Value::from("UNKNOWN_ERROR"))
    );
    let b = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
    assert_eq!(
        (&b["stat"]["code"], &b["stat"]["codename"]),
        (&Value::from("-100"), &Value::from("API_CALL_REPEAT"))
    );
    let c = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
    assert_eq!(
        (&c["stat"]["code"], &c["stat"]["codename"]),
        (&Value::from("4001"), &Value::from("ID_ILLEGAL"))
    );
}

#[tokio::test]
async fn http_502_with_an_html_page() {
    let sandbox = with_script([Fault::Http502Html]).await;
    let response = send(sandbox.url()).await.unwrap();
    assert_eq!(response.status(), 502);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("502 Bad Gateway"));
    assert_eq!(sandbox.counters().faults(FaultKind::Http502Html), 1);
    assert_eq!(sandbox.counters().answers_total(), 0);
}

#[tokio::test]
async fn connection_closed_without_a_response() {
    let sandbox = with_script([Fault::CloseConnection]).await;
    let error = send(sandbox.url()).await.unwrap_err();
    assert!(!error.is_timeout(), "{error}");
    assert!(error.status().is_none(), "{error}");
    // The script is used up: the next request is normal.
    let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
    assert_eq!(envelope["stat"]["code"], "0");
    assert_eq!(sandbox.counters().faults(FaultKind::CloseConnection), 1);
}

#[tokio::test]
async fn truncated_json_with_a_matching_length() {
    let sandbox = with_script([Fault::TruncatedJson]).await;
    let response = send(sandbox.url()).await.unwrap();
    assert_eq!(response.status(), 200);
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), length);
    assert!(body.starts_with(br#"{"stat":"#));
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    assert_eq!(sandbox.counters().faults(FaultKind::TruncatedJson), 1);
}

#[tokio::test]
async fn ok_status_with_a_body_that_is_not_json() {
    let sandbox = with_script([Fault::NonJson200]).await;
    let response = send(sandbox.url()).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&body).is_err());
    assert!(body.contains("<html>"));
}

#[tokio::test]
async fn huge_body_is_streamed() {
    const SIZE: usize = 32 * 1024 * 1024;
    let sandbox = with_script([Fault::HugeBody(SIZE)]).await;
    let mut response = send(sandbox.url()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(SIZE as u64));
    let mut received = 0;
    let mut first = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        if first.len() < 8 {
            first.extend_from_slice(&chunk[..chunk.len().min(8)]);
        }
        received += chunk.len();
    }
    assert_eq!(received, SIZE);
    assert!(first.starts_with(br#"{"stat""#));
    assert_eq!(sandbox.counters().faults(FaultKind::HugeBody), 1);
}

#[tokio::test]
async fn delay_and_latency_slow_requests_down() {
    let delay = Duration::from_millis(60);
    let sandbox = with_script([Fault::Delay(delay)]).await;
    let started = Instant::now();
    let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
    assert!(started.elapsed() >= delay);
    assert_eq!(envelope["stat"]["code"], "0");
    assert_eq!(sandbox.counters().faults(FaultKind::Delay), 1);

    sandbox.set_faults(
        FaultPlan::default().with_latency(Duration::from_millis(40), Duration::from_millis(20)),
    );
    let started = Instant::now();
    post(sandbox.url(), &Form::total_data("S_1").signed()).await;
    assert!(started.elapsed() >= Duration::from_millis(40));
    assert_eq!(sandbox.counters().faults(FaultKind::Latency), 1);
}

async fn random_pattern(seed: u64) -> Vec<bool> {
    let sandbox = Sandbox::builder()
        .faults(
            FaultPlan::default()
                .with_random(Fault::Gateway(-500), 0.5)
                .seed(seed),
        )
        .start()
        .await
        .unwrap();
    let mut pattern = Vec::new();
    for _ in 0..40 {
        let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
        pattern.push(envelope["stat"]["code"] == "-500");
    }
    let faulted = pattern.iter().filter(|f| **f).count() as u64;
    assert_eq!(sandbox.counters().answers(-500), faulted);
    pattern
}

#[tokio::test]
async fn random_faults_are_reproducible_from_the_seed() {
    let a = random_pattern(11).await;
    assert_eq!(a, random_pattern(11).await);
    let hits = a.iter().filter(|f| **f).count();
    assert!((5..=35).contains(&hits), "{hits} of 40");
    assert_ne!(a, random_pattern(12).await);
}

#[tokio::test]
async fn fault_plan_changes_live() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    assert_eq!(
        post(sandbox.url(), &Form::total_data("S_1").signed()).await["stat"]["code"],
        "0"
    );
    sandbox.set_faults(FaultPlan::script([Fault::Gateway(-999)]));
    assert_eq!(
        post(sandbox.url(), &Form::total_data("S_1").signed()).await["stat"]["code"],
        "-999"
    );
    assert_eq!(
        post(sandbox.url(), &Form::total_data("S_1").signed()).await["stat"]["code"],
        "0"
    );
}

#[tokio::test]
async fn redirects_have_the_status_the_location_and_no_body() {
    let sandbox = with_script([
        Fault::Redirect {
            status: 302,
            location: "https://elsewhere.invalid/m.api".into(),
        },
        Fault::Redirect {
            status: 308,
            location: "/other".into(),
        },
    ])
    .await;
    // reqwest's default client would follow; a client that must not follow sees this.
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (status, location) in [(302, "https://elsewhere.invalid/m.api"), (308, "/other")] {
        let response = common::send_total_data(&no_follow, sandbox.url())
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.headers()["location"], location);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let counters = sandbox.counters();
    assert_eq!(counters.faults(FaultKind::Redirect), 2);
    assert_eq!(counters.answers_total(), 0);
}

#[tokio::test]
async fn an_invalid_redirect_is_a_500_that_says_why() {
    let sandbox = with_script([Fault::Redirect {
        status: 302,
        location: "bad\nvalue".into(),
    }])
    .await;
    let response = send(sandbox.url()).await.unwrap();
    assert_eq!(response.status().as_u16(), 500);
    let text = response.text().await.unwrap();
    assert!(text.contains("invalid redirect"), "{text}");
}

/// Waits (polling, up to 10 s) until the sandbox's counters satisfy `done`.
async fn until(sandbox: &SandboxHandle, done: impl Fn(&opretail_sandbox::Counters) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(&sandbox.counters()) {
        assert!(Instant::now() < deadline, "{:?}", sandbox.counters());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_client_giving_up_on_a_delay_ends_the_request() {
    use tokio::io::AsyncWriteExt;

    // An hour: only the client closing can end this request within the test.
    let sandbox = with_script([Fault::Delay(Duration::from_secs(3_600))]).await;
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .unwrap();
    let body = Form::total_data("S_1").signed().encode();
    let request = format!(
        "POST /m.api HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    until(&sandbox, |c| c.faults(FaultKind::Delay) == 1).await;
    assert_eq!(sandbox.counters().in_flight(), 1);
    // A client's deadline passes: it closes the connection.
    drop(stream);
    until(&sandbox, |c| c.in_flight() == 0).await;
    assert_eq!(sandbox.counters().answers_total(), 0);
    // The sandbox goes on serving, and shuts down without waiting for the hour.
    let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
    assert_eq!(envelope["stat"]["code"], "0");
    sandbox.shutdown().await;
}

/// The switches a setup check is tested against: a method not granted, a clock off, a key
/// not known.
mod setup_switches {
    use super::*;

    #[tokio::test]
    async fn a_refused_method_is_answered_not_granted_and_others_work() {
        let sandbox = Sandbox::builder()
            .refuse_method("getTotalData")
            .start()
            .await
            .unwrap();
        let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
        common::assert_error(
            &envelope,
            opretail_sandbox::METHOD_NOT_GRANTED,
            "METHOD_NOT_GRANTED",
        );
        let other = post(
            sandbox.url(),
            &Form::common(opretail_sandbox::METHOD_ECHO).signed(),
        )
        .await;
        assert_eq!(other["stat"]["code"], "0", "{other}");
    }

    #[tokio::test]
    async fn a_wrong_signature_on_a_refused_method_is_still_sign_wrong() {
        let sandbox = Sandbox::builder()
            .refuse_method(opretail_sandbox::METHOD_TOTAL_DATA)
            .start()
            .await
            .unwrap();
        let envelope = post(
            sandbox.url(),
            &Form::total_data("S_1").signed_with("not-the-secret"),
        )
        .await;
        common::assert_error(&envelope, 7, "SIGN_WRONG");
    }

    #[tokio::test]
    async fn clock_skew_moves_systime() {
        let sandbox = Sandbox::builder()
            .clock_skew_secs(300)
            .start()
            .await
            .unwrap();
        let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
        assert_eq!(envelope["stat"]["code"], "0", "{envelope}");
        let systime = envelope["stat"]["systime"].as_str().unwrap();
        let gateway = chrono::NaiveDateTime::parse_from_str(systime, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp()
            - 8 * 3_600;
        let skew = gateway - chrono::Utc::now().timestamp();
        assert!((290..=310).contains(&skew), "{skew}");
    }

    #[tokio::test]
    async fn without_the_demo_key_it_is_unknown() {
        let sandbox = Sandbox::builder()
            .without_default_credential()
            .start()
            .await
            .unwrap();
        let envelope = post(sandbox.url(), &Form::total_data("S_1").signed()).await;
        common::assert_error(&envelope, 2, "KEY_UNLAWFUL");
    }
}
