//! Where a client gets a user's login token from, and the decisions around it: whether a call
//! needs one, whether the cached one may be used, when to log in (again). No I/O: the
//! engine's [`Call`](crate::engine::Call) runs these decisions and the transports send.
//!
//! A client holds one [`TokenSource`] (in its engine) and one [`TokenCache`] behind a lock,
//! so that concurrent calls share one login. What `Call` does with them:
//!
//! ```text
//! ticket = lock(cache); match source.plan(&config, &cache, None)? {
//!     TokenPlan::Use(ticket)    => ticket,
//!     TokenPlan::LogIn(login)   => cache.store(send(login)?),
//! }
//! answer = send(operation, header = ticket)
//! if answer is an error and source.log_in_again(&error):
//!     ticket = (as above, with source.plan(&config, &cache, Some(&ticket)))
//!     answer = send(operation, header = ticket)      // once
//! ```

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::{Config, Error, Gateway, LoginData, LoginMethod, UserLogin};

/// The environment variable holding a user's login token.
pub const ENV_TOKEN: &str = "OPRETAIL_TOKEN";
/// The environment variable holding a business-platform user name.
pub const ENV_USER: &str = "OPRETAIL_USER";
/// The environment variable holding that user's password.
pub const ENV_PASSWORD: &str = "OPRETAIL_PASSWORD";
/// The environment variable naming the login method: `mobile` or `sso`.
pub const ENV_LOGIN_METHOD: &str = "OPRETAIL_LOGIN_METHOD";

/// Where a client gets the user token for the methods that need one.
///
/// ```
/// use opretail_model::{Gateway, TokenSource};
///
/// let none = TokenSource::from_vars(Gateway::Classic, |_| Ok(None))?;
/// assert!(matches!(none, TokenSource::None));
/// let login = TokenSource::from_vars(Gateway::Cloud, |name| {
///     Ok(match name {
///         "OPRETAIL_USER" => Some("shop-admin".to_owned()),
///         "OPRETAIL_PASSWORD" => Some("s3cret".to_owned()),
///         _ => None,
///     })
/// })?;
/// assert!(matches!(login, TokenSource::Login(_)));
/// assert!(!format!("{login:?}").contains("s3cret"));
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub enum TokenSource {
    /// No token: calling a method that needs one is refused before anything is sent.
    #[default]
    None,
    /// A token obtained elsewhere. When the gateway says it is missing or expired, the call
    /// fails: get a new one.
    Token(SecretString),
    /// A user's credentials: the client logs in on the first call that needs a token, shares
    /// that login between concurrent calls, and logs in again once when the token is refused.
    Login(UserLogin),
}

impl TokenSource {
    /// A token obtained elsewhere.
    pub fn token(token: impl Into<SecretString>) -> TokenSource {
        TokenSource::Token(token.into())
    }

    /// A user's credentials, logged in by `method`.
    pub fn login(
        user_name: impl Into<String>,
        password: impl Into<SecretString>,
        method: LoginMethod,
    ) -> Result<TokenSource, Error> {
        Ok(TokenSource::Login(UserLogin::new(
            user_name, password, method,
        )?))
    }

    /// From the environment: `OPRETAIL_TOKEN`, else `OPRETAIL_USER` with `OPRETAIL_PASSWORD`
    /// (by `OPRETAIL_LOGIN_METHOD`, `mobile` or `sso`, default the one of `gateway`), else
    /// none. A user without a password, or a password without a user, is an error.
    pub fn from_env(gateway: Gateway) -> Result<TokenSource, Error> {
        TokenSource::from_vars(gateway, |name| match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::invalid_input(
                name,
                format!("the environment variable {name} is not valid Unicode"),
            )),
        })
    }

    /// [`TokenSource::from_env`] with the variables read by `var`; empty values count as
    /// unset.
    pub fn from_vars(
        gateway: Gateway,
        var: impl Fn(&'static str) -> Result<Option<String>, Error>,
    ) -> Result<TokenSource, Error> {
        let read = |name| -> Result<Option<String>, Error> {
            Ok(var(name)?.filter(|value| !value.trim().is_empty()))
        };
        if let Some(token) = read(ENV_TOKEN)? {
            return Ok(TokenSource::token(token.trim()));
        }
        let method = match read(ENV_LOGIN_METHOD)? {
            Some(text) => LoginMethod::parse(&text)?,
            None => LoginMethod::for_gateway(gateway),
        };
        match (read(ENV_USER)?, read(ENV_PASSWORD)?) {
            (None, None) => Ok(TokenSource::None),
            (Some(user), Some(password)) => TokenSource::login(user, password, method),
            (Some(_), None) => Err(Error::invalid_input(
                ENV_PASSWORD,
                format!("{ENV_USER} is set but {ENV_PASSWORD} is not; set both, or neither"),
            )),
            (None, Some(_)) => Err(Error::invalid_input(
                ENV_USER,
                format!("{ENV_PASSWORD} is set but {ENV_USER} is not; set both, or neither"),
            )),
        }
    }

    /// What a call that needs a token does with `cache`: use the cached token, or log in
    /// first. `refused` is the token the gateway just refused, if any: a cached token that is
    /// still that one is not used again, but one another call got since is.
    ///
    /// Fails, before anything is sent, when there is no source, when a given token was
    /// refused (there is no way to a new one), or when a login would send the password over
    /// clear-text `http` beyond loopback (unless `config` allows headers there, see
    /// [`Config::headers_over_clear_text`]).
    pub fn plan(
        &self,
        config: &Config,
        cache: &TokenCache,
        refused: Option<&Ticket>,
    ) -> Result<TokenPlan<'_>, Error> {
        let fresh = cache
            .current
            .as_ref()
            .filter(|t| refused.is_none_or(|r| r.generation != t.generation));
        match (self, fresh) {
            (TokenSource::None, _) => Err(Error::invalid_input(
                "token",
                "this method needs a user's login token and the client has none: set \
                 OPRETAIL_USER and OPRETAIL_PASSWORD (or OPRETAIL_TOKEN), or give the client a \
                 TokenSource",
            )),
            (_, Some(ticket)) => Ok(TokenPlan::Use(ticket.clone())),
            (TokenSource::Token(token), None) => match refused {
                Some(_) => Err(Error::invalid_input(
                    "token",
                    "the gateway refused the given login token as missing or expired \
                     (TOKEN_NOT_EXIST); get a new one, or give the client the user's \
                     credentials so that it logs in by itself",
                )),
                None => Ok(TokenPlan::Use(Ticket {
                    token: token.clone(),
                    generation: 0,
                })),
            },
            (TokenSource::Login(_), None)
                if config.endpoint().is_clear_text_remote()
                    && !config.headers_over_clear_text() =>
            {
                Err(crate::config::clear_text_refused(format!(
                    "logging in to {} would send the password",
                    config.endpoint().as_str()
                )))
            }
            (TokenSource::Login(login), None) => Ok(TokenPlan::LogIn(login)),
        }
    }

    /// Whether `error`, the answer to a call sent with a token, calls for a new token and one
    /// more try: the gateway said the token is missing or expired. With a given token the
    /// next [`TokenSource::plan`] then fails saying to get a new one.
    pub fn log_in_again(&self, error: &Error) -> bool {
        !matches!(self, TokenSource::None) && error.return_code().is_some_and(|c| c.needs_login())
    }

    /// The login to run, for an explicit login; an error saying why when the source has no
    /// credentials.
    pub fn user_login(&self) -> Result<&UserLogin, Error> {
        match self {
            TokenSource::Login(login) => Ok(login),
            _ => Err(Error::invalid_input(
                "token",
                "logging in needs a user's credentials: set OPRETAIL_USER and \
                 OPRETAIL_PASSWORD, or give the client TokenSource::login",
            )),
        }
    }
}

/// What [`TokenSource::plan`] decided.
#[derive(Debug)]
pub enum TokenPlan<'a> {
    /// Send the call with this token.
    Use(Ticket),
    /// Send this login first and [`TokenCache::store`] its answer, holding the cache's lock
    /// meanwhile so that concurrent calls wait for this one login.
    LogIn(&'a UserLogin),
}

/// A token and which login it came from, so that a refused token is not mistaken for a newer
/// one. `Debug` never shows the token.
#[derive(Clone)]
pub struct Ticket {
    token: SecretString,
    generation: u64,
}

impl Ticket {
    /// The header carrying the token, for the engine's attempts: `header_name` is
    /// [`Config::token_header`](crate::Config::token_header).
    pub fn header<'a>(&'a self, header_name: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![(header_name, self.token.expose_secret())]
    }
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("token", &"<redacted>")
            .field("generation", &self.generation)
            .finish()
    }
}

/// The token a client got by logging in, with the login's data. Starts empty.
#[derive(Debug, Default)]
pub struct TokenCache {
    current: Option<Ticket>,
    login: Option<Arc<LoginData>>,
    logins: u64,
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> TokenCache {
        TokenCache::default()
    }

    /// Keeps the token of a login that just succeeded and returns it.
    pub fn store(&mut self, data: LoginData) -> Ticket {
        self.logins += 1;
        let ticket = Ticket {
            token: data.token.clone(),
            generation: self.logins,
        };
        self.current = Some(ticket.clone());
        self.login = Some(Arc::new(data));
        ticket
    }

    /// The data of the latest login, if there was one.
    pub fn login(&self) -> Option<Arc<LoginData>> {
        self.login.clone()
    }

    /// The data of the latest login, or an error saying there was none.
    pub fn logged_in(&self) -> Result<Arc<LoginData>, Error> {
        self.login()
            .ok_or_else(|| Error::invalid_input("token", "no login was made"))
    }

    /// How many logins were stored.
    pub fn logins(&self) -> u64 {
        self.logins
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GatewayError, ReturnCode};

    fn login_data(token: &str) -> LoginData {
        serde_json::from_value(serde_json::json!({ "token": token })).expect("login data")
    }

    fn user() -> TokenSource {
        TokenSource::login("demo", "pw", LoginMethod::Mobile).expect("login")
    }

    fn gateway_error(code: i64) -> Error {
        Error::Gateway(Box::new(GatewayError {
            code: ReturnCode::from_code(code),
            message: None,
            cid: None,
            systime: None,
        }))
    }

    fn local() -> Config {
        Config::builder()
            .endpoint("http://127.0.0.1:9/m.api")
            .build()
            .expect("config")
    }

    fn token_of(plan: TokenPlan<'_>) -> String {
        match plan {
            TokenPlan::Use(ticket) => ticket.token.expose_secret().to_owned(),
            TokenPlan::LogIn(_) => panic!("expected a token, got a login"),
        }
    }

    #[test]
    fn no_source_is_refused_with_what_to_set() {
        let error = TokenSource::None
            .plan(&local(), &TokenCache::new(), None)
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }));
        assert!(error.to_string().contains("OPRETAIL_USER"), "{error}");
        assert!(!TokenSource::None.log_in_again(&gateway_error(9_990_001)));
    }

    #[test]
    fn credentials_log_in_first_then_reuse_the_token() {
        let source = user();
        let mut cache = TokenCache::new();
        assert!(matches!(
            source.plan(&local(), &cache, None),
            Ok(TokenPlan::LogIn(login)) if login.login_method() == LoginMethod::Mobile
        ));
        cache.store(login_data("t1"));
        assert_eq!(token_of(source.plan(&local(), &cache, None).unwrap()), "t1");
        assert_eq!(cache.logins(), 1);
    }

    #[test]
    fn a_refused_token_leads_to_one_new_login_shared_by_everyone() {
        let source = user();
        let mut cache = TokenCache::new();
        let first = cache.store(login_data("t1"));
        // The first call to see the refusal logs in again…
        assert!(matches!(
            source.plan(&local(), &cache, Some(&first)),
            Ok(TokenPlan::LogIn(_))
        ));
        cache.store(login_data("t2"));
        // …and a call that was refused the same old token uses the new one.
        assert_eq!(
            token_of(source.plan(&local(), &cache, Some(&first)).unwrap()),
            "t2"
        );
        assert_eq!(cache.logins(), 2);
    }

    #[test]
    fn a_given_token_is_used_then_fails_when_refused() {
        let source = TokenSource::token("given");
        let cache = TokenCache::new();
        let TokenPlan::Use(ticket) = source.plan(&local(), &cache, None).unwrap() else {
            panic!("a given token is used as it is")
        };
        assert!(source.log_in_again(&gateway_error(9_990_001)));
        let error = source.plan(&local(), &cache, Some(&ticket)).unwrap_err();
        assert!(error.to_string().contains("get a new one"), "{error}");
        assert!(!error.to_string().contains("given\""), "{error}");
    }

    #[test]
    fn no_login_over_clear_text_beyond_loopback_unless_allowed() {
        let remote = |allow| {
            Config::builder()
                .endpoint("http://gateway.example/m.api")
                .headers_over_clear_text(allow)
                .build()
                .expect("config")
        };
        let cache = TokenCache::new();
        let error = user().plan(&remote(false), &cache, None).unwrap_err();
        assert!(error.to_string().contains("clear text"), "{error}");
        assert!(matches!(
            user().plan(&remote(true), &cache, None),
            Ok(TokenPlan::LogIn(_))
        ));
        assert!(matches!(
            user().plan(&Config::default(), &cache, None),
            Ok(TokenPlan::LogIn(_))
        ));
    }

    #[test]
    fn only_a_dead_token_answer_calls_for_a_new_login() {
        let source = user();
        assert!(source.log_in_again(&gateway_error(9_990_001)));
        assert!(!source.log_in_again(&gateway_error(-1)));
        assert!(!source.log_in_again(&Error::invalid_input("x", "y")));
    }

    #[test]
    fn the_environment_decides_the_source() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &'static str| {
                Ok(pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned()))
            }
        };
        let token = TokenSource::from_vars(
            Gateway::Classic,
            vars(&[("OPRETAIL_TOKEN", " tok "), ("OPRETAIL_USER", "u")]),
        )
        .unwrap();
        assert!(matches!(&token, TokenSource::Token(t) if t.expose_secret() == "tok"));
        let cloud = TokenSource::from_vars(
            Gateway::Cloud,
            vars(&[("OPRETAIL_USER", "u"), ("OPRETAIL_PASSWORD", "p")]),
        )
        .unwrap();
        assert!(matches!(&cloud, TokenSource::Login(l) if l.login_method() == LoginMethod::Sso));
        let chosen = TokenSource::from_vars(
            Gateway::Cloud,
            vars(&[
                ("OPRETAIL_USER", "u"),
                ("OPRETAIL_PASSWORD", "p"),
                ("OPRETAIL_LOGIN_METHOD", "Mobile"),
            ]),
        )
        .unwrap();
        assert!(
            matches!(&chosen, TokenSource::Login(l) if l.login_method() == LoginMethod::Mobile)
        );
        let half = TokenSource::from_vars(Gateway::Classic, vars(&[("OPRETAIL_USER", "u")]));
        assert!(half.unwrap_err().to_string().contains("OPRETAIL_PASSWORD"));
        let empty = TokenSource::from_vars(Gateway::Classic, vars(&[("OPRETAIL_TOKEN", "")]));
        assert!(matches!(empty.unwrap(), TokenSource::None));
        let wrong = TokenSource::from_vars(
            Gateway::Classic,
            vars(&[("OPRETAIL_LOGIN_METHOD", "oauth")]),
        );
        assert!(wrong.is_err());
    }

    #[test]
    fn debug_shows_neither_token_nor_password() {
        let mut cache = TokenCache::new();
        let ticket = cache.store(login_data("tok-canary"));
        let source = TokenSource::login("u", "pw-canary", LoginMethod::Sso).expect("login");
        let given = TokenSource::token("tok-canary");
        for text in [
            format!("{ticket:?}"),
            format!("{cache:?}"),
            format!("{source:?}"),
            format!("{given:?}"),
        ] {
            assert!(!text.contains("canary"), "{text}");
        }
    }
}
