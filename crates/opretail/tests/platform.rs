//! Logins, store lists and passenger flow over time, with both clients, against the sandbox
//! over HTTP on loopback, on both gateway profiles.

mod common;

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::time::Duration;

use chrono::NaiveDate;
use futures_util::{StreamExt, TryStreamExt};
use opretail::{
    Config, Credentials, DateRange, Error, Gateway, GetAgeGroupAndGenderDistribution,
    GetManyShopsPassengerIndicatorData, GetPassengerIndicatorData, GetTotalData, Grain, ListStores,
    LoginMethod, Operation, RawCall, SeriesLimits, SeriesRequest, ShopSeries, StorePages,
    TokenSource,
};
use opretail_sandbox::{
    DEFAULT_AKEY, DEFAULT_ASID, DEMO_APPLICATION_ID, DEMO_PASSWORD, DEMO_STORE_COUNT, DEMO_USER,
    Fault, FaultPlan, Sandbox, SandboxHandle,
};

fn credentials() -> Credentials {
    Credentials::new(DEFAULT_AKEY, DEFAULT_ASID).expect("valid credentials")
}

/// The configuration for one of the sandbox's gateways.
fn config(sandbox: &SandboxHandle, gateway: Gateway) -> Config {
    let builder = Config::builder().retry(common::fast_retry());
    match gateway {
        Gateway::Classic => builder.endpoint(sandbox.url()),
        Gateway::Cloud => builder
            .endpoint(sandbox.cloud_url())
            .aid(DEMO_APPLICATION_ID),
    }
    .build()
    .expect("valid test configuration")
}

/// The demo user, by the login method seen on `gateway`.
fn demo_user(gateway: Gateway) -> TokenSource {
    let method = LoginMethod::for_gateway(gateway);
    TokenSource::login(DEMO_USER, DEMO_PASSWORD, method).expect("demo user")
}

fn async_client(sandbox: &SandboxHandle, gateway: Gateway) -> opretail::Client {
    opretail::Client::new(credentials(), config(sandbox, gateway))
        .expect("client builds")
        .with_token_source(demo_user(gateway))
}

fn blocking_client(sandbox: &SandboxHandle, gateway: Gateway) -> opretail::blocking::Client {
    opretail::blocking::Client::new(credentials(), config(sandbox, gateway))
        .expect("client builds")
        .with_token_source(demo_user(gateway))
}

const GATEWAYS: [Gateway; 2] = [Gateway::Classic, Gateway::Cloud];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A week of hourly buckets for the first `stores` demo stores.
fn hourly_week(stores: u32) -> SeriesRequest {
    let ids = (0..stores).map(|n| common::store(1001 + n));
    let week = DateRange::new(date(2026, 11, 2), date(2026, 11, 8)).expect("a week");
    SeriesRequest::new(
        GetManyShopsPassengerIndicatorData::new(ids, week, Grain::Hour).expect("a request"),
    )
}

/// 168 hourly buckets per store, in time order, stores in the order asked.
fn assert_hourly_week(series: &[ShopSeries], stores: u32) {
    let ids: Vec<_> = series.iter().map(|s| s.dep_id.clone().unwrap()).collect();
    let asked: Vec<_> = (0..stores).map(|n| (1001 + n).to_string()).collect();
    assert_eq!(ids, asked);
    for shop in series {
        assert_eq!(shop.buckets.len(), 7 * 24, "{:?}", shop.dep_id);
        let times: Vec<_> = shop
            .buckets
            .iter()
            .map(|b| b.date_time().expect("a bucket time"))
            .collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
        assert_eq!(times[0], date(2026, 11, 2).and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(times[167], date(2026, 11, 8).and_hms_opt(23, 0, 0).unwrap());
    }
}

/// The demo stores as seen through a walk, each once.
fn assert_all_demo_stores(ids: Vec<String>) {
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), DEMO_STORE_COUNT, "every store");
    assert_eq!(unique.len(), DEMO_STORE_COUNT, "no store twice");
}

fn page_size(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("not zero")
}

// ---------------------------------------------------------------------------------------
// Without a token source.

#[tokio::test]
async fn async_call_needing_a_token_without_a_source_is_refused_before_sending() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = opretail::Client::new(credentials(), config(&sandbox, Gateway::Classic))
        .expect("client builds");
    let op = ListStores::for_gateway(Gateway::Classic);
    let error = client.send(&op).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(error.to_string().contains("OPRETAIL_USER"), "{error}");
    let raw = RawCall::new("open.sandbox.echo").mark_needs_token();
    assert!(matches!(
        client.send(&raw).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        client.login().await,
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(sandbox.counters().requests(), 0);
    // Methods without a token still work.
    client
        .send(&GetTotalData::new(common::store(1001)))
        .await
        .unwrap();
    assert_eq!(sandbox.counters().requests(), 1);
}

#[test]
fn blocking_call_needing_a_token_without_a_source_is_refused_before_sending() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = opretail::blocking::Client::new(credentials(), config(&sandbox, Gateway::Cloud))
        .expect("client builds");
    let error = client
        .walk(StorePages::for_gateway(client.config().gateway()))
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(error.to_string().contains("OPRETAIL_USER"), "{error}");
    let error = client.send_batch(&hourly_week(2)).unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert_eq!(sandbox.counters().requests(), 0);
}

/// Neither a token nor a password is sent over clear-text `http` beyond this machine: both
/// are refused before sending.
#[test]
fn no_token_nor_password_in_clear_text_beyond_loopback() {
    // A documentation address (TEST-NET-1): nothing is sent to it.
    let config = Config::builder()
        .endpoint("http://192.0.2.1/m.api")
        .timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let op = ListStores::for_gateway(Gateway::Classic);
    for source in [TokenSource::token("tok"), demo_user(Gateway::Classic)] {
        let blocking = opretail::blocking::Client::new(credentials(), config.clone())
            .unwrap()
            .with_token_source(source.clone());
        let error = blocking.send(&op).unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
        let client = opretail::Client::new(credentials(), config.clone())
            .unwrap()
            .with_token_source(source);
        let error = runtime.block_on(client.send(&op)).unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    }
}

// ---------------------------------------------------------------------------------------
// One login, shared; a new one when the token expires.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn async_concurrent_calls_share_one_login() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for gateway in GATEWAYS {
        let client = async_client(&sandbox, gateway);
        let before = sandbox.counters().logins();
        // Each call another page: identical calls are limited to about one a second by
        // the gateway's replay protection, which is not what this test is about.
        let many_calls = || {
            let calls = (1..=16).map(|page| {
                let client = client.clone();
                tokio::spawn(async move {
                    let op = ListStores::for_gateway(gateway).page(page_size(page), page_size(10));
                    client.send(&op).await
                })
            });
            async {
                for call in futures_util::future::join_all(calls).await {
                    let page = call.expect("task").expect("a page");
                    assert!(!page.stores.is_empty());
                }
            }
        };
        many_calls().await;
        assert_eq!(sandbox.counters().logins() - before, 1, "{gateway}");
        // All refused with the old token at once: still one new login.
        sandbox.expire_tokens();
        many_calls().await;
        assert_eq!(sandbox.counters().logins() - before, 2, "{gateway}");
    }
}

#[test]
fn blocking_concurrent_calls_share_one_login() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    for gateway in GATEWAYS {
        let client = blocking_client(&sandbox, gateway);
        let before = sandbox.counters().logins();
        // Each call another page, as above.
        let many_calls = || {
            std::thread::scope(|scope| {
                for page in 1..=8 {
                    let client = &client;
                    scope.spawn(move || {
                        let op =
                            ListStores::for_gateway(gateway).page(page_size(page), page_size(10));
                        assert!(!client.send(&op).unwrap().stores.is_empty());
                    });
                }
            })
        };
        many_calls();
        assert_eq!(sandbox.counters().logins() - before, 1, "{gateway}");
        // All refused with the old token at once: still one new login.
        sandbox.expire_tokens();
        many_calls();
        assert_eq!(sandbox.counters().logins() - before, 2, "{gateway}");
    }
}

#[tokio::test]
async fn async_expired_token_logs_in_again_once() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for gateway in GATEWAYS {
        let client = async_client(&sandbox, gateway);
        let before = sandbox.counters().logins();
        let op = ListStores::for_gateway(gateway);
        client.send(&op).await.unwrap();
        sandbox.expire_tokens();
        let requests = sandbox.counters().requests();
        let response = client.send_with_meta(&op).await.unwrap();
        assert_eq!(sandbox.counters().logins() - before, 2, "{gateway}");
        // The refused call, the login and the repeated call…
        assert_eq!(sandbox.counters().requests() - requests, 3, "{gateway}");
        // …of which two were this call's.
        assert_eq!(response.meta.attempts, 2, "{gateway}");
        client.send(&op).await.unwrap();
        assert_eq!(sandbox.counters().logins() - before, 2, "{gateway}");
    }
}

#[test]
fn blocking_expired_token_logs_in_again_once() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    for gateway in GATEWAYS {
        let client = blocking_client(&sandbox, gateway);
        let before = sandbox.counters().logins();
        let op = ListStores::for_gateway(gateway);
        client.send(&op).unwrap();
        sandbox.expire_tokens();
        let requests = sandbox.counters().requests();
        let response = client.send_with_meta(&op).unwrap();
        assert_eq!(sandbox.counters().logins() - before, 2, "{gateway}");
        assert_eq!(sandbox.counters().requests() - requests, 3, "{gateway}");
        assert_eq!(response.meta.attempts, 2, "{gateway}");
    }
}

#[tokio::test]
async fn async_given_token_works_until_it_expires_then_says_to_get_a_new_one() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let login = async_client(&sandbox, Gateway::Classic)
        .login()
        .await
        .expect("the demo user logs in");
    let client = opretail::Client::new(credentials(), config(&sandbox, Gateway::Classic))
        .unwrap()
        .with_token_source(TokenSource::token(login.token.clone()));
    let op = ListStores::for_gateway(Gateway::Classic);
    client.send(&op).await.unwrap();
    sandbox.expire_tokens();
    let logins = sandbox.counters().logins();
    let error = client.send(&op).await.unwrap_err();
    assert!(error.to_string().contains("get a new one"), "{error}");
    assert_eq!(
        sandbox.counters().logins(),
        logins,
        "no login with a given token"
    );
}

#[test]
fn blocking_wrong_password_fails_with_the_gateway_code() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let source = TokenSource::login(DEMO_USER, "wrong-pw-canary", LoginMethod::Mobile).unwrap();
    let client = opretail::blocking::Client::new(credentials(), config(&sandbox, Gateway::Classic))
        .unwrap()
        .with_token_source(source);
    let error = client
        .send(&ListStores::for_gateway(Gateway::Classic))
        .unwrap_err();
    assert!(error.return_code().is_some(), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("wrong-pw-canary"));
    assert_eq!(sandbox.counters().logins(), 0);
}

// ---------------------------------------------------------------------------------------
// Store lists.

#[tokio::test]
async fn async_stores_walk_every_page_on_both_gateways() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for gateway in GATEWAYS {
        let client = async_client(&sandbox, gateway);
        let stores: Vec<_> = client
            .walk(StorePages::for_gateway(client.config().gateway()))
            .try_collect()
            .await
            .unwrap();
        assert_all_demo_stores(stores.iter().map(|s| s.id.clone().unwrap()).collect());
        let pages = StorePages::new(ListStores::for_gateway(gateway)).page_size(page_size(37));
        let requests = sandbox.counters().requests();
        let stores: Vec<_> = client.walk(pages).try_collect().await.unwrap();
        assert_all_demo_stores(stores.iter().map(|s| s.id.clone().unwrap()).collect());
        // 300 stores in pages of 37: 9 pages, the last stopping at the total.
        assert_eq!(sandbox.counters().requests() - requests, 9, "{gateway}");
    }
}

#[tokio::test]
async fn async_stores_are_fetched_only_as_read() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = async_client(&sandbox, Gateway::Cloud);
    let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud)).page_size(page_size(10));
    let first: Vec<_> = client.walk(pages).take(15).try_collect().await.unwrap();
    assert_eq!(first.len(), 15);
    // A login and two pages.
    assert_eq!(sandbox.counters().requests(), 3);
}

#[test]
fn blocking_stores_walk_every_page_on_both_gateways() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    for gateway in GATEWAYS {
        let client = blocking_client(&sandbox, gateway);
        let pages = StorePages::new(ListStores::for_gateway(gateway)).page_size(page_size(64));
        let ids = client
            .walk(pages)
            .map(|store| store.map(|s| s.id.unwrap()))
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        assert_all_demo_stores(ids);
        let first = client
            .walk(StorePages::for_gateway(client.config().gateway()))
            .next()
            .unwrap()
            .unwrap();
        assert!(first.entity_id().is_some());
    }
}

#[tokio::test]
async fn async_a_walk_cut_short_by_the_page_cap_ends_with_an_error() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = async_client(&sandbox, Gateway::Classic);
    let pages = StorePages::new(ListStores::for_gateway(Gateway::Classic))
        .page_size(page_size(10))
        .max_pages(page_size(2));
    let items: Vec<_> = client.walk(pages).collect().await;
    assert_eq!(items.len(), 21);
    assert!(items[..20].iter().all(Result::is_ok));
    let error = items[20].as_ref().unwrap_err();
    assert!(error.to_string().contains("20 of 300"), "{error}");
}

#[test]
fn blocking_a_walk_cut_short_by_the_page_cap_ends_with_an_error() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = blocking_client(&sandbox, Gateway::Cloud);
    let pages = StorePages::new(ListStores::for_gateway(Gateway::Cloud))
        .page_size(page_size(10))
        .max_pages(page_size(2));
    let mut stores = client.walk(pages);
    assert_eq!(stores.by_ref().take(20).filter(Result::is_ok).count(), 20);
    let error = stores.next().unwrap().unwrap_err();
    assert!(error.to_string().contains("max_pages"), "{error}");
    assert!(stores.next().is_none());
}

// ---------------------------------------------------------------------------------------
// Passenger flow over time.

#[tokio::test]
async fn async_a_week_of_hourly_series_for_several_stores() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for gateway in GATEWAYS {
        let client = async_client(&sandbox, gateway);
        let series = client.send_batch(&hourly_week(5)).await.unwrap();
        assert_hourly_week(&series, 5);
    }
}

#[test]
fn blocking_a_week_of_hourly_series_for_several_stores() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    for gateway in GATEWAYS {
        let client = blocking_client(&sandbox, gateway);
        let series = client.send_batch(&hourly_week(5)).unwrap();
        assert_hourly_week(&series, 5);
    }
}

/// Over the sandbox's limits of days and ids per call, so that the request is split in
/// four calls whose answers merge back.
fn long_daily_request() -> SeriesRequest {
    let ids = (0..25).map(|n| common::store(1001 + n));
    let days = DateRange::new(date(2026, 9, 1), date(2026, 10, 10)).unwrap();
    SeriesRequest::new(GetManyShopsPassengerIndicatorData::new(ids, days, Grain::Day).unwrap())
}

fn assert_long_daily(series: &[ShopSeries]) {
    assert_eq!(series.len(), 25);
    for shop in series {
        let days: Vec<_> = shop
            .buckets
            .iter()
            .map(|b| b.date_time().unwrap())
            .collect();
        assert_eq!(days.len(), 40, "{:?}", shop.dep_id);
        assert!(days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
    }
}

#[tokio::test]
async fn async_long_requests_are_split_and_merged() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = async_client(&sandbox, Gateway::Classic);
    let request = long_daily_request();
    assert_eq!(request.calls().unwrap().len(), 4);
    assert_long_daily(&client.send_batch(&request).await.unwrap());
}

/// One call of a split request answering slowly does not hold up the others: with two in
/// flight, every other call is sent while the slow one is still waiting. (Kept in order, the
/// answers behind the slow one would hold the second slot.)
#[tokio::test]
async fn async_series_calls_go_on_past_a_slow_one() {
    let slow = Duration::from_secs(120);
    let sandbox = Sandbox::builder()
        .faults(FaultPlan::script([
            Fault::Delay(Duration::ZERO), // the login
            Fault::Delay(slow),           // the first call to arrive
        ]))
        .start()
        .await
        .unwrap();
    let client = async_client(&sandbox, Gateway::Classic);
    let ids = (0..8).map(|n| common::store(1001 + n));
    let day = DateRange::new(date(2026, 11, 16), date(2026, 11, 16)).unwrap();
    let limits = SeriesLimits::default()
        .max_ids_per_call(page_size(1))
        .max_in_flight(page_size(2));
    let request =
        SeriesRequest::new(GetManyShopsPassengerIndicatorData::new(ids, day, Grain::Day).unwrap())
            .limits(limits);
    assert_eq!(
        (request.calls().unwrap().len(), request.in_flight()),
        (8, 2)
    );
    let all_sent = async {
        while sandbox.counters().requests() < 1 + 8 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::select! {
        _ = client.send_batch(&request) => panic!("the slow call cannot be over yet"),
        sent = tokio::time::timeout(Duration::from_secs(30), all_sent) => {
            sent.expect("the other seven calls were sent while one was slow");
        }
    }
    // The slow call is abandoned with the dropped future.
}

#[test]
fn blocking_long_requests_are_split_and_merged() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = blocking_client(&sandbox, Gateway::Cloud);
    assert_long_daily(&client.send_batch(&long_daily_request()).unwrap());
}

#[tokio::test]
async fn async_indicator_and_demographics() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = async_client(&sandbox, Gateway::Classic);
    let day = date(2026, 11, 2);
    let indicator = client
        .send(&GetPassengerIndicatorData::new(&common::store(1001), day).unwrap())
        .await
        .unwrap();
    assert!(indicator.passenger_flow.is_some(), "{indicator:?}");
    let demographics = client
        .send(
            &GetAgeGroupAndGenderDistribution::new([common::store(1001)], DateRange::day(day))
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(!demographics.gender.is_empty(), "{demographics:?}");
}

#[test]
fn blocking_indicator_and_demographics() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = blocking_client(&sandbox, Gateway::Cloud);
    let day = date(2026, 11, 2);
    let indicator = client
        .send(&GetPassengerIndicatorData::new(&common::store(1002), day).unwrap())
        .unwrap();
    assert!(indicator.passenger_flow.is_some(), "{indicator:?}");
    let demographics = client
        .send(
            &GetAgeGroupAndGenderDistribution::new([common::store(1002)], DateRange::day(day))
                .unwrap(),
        )
        .unwrap();
    assert!(!demographics.age.is_empty(), "{demographics:?}");
}

// ---------------------------------------------------------------------------------------
// Secrets.

#[test]
fn neither_token_nor_password_shows_in_debug_errors_or_traces() {
    use secrecy::ExposeSecret;

    let logs = common::global_traces();
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = blocking_client(&sandbox, Gateway::Classic);
    let login = client.login().unwrap();
    let token = login.token.expose_secret().to_owned();
    client
        .send(&ListStores::for_gateway(Gateway::Classic))
        .unwrap();
    sandbox.expire_tokens();
    client
        .send(&ListStores::for_gateway(Gateway::Classic))
        .unwrap();
    let texts = [
        format!("{client:?}"),
        format!("{login:?}"),
        format!("{:?}", demo_user(Gateway::Classic)),
        logs.text(),
    ];
    for text in texts {
        assert!(!text.contains(&token), "the token shows: {text}");
        assert!(!text.contains(DEMO_PASSWORD), "the password shows: {text}");
    }
    assert!(logs.text().contains("attempt succeeded"));
}

#[test]
fn async_client_keeps_token_and_password_out_of_debug_errors_and_traces() {
    use secrecy::ExposeSecret;

    let logs = common::global_traces();
    // On this thread, so that the client's events reach this thread's subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = async_client(&sandbox, Gateway::Cloud);
    let login = runtime.block_on(client.login()).unwrap();
    let token = login.token.expose_secret().to_owned();
    sandbox.expire_tokens();
    runtime
        .block_on(client.send_batch(&hourly_week(2)))
        .unwrap();
    let wrong = TokenSource::login(DEMO_USER, "wrong-pw-canary", LoginMethod::Sso).unwrap();
    let refused = client.clone().with_token_source(wrong);
    let error = runtime
        .block_on(refused.send(&ListStores::for_gateway(Gateway::Cloud)))
        .unwrap_err();
    let texts = [
        format!("{client:?} {refused:?}"),
        format!("{login:?}"),
        format!("{error} {error:?}"),
        logs.text(),
    ];
    for text in texts {
        assert!(!text.contains(&token), "the token shows: {text}");
        assert!(!text.contains(DEMO_PASSWORD), "the password shows: {text}");
        assert!(
            !text.contains("wrong-pw-canary"),
            "the password shows: {text}"
        );
    }
    assert!(logs.text().contains("attempt failed"));
}

#[test]
fn the_operations_used_need_a_token() {
    for gateway in GATEWAYS {
        assert!(ListStores::for_gateway(gateway).needs_token());
    }
    assert!(hourly_week(1).calls().unwrap()[0].needs_token());
}

#[test]
fn both_clients_list_devices_and_their_flow_on_both_gateways() {
    let sandbox = Sandbox::builder()
        .start_blocking()
        .expect("the sandbox starts");
    let store: opretail::EntityId = "S_1003".parse().unwrap();
    let day = date(2026, 11, 18);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for gateway in GATEWAYS {
        let blocking = blocking_client(&sandbox, gateway);
        let list = blocking
            .send(&opretail::GetDeviceList::new(&store).unwrap())
            .expect("the devices");
        assert!(!list.devices.is_empty());
        let page = blocking
            .send(&opretail::GetAllHotspotShops::new(&"O_88001".parse().unwrap()).unwrap())
            .expect("the page");
        let listed = page
            .shops
            .iter()
            .find(|s| s.entity_id().as_ref() == Some(&store))
            .expect("the store is on the first page");
        let macs = |devices: &[opretail::Device]| -> Vec<Option<String>> {
            devices
                .iter()
                .map(opretail::Device::normalized_mac)
                .collect()
        };
        assert_eq!(macs(&listed.devices), macs(&list.devices));
        let async_client = async_client(&sandbox, gateway);
        let mut sum = 0;
        for device in &list.devices {
            let mac = device.normalized_mac().expect("a MAC address");
            let op = opretail::ListDevicePassengerIndicator::new(&mac, day, Grain::Day).unwrap();
            let from_blocking = blocking.send(&op).expect("the flow");
            let from_async = runtime.block_on(async_client.send(&op)).expect("the flow");
            assert_eq!(from_blocking, from_async);
            sum += from_blocking.buckets[0]
                .passenger_flow
                .as_ref()
                .and_then(|m| m.as_i64())
                .unwrap();
        }
        let series = blocking
            .send(
                &GetManyShopsPassengerIndicatorData::new(
                    [store.clone()],
                    DateRange::day(day),
                    Grain::Day,
                )
                .unwrap(),
            )
            .expect("the series");
        let store_day = series.shops[0].buckets[0]
            .passenger_flow
            .as_ref()
            .and_then(|m| m.as_i64())
            .unwrap();
        assert_eq!(
            sum, store_day,
            "{gateway:?}: the devices add up to the store"
        );
        let having = blocking
            .send(&opretail::GetDepsHavingFlowDevice::new())
            .expect("the stores with devices");
        assert_eq!(having.stores.len() as u64, DEMO_STORE_COUNT as u64);
    }
}

#[test]
fn both_clients_hand_every_exchange_to_the_observer_without_secrets() {
    use std::sync::{Arc, Mutex};

    let sandbox = Sandbox::builder()
        .start_blocking()
        .expect("the sandbox starts");
    let seen: Arc<Mutex<Vec<opretail::recording::Exchange>>> = Arc::default();
    let observer = {
        let seen = Arc::clone(&seen);
        opretail::recording::ExchangeObserver::new(move |e| seen.lock().unwrap().push(e.clone()))
    };
    let config = || {
        Config::builder()
            .endpoint(sandbox.url())
            .retry(common::fast_retry())
            .observe_exchanges(observer.clone())
            .build()
            .unwrap()
    };
    let op = GetTotalData::new("S_1001".parse().unwrap());
    let blocking = opretail::blocking::Client::new(credentials(), config())
        .unwrap()
        .with_token_source(demo_user(Gateway::Classic));
    blocking.login().expect("the login");
    blocking.send(&op).expect("the totals");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = opretail::Client::new(credentials(), config()).unwrap();
    // Another store: the same call from another client in the same second would be refused
    // as a replay, and resent.
    let other = GetTotalData::new("S_1002".parse().unwrap());
    runtime.block_on(client.send(&other)).expect("the totals");
    let seen = seen.lock().unwrap();
    let methods: Vec<&str> = seen.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            opretail::METHOD_MOBILE_LOGIN,
            opretail::METHOD_GET_TOTAL_DATA,
            opretail::METHOD_GET_TOTAL_DATA
        ]
    );
    assert_eq!(seen[1].params["id"], "S_1001");
    assert_eq!(seen[1].status, 200);
    assert_eq!(seen[1].answer["stat"]["code"], "0");
    let text = serde_json::to_string(&*seen).unwrap();
    for secret in [DEFAULT_ASID, DEMO_PASSWORD, "_sig"] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    assert_eq!(seen[0].answer["data"]["token"], "<removed>");
}
