//! `open.shopweb.security.mobileLogin` v1: a business-platform user's login token, the
//! password sent as it is. Needs no token and answers on both gateways.

use opretail_model::METHOD_MOBILE_LOGIN;

use crate::login::log_in;
use crate::call::{Call, Data};
use crate::platform::PasswordForm;
use crate::rejection::Rejection;

pub(crate) const METHOD: &str = METHOD_MOBILE_LOGIN;
pub(crate) const VERSION: &str = "v1";

pub(crate) fn handle(call: &Call<'_>) -> Result<Data, Rejection> {
    let (fields, _) = log_in(call, PasswordForm::Plain)?;
    Ok(Data::new(fields))
}
