//! `open.shopweb.security.mobileLogin` and `open.shopweb.security.ssoLogin` v1: a
//! business-platform user's login token.
//!
//! `mobileLogin` takes the password as it is; `ssoLogin` takes the lowercase hex of its MD5.
//! Both need no token and answer on both gateways.

use md5::{Digest, Md5};
use opretail_model::{METHOD_MOBILE_LOGIN, METHOD_SSO_LOGIN, ReturnCode};
use serde_json::{Value, json};

use super::Call;
use crate::tenant::DEMO_ENTERPRISE_ID;
use crate::validate::Rejection;

/// The classic login's name.
pub(crate) const MOBILE: &str = METHOD_MOBILE_LOGIN;
/// The cloud login's name.
pub(crate) const SSO: &str = METHOD_SSO_LOGIN;

/// How the password arrives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Password {
    Plain,
    Md5Hex,
}

pub(crate) fn mobile(call: &Call<'_>) -> Result<Value, Rejection> {
    login(call, Password::Plain)
}

pub(crate) fn sso(call: &Call<'_>) -> Result<Value, Rejection> {
    login(call, Password::Md5Hex)
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn login(call: &Call<'_>, form: Password) -> Result<Value, Rejection> {
    let name = call.params.get("userName");
    let Some(user) = call.platform.user(name) else {
        return Err(Rejection::new(
            ReturnCode::UsernameError,
            format_args!(
                "no user {name:?}; log in with a business-platform account (the sandbox's demo user is \"demo\")"
            ),
        ));
    };
    let sent = call.params.get("password");
    let matches = match form {
        Password::Plain => sent == user.password,
        Password::Md5Hex => sent == md5_hex(&user.password),
    };
    if !matches {
        let hint = match form {
            Password::Plain => "send the password as it is",
            Password::Md5Hex => "send the lowercase hex of the password's MD5",
        };
        return Err(Rejection::new(
            ReturnCode::PasswordError,
            format_args!("wrong password for user {name:?}; {hint}"),
        ));
    }
    let (token, session) = call.platform.tokens.issue(user, call.now);
    call.platform.count_login();
    let expires_ms = session.expires.timestamp_millis();
    let left_ms = (session.expires - call.now).num_milliseconds();
    let id = |n: i64| {
        if call.quirks {
            json!(n.to_string())
        } else {
            json!(n)
        }
    };
    Ok(match form {
        Password::Plain => json!({
            "enterpriseId": id(DEMO_ENTERPRISE_ID),
            "token": token,
            "userId": id(session.user_id),
            "userName": session.user_name,
        }),
        Password::Md5Hex => json!({
            "token": token,
            "userName": session.user_name,
            "userId": id(session.user_id),
            "enterpriseId": id(DEMO_ENTERPRISE_ID),
            "tokenExpirationTimestamp": expires_ms,
            "tokenExpirationSurplusTimestamp": left_ms,
            "result": "success",
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_is_lowercase_hex() {
        assert_eq!(md5_hex("123456"), "e10adc3949ba59abbe56e057f20f883e");
    }
}
