//! The platform's methods over HTTP: login and tokens, the two gateways, the demo tenant's
//! store lists, and passenger-flow windows that agree with each other and with
//! `getTotalData`. Answers are decoded with the SDK's own model types.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use common::Form;
use opretail_model::{
    DateRange, Demographics, EntityId, FlowMethod, GetManyShopsPassengerIndicatorData, Grain,
    LoginData, LoginMethod, METHOD_GET_DEPARTMENTS, METHOD_GET_DEPT_LIST_BY_PAGE,
    METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA, METHOD_GET_PASSENGER_INDICATOR_DATA,
    METHOD_MOBILE_LOGIN, METHOD_SSO_LOGIN, Operation, PassengerIndicator, SeriesRequest,
    ShopSeriesList, StorePage, UserLogin,
};
use opretail_sandbox::{
    DEMO_APPLICATION_ID, DEMO_PASSWORD, DEMO_ROOT_NODE, DEMO_STORE_COUNT, DEMO_USER, Fault,
    FaultKind, FaultPlan, PAGE_SIZE_TOO_LARGE, PARAM_ILLEGAL, STORE_NOT_FOUND, Sandbox,
    SandboxHandle, TOO_MANY_IDS, WINDOW_TOO_LONG,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// One of the sandbox's two gateways: where to post, which `_aid`, which token header.
#[derive(Clone, Copy)]
struct Gw<'a> {
    url: &'a str,
    aid: &'a str,
    header: &'static str,
}

fn classic(sandbox: &SandboxHandle) -> Gw<'_> {
    Gw {
        url: sandbox.url(),
        aid: "S107",
        header: "authenticator",
    }
}

fn cloud(sandbox: &SandboxHandle) -> Gw<'_> {
    Gw {
        url: sandbox.cloud_url(),
        aid: DEMO_APPLICATION_ID,
        header: "Ovo-Authorization",
    }
}

/// Posts a signed call with these business parameters and an optional token header.
async fn call_with(
    gw: Gw<'_>,
    method: &str,
    params: &[(&str, String)],
    header: Option<(&str, &str)>,
) -> Value {
    let mut form = Form::common(method).set("_aid", gw.aid);
    for (name, value) in params {
        form = form.set(name, value);
    }
    common::post_with(gw.url, &form.signed(), header.as_slice()).await
}

async fn call(gw: Gw<'_>, method: &str, params: &[(&str, String)], token: &str) -> Value {
    call_with(gw, method, params, Some((gw.header, token))).await
}

/// Posts a model operation with `token` in the gateway's token header.
async fn send(gw: Gw<'_>, op: &impl Operation, token: &str) -> Value {
    call(gw, op.method(), &params_of(op), token).await
}

/// Posts a model operation without a token.
async fn send_without_token(gw: Gw<'_>, op: &impl Operation) -> Value {
    call_with(gw, op.method(), &params_of(op), None).await
}

/// The params of a model operation, as owned pairs.
fn params_of(op: &impl Operation) -> Vec<(&str, String)> {
    op.params()
        .into_iter()
        .map(|(k, v)| (k, v.into_owned()))
        .collect()
}

fn code(envelope: &Value) -> i64 {
    let code = &envelope["stat"]["code"];
    code.as_i64()
        .or_else(|| code.as_str().and_then(|c| c.parse().ok()))
        .unwrap_or_else(|| panic!("no code: {envelope}"))
}

fn data<T: serde::de::DeserializeOwned>(envelope: &Value) -> T {
    assert_eq!(code(envelope), 0, "{envelope}");
    serde_json::from_value(envelope["data"].clone())
        .unwrap_or_else(|e| panic!("does not decode ({e}): {envelope}"))
}

async fn login(gw: Gw<'_>) -> String {
    let op = UserLogin::new(
        DEMO_USER,
        SecretString::from(DEMO_PASSWORD.to_owned()),
        LoginMethod::Mobile,
    )
    .unwrap();
    let envelope = send_without_token(gw, &op).await;
    let login: LoginData = data(&envelope);
    login.token.expose_secret().to_owned()
}

/// Today at the gateway (UTC+08:00).
fn gateway_today() -> NaiveDate {
    (Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3_600).unwrap())).date_naive()
}

fn int(value: Option<&opretail_model::Measure>) -> i64 {
    value
        .and_then(|m| m.as_i64())
        .unwrap_or_else(|| panic!("not a count: {value:?}"))
}

fn id(text: &str) -> EntityId {
    text.parse().unwrap()
}

async fn series(
    gw: Gw<'_>,
    token: &str,
    ids: &[&str],
    days: DateRange,
    grain: Grain,
) -> ShopSeriesList {
    let op =
        GetManyShopsPassengerIndicatorData::new(ids.iter().map(|i| id(i)), days, grain).unwrap();
    data(&send(gw, &op, token).await)
}

#[tokio::test]
async fn both_logins_give_tokens_and_refuse_unknown_users_and_wrong_passwords() {
    let sandbox = Sandbox::builder()
        .user("buyer", "pa55")
        .start()
        .await
        .unwrap();
    let gw = classic(&sandbox);
    let mobile = UserLogin::new(
        DEMO_USER,
        SecretString::from(DEMO_PASSWORD.to_owned()),
        LoginMethod::Mobile,
    )
    .unwrap();
    let first: LoginData = data(&send_without_token(gw, &mobile).await);
    assert!(first.enterprise_id.is_some());
    let sso = UserLogin::new(
        "buyer",
        SecretString::from("pa55".to_owned()),
        LoginMethod::Sso,
    )
    .unwrap();
    let envelope = send_without_token(cloud(&sandbox), &sso).await;
    let second: LoginData = data(&envelope);
    assert_ne!(first.token.expose_secret(), second.token.expose_secret());
    assert_eq!(second.user_name.as_deref(), Some("buyer"));
    assert!(second.user_id.is_some() && second.enterprise_id.is_some());
    // An hour by default, in milliseconds.
    assert_eq!(second.token_expiration_surplus_timestamp, Some(3_600_000));
    let expires = second.token_expiration_timestamp.unwrap();
    let now_ms = Utc::now().timestamp_millis();
    assert!((expires - now_ms - 3_600_000).abs() < 60_000, "{expires}");
    assert_eq!(sandbox.counters().logins(), 2);

    let unknown = UserLogin::new(
        "nobody",
        SecretString::from("x".to_owned()),
        LoginMethod::Mobile,
    )
    .unwrap();
    let envelope = send_without_token(gw, &unknown).await;
    common::assert_error(&envelope, 103_094, "USERNAME_ERROE");
    let wrong = UserLogin::new(
        DEMO_USER,
        SecretString::from("guess".to_owned()),
        LoginMethod::Mobile,
    )
    .unwrap();
    let envelope = send_without_token(gw, &wrong).await;
    common::assert_error(&envelope, 103_095, "PASSWORD_ERROE");
    assert!(!envelope.to_string().contains("guess"), "{envelope}");
    // ssoLogin wants the MD5: the plain password is wrong there.
    let plain = [
        ("userName", DEMO_USER.to_owned()),
        ("password", DEMO_PASSWORD.to_owned()),
    ];
    let envelope = call_with(gw, METHOD_SSO_LOGIN, &plain, None).await;
    common::assert_error(&envelope, 103_095, "PASSWORD_ERROE");
    assert_eq!(
        sandbox.counters().logins(),
        2,
        "failed logins are not counted"
    );

    let without_demo = Sandbox::builder()
        .without_demo_user()
        .start()
        .await
        .unwrap();
    let envelope = send_without_token(classic(&without_demo), &mobile).await;
    common::assert_error(&envelope, 103_094, "USERNAME_ERROE");
}

#[tokio::test]
async fn tokens_guard_the_methods_that_need_them_until_they_expire() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = classic(&sandbox);
    let list = [("pageNumber", "1".to_owned()), ("pageSize", "5".to_owned())];
    let envelope = call_with(gw, METHOD_GET_DEPT_LIST_BY_PAGE, &list, None).await;
    common::assert_error(&envelope, 9_990_001, "TOKEN_NOT_EXIST");
    let envelope = call(gw, METHOD_GET_DEPT_LIST_BY_PAGE, &list, "made-up").await;
    common::assert_error(&envelope, 9_990_001, "TOKEN_NOT_EXIST");

    let token = login(gw).await;
    let page: StorePage = data(&call(gw, METHOD_GET_DEPT_LIST_BY_PAGE, &list, &token).await);
    assert_eq!(page.stores.len(), 5);
    // The classic gateway reads `authenticator` only.
    let envelope = call_with(
        gw,
        METHOD_GET_DEPT_LIST_BY_PAGE,
        &list,
        Some(("Ovo-Authorization", &token)),
    )
    .await;
    common::assert_error(&envelope, 9_990_001, "TOKEN_NOT_EXIST");
    // A token works on both gateways.
    let _: StorePage = data(&call(cloud(&sandbox), METHOD_GET_DEPARTMENTS, &list, &token).await);

    sandbox.expire_tokens();
    let envelope = call(gw, METHOD_GET_DEPT_LIST_BY_PAGE, &list, &token).await;
    common::assert_error(&envelope, 9_990_001, "TOKEN_NOT_EXIST");
    let again = login(gw).await;
    let _: StorePage = data(&call(gw, METHOD_GET_DEPT_LIST_BY_PAGE, &list, &again).await);
    assert_eq!(sandbox.counters().logins(), 2);
    assert_eq!(sandbox.counters().answers(9_990_001), 4);

    // A lifetime of zero: every token has expired by its first use.
    let short = Sandbox::builder()
        .token_ttl(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let token = login(classic(&short)).await;
    let envelope = call(classic(&short), METHOD_GET_DEPT_LIST_BY_PAGE, &list, &token).await;
    common::assert_error(&envelope, 9_990_001, "TOKEN_NOT_EXIST");
}

#[tokio::test]
async fn the_cloud_gateway_wants_a_registered_application_id() {
    let sandbox = Sandbox::builder()
        .application("DC-OTHER")
        .start()
        .await
        .unwrap();
    assert!(sandbox.cloud_url().ends_with("/cloud.api"));
    assert_eq!(
        sandbox.url().trim_end_matches("m.api"),
        sandbox.cloud_url().trim_end_matches("cloud.api")
    );
    let total = [("id", "S_1001".to_owned()), ("needUnit", "0".to_owned())];
    // getTotalData needs no token, on either gateway.
    for gw in [classic(&sandbox), cloud(&sandbox)] {
        let envelope = call_with(gw, common::TOTAL_DATA, &total, None).await;
        assert_eq!(code(&envelope), 0, "{envelope}");
    }
    let other = Gw {
        aid: "DC-OTHER",
        ..cloud(&sandbox)
    };
    assert_eq!(
        code(&call_with(other, common::TOTAL_DATA, &total, None).await),
        0
    );
    let s107_on_cloud = Gw {
        aid: "S107",
        ..cloud(&sandbox)
    };
    let envelope = call_with(s107_on_cloud, common::TOTAL_DATA, &total, None).await;
    common::assert_error(&envelope, 12, "APPLICATIONID_NOTSAME");
    let app_on_classic = Gw {
        aid: DEMO_APPLICATION_ID,
        ..classic(&sandbox)
    };
    let envelope = call_with(app_on_classic, common::TOTAL_DATA, &total, None).await;
    common::assert_error(&envelope, 12, "APPLICATIONID_NOTSAME");
    let empty = Gw {
        aid: "",
        ..cloud(&sandbox)
    };
    let envelope = call_with(empty, common::TOTAL_DATA, &total, None).await;
    common::assert_error(&envelope, 11, "APPLICATIONID_NOTNULL");

    // The cloud gateway reads the token from `Ovo-Authorization` only.
    let gw = cloud(&sandbox);
    let token = login(gw).await;
    let page = [("pageSize", "3".to_owned())];
    let _: StorePage = data(&call(gw, METHOD_GET_DEPARTMENTS, &page, &token).await);
    let envelope = call_with(
        gw,
        METHOD_GET_DEPARTMENTS,
        &page,
        Some(("authenticator", &token)),
    )
    .await;
    common::assert_error(&envelope, 9_990_001, "TOKEN_NOT_EXIST");
}

#[tokio::test]
async fn store_lists_page_through_the_same_demo_tenant_every_run() {
    let sandbox = Sandbox::builder().max_page_size(120).start().await.unwrap();
    let gw = cloud(&sandbox);
    let token = login(gw).await;
    let mut ids = BTreeSet::new();
    let mut codes = Vec::new();
    for number in 1..=3 {
        let params = [
            ("pageNumber", number.to_string()),
            ("pageSize", "120".to_owned()),
        ];
        let page: StorePage = data(&call(gw, METHOD_GET_DEPARTMENTS, &params, &token).await);
        assert_eq!(page.total, Some(DEMO_STORE_COUNT as u64));
        for store in &page.stores {
            assert!(store.entity_id().is_some(), "{store:?}");
            assert!(store.name.as_deref().is_some_and(|n| !n.is_empty()));
            assert!(store.address.is_some() && store.organize_id.is_some());
            assert!(store.longitude.is_some() && store.latitude.is_some());
            ids.insert(store.id.clone().unwrap());
            if let Some(code) = store.shop_id.as_deref().filter(|c| !c.is_empty()) {
                codes.push(code.to_owned());
            }
        }
    }
    assert_eq!(ids.len(), DEMO_STORE_COUNT, "every store once");
    assert!(
        codes.len() < DEMO_STORE_COUNT,
        "some tenant codes are empty"
    );

    // The same tenant in another sandbox.
    let other = Sandbox::builder().start().await.unwrap();
    let other_token = login(classic(&other)).await;
    let first = [("pageSize", "10".to_owned())];
    let a: Value = call(gw, METHOD_GET_DEPARTMENTS, &first, &token).await["data"].clone();
    let b: Value =
        call(cloud(&other), METHOD_GET_DEPARTMENTS, &first, &other_token).await["data"].clone();
    assert_eq!(a, b);

    // Filters: by name (Chinese or Latin), by tenant codes.
    let by_name = [
        ("deptName", "shanghai".to_owned()),
        ("pageSize", "100".to_owned()),
    ];
    let page: StorePage = data(&call(gw, METHOD_GET_DEPARTMENTS, &by_name, &token).await);
    assert!(page.total.unwrap() > 0 && page.total.unwrap() < DEMO_STORE_COUNT as u64);
    for store in &page.stores {
        assert!(
            store
                .name
                .as_deref()
                .unwrap()
                .to_lowercase()
                .contains("shanghai")
        );
    }
    let wanted = [codes[0].clone(), codes[7].clone()];
    let by_codes = [("shopIds", wanted.join(","))];
    let page: StorePage = data(&call(gw, METHOD_GET_DEPT_LIST_BY_PAGE, &by_codes, &token).await);
    let got: BTreeSet<String> = page
        .stores
        .iter()
        .filter_map(|s| s.shop_id.clone())
        .collect();
    assert_eq!(got, wanted.into_iter().collect());
    assert_eq!(page.total, Some(2));

    // The page-size cap.
    let too_big = [("pageSize", "121".to_owned())];
    let envelope = call(gw, METHOD_GET_DEPARTMENTS, &too_big, &token).await;
    common::assert_error(&envelope, PAGE_SIZE_TOO_LARGE, "PAGE_SIZE_TOO_LARGE");
    // Tokens belong to the sandbox that issued them.
    let envelope = call(gw, METHOD_GET_DEPARTMENTS, &first, &other_token).await;
    common::assert_error(&envelope, 9_990_001, "TOKEN_NOT_EXIST");
    // Another sandbox keeps the default cap of 100.
    let default_cap = call(
        classic(&other),
        METHOD_GET_DEPT_LIST_BY_PAGE,
        &[("pageSize", "101".to_owned())],
        &other_token,
    )
    .await;
    common::assert_error(&default_cap, PAGE_SIZE_TOO_LARGE, "PAGE_SIZE_TOO_LARGE");
    let zero = [("pageNumber", "0".to_owned())];
    let envelope = call(gw, METHOD_GET_DEPARTMENTS, &zero, &token).await;
    common::assert_error(&envelope, PARAM_ILLEGAL, "PARAM_ILLEGAL");
}

/// The visitors of a bucket.
fn entering(bucket: &opretail_model::Bucket) -> i64 {
    int(bucket.passenger_flow.as_ref())
}

#[tokio::test]
async fn todays_hours_add_up_to_get_total_data_and_windows_agree() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let store = "S_1001";
    let total_params = [("id", store.to_owned()), ("needUnit", "0".to_owned())];
    // An hour may turn between two calls: then the figures move on, so try again.
    let mut agreed = false;
    for _ in 0..3 {
        let before = call_with(gw, common::TOTAL_DATA, &total_params, None).await;
        let today = gateway_today();
        let hours = series(gw, &token, &[store], DateRange::day(today), Grain::Hour).await;
        let after = call_with(gw, common::TOTAL_DATA, &total_params, None).await;
        let day_flow = before["data"]["DAY_FLOW"].as_i64().unwrap();
        if day_flow != after["data"]["DAY_FLOW"].as_i64().unwrap() || today != gateway_today() {
            continue;
        }
        let buckets = &hours.shops[0].buckets;
        assert_eq!(buckets.len(), 24);
        let sum: i64 = buckets.iter().map(entering).sum();
        assert_eq!(sum, day_flow, "today's hours so far are DAY_FLOW");
        // Hours that have not begun count zero.
        let hour_now = (Utc::now() + TimeDelta::hours(8)).format("%H").to_string();
        let hour_now: usize = hour_now.parse().unwrap();
        assert!(buckets[hour_now + 1..].iter().all(|b| entering(b) == 0));
        assert!(buckets[..=hour_now].iter().all(|b| entering(b) > 0));
        let week = before["data"]["WEEK_FLOW"].as_i64().unwrap();
        assert!(day_flow <= week);
        agreed = true;
        break;
    }
    assert!(agreed, "the hour kept turning");
}

#[tokio::test]
async fn hours_days_weeks_and_the_window_figure_are_sums_of_each_other() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = cloud(&sandbox);
    let token = login(gw).await;
    // Four whole weeks well in the past, Monday to Sunday.
    let today = gateway_today();
    let monday = today
        - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()))
        - TimeDelta::weeks(6);
    let days = DateRange::new(monday, monday + TimeDelta::days(27)).unwrap();
    let ids = ["S_1002", "S_1003"];
    let hourly = series(gw, &token, &ids, days, Grain::Hour).await;
    let daily = series(gw, &token, &ids, days, Grain::Day).await;
    let weekly = series(gw, &token, &ids, days, Grain::Week).await;
    assert_eq!(hourly.shops.len(), 2);
    for ((h, d), w) in hourly.shops.iter().zip(&daily.shops).zip(&weekly.shops) {
        assert_eq!(h.dep_id, d.dep_id);
        assert_eq!(
            (h.buckets.len(), d.buckets.len(), w.buckets.len()),
            (28 * 24, 28, 4)
        );
        for (day, bucket) in d.buckets.iter().enumerate() {
            let hours: i64 = h.buckets[day * 24..(day + 1) * 24]
                .iter()
                .map(entering)
                .sum();
            assert_eq!(hours, entering(bucket), "{bucket:?}");
            let outside = int(bucket.outside_passenger_flow.as_ref());
            let passing = int(bucket.pass_passenger_flow.as_ref());
            assert_eq!(outside, entering(bucket) + passing);
            assert!(bucket.date_time().is_some(), "{bucket:?}");
        }
        for (week, bucket) in w.buckets.iter().enumerate() {
            let days: i64 = d.buckets[week * 7..(week + 1) * 7]
                .iter()
                .map(entering)
                .sum();
            assert_eq!(days, entering(bucket));
        }
        // The window figure of one store is the same sum.
        let store = h.entity_id().unwrap();
        let op = opretail_model::GetPassengerIndicatorData::new(&store, days).unwrap();
        let window: PassengerIndicator = data(&send(gw, &op, &token).await);
        let all: i64 = d.buckets.iter().map(entering).sum();
        assert_eq!(int(window.passenger_flow.as_ref()), all);
        let rate = window.in_shop_rate.as_ref().unwrap().value();
        assert!(rate > 0.0 && rate < 100.0, "{rate}");
    }
    // Both spellings of outside flow occur: 1002 is even, 1003 odd.
    let months = GetManyShopsPassengerIndicatorData::new(ids.map(id), days, Grain::Month).unwrap();
    let raw = send(gw, &months, &token).await;
    let text = raw["data"].to_string();
    assert!(text.contains("\"outsidePassengerFlow\"") && text.contains("\"outSidePassengerFlow\""));
}

#[tokio::test]
async fn the_customerflow_name_answers_the_same_series_with_its_own_hour_spelling() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = cloud(&sandbox);
    let token = login(gw).await;
    let day = gateway_today() - TimeDelta::days(3);
    let op = GetManyShopsPassengerIndicatorData::new(
        ["S_1002", "S_1003"].map(id),
        DateRange::day(day),
        Grain::Hour,
    )
    .unwrap()
    .hours(opretail_model::HourRange::new(10, 14).unwrap());
    let customer = op.clone().flow_method(FlowMethod::CustomerFlow);
    assert_eq!(
        customer.method(),
        "open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData"
    );
    let names: Vec<&str> = customer.params().iter().map(|(k, _)| *k).collect();
    assert!(
        names.contains(&"starthour") && names.contains(&"endhour"),
        "{names:?}"
    );
    let first = send(gw, &op, &token).await;
    let second = send(gw, &customer, &token).await;
    assert_eq!(first["data"], second["data"]);
    let list: ShopSeriesList = data(&second);
    // The hour filter was read under its lower-case names: hours 10 to 13 only.
    assert_eq!(list.shops.len(), 2);
    assert!(list.shops.iter().all(|shop| shop.buckets.len() == 4));
}

#[tokio::test]
async fn future_days_count_zero_and_organisations_expand_to_their_stores() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let tomorrow = gateway_today() + TimeDelta::days(1);
    let future = DateRange::new(tomorrow, tomorrow + TimeDelta::days(2)).unwrap();
    let list = series(gw, &token, &["S_1004"], future, Grain::Day).await;
    assert_eq!(list.shops[0].buckets.len(), 3);
    assert!(list.shops[0].buckets.iter().all(|b| entering(b) == 0));

    let past = DateRange::day(gateway_today() - TimeDelta::days(3));
    let region = series(gw, &token, &["O_101", "S_1001", "S_9999"], past, Grain::Day).await;
    // Every store once; the unknown S_9999 is left out.
    let deps: BTreeSet<String> = region
        .shops
        .iter()
        .filter_map(|s| s.dep_id.clone())
        .collect();
    assert_eq!(deps.len(), region.shops.len());
    assert!(!deps.contains("9999"));
    assert!(region.shops.len() > 10, "{}", region.shops.len());
    let all = series(gw, &token, &[DEMO_ROOT_NODE], past, Grain::Day).await;
    assert_eq!(all.shops.len(), DEMO_STORE_COUNT);
}

#[tokio::test]
async fn recent_hours_are_revised_between_calls_and_older_ones_are_not() {
    // Two days back from now: all of yesterday's busy hours are recent.
    let sandbox = Sandbox::builder()
        .revise_recent_hours(48)
        .start()
        .await
        .unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let day = |back: i64| {
        let date = gateway_today() - TimeDelta::days(back);
        DateRange::new(date, date).unwrap()
    };
    let (mut recent, mut older) = (BTreeSet::new(), BTreeSet::new());
    for _ in 0..8 {
        let recent_day = series(gw, &token, &["S_1001"], day(1), Grain::Day).await;
        recent.insert(entering(&recent_day.shops[0].buckets[0]));
        let older_day = series(gw, &token, &["S_1001"], day(3), Grain::Day).await;
        older.insert(entering(&older_day.shops[0].buckets[0]));
    }
    assert!(recent.len() > 1, "{recent:?}");
    assert_eq!(older.len(), 1, "{older:?}");
    // Each revision moves an hour by at most 5 %, so the day moves by at most 5 % too.
    let (low, high) = (recent.first().unwrap(), recent.last().unwrap());
    assert!((high - low) * 10 <= *high, "{recent:?}");
}

#[tokio::test]
async fn age_and_gender_add_up_to_the_windows_visitors() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let last = gateway_today() - TimeDelta::days(1);
    let days = DateRange::new(last - TimeDelta::days(2), last).unwrap();
    let ids = ["S_1010", "S_1011"];
    let op = opretail_model::GetAgeGroupAndGenderDistribution::new(ids.map(id), days)
        .unwrap()
        .hours(opretail_model::HourRange::new(10, 22).unwrap());
    let demographics: Demographics = data(&send(gw, &op, &token).await);
    let hourly = series(gw, &token, &ids, days, Grain::Hour).await;
    let visitors: i64 = hourly
        .shops
        .iter()
        .flat_map(|s| &s.buckets)
        .filter(|b| {
            let hour = b.date_time().unwrap().format("%H").to_string();
            (10..22).contains(&hour.parse::<u32>().unwrap())
        })
        .map(entering)
        .sum();
    assert!(visitors > 0);
    let genders: i64 = demographics
        .gender
        .iter()
        .map(|g| int(g.people_num.as_ref()))
        .sum();
    let ages: i64 = demographics
        .age
        .iter()
        .map(|a| int(a.people_num.as_ref()))
        .sum();
    assert_eq!((genders, ages), (visitors, visitors));
    assert_eq!(demographics.gender.len(), 3);
    assert_eq!(demographics.age.len(), 5);
    assert!(demographics.age.last().unwrap().is_open_ended());
    let share: f64 = demographics
        .gender
        .iter()
        .map(|g| g.percentage.as_ref().unwrap().value())
        .sum();
    assert!((share - 100.0).abs() < 0.05, "{share}");
}

#[tokio::test]
async fn the_sdks_default_split_is_accepted_and_larger_calls_are_refused() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let ids: Vec<EntityId> = (1001..1026).map(|n| EntityId::store(n).unwrap()).collect();
    let end = gateway_today() - TimeDelta::days(1);
    for (grain, span) in [(Grain::Day, 70), (Grain::Quarter, 200), (Grain::Year, 400)] {
        let days = DateRange::new(end - TimeDelta::days(span), end).unwrap();
        let whole = GetManyShopsPassengerIndicatorData::new(ids.clone(), days, grain).unwrap();
        let calls = SeriesRequest::new(whole).calls().unwrap();
        assert!(calls.len() > 2);
        for op in calls {
            let envelope = send(gw, &op, &token).await;
            assert_eq!(code(&envelope), 0, "{grain} {:?}: {envelope}", op.days());
        }
    }
    // Over the limits: 21 ids, 32 days.
    let days = DateRange::new(end - TimeDelta::days(31), end).unwrap();
    let op = GetManyShopsPassengerIndicatorData::new(
        ids[..21].to_vec(),
        DateRange::day(end),
        Grain::Day,
    )
    .unwrap();
    let envelope = send(gw, &op, &token).await;
    common::assert_error(&envelope, TOO_MANY_IDS, "TOO_MANY_IDS");
    let op = GetManyShopsPassengerIndicatorData::new(ids[..2].to_vec(), days, Grain::Day).unwrap();
    let envelope = send(gw, &op, &token).await;
    common::assert_error(&envelope, WINDOW_TOO_LONG, "WINDOW_TOO_LONG");
    let op = opretail_model::GetPassengerIndicatorData::new(&ids[0], days).unwrap();
    let envelope = send(gw, &op, &token).await;
    common::assert_error(&envelope, WINDOW_TOO_LONG, "WINDOW_TOO_LONG");

    // Limits of the builder.
    let tight = Sandbox::builder()
        .max_window_days(7)
        .max_ids_per_call(2)
        .start()
        .await
        .unwrap();
    let gw = classic(&tight);
    let token = login(gw).await;
    let week = DateRange::new(end - TimeDelta::days(6), end).unwrap();
    let eight = DateRange::new(end - TimeDelta::days(7), end).unwrap();
    let ok = GetManyShopsPassengerIndicatorData::new(ids[..2].to_vec(), week, Grain::Day).unwrap();
    assert_eq!(code(&send(gw, &ok, &token).await), 0);
    let long =
        GetManyShopsPassengerIndicatorData::new(ids[..2].to_vec(), eight, Grain::Day).unwrap();
    let envelope = send(gw, &long, &token).await;
    common::assert_error(&envelope, WINDOW_TOO_LONG, "WINDOW_TOO_LONG");
    let many =
        GetManyShopsPassengerIndicatorData::new(ids[..3].to_vec(), week, Grain::Day).unwrap();
    let envelope = send(gw, &many, &token).await;
    common::assert_error(&envelope, TOO_MANY_IDS, "TOO_MANY_IDS");
}

#[tokio::test]
async fn bad_window_parameters_get_the_sandboxs_codes() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let many = |time_type: &str, start: &str| {
        vec![
            ("id", "S_1001".to_owned()),
            ("startTime", start.to_owned()),
            ("endTime", "2026-01-02 23:59:59".to_owned()),
            ("timeType", time_type.to_owned()),
        ]
    };
    for params in [
        many("7", "2026-01-01 00:00:00"),
        many("2", "2026/01/01"),
        many("", "2026-01-01 00:00:00"),
    ] {
        let envelope = call(
            gw,
            METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA,
            &params,
            &token,
        )
        .await;
        common::assert_error(&envelope, PARAM_ILLEGAL, "PARAM_ILLEGAL");
    }
    let mut swapped = many("2", "2026-01-03 00:00:00");
    swapped.push(("startHour", "3".to_owned()));
    let envelope = call(
        gw,
        METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA,
        &swapped,
        &token,
    )
    .await;
    common::assert_error(&envelope, PARAM_ILLEGAL, "PARAM_ILLEGAL");
    let mut bad_id = many("2", "2026-01-01 00:00:00");
    bad_id[0].1 = "1001".to_owned();
    let envelope = call(
        gw,
        METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA,
        &bad_id,
        &token,
    )
    .await;
    common::assert_error(&envelope, opretail_sandbox::ID_ILLEGAL, "ID_ILLEGAL");
    let window = [
        ("depId", "99999".to_owned()),
        ("startTime", "2026-01-01 00:00:00".to_owned()),
        ("endTime", "2026-01-01 23:59:59".to_owned()),
    ];
    let envelope = call(gw, METHOD_GET_PASSENGER_INDICATOR_DATA, &window, &token).await;
    common::assert_error(&envelope, STORE_NOT_FOUND, "STORE_NOT_FOUND");
}

#[tokio::test]
async fn quirks_send_numbers_as_strings_that_still_decode() {
    let sandbox = Sandbox::builder().quirks(true).start().await.unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let day = DateRange::day(gateway_today() - TimeDelta::days(1));
    let op = GetManyShopsPassengerIndicatorData::new([id("S_1001")], day, Grain::Day).unwrap();
    let raw = send(gw, &op, &token).await;
    let bucket = &raw["data"][0]["dataList"][0];
    assert!(bucket["passengerFlow"].is_string(), "{bucket}");
    assert!(bucket["inShopRate"].is_string(), "{bucket}");
    let list: ShopSeriesList = data(&raw);
    assert!(entering(&list.shops[0].buckets[0]) > 0);
    let page = call(
        gw,
        METHOD_GET_DEPARTMENTS,
        &[("pageSize", "2".to_owned())],
        &token,
    )
    .await;
    assert!(page["data"]["total"].is_string() && page["data"]["rows"][0]["id"].is_string());
    let page: StorePage = data(&page);
    assert_eq!(page.total, Some(DEMO_STORE_COUNT as u64));
    assert!(page.stores[0].entity_id().is_some());
}

#[tokio::test]
async fn faults_hit_the_platform_methods_too() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = cloud(&sandbox);
    let token = login(gw).await;
    sandbox.set_faults(
        FaultPlan::default()
            .then(Fault::Gateway(-500))
            .then(Fault::TruncatedJson),
    );
    let day = DateRange::day(gateway_today());
    let op = GetManyShopsPassengerIndicatorData::new([id("S_1001")], day, Grain::Hour).unwrap();
    let envelope = send(gw, &op, &token).await;
    common::assert_error(&envelope, -500, "API_SYSTEM_CALL_ERROR");
    let mobile = UserLogin::new(
        DEMO_USER,
        SecretString::from(DEMO_PASSWORD.to_owned()),
        LoginMethod::Mobile,
    )
    .unwrap();
    let mut form = Form::common(METHOD_MOBILE_LOGIN).set("_aid", gw.aid);
    for (k, v) in params_of(&mobile) {
        form = form.set(k, &v);
    }
    let (status, body) = common::post_raw(gw.url, form.signed().encode()).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
    // The plan is used up: the next calls are normal again.
    let _: ShopSeriesList = data(&send(gw, &op, &token).await);
    let counters = sandbox.counters();
    assert_eq!(counters.faults(FaultKind::Gateway), 1);
    assert_eq!(counters.faults(FaultKind::TruncatedJson), 1);
    assert_eq!(
        counters.logins(),
        2,
        "the truncated login still issued a token"
    );
}

/// The store a demo device's MAC address names, and the device's index in it.
fn device_of(mac: &str) -> (String, usize) {
    let dep = i64::from_str_radix(&mac[2..8], 16).unwrap();
    let number = usize::from_str_radix(&mac[8..], 16).unwrap();
    (format!("S_{dep}"), number - 1)
}

#[tokio::test]
async fn devices_list_per_store_and_page_and_their_flows_add_up_to_the_store() {
    let dead = "0C0003EA0001"; // the first device of S_1002
    let sandbox = Sandbox::builder()
        .dead_device(dead.to_lowercase())
        .start()
        .await
        .unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;

    // The enterprise's stores, page by page, with their devices.
    let op = opretail_model::GetAllHotspotShops::new(&id("O_88001"))
        .unwrap()
        .page(
            std::num::NonZeroU32::new(1).unwrap(),
            std::num::NonZeroU32::new(50).unwrap(),
        );
    let page: opretail_model::HotspotShopPage = data(&send(gw, &op, &token).await);
    assert_eq!(
        (page.all, page.total, page.shops.len()),
        (Some(300), Some(6), 50)
    );
    let offline = page
        .shops
        .iter()
        .flat_map(|s| &s.devices)
        .filter(|d| d.online == Some(false))
        .count();
    assert!(offline >= 1, "the dead device at least is offline");
    let s1002 = page
        .shops
        .iter()
        .find(|s| s.entity_id() == Some(id("S_1002")))
        .unwrap();
    assert_eq!(s1002.device_count, Some(s1002.devices.len() as i64));
    assert_eq!(s1002.devices[0].normalized_mac().as_deref(), Some(dead));
    assert_eq!(s1002.devices[0].online, Some(false));

    // One store's devices: the same as in the page.
    let list: opretail_model::DeviceList = data(
        &send(
            gw,
            &opretail_model::GetDeviceList::new(&id("S_1002")).unwrap(),
            &token,
        )
        .await,
    );
    let macs = |devices: &[opretail_model::Device]| -> Vec<Option<String>> {
        devices.iter().map(|d| d.normalized_mac()).collect()
    };
    assert_eq!(macs(&list.devices), macs(&s1002.devices));

    // Every device's day adds up to its store's day (the dead one counts zero, and its
    // store counts that much less).
    let day = gateway_today() - TimeDelta::days(3);
    for store in ["S_1001", "S_1002"] {
        let devices: opretail_model::DeviceList = data(
            &send(
                gw,
                &opretail_model::GetDeviceList::new(&id(store)).unwrap(),
                &token,
            )
            .await,
        );
        let mut sum = 0;
        for device in &devices.devices {
            let mac = device.normalized_mac().unwrap();
            assert_eq!(device_of(&mac).0, store);
            let op = opretail_model::ListDevicePassengerIndicator::new(
                &mac,
                DateRange::day(day),
                Grain::Hour,
            )
            .unwrap();
            let flow: opretail_model::DeviceFlow = data(&send(gw, &op, &token).await);
            assert_eq!(flow.buckets.len(), 24);
            let counted: i64 = flow.buckets.iter().map(entering).sum();
            if mac == dead {
                assert_eq!(counted, 0, "a dead device counts nothing");
            }
            sum += counted;
        }
        let list = series(gw, &token, &[store], DateRange::day(day), Grain::Day).await;
        assert_eq!(entering(&list.shops[0].buckets[0]), sum, "{store}");
    }
    let unharmed = Sandbox::builder().start().await.unwrap();
    let gw2 = classic(&unharmed);
    let token2 = login(gw2).await;
    let whole = series(gw2, &token2, &["S_1002"], DateRange::day(day), Grain::Day).await;
    let less = series(gw, &token, &["S_1002"], DateRange::day(day), Grain::Day).await;
    assert!(
        entering(&less.shops[0].buckets[0]) < entering(&whole.shops[0].buckets[0]),
        "the dead device's share is gone from its store"
    );

    // The stores with a counting device: all of them here.
    let having: opretail_model::FlowDeviceStores =
        data(&send(gw, &opretail_model::GetDepsHavingFlowDevice::new(), &token).await);
    assert_eq!(having.stores.len(), 300);
}

#[tokio::test]
async fn device_methods_refuse_what_they_cannot_answer() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let gw = classic(&sandbox);
    let token = login(gw).await;
    let day = gateway_today() - TimeDelta::days(1);
    let unknown = opretail_model::ListDevicePassengerIndicator::new(
        "FFFFFFFFFFFF",
        DateRange::day(day),
        Grain::Day,
    )
    .unwrap();
    assert_eq!(code(&send(gw, &unknown, &token).await), 4007);
    let org = call(
        gw,
        opretail_model::METHOD_GET_ALL_HOTSPOT_SHOPS,
        &[("orgid", "77".into())],
        &token,
    )
    .await;
    assert_eq!(code(&org), 4001);
    let op = opretail_model::GetDeviceList::new(&id("S_1001")).unwrap();
    assert_ne!(
        code(&send_without_token(gw, &op).await),
        0,
        "a token is needed"
    );
}
