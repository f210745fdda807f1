//! What `mobileLogin` and `ssoLogin` share: the user's name and password read with the
//! model's parameter names, the login itself, and the fields both answers hold.

use opretail_model::UserLogin;
use serde_json::{Map, Value};

use crate::call::Call;
use crate::format::count;
use crate::platform::PasswordForm;
use crate::rejection::Rejection;
use crate::synthesis::tenant::DEMO_ENTERPRISE_ID;
use crate::tokens::Session;

/// Logs the call's user in, the password sent in `form`: the answer's fields both login
/// methods send (`token`, `userName`, `userId`, `enterpriseId`), and the new session.
pub(crate) fn log_in(
    call: &Call<'_>,
    form: PasswordForm,
) -> Result<(Map<String, Value>, Session), Rejection> {
    let (token, session) = call.platform.log_in(
        call.params.get(UserLogin::PARAM_USER_NAME),
        call.params.get(UserLogin::PARAM_PASSWORD),
        form,
        call.now,
    )?;
    let id = |n: i64| count(n.unsigned_abs(), call.quirks);
    let mut fields = Map::new();
    fields.insert("enterpriseId".into(), id(DEMO_ENTERPRISE_ID));
    fields.insert("token".into(), Value::String(token));
    fields.insert("userId".into(), id(session.user_id));
    fields.insert("userName".into(), Value::String(session.user_name.clone()));
    Ok((fields, session))
}
