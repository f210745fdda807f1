//! [`Engine`]: what one client and all its clones share.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use super::{FormBuilder, Pace, Preparation, RateLimiter, ReplayGuard, Stamp};
use crate::{Config, Credentials, Error, Operation, TokenSource};

/// Everything a transport's calls need but the I/O and the token lock: the form builder
/// (credentials and configuration), the rate limiter and the replay guard (shared by every
/// clone, also across [`Engine::with_token_source`]), and the token source.
#[derive(Clone)]
pub struct Engine {
    form: FormBuilder,
    pacing: Arc<Pacing>,
    tokens: TokenSource,
}

/// The pacing a client's calls share.
#[derive(Debug)]
struct Pacing {
    rate: RateLimiter,
    replay: ReplayGuard,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("credentials", self.form.credentials())
            .field("config", self.form.config())
            .field("token_source", &self.tokens)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for these credentials and configuration, without a token source. Logs one
    /// warning when the endpoint is plain http beyond this machine.
    pub fn new(credentials: Credentials, config: Config) -> Engine {
        super::tls::warn_if_clear_text(&config);
        let pacing = Arc::new(Pacing {
            rate: RateLimiter::new(config.request_spacing()),
            replay: ReplayGuard::new(),
        });
        Engine {
            form: FormBuilder::new(credentials, config),
            pacing,
            tokens: TokenSource::None,
        }
    }

    /// An engine from `OPRETAIL_AKEY`, `OPRETAIL_ASID` and, if set, `OPRETAIL_ENDPOINT`,
    /// with the token source of [`TokenSource::from_env`] (`OPRETAIL_TOKEN`, or
    /// `OPRETAIL_USER` and `OPRETAIL_PASSWORD`): what each client's `from_env` builds on.
    pub fn from_env() -> Result<Engine, Error> {
        let config = Config::from_env()?;
        let tokens = TokenSource::from_env(config.gateway())?;
        Ok(Engine::new(Credentials::from_env()?, config).with_token_source(tokens))
    }

    /// This engine with another token source; the rate limiter and the replay guard stay
    /// shared with `self`.
    pub fn with_token_source(&self, tokens: TokenSource) -> Engine {
        Engine {
            form: self.form.clone(),
            pacing: Arc::clone(&self.pacing),
            tokens,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.form.config()
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        self.form.credentials()
    }

    /// The token source.
    pub fn token_source(&self) -> &TokenSource {
        &self.tokens
    }

    /// The form builder.
    pub fn form_builder(&self) -> &FormBuilder {
        &self.form
    }

    /// The rate limiter.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.pacing.rate
    }

    /// The replay guard.
    pub fn replay_guard(&self) -> &ReplayGuard {
        &self.pacing.replay
    }

    /// Builds the signed request for `operation` at `now` (a transport's [`Moment`](super::Moment),
    /// or a bare `SystemTime` when the configuration sends no `_nonce`) with `headers`,
    /// its signature distinct from every one this engine handed out recently: see
    /// [`FormBuilder::prepare`].
    pub fn prepare<O: Operation + ?Sized>(
        &self,
        operation: &O,
        headers: &[(&str, &str)],
        now: impl Into<Stamp>,
    ) -> Result<Preparation, Error> {
        self.form
            .prepare(operation, headers, now, &self.pacing.replay)
    }

    /// Takes the next slot of the rate limit: see [`RateLimiter::pace`].
    pub fn pace(&self, now: Instant, deadline: Instant) -> Pace {
        self.pacing.rate.pace(now, deadline)
    }
}
