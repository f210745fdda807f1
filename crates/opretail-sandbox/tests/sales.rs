//! The sales uploads over HTTP: kept per store and period, a repeat refused unless it
//! replaces, and the day's uploads answered by `getTotalData`. Requests are built from the
//! SDK's own operations and answers decoded with its model.

mod common;

use chrono::{FixedOffset, NaiveDate, Utc};
use common::Form;
use opretail_model::engine::decode_response;
use opretail_model::{
    Error, GetTotalData, Operation, Order, ReportSales, ReportSalesHourly, Sales, SendOrder,
    TotalData, duplicate_upload,
};
use opretail_sandbox::{PARAM_ILLEGAL, SALES_ALREADY_REPORTED, STORE_NOT_FOUND, Sandbox};

const ENTERPRISE: i64 = 88_001;

/// Sends `op` signed, as the SDK would, and decodes the answer with its model.
async fn send<O: Operation>(url: &str, op: &O) -> Result<O::Output, Error> {
    let mut form = Form::common(op.method()).set("_version", op.version());
    for (name, value) in op.params() {
        form = form.set(name, &value);
    }
    let (status, body) = common::post_raw(url, form.signed().encode()).await;
    decode_response(op, status, body.as_bytes()).map(|r| r.output)
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3_600).unwrap())
        .date_naive()
}

fn code(error: &Error) -> i64 {
    match error {
        Error::Gateway(g) => g.code.code(),
        other => panic!("not a gateway error: {other}"),
    }
}

async fn totals(url: &str, id: &str) -> TotalData {
    let op = GetTotalData::new(id.parse().unwrap()).with_units(false);
    send(url, &op).await.unwrap()
}

fn fen(measure: &Option<opretail_model::Measure>) -> i64 {
    (measure.as_ref().unwrap().value() * 100.0).round() as i64
}

#[tokio::test]
async fn hourly_uploads_add_up_in_the_days_totals_and_a_repeat_needs_is_cover() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let url = sandbox.url();
    let (dep_id, shop_code) = store_with_code(url).await;
    let id = format!("S_{dep_id}");
    let before = totals(url, &id).await;
    let hour = |h| today().and_hms_opt(h, 0, 0).unwrap();
    let ten = ReportSalesHourly::new(
        ENTERPRISE,
        id.parse().unwrap(),
        hour(10),
        Sales::new(5, "1000.50".parse().unwrap(), 4),
    )
    .unwrap();
    let answer = send(url, &ten).await.unwrap();
    assert_eq!(answer.data["replaced"], false);

    // The same store and hour again: refused, recognisably, and nothing changes.
    let again = ReportSalesHourly::new(
        ENTERPRISE,
        id.parse().unwrap(),
        hour(10),
        Sales::new(9, "9999".parse().unwrap(), 9),
    )
    .unwrap();
    let refused = send(url, &again).await.unwrap_err();
    assert_eq!(code(&refused), SALES_ALREADY_REPORTED);
    assert!(duplicate_upload(&refused).is_some(), "{refused}");

    // Another hour of the same day, by the store's code this time, adds to the day.
    let eleven = ReportSalesHourly::new(
        ENTERPRISE,
        shop_code.parse().unwrap(),
        hour(11),
        Sales::new(2, "99.50".parse().unwrap(), 2),
    )
    .unwrap();
    send(url, &eleven).await.unwrap();
    let after = totals(url, &id).await;
    assert_eq!(fen(&after.total_sale), 110_000);
    assert_eq!(fen(&after.expenditure), 110_000 / 6);
    let day_flow = after.day_flow.as_ref().unwrap().value();
    let buy_rate = after.buy_rate.as_ref().unwrap().value();
    assert!((buy_rate - (600.0 / day_flow * 10.0).round() / 10.0).abs() < 0.051);
    assert_ne!(before.total_sale, after.total_sale);

    // Replacing: accepted, and the day's figures follow.
    let replace = again.replace(true);
    assert_eq!(send(url, &replace).await.unwrap().data["replaced"], true);
    assert_eq!(fen(&totals(url, &id).await.total_sale), 999_900 + 9_950);
    sandbox.shutdown().await;
}

/// A demo store that has a tenant code (`shopId`), from the store list: its id and code.
async fn store_with_code(url: &str) -> (i64, String) {
    let login = opretail_model::UserLogin::new(
        opretail_sandbox::DEMO_USER,
        opretail_sandbox::DEMO_PASSWORD,
        opretail_model::LoginMethod::Mobile,
    )
    .unwrap();
    let login = send(url, &login).await.unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&login.token).to_owned();
    let form = Form::common(opretail_model::METHOD_GET_DEPT_LIST_BY_PAGE)
        .set("pageNumber", "1")
        .set("pageSize", "100");
    let value = common::post_with(url, &form.signed(), &[("authenticator", &token)]).await;
    let records = value["data"]["records"].as_array().unwrap();
    let store = records
        .iter()
        .find(|s| s["shopId"].as_str().is_some_and(|c| !c.is_empty()))
        .expect("most demo stores have a code");
    let code = store["shopId"].as_str().unwrap().to_owned();
    (store["id"].as_i64().unwrap(), code)
}

#[tokio::test]
async fn a_daily_upload_is_the_days_figure_and_cannot_be_sent_twice() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let url = sandbox.url();
    let op = ReportSales::new(
        ENTERPRISE,
        "S_1003".parse().unwrap(),
        today(),
        Sales::new(30, "12345.67".parse().unwrap(), 25),
    )
    .unwrap();
    let answer = send(url, &op).await.unwrap();
    assert_eq!(answer.data["depId"], 1003);
    let data = totals(url, "S_1003").await;
    assert_eq!(fen(&data.total_sale), 1_234_567);
    assert_eq!(fen(&data.expenditure), (1_234_567 + 12) / 25);
    // cfgData agrees with the top-level figures.
    let price = data
        .cfg_data
        .iter()
        .find(|c| c.key.as_deref() == Some("EXPENDITURE"));
    if let Some(price) = price {
        assert_eq!(price.value.as_deref(), Some("493.83"));
    }
    let refused = send(url, &op).await.unwrap_err();
    assert_eq!(code(&refused), SALES_ALREADY_REPORTED);
    // Another day is another period.
    let yesterday = ReportSales::new(
        ENTERPRISE,
        "S_1003".parse().unwrap(),
        today().pred_opt().unwrap(),
        Sales::new(1, "1".parse().unwrap(), 1),
    )
    .unwrap();
    send(url, &yesterday).await.unwrap();
    assert_eq!(fen(&totals(url, "S_1003").await.total_sale), 1_234_567);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_with_what_is_wrong() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let url = sandbox.url();
    let day = today();
    let hour = day.and_hms_opt(9, 0, 0).unwrap();
    let sales = Sales::new(1, "1".parse().unwrap(), 1);
    let unknown = ReportSales::new(ENTERPRISE, "S_9999".parse().unwrap(), day, sales).unwrap();
    assert_eq!(
        code(&send(url, &unknown).await.unwrap_err()),
        STORE_NOT_FOUND
    );
    let no_code = ReportSales::new(ENTERPRISE, "NOPE".parse().unwrap(), day, sales).unwrap();
    assert_eq!(
        code(&send(url, &no_code).await.unwrap_err()),
        STORE_NOT_FOUND
    );
    let other_tenant = ReportSalesHourly::new(7, "S_1001".parse().unwrap(), hour, sales).unwrap();
    let refused = send(url, &other_tenant).await.unwrap_err();
    assert_eq!(code(&refused), PARAM_ILLEGAL);
    assert!(refused.to_string().contains("enterpriseId"), "{refused}");
    assert!(duplicate_upload(&refused).is_none());

    // Hand-built forms the SDK would never send.
    for (name, value) in [
        ("total", "12.345"),
        ("total", "-1"),
        ("dealNum", "x"),
        ("createTime", "2026-11-28 10:30:00"),
        ("isCover", "2"),
    ] {
        let form = Form::common(opretail_model::METHOD_REPORT_SALES_HOURLY)
            .set("enterpriseId", "88001")
            .set("depId", "1001")
            .set("createTime", "2026-11-28 10:00:00")
            .set("dealNum", "1")
            .set("total", "1.00")
            .set("dealPersonNum", "1")
            .set(name, value);
        let body = common::post_raw(url, form.signed().encode()).await.1;
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            value["stat"]["code"],
            PARAM_ILLEGAL.to_string(),
            "{name}: {body}"
        );
        assert!(value["result"].as_str().unwrap().contains(name), "{body}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_order_goes_at_v2_only() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let url = sandbox.url();
    let order = Order::new("S_1001".parse().unwrap(), "POS-1")
        .unwrap()
        .ticket_id("T-0001")
        .unwrap()
        .field("cashierName", "王芳");
    let op = SendOrder::new(42, ENTERPRISE, &order).unwrap();
    let answer = send(url, &op).await.unwrap();
    assert!(answer.data.is_null());
    let unknown_store = Order::new("S_5".parse().unwrap(), "POS-1").unwrap();
    let refused = send(
        url,
        &SendOrder::new(42, ENTERPRISE, &unknown_store).unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&refused), STORE_NOT_FOUND);

    // At v1 the method does not exist.
    let form = Form::common(opretail_model::METHOD_SEND_ORDER)
        .set("orgId", "42")
        .set("enterpriseId", "88001")
        .set("iposJson", &order.to_json());
    let body = common::post_raw(url, form.signed().encode()).await.1;
    assert!(body.contains("METHOD_NOTEXIST_CODE"), "{body}");
    sandbox.shutdown().await;
}
