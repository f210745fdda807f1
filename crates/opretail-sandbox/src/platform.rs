//! What the sandbox knows beyond the gateway's checks: users and their tokens, the application
//! ids of the cloud gateway, and the limits of the store-list and time-series methods.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::TimeDelta;
use opretail_model::ReturnCode;

use crate::methods::Call;
use crate::tokens::{Session, TokenProblem, Tokens, User};
use crate::validate::Rejection;
use crate::{DEFAULT_AKEY, SandboxBuilder};

/// The business-platform user the sandbox knows by default (public, documented, printed at
/// start): log in with it through `mobileLogin` or `ssoLogin`.
pub const DEMO_USER: &str = "demo";
/// The password of [`DEMO_USER`] (public, documented, printed at start).
pub const DEMO_PASSWORD: &str = "demo-password";
/// The application id registered with [`DEFAULT_AKEY`](crate::DEFAULT_AKEY): the `_aid` the
/// cloud gateway (`/cloud.api`) accepts with the demo key.
pub const DEMO_APPLICATION_ID: &str = "DC-SANDBOX";
/// How long a login token is valid by default: one hour
/// ([`SandboxBuilder::token_ttl`]).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3_600);
/// The largest `pageSize` the store lists accept by default
/// ([`SandboxBuilder::max_page_size`]).
pub const DEFAULT_MAX_PAGE_SIZE: u32 = 100;
/// The most days one time-series call may cover by default
/// ([`SandboxBuilder::max_window_days`]); the same as the SDK's split limit.
pub const DEFAULT_MAX_WINDOW_DAYS: u32 = 31;
/// The most ids one time-series call may name by default
/// ([`SandboxBuilder::max_ids_per_call`]); the same as the SDK's split limit.
pub const DEFAULT_MAX_IDS_PER_CALL: u32 = 20;

/// The user id of the demo user; later users count up from it.
const DEMO_USER_ID: i64 = 10_086;

/// The limits of the store-list and time-series methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_page_size: u32,
    pub(crate) max_window_days: u32,
    pub(crate) max_ids_per_call: u32,
}

/// The builder's settings of the platform side.
#[derive(Clone)]
pub(crate) struct PlatformConfig {
    /// Users by name, with their passwords.
    users: BTreeMap<String, String>,
    token_ttl: Duration,
    /// Application ids by developer key.
    applications: HashMap<String, Vec<String>>,
    limits: Limits,
}

impl Default for PlatformConfig {
    fn default() -> Self {
        let mut users = BTreeMap::new();
        users.insert(DEMO_USER.to_owned(), DEMO_PASSWORD.to_owned());
        let mut applications = HashMap::new();
        applications.insert(
            DEFAULT_AKEY.to_owned(),
            vec![DEMO_APPLICATION_ID.to_owned()],
        );
        PlatformConfig {
            users,
            token_ttl: DEFAULT_TOKEN_TTL,
            applications,
            limits: Limits {
                max_page_size: DEFAULT_MAX_PAGE_SIZE,
                max_window_days: DEFAULT_MAX_WINDOW_DAYS,
                max_ids_per_call: DEFAULT_MAX_IDS_PER_CALL,
            },
        }
    }
}

impl fmt::Debug for PlatformConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut applications: Vec<_> = self.applications.iter().collect();
        applications.sort_unstable();
        f.debug_struct("PlatformConfig")
            .field("users (passwords not shown)", &self.users.keys())
            .field("token_ttl", &self.token_ttl)
            .field("applications", &applications)
            .field("limits", &self.limits)
            .finish()
    }
}

/// The platform-side settings of a sandbox.
impl SandboxBuilder {
    /// Adds a business-platform user who can log in with `password` (replacing an earlier
    /// user of that name). [`DEMO_USER`] / [`DEMO_PASSWORD`] is there by default.
    pub fn user(mut self, name: impl Into<String>, password: impl Into<String>) -> Self {
        self.platform.users.insert(name.into(), password.into());
        self
    }

    /// Stops accepting the demo user ([`DEMO_USER`]).
    pub fn without_demo_user(mut self) -> Self {
        self.platform.users.remove(DEMO_USER);
        self
    }

    /// How long a login token stays valid (default [`DEFAULT_TOKEN_TTL`], one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.platform.token_ttl = ttl;
        self
    }

    /// Registers an application id with the default key ([`DEFAULT_AKEY`]): the cloud
    /// gateway accepts it as `_aid` with that key. [`DEMO_APPLICATION_ID`] is registered by
    /// default.
    pub fn application(self, app_id: impl Into<String>) -> Self {
        self.application_for(DEFAULT_AKEY, app_id)
    }

    /// Registers an application id with the key `akey` (see
    /// [`application`](Self::application)).
    pub fn application_for(mut self, akey: impl Into<String>, app_id: impl Into<String>) -> Self {
        let ids = self.platform.applications.entry(akey.into()).or_default();
        let app_id = app_id.into();
        if !ids.contains(&app_id) {
            ids.push(app_id);
        }
        self
    }

    /// The largest `pageSize` the store lists accept (default [`DEFAULT_MAX_PAGE_SIZE`]; 0
    /// counts as 1); larger ones get [`PAGE_SIZE_TOO_LARGE`](crate::PAGE_SIZE_TOO_LARGE).
    pub fn max_page_size(mut self, max: u32) -> Self {
        self.platform.limits.max_page_size = max.max(1);
        self
    }

    /// The most days one time-series call may cover (default [`DEFAULT_MAX_WINDOW_DAYS`]; 0
    /// counts as 1); longer windows get [`WINDOW_TOO_LONG`](crate::WINDOW_TOO_LONG). A
    /// series of weeks, months, quarters or years may always cover one whole period of its
    /// grain, as the SDK's splitting never cuts one.
    pub fn max_window_days(mut self, max: u32) -> Self {
        self.platform.limits.max_window_days = max.max(1);
        self
    }

    /// The most ids one time-series or demographics call may name (default
    /// [`DEFAULT_MAX_IDS_PER_CALL`]; 0 counts as 1); more get
    /// [`TOO_MANY_IDS`](crate::TOO_MANY_IDS).
    pub fn max_ids_per_call(mut self, max: u32) -> Self {
        self.platform.limits.max_ids_per_call = max.max(1);
        self
    }
}

/// The platform side of a running sandbox.
pub(crate) struct Platform {
    users: Vec<User>,
    pub(crate) tokens: Tokens,
    applications: HashMap<String, Vec<String>>,
    pub(crate) limits: Limits,
    logins: AtomicU64,
}

impl Platform {
    pub(crate) fn new(config: PlatformConfig) -> Self {
        let mut next_id = DEMO_USER_ID + 1;
        let users = config
            .users
            .into_iter()
            .map(|(name, password)| {
                let user_id = if name == DEMO_USER {
                    DEMO_USER_ID
                } else {
                    next_id += 1;
                    next_id - 1
                };
                User {
                    name,
                    password,
                    user_id,
                }
            })
            .collect();
        let ttl = TimeDelta::from_std(config.token_ttl).unwrap_or(TimeDelta::MAX);
        Platform {
            users,
            tokens: Tokens::new(ttl),
            applications: config.applications,
            limits: config.limits,
            logins: AtomicU64::new(0),
        }
    }

    /// The user of this name.
    pub(crate) fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    /// Whether the cloud gateway accepts `aid` with `akey`.
    pub(crate) fn application_matches(&self, akey: &str, aid: &str) -> bool {
        self.applications
            .get(akey)
            .is_some_and(|ids| ids.iter().any(|id| id == aid))
    }

    pub(crate) fn count_login(&self) {
        self.logins.fetch_add(1, Ordering::Relaxed);
    }

    /// Successful logins so far.
    pub(crate) fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }
}

impl Call<'_> {
    /// The session of the request's token (in the gateway's token header), or
    /// `TOKEN_NOT_EXIST`.
    pub(crate) fn session(&self) -> Result<Session, Rejection> {
        let header = self.gateway.token_header();
        self.platform
            .tokens
            .check(self.token, self.now)
            .map_err(|problem| {
                let detail = match problem {
                    TokenProblem::Missing => format!(
                        "this method needs a login token in the {header:?} header; log in with mobileLogin or ssoLogin first"
                    ),
                    TokenProblem::Unknown => format!(
                        "the token in the {header:?} header is not one this gateway issued (or it was expired); log in again"
                    ),
                    TokenProblem::Expired => {
                        "the login token has expired; log in again".to_owned()
                    }
                };
                Rejection::new(ReturnCode::TokenNotExist, detail)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sandbox;

    #[test]
    fn debug_shows_users_but_not_their_passwords() {
        let builder = Sandbox::builder().user("analyst", "not-for-logs");
        let text = format!("{builder:?}");
        assert!(
            text.contains("analyst") && text.contains(DEMO_USER),
            "{text}"
        );
        assert!(
            !text.contains("not-for-logs") && !text.contains(DEMO_PASSWORD),
            "{text}"
        );
        assert!(text.contains(DEMO_APPLICATION_ID), "{text}");
    }

    #[test]
    fn applications_belong_to_their_key_and_users_get_ids() {
        let builder = Sandbox::builder()
            .application("DC-A")
            .application("DC-A")
            .application_for("other", "DC-B")
            .user("zed", "pw")
            .max_page_size(0);
        let platform = Platform::new(builder.platform);
        assert!(platform.application_matches(DEFAULT_AKEY, DEMO_APPLICATION_ID));
        assert!(platform.application_matches(DEFAULT_AKEY, "DC-A"));
        assert!(!platform.application_matches(DEFAULT_AKEY, "DC-B"));
        assert!(platform.application_matches("other", "DC-B"));
        assert!(!platform.application_matches("nobody", DEMO_APPLICATION_ID));
        assert_eq!(platform.user(DEMO_USER).unwrap().user_id, DEMO_USER_ID);
        assert_eq!(platform.user("zed").unwrap().user_id, DEMO_USER_ID + 1);
        assert_eq!(platform.limits.max_page_size, 1);
    }
}
