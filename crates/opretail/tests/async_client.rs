//! The async client against the sandbox, over HTTP on loopback.

mod common;

use std::time::{Duration, Instant};

use common::*;
use opretail::{Client, Config, Error, GetTotalData, RawCall, TransportKind};
use opretail_sandbox::{Fault, FaultPlan};

fn client(config: Config) -> Client {
    Client::new(credentials(), config).expect("client builds")
}

#[test]
fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = client(Config::default());
    let op = GetTotalData::new(store(1));
    let raw = RawCall::new("open.sandbox.echo");
    assert_send(&client.send(&op));
    assert_send(&client.send_with_meta(&raw));
    assert_send(&client.get_total_data(op.id()));
    assert_send(&client.call_raw(&raw));
    fn assert_sync<T: Send + Sync + Clone>() {}
    assert_sync::<Client>();
}

#[tokio::test]
async fn get_total_data_without_and_with_units() {
    let sandbox = sandbox().start().await.unwrap();
    let client = client(config(sandbox.url()));

    let plain = client.get_total_data(&store(1001)).await.unwrap();
    let day = plain.day_flow.as_ref().expect("DAY_FLOW present");
    assert!(day.as_i64().is_some(), "{day:?}");

    let response = client
        .send_with_meta(&GetTotalData::new(store(1001)).with_units(true))
        .await
        .unwrap();
    assert!(response.output.day_flow.is_some());
    assert!(response.meta.cid.is_some());
    assert_eq!(response.meta.attempts, 1);
    assert_eq!(sandbox.counters().answers(0), 2);
}

#[tokio::test]
async fn quirky_answers_decode() {
    let sandbox = sandbox().quirks(true).start().await.unwrap();
    let client = client(config(sandbox.url()));
    for n in 1..=5 {
        for units in [false, true] {
            let op = GetTotalData::new(store(n)).with_units(units);
            client.send(&op).await.unwrap();
        }
    }
    let enterprise = client
        .get_total_data(&"O_42".parse().unwrap())
        .await
        .unwrap();
    assert!(enterprise.month_flow.is_some() || !enterprise.extra.is_empty());
}

#[tokio::test]
async fn raw_call_returns_json() {
    let sandbox = sandbox().start().await.unwrap();
    let client = client(config(sandbox.url()));
    let data = client
        .call_raw(&RawCall::new(opretail_sandbox::METHOD_ECHO).param("q", "héllo"))
        .await
        .unwrap();
    assert_eq!(data["q"], "héllo", "{data}");
}

#[tokio::test]
async fn every_gateway_code_is_a_typed_error() {
    let sandbox = sandbox().start().await.unwrap();
    let client = client(config_without_retries(sandbox.url()));
    for code in error_codes() {
        sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(code)));
        let error = client.get_total_data(&store(1)).await.unwrap_err();
        let gateway = error.gateway().unwrap_or_else(|| panic!("{code}: {error}"));
        assert_eq!(gateway.code.code(), code);
        assert!(!gateway.code.name().is_empty());
        assert!(gateway.message.as_deref().is_some_and(|m| !m.is_empty()));
        let cid = error.cid().expect("a cid");
        assert!(error.to_string().contains(cid), "{error}");
        assert!(error.to_string().contains(gateway.code.name()), "{error}");
    }
    assert_eq!(sandbox.counters().requests(), error_codes().len() as u64);
}

#[tokio::test]
async fn system_error_then_success_is_retried() {
    let plan = FaultPlan::script([Fault::Gateway(-500), Fault::Gateway(-999)]);
    let sandbox = sandbox().faults(plan).start().await.unwrap();
    let client = client(config(sandbox.url()));
    let response = client
        .send_with_meta(&GetTotalData::new(store(7)))
        .await
        .unwrap();
    assert_eq!(response.meta.attempts, 3);
    let counters = sandbox.counters();
    assert_eq!(counters.requests(), 3);
    assert_eq!(
        (
            counters.answers(-500),
            counters.answers(-999),
            counters.answers(0)
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn attempts_are_bounded() {
    let plan = FaultPlan::script(std::iter::repeat_n(Fault::Gateway(-500), 5));
    let sandbox = sandbox().faults(plan).start().await.unwrap();
    let client = client(config(sandbox.url()));
    let error = client.get_total_data(&store(7)).await.unwrap_err();
    assert_eq!(error.return_code().map(|c| c.code()), Some(-500));
    assert_eq!(sandbox.counters().requests(), 3);
}

#[tokio::test]
async fn repeat_is_retried_in_the_next_second() {
    let plan = FaultPlan::script([Fault::Gateway(-100)]);
    let sandbox = sandbox().faults(plan).start().await.unwrap();
    let client = client(config(sandbox.url()));
    let response = client
        .send_with_meta(&GetTotalData::new(store(7)))
        .await
        .unwrap();
    assert_eq!(response.meta.attempts, 2);
    assert_eq!(sandbox.counters().answers(-100), 1);
}

#[tokio::test]
async fn identical_calls_at_once_do_not_trip_replay_protection() {
    let sandbox = sandbox().replay_protection(true).start().await.unwrap();
    let client = client(config(sandbox.url()));
    let op = GetTotalData::new(store(5));
    // Backdating gives 6 distinct timestamps at once, then one new one per second.
    let calls = (0..8).map(|_| {
        let client = client.clone();
        let op = op.clone();
        tokio::spawn(async move { client.send_with_meta(&op).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sandbox.counters().answers(0), 8);
    assert_eq!(sandbox.counters().requests(), 8);
}

#[tokio::test]
async fn a_real_repeat_from_another_client_is_retried() {
    // Two clients do not share their signers: the same call from both in the same second
    // carries the same signature, and the sandbox refuses the second with -100.
    let sandbox = sandbox().replay_protection(true).start().await.unwrap();
    let first = client(config(sandbox.url()));
    let second = client(config(sandbox.url()));
    let op = GetTotalData::new(store(9));
    first.send(&op).await.unwrap();
    let response = second.send_with_meta(&op).await.unwrap();
    let repeats = sandbox.counters().answers(-100);
    assert!(repeats <= 1, "{repeats}");
    assert_eq!(u64::from(response.meta.attempts), 1 + repeats);
    assert_eq!(sandbox.counters().requests(), 2 + repeats);
}

#[tokio::test]
async fn clock_off_by_half_an_hour_is_timestamp_overtime() {
    let sandbox = sandbox().clock_skew_secs(1800).start().await.unwrap();
    let client = client(config(sandbox.url()));
    let error = client.get_total_data(&store(1)).await.unwrap_err();
    assert_eq!(error.return_code().map(|c| c.code()), Some(16), "{error}");
    assert!(error.to_string().contains("clock"), "{error}");
    // Retried once with a fresh timestamp, then given up.
    assert_eq!(sandbox.counters().requests(), 2);
}

#[tokio::test]
async fn wrong_secret_is_sign_wrong_without_retry() {
    let sandbox = sandbox().start().await.unwrap();
    let wrong = opretail::Credentials::new(AKEY, "not-the-secret").unwrap();
    let client = Client::new(wrong, config(sandbox.url())).unwrap();
    let error = client.get_total_data(&store(1)).await.unwrap_err();
    assert_eq!(
        error.return_code().map(|c| c.name().to_owned()).as_deref(),
        Some("SIGN_WRONG")
    );
    assert_eq!(sandbox.counters().requests(), 1);
}

#[tokio::test]
async fn slow_answer_times_out_in_bounded_time() {
    let plan = FaultPlan::script([Fault::Delay(Duration::from_secs(5))]);
    let sandbox = sandbox().faults(plan).start().await.unwrap();
    let config = Config::builder()
        .endpoint(sandbox.url())
        .timeout(Duration::from_millis(300))
        .retry(opretail::RetryPolicy::never())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client(config).get_total_data(&store(1)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::Timeout),
        "{error}"
    );
    assert!(error.to_string().contains("Config::timeout"), "{error}");
}

#[tokio::test]
async fn slow_answer_is_retried_after_a_timeout() {
    let plan = FaultPlan::script([Fault::Delay(Duration::from_secs(5))]);
    let sandbox = sandbox().faults(plan).start().await.unwrap();
    let config = Config::builder()
        .endpoint(sandbox.url())
        .attempt_timeout(Duration::from_millis(300))
        .retry(fast_retry())
        .build()
        .unwrap();
    let response = client(config)
        .send_with_meta(&GetTotalData::new(store(1)))
        .await
        .unwrap();
    assert_eq!(response.meta.attempts, 2);
}

#[tokio::test]
async fn dropped_connection_is_io_and_retried() {
    let sandbox = sandbox().start().await.unwrap();
    sandbox.set_faults(FaultPlan::script([Fault::CloseConnection]));
    let error = client(config_without_retries(sandbox.url()))
        .get_total_data(&store(1))
        .await
        .unwrap_err();
    assert_eq!(error.transport_kind(), Some(TransportKind::Io), "{error}");

    sandbox.set_faults(FaultPlan::script([Fault::CloseConnection]));
    let response = client(config(sandbox.url()))
        .send_with_meta(&GetTotalData::new(store(1)))
        .await
        .unwrap();
    assert_eq!(response.meta.attempts, 2);
}

#[tokio::test]
async fn truncated_body_is_not_json() {
    let plan = FaultPlan::script([Fault::TruncatedJson]);
    let sandbox = sandbox().faults(plan).start().await.unwrap();
    let error = client(config(sandbox.url()))
        .get_total_data(&store(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotJson { .. }), "{error}");
    assert_eq!(sandbox.counters().requests(), 1);
}

#[tokio::test]
async fn html_502_is_an_http_status_error_and_retried() {
    let sandbox = sandbox().start().await.unwrap();
    sandbox.set_faults(FaultPlan::script([Fault::Http502Html]));
    let error = client(config_without_retries(sandbox.url()))
        .get_total_data(&store(1))
        .await
        .unwrap_err();
    match &error {
        Error::HttpStatus { status, body } => {
            assert_eq!(*status, 502);
            assert!(body.contains("Bad Gateway"), "{body}");
        }
        other => panic!("expected an HTTP status error, got {other}"),
    }

    sandbox.set_faults(FaultPlan::script([Fault::Http502Html]));
    let response = client(config(sandbox.url()))
        .send_with_meta(&GetTotalData::new(store(1)))
        .await
        .unwrap();
    assert_eq!(response.meta.attempts, 2);
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let plan = FaultPlan::script([Fault::HugeBody(20 * 1024 * 1024)]);
    let sandbox = sandbox().faults(plan).start().await.unwrap();
    let config = Config::builder()
        .endpoint(sandbox.url())
        .body_limit(1024 * 1024)
        .retry(fast_retry())
        .build()
        .unwrap();
    let error = client(config).get_total_data(&store(1)).await.unwrap_err();
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::BodyLimit),
        "{error}"
    );
    assert_eq!(
        sandbox.counters().requests(),
        1,
        "a body over the limit is not retried"
    );
}

#[tokio::test]
async fn streamed_body_over_the_limit_is_cut_off_while_reading() {
    let (url, server) = endless_chunked_server(ENDLESS);
    let error = client(config_with_small_body_limit(&url))
        .get_total_data(&store(1))
        .await
        .unwrap_err();
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::BodyLimit),
        "{error}"
    );
    let written = tokio::task::spawn_blocking(move || server.join().unwrap())
        .await
        .unwrap();
    assert!(written < ENDLESS, "the client read the whole body");
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_a_tls_error() {
    let sandbox = sandbox().start().await.unwrap();
    let url = sandbox.url().replace("http://", "https://");
    let error = client(config(&url))
        .get_total_data(&store(1))
        .await
        .unwrap_err();
    assert_eq!(error.transport_kind(), Some(TransportKind::Tls), "{error}");
    assert_eq!(sandbox.counters().requests(), 0);
}

#[tokio::test]
async fn refused_connection_names_the_endpoint() {
    let url = closed_port_url();
    let error = client(config_without_retries(&url))
        .get_total_data(&store(1))
        .await
        .unwrap_err();
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::Connect),
        "{error}"
    );
    assert!(error.to_string().contains(&url), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_calls_for_fifty_ids() {
    let sandbox = sandbox().start().await.unwrap();
    let client = client(config(sandbox.url()));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..500u32 {
        let client = client.clone();
        tasks.spawn(async move { client.get_total_data(&store(1000 + n % 50)).await });
    }
    let mut done = 0;
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
        done += 1;
    }
    assert_eq!(done, 500);
    assert_eq!(sandbox.counters().answers(0), 500);
    assert_eq!(sandbox.counters().answers(-100), 0);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_errors_and_traces() {
    let logs = LogBuffer::default();
    let _guard = tracing::subscriber::set_default(logs.subscriber());
    // Other tests of this binary hit the same callsites on their threads with no subscriber;
    // a callsite registered by one of them during `set_default` can keep a cached "never".
    tracing::callsite::rebuild_interest_cache();
    // On its own runtime thread, so that only the client's events reach this subscriber.
    let sandbox = sandbox().start_blocking().unwrap();
    let ours = client(config(sandbox.url()));
    assert_no_secret("Debug of the client", &format!("{ours:?}"));
    assert_no_secret("Debug of the credentials", &format!("{:?}", credentials()));
    assert_no_secret("Debug of the config", &format!("{:?}", ours.config()));

    ours.get_total_data(&store(3)).await.unwrap();
    sandbox.set_faults(FaultPlan::script([
        Fault::Gateway(-500),
        Fault::Http502Html,
    ]));
    ours.get_total_data(&store(3)).await.unwrap();
    let wrong = opretail::Credentials::new(AKEY, "not-the-secret").unwrap();
    let error = Client::new(wrong, config(sandbox.url()))
        .unwrap()
        .get_total_data(&store(3))
        .await
        .unwrap_err();
    assert_no_secret("an error", &format!("{error} {error:?}"));
    let error = client(config_without_retries(&closed_port_url()))
        .get_total_data(&store(3))
        .await
        .unwrap_err();
    assert_no_secret("an error", &format!("{error} {error:?}"));

    let text = logs.text();
    assert!(text.contains("attempt succeeded"), "{text}");
    assert!(text.contains("attempt failed"), "{text}");
    assert!(text.contains("getTotalData"), "{text}");
    assert_no_secret("the traces", &text);
    assert!(!text.contains("not-the-secret"), "{text}");
}
