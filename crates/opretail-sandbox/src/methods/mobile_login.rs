//! `open.shopweb.security.mobileLogin` v1: a business-platform user's login token, the
//! password sent as it is. Needs no token and answers on both gateways.

use opretail_model::METHOD_MOBILE_LOGIN;
use serde_json::json;

use crate::call::{Call, Data};
use crate::format::count;
use crate::platform::PasswordForm;
use crate::rejection::Rejection;
use crate::synthesis::tenant::DEMO_ENTERPRISE_ID;

pub(crate) const METHOD: &str = METHOD_MOBILE_LOGIN;
pub(crate) const VERSION: &str = "v1";

/// The user's name.
const USER_NAME: &str = "userName";
/// The password, as it is.
const PASSWORD: &str = "password";

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let (token, session) = call.platform.log_in(
        call.params.get(USER_NAME),
        call.params.get(PASSWORD),
        PasswordForm::Plain,
        call.now,
    )?;
    let id = |n: i64| count(n.unsigned_abs(), call.quirks);
    Ok(Data::new(json!({
        "enterpriseId": id(DEMO_ENTERPRISE_ID),
        "token": token,
        "userId": id(session.user_id),
        "userName": session.user_name,
    })))
}
