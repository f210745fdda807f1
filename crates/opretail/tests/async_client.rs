//! What only the async client has: `Send` futures, many calls in flight on one runtime, and a
//! caller's own `reqwest::Client`. What both clients do alike is in `shared_behaviour.rs` and
//! the fault matrix.

mod common;

use common::*;
use opretail::{Client, Config, GetTotalData, RawCall};

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
    assert_send(&client.send(&op));
    assert_send(&client.send(&raw));
    fn assert_sync<T: Send + Sync + Clone>() {}
    assert_sync::<Client>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_calls_for_fifty_ids() {
    let sandbox = sandbox().start().await.unwrap();
    let client = client(config(sandbox.url()));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..500u32 {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .send(&opretail::GetTotalData::new(store(1000 + n % 50)))
                .await
        });
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

/// A caller's own `reqwest::Client`, built from the SDK's builder with a setting of its own,
/// carries the calls and still never follows a redirect.
#[tokio::test]
async fn a_callers_own_http_client_carries_the_calls() {
    use opretail::TransportKind;
    use opretail_sandbox::{Fault, FaultPlan};

    let sandbox = sandbox().start().await.unwrap();
    let config = config(sandbox.url());
    let http = Client::http_client_builder(&config)
        .unwrap()
        .pool_max_idle_per_host(4)
        .build()
        .unwrap();
    let ours = Client::with_http_client(credentials(), config, http);
    let response = ours
        .send_with_meta(&GetTotalData::new(store(1)))
        .await
        .unwrap();
    assert_eq!(response.meta.attempts, 1);
    assert_eq!(sandbox.counters().answers(0), 1);

    sandbox.set_faults(FaultPlan::script([Fault::Redirect {
        status: 307,
        location: "http://elsewhere.example/m.api".to_owned(),
    }]));
    let error = ours
        .send(&opretail::GetTotalData::new(store(1)))
        .await
        .unwrap_err();
    assert_eq!(
        error.transport_kind(),
        Some(TransportKind::Redirect),
        "{error}"
    );
    assert_eq!(sandbox.counters().requests(), 2);
}
