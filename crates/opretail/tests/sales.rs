//! Sales uploads through both clients against the sandbox over loopback: upload then read
//! back with `getTotalData`, a repeat refused and recognised, a replacing upload, and writes
//! that are not sent again after a transient failure unless they are safe to repeat.

mod common;

use chrono::{FixedOffset, NaiveDate, Utc};
use opretail::{
    Config, Credentials, Error, GetTotalData, Measure, Order, ReportSales, ReportSalesHourly,
    Sales, SendOrder, duplicate_upload,
};
use opretail_sandbox::{
    DEFAULT_AKEY, DEFAULT_ASID, Fault, FaultPlan, SALES_ALREADY_REPORTED, Sandbox, SandboxHandle,
};

const ENTERPRISE: i64 = 88_001;

fn config(sandbox: &SandboxHandle) -> Config {
    Config::builder()
        .endpoint(sandbox.url())
        .retry(common::fast_retry())
        .build()
        .expect("valid test configuration")
}

fn credentials() -> Credentials {
    Credentials::new(DEFAULT_AKEY, DEFAULT_ASID).expect("valid credentials")
}

/// The gateway's day now (UTC+08:00).
fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3_600).unwrap())
        .date_naive()
}

fn hourly(store: &str, hour: u32, total: &str) -> ReportSalesHourly {
    ReportSalesHourly::new(
        ENTERPRISE,
        store.parse().unwrap(),
        today().and_hms_opt(hour, 0, 0).unwrap(),
        Sales::new(4, total.parse().unwrap(), 3),
    )
    .unwrap()
}

fn fen(measure: Option<&Measure>) -> i64 {
    (measure.expect("a figure").value() * 100.0).round() as i64
}

fn total(store: &str) -> GetTotalData {
    GetTotalData::new(store.parse().unwrap()).with_units(false)
}

#[tokio::test]
async fn async_upload_read_back_repeat_and_replace() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = opretail::Client::new(credentials(), config(&sandbox)).unwrap();
    client.send(&hourly("S_1010", 9, "100.10")).await.unwrap();
    client.send(&hourly("S_1010", 10, "200.20")).await.unwrap();
    let data = client.send(&total("S_1010")).await.unwrap();
    assert_eq!(fen(data.total_sale.as_ref()), 30_030);
    assert_eq!(fen(data.expenditure.as_ref()), 30_030 / 6);

    let repeat = client.send(&hourly("S_1010", 10, "1")).await.unwrap_err();
    let refusal = duplicate_upload(&repeat).expect("recognised as a repeated upload");
    assert_eq!(refusal.code.code(), SALES_ALREADY_REPORTED);
    let replaced = client
        .send(&hourly("S_1010", 10, "1").replace(true))
        .await
        .unwrap();
    assert_eq!(replaced.data["replaced"], true);
    let data = client.send(&total("S_1010")).await.unwrap();
    assert_eq!(fen(data.total_sale.as_ref()), 10_010 + 100);

    let daily = ReportSales::new(
        ENTERPRISE,
        "S_1011".parse().unwrap(),
        today(),
        Sales::new(1, "5".parse().unwrap(), 1),
    )
    .unwrap();
    client.send(&daily).await.unwrap();
    let data = client.send(&total("S_1011")).await.unwrap();
    assert_eq!(fen(data.total_sale.as_ref()), 500);
    sandbox.shutdown().await;
}

#[test]
fn blocking_upload_read_back_repeat_and_replace() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = opretail::blocking::Client::new(credentials(), config(&sandbox)).unwrap();
    client.send(&hourly("S_1020", 12, "50")).unwrap();
    let data = client.send(&total("S_1020")).unwrap();
    assert_eq!(fen(data.total_sale.as_ref()), 5_000);
    let repeat = client.send(&hourly("S_1020", 12, "60")).unwrap_err();
    assert!(duplicate_upload(&repeat).is_some(), "{repeat}");
    client
        .send(&hourly("S_1020", 12, "60").replace(true))
        .unwrap();
    let data = client.send(&total("S_1020")).unwrap();
    assert_eq!(fen(data.total_sale.as_ref()), 6_000);
    let order = Order::new("S_1020".parse().unwrap(), "POS-1").unwrap();
    let sent = client
        .send(&SendOrder::new(42, ENTERPRISE, &order).unwrap())
        .unwrap();
    assert!(sent.data.is_null());
    sandbox.shutdown_blocking();
}

fn is_system_error(error: &Error) -> bool {
    matches!(error, Error::Gateway(g) if g.code.code() == -500)
}

#[tokio::test]
async fn async_writes_are_not_repeated_after_a_transient_failure_unless_safe() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = opretail::Client::new(credentials(), config(&sandbox)).unwrap();
    let order = Order::new("S_1030".parse().unwrap(), "POS-1").unwrap();
    let order = SendOrder::new(42, ENTERPRISE, &order).unwrap();
    let daily = ReportSales::new(
        ENTERPRISE,
        "S_1030".parse().unwrap(),
        today(),
        Sales::new(1, "1".parse().unwrap(), 1),
    )
    .unwrap();

    // -500 after the request reached the platform: a write that adds is not sent again.
    sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(-500)));
    let before = sandbox.counters().requests();
    assert!(is_system_error(
        &client.send(&hourly("S_1030", 9, "1")).await.unwrap_err()
    ));
    assert_eq!(sandbox.counters().requests() - before, 1);
    sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(-500)));
    let before = sandbox.counters().requests();
    assert!(is_system_error(&client.send(&daily).await.unwrap_err()));
    assert_eq!(
        sandbox.counters().requests() - before,
        1,
        "reportSales sent again"
    );
    sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(-500)));
    let before = sandbox.counters().requests();
    assert!(is_system_error(&client.send(&order).await.unwrap_err()));
    assert_eq!(
        sandbox.counters().requests() - before,
        1,
        "sendOrder sent again"
    );
    sandbox.set_faults(FaultPlan::default().then(Fault::CloseConnection));
    let before = sandbox.counters().requests();
    assert!(client.send(&order).await.is_err());
    assert_eq!(
        sandbox.counters().requests() - before,
        1,
        "sendOrder sent again"
    );

    // -100 is a refusal without running: sent again, and it then succeeds.
    sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(-100)));
    let before = sandbox.counters().requests();
    client.send(&daily).await.unwrap();
    assert_eq!(sandbox.counters().requests() - before, 2);

    // A replacing upload is safe to repeat: the -500 is retried and it succeeds.
    sandbox.set_faults(FaultPlan::default().then(Fault::Gateway(-500)));
    let before = sandbox.counters().requests();
    client
        .send(&hourly("S_1030", 9, "2").replace(true))
        .await
        .unwrap();
    assert_eq!(sandbox.counters().requests() - before, 2);
    let data = client.send(&total("S_1030")).await.unwrap();
    assert_eq!(fen(data.total_sale.as_ref()), 100, "the daily upload wins");
    sandbox.shutdown().await;
}

#[test]
fn blocking_writes_are_not_repeated_after_a_transient_failure_unless_safe() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client = opretail::blocking::Client::new(credentials(), config(&sandbox)).unwrap();
    sandbox.set_faults(FaultPlan::default().then(Fault::Http502Html));
    let before = sandbox.counters().requests();
    assert!(client.send(&hourly("S_1040", 9, "1")).is_err());
    assert_eq!(sandbox.counters().requests() - before, 1);
    // Nothing was kept by the faulted request: the same upload now goes through once.
    let before = sandbox.counters().requests();
    client.send(&hourly("S_1040", 9, "1")).unwrap();
    assert_eq!(sandbox.counters().requests() - before, 1);
    sandbox.set_faults(FaultPlan::default().then(Fault::Http502Html));
    let before = sandbox.counters().requests();
    client
        .send(&hourly("S_1040", 9, "3").replace(true))
        .unwrap();
    assert_eq!(sandbox.counters().requests() - before, 2);
    sandbox.shutdown_blocking();
}
