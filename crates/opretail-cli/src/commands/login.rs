//! `opretail login` and `opretail logout`: a login token kept for later commands.

use std::io::IsTerminal;

use secrecy::{ExposeSecret, SecretString};

use crate::diag::say;
use crate::escape;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::settings::Settings;
use crate::token_cache;

/// Checks that there is a user and a password to log in with. The password comes from the
/// environment or the config file, or is asked for on the terminal (without echo); never from
/// the command line, where others could see it.
pub fn ask_password(settings: &mut Settings, sandbox: bool) -> Result<(), Failure> {
    if sandbox {
        return Ok(());
    }
    let Some(user) = settings.user.clone() else {
        return Err(Failure::usage(
            "no user to log in: set OPRETAIL_USER (or `user` in the config file)",
        ));
    };
    // A token of the environment would be used instead of logging in.
    settings.token = None;
    if settings.password.is_some() {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "no password: set OPRETAIL_PASSWORD (or `password` in the config file), or run \
             `opretail login` on a terminal to be asked for it",
        ));
    }
    // The user name may come from a config file: escaped like any text for the terminal.
    let prompt = format!("password of {}: ", escape::for_stderr(&user));
    let password = rpassword::prompt_password(prompt)
        .map(SecretString::from)
        .map_err(|e| Failure::Failed(format!("cannot read the password on the terminal: {e}")))?;
    if password.expose_secret().is_empty() {
        return Err(Failure::usage("no password given: nothing was sent"));
    }
    settings.password = Some(password);
    Ok(())
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
