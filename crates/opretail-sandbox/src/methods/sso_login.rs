//! `open.shopweb.security.ssoLogin` v1: a business-platform user's login token, the password
//! sent as the lowercase hex of its MD5. Needs no token and answers on both gateways. Its
//! answer adds the token's expiry to what `mobileLogin` answers.

use opretail_model::METHOD_SSO_LOGIN;
use serde_json::json;

use crate::login::log_in;
use crate::call::{Call, Data};
use crate::platform::PasswordForm;
use crate::rejection::Rejection;

pub(crate) const METHOD: &str = METHOD_SSO_LOGIN;
pub(crate) const VERSION: &str = "v1";

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let (mut fields, session) = log_in(call, PasswordForm::Md5Hex)?;
    fields.insert(
        "tokenExpirationTimestamp".into(),
        json!(session.expires.timestamp_millis()),
    );
    fields.insert(
        "tokenExpirationSurplusTimestamp".into(),
        json!((session.expires - call.now).num_milliseconds()),
    );
    fields.insert("result".into(), json!("success"));
    Ok(Data::new(fields))
}
