//! The three sales uploads: their answers, the refusal of a repeated upload, and which
//! failures are sent again (writes only when that is safe).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::NaiveDate;
use opretail_model::engine::{Call, Engine, Moment, Step, decode_response};
use opretail_model::{
    Config, Credentials, Error, Operation, Order, ReportSales, ReportSalesHourly, RetryPolicy,
    Sales, SendOrder, TransportKind, duplicate_upload,
};

fn daily() -> ReportSales {
    let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    ReportSales::new(88_001, "S_1001".parse().unwrap(), day, sales()).unwrap()
}

fn hourly(replace: bool) -> ReportSalesHourly {
    let hour = NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    ReportSalesHourly::new(88_001, "SH001".parse().unwrap(), hour, sales())
        .unwrap()
        .replace(replace)
}

fn order() -> SendOrder {
    let order = Order::new("S_1001".parse().unwrap(), "POS-1")
        .unwrap()
        .ticket_id("T-1")
        .unwrap();
    SendOrder::new(42, 88_001, &order).unwrap()
}

fn sales() -> Sales {
    Sales::new(12, "3456.70".parse().unwrap(), 10)
}

fn envelope(code: i64, name: &str, result: &str, data: &str) -> String {
    format!(
        r#"{{"stat":{{"cid":"c1","code":"{code}","codename":"{name}"}},"result":"{result}"{data}}}"#
    )
}

#[test]
fn any_success_answer_is_accepted_and_kept() {
    for data in [
        "",
        r#","data":null"#,
        r#","data":true"#,
        r#","data":"ok""#,
        r#","data":{"id":"77","extra":[1]}"#,
    ] {
        let body = envelope(0, "SUCCESS", "", data);
        let kept = decode_response(&daily(), 200, body.as_bytes()).unwrap();
        let again = decode_response(&hourly(false), 200, body.as_bytes()).unwrap();
        let order = decode_response(&order(), 200, body.as_bytes()).unwrap();
        assert_eq!(kept.output, again.output);
        assert_eq!(kept.output, order.output);
        if data.contains("77") {
            assert_eq!(kept.output.data["id"], "77");
        }
        assert_eq!(kept.meta.cid.as_deref(), Some("c1"));
    }
}

#[test]
fn a_repeated_upload_is_recognised_with_what_to_do() {
    let body = envelope(
        4009,
        "SALES_ALREADY_REPORTED",
        "sales of S_1001 for 2026-11-28 10:00:00 were reported already",
        "",
    );
    let error = decode_response(&hourly(false), 200, body.as_bytes()).unwrap_err();
    let refusal = duplicate_upload(&error).expect("a repeated upload");
    assert_eq!(refusal.code.code(), 4009);
    assert_eq!(refusal.cid.as_deref(), Some("c1"));
    assert!(opretail_model::DUPLICATE_UPLOAD_REMEDY.contains("isCover=1"));
    assert!(opretail_model::DUPLICATE_UPLOAD_REMEDY.contains("--replace"));
    // Other refusals are not taken for one.
    let other = envelope(4006, "PARAM_ILLEGAL", "total is not an amount", "");
    let error = decode_response(&hourly(false), 200, other.as_bytes()).unwrap_err();
    assert!(duplicate_upload(&error).is_none());
}

#[test]
fn each_upload_says_whether_it_is_safe_to_repeat() {
    assert!(!daily().idempotent());
    assert!(!hourly(false).idempotent());
    assert!(hourly(true).idempotent());
    assert!(!order().idempotent());
    assert_eq!(order().version(), "v2");
    for op in [daily().method(), hourly(false).method(), order().method()] {
        assert!(op.starts_with("open.ovopark.pos."), "{op}");
    }
}

fn moment(wall: SystemTime, mono: Instant) -> Moment {
    Moment {
        wall,
        monotonic: mono,
        random: 7,
    }
}

/// Sends `op` through the engine against scripted answers; how many requests went out.
fn requests_sent<O: Operation>(op: &O, answers: &[Result<String, TransportKind>]) -> usize {
    let config = Config::builder()
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let engine = Engine::new(Credentials::new("key", "secret").unwrap(), config);
    let (mut wall, mut mono) = (
        UNIX_EPOCH + Duration::from_millis(1_795_832_100_250),
        Instant::now(),
    );
    let mut call = Call::new(&engine, op, moment(wall, mono));
    let mut answers = answers.iter();
    let mut sent = 0;
    loop {
        match call.next(moment(wall, mono), None) {
            Step::Send { .. } => {
                sent += 1;
                match answers.next().expect("more requests than scripted") {
                    Ok(body) => call.on_response(200, None, body.as_bytes(), moment(wall, mono)),
                    Err(kind) => call.on_transport_error(
                        Error::transport_message(*kind, "http://gw/m.api", "scripted"),
                        moment(wall, mono),
                    ),
                }
            }
            Step::Sleep(d) => {
                wall += d;
                mono += d;
            }
            Step::Lock | Step::Unlock => unreachable!("uploads need no token"),
            Step::Done(_) => return sent,
        }
    }
}

#[test]
fn writes_are_sent_again_only_when_they_surely_did_not_run() {
    let ok = Ok(envelope(0, "SUCCESS", "", ""));
    let busy = Ok(envelope(-500, "API_SYSTEM_CALL_ERROR", "", ""));
    let repeat = Ok(envelope(-100, "API_CALL_REPEAT", "", ""));
    let timeout = Err(TransportKind::Timeout);
    let not_connected = Err(TransportKind::Connect);
    // A transient failure after the request may have run: never again for a write.
    assert_eq!(requests_sent(&daily(), std::slice::from_ref(&busy)), 1);
    assert_eq!(requests_sent(&daily(), std::slice::from_ref(&timeout)), 1);
    assert_eq!(
        requests_sent(&hourly(false), std::slice::from_ref(&busy)),
        1
    );
    assert_eq!(requests_sent(&order(), std::slice::from_ref(&timeout)), 1);
    // Refused unexecuted (-100) or never sent: again, for every write.
    assert_eq!(requests_sent(&daily(), &[repeat.clone(), ok.clone()]), 2);
    assert_eq!(requests_sent(&order(), &[not_connected, ok.clone()]), 2);
    // A replacing hourly upload is safe to repeat: the whole policy applies.
    assert_eq!(requests_sent(&hourly(true), &[busy, timeout, ok]), 3);
}
