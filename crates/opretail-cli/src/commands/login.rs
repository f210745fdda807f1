//! `opretail login` and `opretail logout`: a login token kept for later commands.

use crate::diag::say;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::settings::Settings;
use crate::token_cache;

/// Checks that there is a user and a password to log in with. The password comes from the
/// environment or the config file, never from the command line, where others could see it.
pub fn ask_password(settings: &mut Settings, sandbox: bool) -> Result<(), Failure> {
    if sandbox {
        return Ok(());
    }
    if settings.user.is_none() {
        return Err(Failure::usage(
            "no user to log in: set OPRETAIL_USER (or `user` in the config file)",
        ));
    };
    // A token of the environment would be used instead of logging in.
    settings.token = None;
    if settings.password.is_some() {
        return Ok(());
    }
    Err(Failure::usage(
        "no password: set OPRETAIL_PASSWORD (or `password` in the config file)",
    ))
}

/// Logs in and keeps the token. The token itself is never shown.
pub async fn login(gateway: &Gateway) -> Result<(), Failure> {
    let data = gateway
        .client
        .login()
        .await
        .map_err(|e| super::stores::call_failed("the login", &e))?;
    let path = token_cache::store(&data.token)?;
    let who = data.user_name.as_deref().unwrap_or("the user");
    say!(
        "logged in as {who}; the token is kept in {}",
        path.display()
    );
    Ok(())
}

/// Forgets the kept token.
pub fn logout() -> Result<(), Failure> {
    if token_cache::remove()? {
        say!("logged out: the kept token is removed");
    } else {
        say!("no token was kept: nothing to do");
    }
    Ok(())
}
