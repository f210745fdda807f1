//! The user line: a login of the configured user, telling an unknown user, a wrong password
//! and a console account apart. Neither the password nor the token is ever shown.

use opretail_model::Error;

use super::{Check, Verdict, line};
use crate::gateway::Gateway;
use crate::settings::Settings;

/// A login of the configured user; skipped without one.
pub(super) async fn user(gateway: &Gateway, settings: &Settings, sandbox: bool) -> Check {
    if !sandbox && settings.user.is_none() {
        let found = if settings.token.is_some() {
            "no user configured; a token is set (OPRETAIL_TOKEN), used as it is"
        } else {
            "no user configured (OPRETAIL_USER and OPRETAIL_PASSWORD)"
        };
        return line("user", Verdict::Skipped, found, "");
    }
    if !sandbox && settings.token.is_some() {
        return line(
            "user",
            Verdict::Skipped,
            "a token is set (OPRETAIL_TOKEN): the commands use it instead of logging in",
            "",
        );
    }
    // As `opretail login` does: a password is not sent in clear text beyond this machine.
    if !sandbox
        && !settings.allow_clear_text_headers
        && gateway.client.config().endpoint().is_clear_text_remote()
    {
        return line(
            "user",
            Verdict::Skipped,
            "the login would send the password in clear text over http to another machine",
            "use the https endpoint, or pass --allow-clear-text-headers",
        );
    }
    if !sandbox && settings.password.is_none() {
        return line(
            "user",
            Verdict::Skipped,
            "a user is configured but no password (OPRETAIL_PASSWORD); `opretail login` may \
             have kept a token",
            "",
        );
    }
    match gateway.client.login().await {
        Ok(data) => line(
            "user",
            Verdict::Ok,
            format!(
                "logged in as {}",
                data.user_name
                    .as_deref()
                    .or(settings.user.as_deref())
                    .unwrap_or(opretail_sandbox::DEMO_USER)
            ),
            "",
        ),
        Err(Error::Gateway(g)) => {
            let shown = format!("{} {}", g.code.code(), g.code.name());
            let (found, remedy) = match g.code.code() {
                103_094 => (
                    format!("unknown user: {shown}"),
                    "log in with the business-platform account, not the developer console's: \
                     the console account is not a user of the business platform",
                ),
                103_095 => (
                    format!("wrong password: {shown}"),
                    "check the password of the business-platform account",
                ),
                9_990_001 => (
                    format!("no login token: {shown}"),
                    "log in with the business-platform account (mobileLogin or ssoLogin); a \
                     developer-console ticket is not a login token",
                ),
                _ => (format!("the login answered {shown}"), g.code.remedy()),
            };
            line("user", Verdict::Fail, found, remedy)
        }
        Err(e) => line(
            "user",
            Verdict::Fail,
            format!("the login failed: {}", crate::output::words(&e)),
            "",
        ),
    }
}
