//! Business-platform users and the login tokens the sandbox issues them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, TimeDelta};

/// A user who can log in: name and password (never shown by `Debug`).
#[derive(Clone)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) password: String,
    /// The user's id on the business platform.
    pub(crate) user_id: i64,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("user_id", &self.user_id)
            .finish()
    }
}

/// Who a token belongs to and until when it is valid.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) user_name: String,
    pub(crate) user_id: i64,
    pub(crate) expires: DateTime<FixedOffset>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Unknown,
    Expired,
}

/// The tokens issued and still remembered.
pub(crate) struct Tokens {
    ttl: TimeDelta,
    live: Mutex<HashMap<String, Session>>,
}

impl Tokens {
    pub(crate) fn new(ttl: TimeDelta) -> Self {
        Tokens {
            ttl,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// A new random token for `user`, valid from `now` for the configured lifetime. Tokens
    /// that have expired are forgotten on the way, so the table stays as small as the
    /// logins of one lifetime.
    pub(crate) fn issue(&self, user: &User, now: DateTime<FixedOffset>) -> (String, Session) {
        let token = format!("sbx{:032x}", fastrand::u128(..));
        let session = Session {
            user_name: user.name.clone(),
            user_id: user.user_id,
            expires: now + self.ttl,
        };
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.retain(|_, s| s.expires > now);
        live.insert(token.clone(), session.clone());
        (token, session)
    }

    /// The session of a token sent at `now`.
    pub(crate) fn check(
        &self,
        token: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<Session, TokenProblem> {
        let token = token.map(str::trim).filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Err(TokenProblem::Missing);
        };
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        match live.get(token) {
            None => Err(TokenProblem::Unknown),
            Some(session) if session.expires <= now => Err(TokenProblem::Expired),
            Some(session) => Ok(session.clone()),
        }
    }

    /// Makes every token issued so far invalid.
    pub(crate) fn expire_all(&self) {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        crate::clock::parse_timestamp("20261128101500", crate::clock::gateway_offset()).unwrap()
    }

    #[test]
    fn tokens_live_for_their_lifetime_and_can_be_expired() {
        let tokens = Tokens::new(TimeDelta::minutes(60));
        let user = User {
            name: "demo".into(),
            password: "pw".into(),
            user_id: 1,
        };
        let (a, session) = tokens.issue(&user, now());
        let (b, _) = tokens.issue(&user, now());
        assert_ne!(a, b, "tokens are random");
        assert_eq!(session.expires - now(), TimeDelta::minutes(60));
        assert!(
            tokens
                .check(Some(&a), now() + TimeDelta::minutes(59))
                .is_ok()
        );
        assert_eq!(
            tokens
                .check(Some(&a), now() + TimeDelta::minutes(60))
                .unwrap_err(),
            TokenProblem::Expired
        );
        assert_eq!(
            tokens.check(None, now()).unwrap_err(),
            TokenProblem::Missing
        );
        assert_eq!(
            tokens.check(Some(" "), now()).unwrap_err(),
            TokenProblem::Missing
        );
        assert_eq!(
            tokens.check(Some("nope"), now()).unwrap_err(),
            TokenProblem::Unknown
        );
        tokens.expire_all();
        assert_eq!(
            tokens.check(Some(&b), now()).unwrap_err(),
            TokenProblem::Unknown
        );
        assert!(!format!("{user:?}").contains("pw"));
    }
}
