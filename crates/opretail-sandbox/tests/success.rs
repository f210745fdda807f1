//! Successful calls: the envelope, the data with and without units, quirks, determinism,
//! echo, the query string and concurrency.

mod common;

use common::{Form, assert_error, post, post_raw};
use opretail_sandbox::{METHOD_ECHO, Sandbox};
use serde_json::Value;

fn assert_success_stat(envelope: &Value) {
    let stat = &envelope["stat"];
    assert_eq!(stat["code"], "0", "{envelope}");
    assert_eq!(stat["codename"], "SUCCESS");
    assert!(stat["cid"].as_str().is_some_and(|c| !c.is_empty()));
    let systime = stat["systime"].as_str().unwrap();
    assert_eq!(systime.len(), 19, "yyyy-MM-dd HH:mm:ss: {systime}");
    assert!(envelope["result"].is_string());
    assert!(envelope["data"].is_object());
}

fn number_with_unit(value: &Value, unit: &str) -> f64 {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a string"));
    let digits = text
        .strip_suffix(unit)
        .unwrap_or_else(|| panic!("{text} lacks {unit}"));
    digits.parse().unwrap_or_else(|_| panic!("{text}"))
}

fn check_weather(weather: &Value) {
    for field in [
        "classify",
        "dayPictureUrl",
        "nightPictureUrl",
        "weatherDate",
        "temperature",
        "weather",
        "cityId",
        "customIcon",
        "createDate",
        "wind",
    ] {
        assert!(weather[field].is_string(), "{field} in {weather}");
    }
    assert!(weather["id"].is_i64(), "{weather}");
}

#[tokio::test]
async fn needunit_1_and_absent_carry_units() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for form in [
        Form::total_data("S_1001").signed(),
        Form::total_data("S_1001").set("needUnit", "1").signed(),
    ] {
        let envelope = post(sandbox.url(), &form).await;
        assert_success_stat(&envelope);
        let data = &envelope["data"];
        let day = number_with_unit(&data["DAY_FLOW"], "人");
        let week = number_with_unit(&data["WEEK_FLOW"], "人");
        let month = number_with_unit(&data["MONTH_FLOW"], "人");
        assert!(0.0 < day && day <= week && week <= month, "{data}");
        for rate in ["ENTER_RATE", "BUY_RATE", "FITTING_RATE"] {
            let r = number_with_unit(&data[rate], "%");
            assert!((0.0..=100.0).contains(&r), "{rate} {data}");
        }
        let sales = number_with_unit(&data["TOTAL_SALE"], "元");
        let price = number_with_unit(&data["EXPENDITURE"], "元");
        let buy_rate = number_with_unit(&data["BUY_RATE"], "%");
        let buyers = (day * buy_rate / 100.0).round();
        assert!(
            (price - sales / buyers).abs() / price < 0.01,
            "price {price} vs {sales}/{buyers}"
        );
        check_weather(&data["WEATHER"]);
        let cfg = data["cfgData"].as_array().unwrap();
        assert!((3..=4).contains(&cfg.len()), "{data}");
        for item in cfg {
            assert!(item["name"].is_string() && item["key"].is_string());
            assert!(item["value"].is_string() && item["type"].is_i64());
        }
    }
}

#[tokio::test]
async fn needunit_0_gives_plain_numbers() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let envelope = post(
        sandbox.url(),
        &Form::total_data("O_42").set("needUnit", "0").signed(),
    )
    .await;
    assert_success_stat(&envelope);
    let data = &envelope["data"];
    let day = data["DAY_FLOW"].as_u64().unwrap();
    let week = data["WEEK_FLOW"].as_u64().unwrap();
    let month = data["MONTH_FLOW"].as_u64().unwrap();
    assert!(0 < day && day <= week && week <= month, "{data}");
    for rate in ["ENTER_RATE", "BUY_RATE", "FITTING_RATE"] {
        let r = data[rate].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&r), "{rate} {data}");
    }
    let sales = data["TOTAL_SALE"].as_f64().unwrap();
    let price = data["EXPENDITURE"].as_f64().unwrap();
    assert!(sales > 0.0 && price > 0.0, "{data}");
    check_weather(&data["WEATHER"]);
    assert!(data["cfgData"].as_array().is_some());
    for item in data["cfgData"].as_array().unwrap() {
        assert!(!item["value"].as_str().unwrap().ends_with('%'), "{item}");
    }
}

#[tokio::test]
async fn every_sign_method_in_any_case_is_accepted() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for sm in ["md5", "SHA1", "sha256", "Sha256"] {
        let envelope = post(
            sandbox.url(),
            &Form::total_data("S_1001").set("_sm", sm).signed(),
        )
        .await;
        assert_success_stat(&envelope);
    }
}

#[tokio::test]
async fn a_required_nonce_must_be_there_and_fresh() {
    // Signature replay protection off, so that only the nonce tells the two calls apart.
    let sandbox = Sandbox::builder()
        .require_nonce(true)
        .replay_protection(false)
        .start()
        .await
        .unwrap();
    let without = post(sandbox.url(), &Form::total_data("S_1001").signed()).await;
    assert_error(&without, opretail_sandbox::PARAM_ILLEGAL, "PARAM_ILLEGAL");
    assert!(without.to_string().contains("_nonce"), "{without}");
    let form = Form::total_data("S_1001")
        .set("_nonce", "0b7c5c32-4f7e-4d55-9a1c-3f2b8e0d6a11")
        .signed();
    assert_success_stat(&post(sandbox.url(), &form).await);
    let again = post(sandbox.url(), &form).await;
    assert_error(&again, -100, "API_CALL_REPEAT");
    assert!(again.to_string().contains("_nonce"), "{again}");
    let fresh = Form::total_data("S_1001")
        .set("_nonce", "5d0c1e6a-9b7f-4c2e-8a3d-1f4e6b8c0a22")
        .signed();
    assert_success_stat(&post(sandbox.url(), &fresh).await);
}

#[tokio::test]
async fn data_is_deterministic_per_id_and_day_across_sandboxes() {
    let first = Sandbox::builder().start().await.unwrap();
    let second = Sandbox::builder().start().await.unwrap();
    // DAY_FLOW grows when an hour begins: compare two answers given in the same hour.
    let hour = |envelope: &Value| envelope["stat"]["systime"].as_str().unwrap()[..13].to_owned();
    for id in ["S_1", "S_1001", "O_42"] {
        for attempt in 0.. {
            let a = post(first.url(), &Form::total_data(id).signed()).await;
            let b = post(second.url(), &Form::total_data(id).signed()).await;
            if hour(&a) != hour(&b) && attempt < 3 {
                continue;
            }
            assert_eq!(a["data"], b["data"], "{id}");
            assert_ne!(a["stat"]["cid"], b["stat"]["cid"]);
            break;
        }
    }
    let store = post(first.url(), &Form::total_data("S_1").signed()).await;
    let other = post(first.url(), &Form::total_data("S_2").signed()).await;
    assert_ne!(store["data"], other["data"]);
}

#[tokio::test]
async fn quirks_mode_sends_loose_types() {
    let sandbox = Sandbox::builder().quirks(true).start().await.unwrap();
    let envelope = post(
        sandbox.url(),
        &Form::total_data("S_1001").set("needUnit", "0").signed(),
    )
    .await;
    assert_eq!(
        envelope["stat"]["code"], 0,
        "stat.code as a number: {envelope}"
    );
    let data = &envelope["data"];
    assert!(data["DAY_FLOW"].is_string(), "numbers as strings: {data}");
    assert!(data["DAY_FLOW"].as_str().unwrap().parse::<u64>().is_ok());
    assert!(data["ENTER_RATE"].is_f64(), "{data}");
    assert!(data["FITTING_RATE"].is_null(), "{data}");
    assert!(data.get("EXPENDITURE").is_none(), "{data}");
    assert!(data.get("REMARK").is_some(), "extra fields: {data}");
    assert!(data["cfgData"].is_object(), "one object: {data}");
    assert!(data["WEATHER"]["id"].is_string());
    assert!(envelope.get("version").is_some());

    let units = post(sandbox.url(), &Form::total_data("O_42").signed()).await;
    let month = units["data"]["MONTH_FLOW"].as_str().unwrap();
    assert!(month.contains(',') && month.ends_with('人'), "{month}");

    let error = post(sandbox.url(), &Form::total_data("S_1").signed_with("x")).await;
    assert_eq!(error["stat"]["code"], 7);
    assert!(error["data"].is_null() && error.get("data").is_some());
}

#[tokio::test]
async fn echo_returns_business_parameters_in_utf8() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let form = Form::common(METHOD_ECHO)
        .set("name", "万店掌 store ✓")
        .set("empty", "")
        .set("emoji", "🛒")
        .signed();
    let envelope = post(sandbox.url(), &form).await;
    assert_eq!(envelope["stat"]["code"], "0", "{envelope}");
    let data = &envelope["data"];
    assert_eq!(data["name"], "万店掌 store ✓");
    assert_eq!(data["empty"], "");
    assert_eq!(data["emoji"], "🛒");
    assert!(data.get("_akey").is_none() && data.get("_sig").is_none());
}

#[tokio::test]
async fn parameters_in_the_query_string_are_accepted() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let form = Form::total_data("S_1").signed();
    let (business, common): (Vec<_>, Vec<_>) = form
        .pairs
        .iter()
        .cloned()
        .partition(|(k, _)| !k.starts_with('_'));
    let url = format!("{}?{}", sandbox.url(), common::form_encode(&common));
    let (status, body) = post_raw(&url, common::form_encode(&business)).await;
    assert_eq!(status, 200);
    let envelope: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(envelope["stat"]["code"], "0", "{envelope}");
}

#[tokio::test]
async fn hostile_bodies_are_refused() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let (status, _) = post_raw(sandbox.url(), "a=".to_owned() + &"x".repeat(70_000)).await;
    assert_eq!(status, 413);
    let (status, body) = post_raw(sandbox.url(), "%%%&&==&\u{0}".to_owned()).await;
    assert_eq!(status, 200);
    assert_error(&serde_json::from_str(&body).unwrap(), 1, "KEY_NOTNULL");
    let other_path = sandbox.url().replace("/m.api", "/other");
    assert_eq!(post_raw(&other_path, String::new()).await.0, 404);
    let get = common::client().get(sandbox.url()).send().await.unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_all_succeed_with_unique_cids() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let url = sandbox.url().to_owned();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let form = Form::total_data(&format!("S_{}", i % 7)).signed();
                post(&url, &form).await
            })
        })
        .collect();
    let mut cids = std::collections::HashSet::new();
    for task in tasks {
        let envelope = task.await.unwrap();
        assert_eq!(envelope["stat"]["code"], "0", "{envelope}");
        assert!(cids.insert(envelope["stat"]["cid"].as_str().unwrap().to_owned()));
    }
    let counters = sandbox.counters();
    assert_eq!(counters.requests(), 200);
    assert_eq!(counters.answers(0), 200);
    assert_eq!(counters.answers_total(), 200);
}

/// A `getTotalData` form in `_sm=rsa` mode (no `_akey`) signed with the private key `pem`.
fn rsa_form(pem: &str) -> Form {
    let key = opretail_sign::RsaSigningKey::from_text(pem).unwrap();
    let form = Form::total_data("S_1001").remove("_akey").set("_sm", "rsa");
    let sig = opretail_sign::sign_rsa(&key, &form.pairs).to_string();
    form.push("_sig", &sig)
}

#[tokio::test]
async fn rsa_calls_verify_with_the_registered_public_key_only() {
    let public = include_str!("data/rsa-test-key.pub.pem");
    let key = opretail_sign::RsaVerifyingKey::from_text(public).unwrap();
    let sandbox = Sandbox::builder()
        .rsa_public_key(key)
        .start()
        .await
        .unwrap();
    let good = rsa_form(include_str!("data/rsa-test-key.pem"));
    assert_success_stat(&post(sandbox.url(), &good).await);
    let other = rsa_form(include_str!("data/rsa-other-key.pem"));
    let refused = post(sandbox.url(), &other).await;
    assert_error(&refused, 7, "SIGN_WRONG");
    // A parameter changed after signing.
    let changed = rsa_form(include_str!("data/rsa-test-key.pem")).set("id", "S_1002");
    assert_error(&post(sandbox.url(), &changed).await, 7, "SIGN_WRONG");
    // Digest calls go on as before beside RSA ones.
    assert_success_stat(&post(sandbox.url(), &Form::total_data("S_1001").signed()).await);

    // Without a registered key every RSA call is refused, saying how to register one.
    let bare = Sandbox::builder().start().await.unwrap();
    let refused = post(bare.url(), &rsa_form(include_str!("data/rsa-test-key.pem"))).await;
    assert_error(&refused, 7, "SIGN_WRONG");
    assert!(
        refused.to_string().contains("--rsa-public-key"),
        "{refused}"
    );
}

/// Posts `body` as JSON with the signed `form` in the query string.
async fn post_json(url: &str, form: &Form, body: &str) -> (u16, String) {
    let response = common::client()
        .post(format!("{url}?{}", form.encode()))
        .header("content-type", "application/json;charset=utf-8")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_json_body_is_read_unsigned_beside_a_signed_query() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let form = Form::common(METHOD_ECHO).set("q", "signed").signed();
    let (status, body) = post_json(sandbox.url(), &form, r#"{"order":{"id":7},"note":"中"}"#).await;
    assert_eq!(status, 200, "{body}");
    let envelope: Value = serde_json::from_str(&body).unwrap();
    assert_success_stat(&envelope);
    assert_eq!(envelope["data"]["q"], "signed");
    assert_eq!(envelope["data"]["note"], "中");
    assert_eq!(envelope["data"]["order"], r#"{"id":7}"#);
    // The query is what is signed: a changed query parameter fails the signature.
    let changed = Form::common(METHOD_ECHO)
        .set("q", "signed")
        .signed()
        .set("q", "other");
    let (_, body) = post_json(sandbox.url(), &changed, "{}").await;
    assert!(body.contains("SIGN_WRONG"), "{body}");
    // A body that is not an object is refused, saying what the gateway expects.
    let (status, body) = post_json(sandbox.url(), &Form::common(METHOD_ECHO).signed(), "[1]").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("query string"), "{body}");
}
