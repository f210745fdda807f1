//! One test per gateway code the sandbox checks, in the documented order.

mod common;

use std::time::Duration;

use common::{Form, TOTAL_DATA, assert_error, post, timestamp};
use opretail_sandbox::{Sandbox, SandboxHandle};

async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .expired_credential("old-key", "old-secret")
        .start()
        .await
        .unwrap()
}

async fn expect(form: Form, code: i64, name: &str) {
    let sandbox = sandbox().await;
    let envelope = post(sandbox.url(), &form).await;
    assert_error(&envelope, code, name);
    assert_eq!(sandbox.counters().answers(code), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn code_1_empty_akey() {
    expect(
        Form::total_data("S_1").set("_akey", "").signed(),
        1,
        "KEY_NOTNULL",
    )
    .await;
    expect(
        Form::total_data("S_1").remove("_akey").signed(),
        1,
        "KEY_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn code_2_unknown_akey() {
    expect(
        Form::total_data("S_1").set("_akey", "nobody").signed(),
        2,
        "KEY_UNLAWFUL",
    )
    .await;
}

#[tokio::test]
async fn code_3_expired_akey() {
    let form = Form::total_data("S_1")
        .set("_akey", "old-key")
        .signed_with("old-secret");
    expect(form, 3, "KEY_HAS_EXPIRED").await;
}

#[tokio::test]
async fn code_4_empty_sign_method() {
    expect(
        Form::total_data("S_1").set("_sm", "").signed(),
        4,
        "SIGN_METHOD_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn code_5_unknown_sign_method() {
    expect(
        Form::total_data("S_1").set("_sm", "sha512").signed(),
        5,
        "SIGN_TYPE_NOTEXIST",
    )
    .await;
}

#[tokio::test]
async fn code_7_a_sha256_signature_made_with_another_secret() {
    expect(
        Form::total_data("S_1")
            .set("_sm", "sha256")
            .signed_with("wrong-secret"),
        7,
        "SIGN_WRONG",
    )
    .await;
}

#[tokio::test]
async fn code_6_empty_signature() {
    expect(Form::total_data("S_1"), 6, "SIGN_NOTNULL").await;
    expect(Form::total_data("S_1").push("_sig", ""), 6, "SIGN_NOTNULL").await;
}

#[tokio::test]
async fn code_7_wrong_signature() {
    expect(
        Form::total_data("S_1").signed_with("wrong-secret"),
        7,
        "SIGN_WRONG",
    )
    .await;
    // A parameter changed after signing.
    expect(
        Form::total_data("S_1").signed().set("id", "S_2"),
        7,
        "SIGN_WRONG",
    )
    .await;
    // A repeated name is refused even when every pair was signed.
    expect(
        Form::total_data("S_1").push("id", "S_2").signed(),
        7,
        "SIGN_WRONG",
    )
    .await;
}

#[tokio::test]
async fn code_7_sha1_is_verified_too() {
    let sandbox = sandbox().await;
    let ok = post(
        sandbox.url(),
        &Form::total_data("S_1").set("_sm", "sha1").signed(),
    )
    .await;
    assert_eq!(ok["stat"]["code"], "0", "{ok}");
    let bad = Form::total_data("S_1")
        .set("_sm", "sha1")
        .signed_with("nope");
    assert_error(&post(sandbox.url(), &bad).await, 7, "SIGN_WRONG");
}

#[tokio::test]
async fn code_8_empty_method() {
    expect(
        Form::total_data("S_1").set("_mt", "").signed(),
        8,
        "METHOD_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn code_9_unknown_method_or_version() {
    expect(
        Form::total_data("S_1")
            .set("_mt", "open.no.such.method")
            .signed(),
        9,
        "METHOD_NOTEXIST_CODE",
    )
    .await;
    expect(
        Form::total_data("S_1").set("_version", "v2").signed(),
        9,
        "METHOD_NOTEXIST_CODE",
    )
    .await;
}

#[tokio::test]
async fn code_10_empty_request_mode() {
    expect(
        Form::total_data("S_1").set("_requestMode", "").signed(),
        10,
        "REQUESTMODE_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn code_11_empty_aid() {
    expect(
        Form::total_data("S_1").set("_aid", "").signed(),
        11,
        "APPLICATIONID_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn code_12_other_aid() {
    expect(
        Form::total_data("S_1").set("_aid", "S108").signed(),
        12,
        "APPLICATIONID_NOTSAME",
    )
    .await;
}

#[tokio::test]
async fn code_13_empty_version() {
    expect(
        Form::total_data("S_1").set("_version", "").signed(),
        13,
        "VERSION_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn code_14_empty_timestamp() {
    expect(
        Form::total_data("S_1").set("_timestamp", "").signed(),
        14,
        "TIMESTAMP_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn code_15_malformed_timestamp() {
    for bad in [
        "2026-11-28 10:00:00",
        "20261128",
        "20261332000000",
        "2026112810000x",
    ] {
        expect(
            Form::total_data("S_1").set("_timestamp", bad).signed(),
            15,
            "TIMESTAMP_FORMAT_ERROR",
        )
        .await;
    }
}

#[tokio::test]
async fn code_16_timestamp_outside_tolerance() {
    for offset in [-3_600, 3_600, -601] {
        expect(
            Form::total_data("S_1")
                .set("_timestamp", &timestamp(offset))
                .signed(),
            16,
            "TIMESTAMP_OVERTIME",
        )
        .await;
    }
    // Inside the tolerance is fine.
    let sandbox = sandbox().await;
    let ok = Form::total_data("S_1")
        .set("_timestamp", &timestamp(-300))
        .signed();
    assert_eq!(post(sandbox.url(), &ok).await["stat"]["code"], "0");
}

#[tokio::test]
async fn code_16_follows_the_sandbox_clock_and_tolerance() {
    let skewed = Sandbox::builder()
        .clock_skew_secs(3_600)
        .start()
        .await
        .unwrap();
    let envelope = post(skewed.url(), &Form::total_data("S_1").signed()).await;
    assert_error(&envelope, 16, "TIMESTAMP_OVERTIME");
    let strict = Sandbox::builder()
        .tolerance(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let late = Form::total_data("S_1")
        .set("_timestamp", &timestamp(-300))
        .signed();
    assert_error(&post(strict.url(), &late).await, 16, "TIMESTAMP_OVERTIME");
}

#[tokio::test]
async fn code_17_unknown_format() {
    expect(
        Form::total_data("S_1").set("_format", "xml").signed(),
        17,
        "FORMAT_TYPE_NOTEXIST",
    )
    .await;
}

#[tokio::test]
async fn code_minus_100_replayed_signature() {
    let sandbox = sandbox().await;
    let form = Form::total_data("S_1").signed();
    assert_eq!(post(sandbox.url(), &form).await["stat"]["code"], "0");
    let again = post(sandbox.url(), &form).await;
    assert_error(&again, -100, "API_CALL_REPEAT");
    let counters = sandbox.counters();
    assert_eq!((counters.answers(0), counters.answers(-100)), (1, 1));

    let relaxed = Sandbox::builder()
        .replay_protection(false)
        .start()
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(post(relaxed.url(), &form).await["stat"]["code"], "0");
    }
}

#[tokio::test]
async fn checks_run_in_the_documented_order() {
    // Everything wrong at once: the first check (empty _akey) wins.
    let all_wrong = Form::common(TOTAL_DATA)
        .set("_akey", "")
        .set("_sm", "")
        .set("_mt", "")
        .set("_aid", "x")
        .set("_timestamp", "bad")
        .set("_format", "xml");
    expect(all_wrong.clone(), 1, "KEY_NOTNULL").await;
    // With a valid key and signature, the method comes before the request mode and the aid.
    let later = all_wrong
        .set("_akey", "sandbox")
        .set("_sm", "md5")
        .set("_mt", "open.unknown")
        .set("_requestMode", "")
        .signed();
    expect(later, 9, "METHOD_NOTEXIST_CODE").await;
    // An empty version is reported before its absence from the registry.
    expect(
        Form::total_data("S_1")
            .set("_version", "")
            .set("_timestamp", "x")
            .signed(),
        13,
        "VERSION_NOTNULL",
    )
    .await;
}

#[tokio::test]
async fn business_code_for_an_id_without_prefix() {
    let sandbox = sandbox().await;
    for id in ["1001", "", "S_", "s_1", "X_1"] {
        let envelope = post(sandbox.url(), &Form::total_data(id).signed()).await;
        assert_eq!(envelope["stat"]["code"], "4001", "{envelope}");
        assert_eq!(envelope["stat"]["codename"], "ID_ILLEGAL");
        assert!(envelope.get("data").is_none());
    }
    let envelope = post(
        sandbox.url(),
        &Form::total_data("S_1").set("needUnit", "2").signed(),
    )
    .await;
    assert_eq!(envelope["stat"]["code"], "4002", "{envelope}");
}
