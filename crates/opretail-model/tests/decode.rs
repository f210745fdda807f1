//! The envelope decoder over realistic answers: one test per fixture, every return code,
//! and arbitrary bytes.

use opretail_model::engine::{BODY_SNIPPET_LIMIT, decode_response};
use opretail_model::{Error, GetTotalData, RawCall, ReturnCode};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/envelopes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn raw() -> RawCall {
    RawCall::new("open.sandbox.echo")
}

fn total() -> GetTotalData {
    GetTotalData::new("S_1001".parse().unwrap())
}

#[test]
fn success_keeps_data_and_metadata() {
    let r = decode_response(&raw(), 200, &fixture("success-plain.json")).unwrap();
    assert_eq!(r.output["DAY_FLOW"], 1234);
    assert_eq!(r.output["WEATHER"]["weather"], "晴");
    assert_eq!(r.meta.cid.as_deref(), Some("7f3c2a9e-0001"));
    assert_eq!(r.meta.systime.as_deref(), Some("2026-11-28 10:15:00"));
    assert_eq!(r.meta.result.as_deref(), Some("success"));
    assert_eq!(r.meta.attempts, 1);
    assert!(decode_response(&total(), 200, &fixture("success-plain.json")).is_ok());
}

#[test]
fn stat_code_and_cid_may_be_numbers() {
    let r = decode_response(&raw(), 200, &fixture("success-code-number.json")).unwrap();
    assert_eq!(r.output["DAY_FLOW"], "88");
    assert_eq!(r.meta.cid.as_deref(), Some("12345"));
    assert_eq!(r.meta.systime.as_deref(), Some("1795832100000"));
    assert_eq!(r.meta.result, None);
}

#[test]
fn absent_or_null_data_is_a_decode_error_for_totals_and_null_for_raw_calls() {
    // Empty totals would be a silent empty success: the typed read names the method instead.
    for name in ["success-no-data.json", "success-null-data.json"] {
        let err = decode_response(&total(), 200, &fixture(name)).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{name}: {err:?}");
        assert!(err.to_string().contains("getTotalData"), "{name}: {err}");
        let v = decode_response(&raw(), 200, &fixture(name)).unwrap();
        assert!(v.output.is_null(), "{name}");
    }
}

#[test]
fn data_that_cannot_be_a_number_names_the_field() {
    let err = decode_response(&total(), 200, &fixture("success-bad-data.json")).unwrap_err();
    match &err {
        Error::Decode { path, cid, .. } => {
            assert_eq!(path, "data.DAY_FLOW");
            assert_eq!(cid.as_deref(), Some("c-bad"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(err.to_string().contains("data.DAY_FLOW"), "{err}");
}

#[test]
fn a_success_with_none_of_the_methods_fields_is_not_an_empty_success() {
    // What a redirect to some other JSON service with a `stat.code` of 0 looks like.
    for data in [r#"{"user":"x","items":[]}"#, "{}"] {
        let body = format!(r#"{{"stat":{{"code":"0","cid":"c-9"}},"data":{data}}}"#);
        let err = decode_response(&total(), 200, body.as_bytes()).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert!(
            text.contains("open.shopweb.passengerFlow.getTotalData") && text.contains("none of"),
            "{text}"
        );
    }
    // One known field, even `null`, is the method's answer.
    let body = br#"{"stat":{"code":"0"},"data":{"DAY_FLOW":null,"OTHER":1}}"#;
    assert!(decode_response(&total(), 200, body).is_ok());
}

#[test]
fn every_documented_error_code_becomes_a_gateway_error() {
    for rc in ReturnCode::DOCUMENTED.iter().filter(|rc| !rc.is_success()) {
        for code_json in [format!("\"{}\"", rc.code()), rc.code().to_string()] {
            let body = format!(
                r#"{{"stat":{{"cid":"cid-{c}","code":{code_json},"codename":"{n}","systime":"2026-11-28 10:15:00"}},"result":"message {c}"}}"#,
                c = rc.code(),
                n = rc.name()
            );
            let err = decode_response(&raw(), 200, body.as_bytes()).unwrap_err();
            let g = err.gateway().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(&g.code, rc);
            assert_eq!(
                g.message.as_deref(),
                Some(format!("message {}", rc.code()).as_str())
            );
            assert_eq!(
                g.cid.as_deref(),
                Some(format!("cid-{}", rc.code()).as_str())
            );
            assert_eq!(g.remedy(), rc.remedy());
            let shown = err.to_string();
            assert!(
                shown.contains(rc.name()) && shown.contains(rc.remedy()),
                "{shown}"
            );
        }
    }
}

#[test]
fn the_overtime_error_points_at_the_clock() {
    let body = br#"{"stat":{"cid":"c","code":"16","codename":"TIMESTAMP_OVERTIME"},"result":"timestamp expired"}"#;
    let err = decode_response(&raw(), 200, body).unwrap_err();
    assert!(err.to_string().contains("clock"), "{err}");
}

#[test]
fn undocumented_codes_are_kept_as_they_came() {
    let err = decode_response(&total(), 200, &fixture("undocumented-code.json")).unwrap_err();
    let g = err.gateway().unwrap();
    assert_eq!(
        g.code,
        ReturnCode::Other {
            code: 4001,
            name: Some("ID_ILLEGAL".into())
        }
    );
    assert_eq!(g.code.name(), "ID_ILLEGAL");
    assert_eq!(err.cid(), Some("c-4001"));
}

#[test]
fn not_an_envelope() {
    for name in [
        "no-stat.json",
        "stat-without-code.json",
        "stat-code-not-a-number.json",
    ] {
        let err = decode_response(&raw(), 200, &fixture(name)).unwrap_err();
        assert!(matches!(err, Error::Envelope { .. }), "{name}: {err:?}");
    }
    let err = decode_response(&raw(), 200, b"[1,2,3]").unwrap_err();
    assert!(matches!(err, Error::Envelope { .. }), "{err:?}");
}

#[test]
fn html_and_truncated_bodies_are_not_json() {
    for name in ["proxy-502.html", "truncated.json"] {
        let err = decode_response(&raw(), 200, &fixture(name)).unwrap_err();
        assert!(matches!(err, Error::NotJson { .. }), "{name}: {err:?}");
    }
    let err = decode_response(&raw(), 200, b"").unwrap_err();
    assert!(matches!(err, Error::NotJson { .. }), "{err:?}");
}

#[test]
fn statuses_other_than_2xx_keep_status_and_a_bounded_body() {
    let err = decode_response(&raw(), 502, &fixture("proxy-502.html")).unwrap_err();
    match &err {
        Error::HttpStatus { status, body } => {
            assert_eq!(*status, 502);
            assert!(body.contains("502 Bad Gateway"));
        }
        other => panic!("{other:?}"),
    }
    let huge = "x".repeat(100_000);
    match decode_response(&raw(), 500, huge.as_bytes()).unwrap_err() {
        Error::HttpStatus { body, .. } => assert!(body.len() <= BODY_SNIPPET_LIMIT + 4),
        other => panic!("{other:?}"),
    }
    // Even a valid success envelope behind a non-2xx status is an error: the gateway answers 200.
    assert!(matches!(
        decode_response(&raw(), 404, &fixture("success-plain.json")),
        Err(Error::HttpStatus { status: 404, .. })
    ));
}

fn envelope_strategy() -> impl Strategy<Value = Vec<u8>> {
    let valid = String::from_utf8(fixture("success-plain.json")).unwrap();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        // Mutations of a real envelope: a byte replaced, a cut, an insertion.
        (any::<prop::sample::Index>(), any::<u8>()).prop_map({
            let valid = valid.clone();
            move |(i, b)| {
                let mut v = valid.clone().into_bytes();
                let at = i.index(v.len());
                v[at] = b;
                v
            }
        }),
        any::<prop::sample::Index>().prop_map({
            let valid = valid.clone();
            move |i| valid.as_bytes()[..i.index(valid.len())].to_vec()
        }),
        ("\\PC{0,8}", any::<prop::sample::Index>()).prop_map(move |(s, i)| {
            let mut v = valid.clone();
            let mut at = i.index(v.len());
            while !v.is_char_boundary(at) {
                at -= 1;
            }
            v.insert_str(at, &s);
            v.into_bytes()
        }),
    ]
}

proptest! {
    #[test]
    fn the_decoder_never_panics(body in envelope_strategy(), status in prop_oneof![Just(200u16), 100u16..600]) {
        let _ = decode_response(&raw(), status, &body);
        let _ = decode_response(&total(), status, &body);
    }
}
