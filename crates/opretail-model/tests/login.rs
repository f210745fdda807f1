//! Logins: the parameters sent, the token decoded and kept secret, and the login codes.

use std::time::{Duration, UNIX_EPOCH};

use opretail_model::engine::{Engine, Preparation, decode_response};
use opretail_model::{
    Config, Credentials, Error, LoginData, LoginMethod, Operation, ReturnCode, UserLogin,
};
use secrecy::ExposeSecret;

const PASSWORD: &str = "Pa55-w0rd!";

fn mobile() -> UserLogin {
    UserLogin::new("shop-admin", PASSWORD, LoginMethod::Mobile).unwrap()
}

fn sso() -> UserLogin {
    UserLogin::new(" shop-admin ", PASSWORD, LoginMethod::Sso).unwrap()
}

fn prepared_body(op: &impl Operation) -> (String, String) {
    let config = Config::default();
    let preparer = Engine::new(Credentials::new("demo-key", "demo-secret").unwrap(), config);
    let now = UNIX_EPOCH + Duration::from_secs(1_795_832_100);
    match preparer.prepare(op, &[], now).unwrap() {
        Preparation::Ready(request) => (request.body().to_owned(), format!("{request:?}")),
        Preparation::Wait(_) => panic!("a first call never waits"),
    }
}

#[test]
fn mobile_login_sends_the_password_as_given_and_shows_it_nowhere_else() {
    let op = mobile();
    assert_eq!(op.method(), "open.shopweb.security.mobileLogin");
    assert!(!op.needs_token() && !op.idempotent());
    let (body, debug) = prepared_body(&op);
    assert!(body.contains("userName=shop-admin"), "{body}");
    assert!(body.contains("password=Pa55-w0rd%21"), "{body}");
    assert!(!debug.contains(PASSWORD), "{debug}");
    assert!(!format!("{op:?}").contains(PASSWORD));
}

#[test]
fn sso_login_sends_the_lowercase_md5_of_the_password() {
    let op = sso();
    assert_eq!(op.method(), "open.shopweb.security.ssoLogin");
    assert_eq!(op.user_name(), "shop-admin");
    assert!(!op.needs_token() && !op.idempotent());
    let expected = md5_hex(PASSWORD);
    assert_eq!(op.params()[1], ("password", expected.as_str().into()));
    assert!(
        expected
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    );
    let (body, debug) = prepared_body(&op);
    assert!(body.contains(&format!("password={expected}")), "{body}");
    assert!(!body.contains("Pa55"), "{body}");
    let shown = format!("{op:?}{debug}");
    assert!(
        !shown.contains(&expected) && !shown.contains(PASSWORD),
        "{shown}"
    );
    // The well-known vector, so the helper below is not the only judge.
    let known = UserLogin::new("u", "123456", LoginMethod::Sso).unwrap();
    assert_eq!(known.params()[1].1, "e10adc3949ba59abbe56e057f20f883e");
}

fn md5_hex(text: &str) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(text.as_bytes()))
}

#[test]
fn empty_user_names_and_passwords_are_refused_without_echoing_the_password() {
    for (user, password) in [("", PASSWORD), ("  ", PASSWORD), ("shop-admin", "")] {
        for err in [
            UserLogin::new(user, password, LoginMethod::Mobile).unwrap_err(),
            UserLogin::new(user, password, LoginMethod::Sso).unwrap_err(),
        ] {
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(PASSWORD), "{shown}");
        }
    }
}

#[test]
fn the_mobile_login_answer_gives_the_token_and_enterprise() {
    let body = include_bytes!("fixtures/login/mobile-login.json");
    let response = decode_response(&mobile(), 200, body).unwrap();
    let data = response.output;
    assert_eq!(data.token.expose_secret(), "8c1f0e7a-token-mobile");
    assert_eq!(data.enterprise_id, Some(1_234_567));
    assert_eq!((data.user_id, data.user_name), (None, None));
    assert_eq!(response.meta.cid.as_deref(), Some("c-login-1"));
}

#[test]
fn the_sso_login_answer_is_read_leniently_and_keeps_unknown_fields() {
    let body = include_bytes!("fixtures/login/sso-login.json");
    let data = decode_response(&sso(), 200, body).unwrap().output;
    assert_eq!(data.token.expose_secret(), "eyJhbGciOi.sso-token");
    assert_eq!(data.enterprise_id, Some(1_234_567));
    assert_eq!(data.user_id.as_deref(), Some("889900"));
    assert_eq!(data.user_name.as_deref(), Some("shop-admin"));
    assert_eq!(data.token_expiration_timestamp, Some(1_796_436_900_000));
    assert_eq!(data.token_expiration_surplus_timestamp, Some(604_800_000));
    assert_eq!(data.extra["result"], true);
    assert!(data.extra["avatar"].is_null());
    let debug = format!("{data:?}");
    assert!(!debug.contains("sso-token"), "{debug}");
    assert!(debug.contains("889900"), "{debug}");
}

#[test]
fn a_login_answer_without_a_token_is_a_decode_error() {
    let body = include_bytes!("fixtures/login/no-token.json");
    let err = decode_response(&mobile(), 200, body).unwrap_err();
    match &err {
        Error::Decode { path, message, cid } => {
            assert_eq!(path, "data");
            assert!(message.contains("no `token`"), "{message}");
            assert_eq!(cid.as_deref(), Some("c-login-3"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    for data in ["null", "{\"enterpriseId\": 1}"] {
        assert!(serde_json::from_str::<LoginData>(data).is_err(), "{data}");
    }
    let body = br#"{"stat":{"code":"0"}}"#;
    assert!(matches!(
        decode_response(&sso(), 200, body),
        Err(Error::Decode { .. })
    ));
}

#[test]
fn login_and_token_codes_are_named_with_their_remedy() {
    let body = include_bytes!("fixtures/login/password-wrong.json");
    let err = decode_response(&mobile(), 200, body).unwrap_err();
    let gateway = err.gateway().expect("a gateway error");
    assert_eq!(gateway.code, ReturnCode::PasswordError);
    assert!(!gateway.code.is_published() && gateway.code.is_documented());
    assert!(!err.to_string().contains(PASSWORD));

    let body = include_bytes!("fixtures/login/token-not-exist.json");
    let err = decode_response(&sso(), 200, body).unwrap_err();
    let gateway = err.gateway().expect("a gateway error");
    assert_eq!(gateway.code, ReturnCode::TokenNotExist);
    assert!(gateway.code.needs_login());
    assert!(err.to_string().contains("log in again"), "{err}");
}
