//! No login token in an error: a login's answer is never quoted, and token-like fields are
//! hidden in every body an error does quote.

use opretail_model::engine::decode_response;
use opretail_model::{Error, GetTotalData, LoginMethod, Operation, RawCall, UserLogin};

const TOKEN: &str = "tok-9c1e-must-not-show";

fn login() -> UserLogin {
    UserLogin::new("shop-admin", "pw-must-not-show", LoginMethod::Mobile).unwrap()
}

/// The error of decoding `body` with `status` for `op`, checked for the token in both forms.
fn error_of(op: &impl Operation, status: u16, body: &str) -> Error {
    let error = decode_response(op, status, body.as_bytes())
        .err()
        .unwrap_or_else(|| panic!("{body} must fail"));
    let shown = format!("{error}\n{error:?}");
    assert!(!shown.contains(TOKEN), "the token shows: {shown}");
    assert!(!shown.contains("9c1e"), "part of the token shows: {shown}");
    error
}

#[test]
fn a_truncated_login_answer_is_not_json_and_not_quoted() {
    let body = format!(r#"{{"stat":{{"code":0}},"data":{{"token":"{TOKEN}","enterpriseId":4"#);
    let error = error_of(&login(), 200, &body);
    assert!(matches!(error, Error::NotJson { .. }), "{error:?}");
    assert!(error.to_string().contains("login"), "{error}");
}

#[test]
fn a_login_answer_without_stat_is_not_an_envelope_and_not_quoted() {
    let body = format!(r#"{{"data":{{"token":"{TOKEN}"}}}}"#);
    let error = error_of(&login(), 200, &body);
    assert!(matches!(error, Error::Envelope { .. }), "{error:?}");
    // A login that is a string where the envelope should be: serde quotes it, not here.
    let error = error_of(&login(), 200, &format!("\"{TOKEN}\""));
    assert!(matches!(error, Error::Envelope { .. }), "{error:?}");
}

#[test]
fn an_http_error_page_of_a_login_is_not_quoted() {
    let body = format!("<html>500 upstream said token={TOKEN}</html>");
    let error = error_of(&login(), 500, &body);
    assert!(
        matches!(error, Error::HttpStatus { status: 500, .. }),
        "{error:?}"
    );
    // A raw call of a login method is treated alike.
    let raw = RawCall::new("open.shopweb.security.ssoLogin");
    error_of(&raw, 502, &body);
}

#[test]
fn a_login_answer_of_the_wrong_shape_is_described_without_its_values() {
    let body = format!(r#"{{"stat":{{"code":0}},"data":{{"token":"{TOKEN}","userId":[1]}}}}"#);
    let error = error_of(&login(), 200, &body);
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let body = format!(r#"{{"stat":{{"code":"{TOKEN}"}}}}"#);
    error_of(&login(), 200, &body);
}

#[test]
fn token_like_fields_are_hidden_in_any_quoted_body() {
    let total = GetTotalData::new("S_1001".parse().unwrap());
    for body in [
        format!(r#"{{"error":"upstream","echo":{{"accessToken":"{TOKEN}"}}}}"#),
        format!(r#"{{"data":{{"token":"{TOKEN}"}}"#),
        format!("POST /m.api\r\nOvo-Authorization: {TOKEN}\r\n"),
        format!("userName=u&password={TOKEN}&x=1"),
        format!(r#"{{"sessionId":"{TOKEN}","note":"kept"}}"#),
    ] {
        for status in [200, 500] {
            let error = error_of(&total, status, &body);
            assert!(error.to_string().contains("<redacted>"), "{error}");
        }
    }
    let error = error_of(
        &total,
        500,
        &format!(r#"{{"authenticator":"{TOKEN}","where":"proxy-7"}}"#),
    );
    assert!(error.to_string().contains("proxy-7"), "{error}");
}

#[test]
fn a_gateway_message_has_its_token_like_fields_hidden() {
    let body = format!(r#"{{"stat":{{"code":9990001}},"result":"token={TOKEN} is unknown"}}"#);
    let error = error_of(&login(), 200, &body);
    assert!(error.gateway().is_some(), "{error:?}");
}

#[test]
fn a_decode_error_without_a_cid_says_so() {
    let total = GetTotalData::new("S_1001".parse().unwrap());
    let error = decode_response(
        &total,
        200,
        br#"{"stat":{"code":0},"data":{"DAY_FLOW":true}}"#,
    )
    .unwrap_err();
    assert_eq!(error.cid(), None);
    match &error {
        Error::Decode { cid, .. } => assert_eq!(cid, &None),
        other => panic!("expected a decode error, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("no cid") && !text.contains("none"), "{text}");
}

mod any_text {
    use opretail_model::engine::redact_secrets;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever surrounds it, a token after a token-like name never shows, and no text
        /// makes the redaction panic or grow without bound.
        #[test]
        fn a_token_never_shows_whatever_surrounds_it(
            before in "[ -~\u{80}-\u{10ff}]{0,40}",
            name in prop::sample::select(vec!["token", "\"accessToken\"", "PASSWORD", "ovo-authorization", "\\\"sessionId\\\""]),
            separator in prop::sample::select(vec![":", " : ", "=", ": \""]),
            after in "[ -~]{0,40}",
        ) {
            let text = format!("{before} {name}{separator}SeCrEt-77{after}");
            let shown = redact_secrets(&text);
            prop_assert!(!shown.contains("SeCrEt-77"), "{} -> {}", text, shown);
            prop_assert!(shown.len() <= text.len() * 3 + 16);
        }

        #[test]
        fn any_text_is_redacted_without_panic(text in "\\PC{0,200}") {
            let shown = redact_secrets(&text);
            prop_assert!(shown.len() <= text.len() * 3 + 16);
        }
    }
}
