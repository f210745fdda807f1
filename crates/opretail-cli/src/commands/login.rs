//! `opretail login`: a login token kept for later commands to the same gateway (see
//! [`token_cache`] for what binds it there; `opretail logout` forgets it).
//!
//! The embedded sandbox (`--sandbox`) lives only as long as one command, and every command
//! run with `--sandbox` logs in as its demo user by itself: its tokens are never kept, and
//! `--sandbox login` and `--sandbox logout` leave the token kept for a real gateway alone.

use std::io::IsTerminal;

use secrecy::ExposeSecret;

use crate::diag::say;
use crate::escape;
use crate::failure::Failure;
use crate::gateway::{Gateway, Tuning};
use crate::global::GlobalArgs;
use crate::settings::Settings;
use crate::token_cache::{self, Binding};

/// Logs the user in (OPRETAIL_USER and OPRETAIL_PASSWORD, or `user` and `password` in the
/// config file) and keeps the token for later commands to the same gateway.
///
/// Without a password set, it is asked for on the terminal. The token is kept readable by
/// its owner only, and used by later commands that have no password or token set, only
/// for the endpoint, developer key, application id and user it was issued for. With
/// --sandbox the demo user logs in and nothing is kept.
#[derive(Debug, clap::Args)]
#[command(display_order = 7)]
pub struct Args {}

impl Args {
    /// Logs in and keeps the token.
    pub fn run(self, global: &GlobalArgs) -> Result<(), Failure> {
        log_in(global)
    }
}

/// Checks the settings, asks for the password if none is set, logs in and keeps the token.
fn log_in(global: &GlobalArgs) -> Result<(), Failure> {
    let mut settings = Settings::resolve(global)?;
    let sandbox = global.sandbox;
    // Before the password: one that could not be sent is not worth asking for.
    check_clear_text(&settings, sandbox)?;
    let asks = check_user(&mut settings, sandbox)?;
    // One runtime for the prompt and the login: the prompt's signal handling stays in force
    // until the command ends.
    crate::gateway::runtime()?.block_on(async {
        if let Some(user) = asks {
            // The user name may come from a config file: escaped like any text for the
            // terminal.
            let prompt = format!("password of {}: ", escape::for_stderr(&user));
            let password = crate::prompt::password(prompt).await?;
            if password.expose_secret().is_empty() {
                return Err(Failure::usage("no password given: nothing was sent"));
            }
            settings.password = Some(password);
        }
        let gateway = Gateway::connect(&settings, sandbox, Tuning::default()).await?;
        let result = login(&gateway, &settings).await;
        gateway.close().await;
        result
    })
}

/// Checks that there is a user, and a password or a terminal to ask it on; returns the user
/// whose password is to be asked for. The password comes from the environment or the config
/// file, or from the terminal (without echo); never from the command line, where others
/// could see it.
fn check_user(settings: &mut Settings, sandbox: bool) -> Result<Option<String>, Failure> {
    if sandbox {
        return Ok(None);
    }
    let Some(user) = settings.user.clone() else {
        return Err(Failure::usage(
            "no user to log in: set OPRETAIL_USER (or `user` in the config file)",
        ));
    };
    // A token of the environment, or one kept, would be used instead of logging in.
    settings.token = None;
    if settings.password.is_some() {
        return Ok(None);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "no password: set OPRETAIL_PASSWORD (or `password` in the config file), or run \
             `opretail login` on a terminal to be asked for it",
        ));
    }
    Ok(Some(user))
}

/// Refuses, before a password is asked for, a login that would send it in clear text over
/// http beyond this machine without --allow-clear-text-headers. An endpoint that is not a
/// URL is left to the client, which says what is wrong with it.
fn check_clear_text(settings: &Settings, sandbox: bool) -> Result<(), Failure> {
    if sandbox || settings.allow_clear_text_headers {
        return Ok(());
    }
    match opretail_model::Endpoint::parse(&settings.endpoint) {
        Ok(endpoint) if endpoint.is_clear_text_remote() => Err(Failure::usage(format!(
            "logging in to {endpoint} would send the password in clear text over http to a \
             host that is not this machine: use the https endpoint, or pass {}",
            crate::output::CLEAR_TEXT_FLAG
        ))),
        _ => Ok(()),
    }
}

/// Logs in and keeps the token, bound to the endpoint, profile, application id, developer key
/// and user it is issued for. The token itself is never shown.
async fn login(gateway: &Gateway, settings: &Settings) -> Result<(), Failure> {
    let data = gateway
        .client
        .login()
        .await
        .map_err(|e| super::stores::call_failed("the login", &e))?;
    let who = data.user_name.as_deref().unwrap_or("the user");
    if gateway.is_sandbox() {
        say!(
            "logged in as {who} on the embedded sandbox; its token is not kept (the sandbox \
             ends with the command), and a token kept for a real gateway stays as it is"
        );
        return Ok(());
    }
    let user = settings
        .user
        .as_deref()
        .expect("check_user refuses a login without a user");
    let akey = settings
        .akey
        .as_deref()
        .expect("Gateway::connect refuses a real gateway without a developer key");
    let binding = Binding::new(gateway.client.config(), akey, Some(user));
    let path = token_cache::store(&binding, &data.token)?;
    say!(
        "logged in as {who}; the token is kept in {}, for {} only",
        path.display(),
        binding.endpoint
    );
    Ok(())
}
