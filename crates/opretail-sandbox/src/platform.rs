//! What the sandbox knows beyond the gateway's checks: users and their tokens, the application
//! ids of the cloud gateway, and the limits of the store-list and time-series methods.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use md5::{Digest, Md5};
use opretail_model::ReturnCode;

use crate::rejection::Rejection;
use crate::tokens::{Session, Tokens, User};

/// The developer key the sandbox accepts by default (public, documented, printed at start).
pub const DEFAULT_AKEY: &str = "sandbox";
/// The signing secret of [`DEFAULT_AKEY`] (public, documented, printed at start).
pub const DEFAULT_ASID: &str = "sandbox-secret";

/// The business-platform user the sandbox knows by default (public, documented, printed at
/// start): log in with it through `mobileLogin` or `ssoLogin`.
pub const DEMO_USER: &str = "demo";
/// The password of [`DEMO_USER`] (public, documented, printed at start).
pub const DEMO_PASSWORD: &str = "demo-password";
/// The application id registered with [`DEFAULT_AKEY`]: the `_aid` the
/// cloud gateway (`/cloud.api`) accepts with the demo key.
pub const DEMO_APPLICATION_ID: &str = "DC-SANDBOX";
/// How long a login token is valid by default: one hour
/// ([`SandboxBuilder::token_ttl`](crate::SandboxBuilder::token_ttl)).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3_600);
/// The largest `pageSize` the store lists accept by default
/// ([`SandboxBuilder::max_page_size`](crate::SandboxBuilder::max_page_size)).
pub const DEFAULT_MAX_PAGE_SIZE: u32 = 100;
/// The most days one time-series call may cover by default
/// ([`SandboxBuilder::max_window_days`](crate::SandboxBuilder::max_window_days)); the same as the SDK's
/// split limit.
pub const DEFAULT_MAX_WINDOW_DAYS: u32 = 31;
/// The most ids one time-series call may name by default
/// ([`SandboxBuilder::max_ids_per_call`](crate::SandboxBuilder::max_ids_per_call)); the same as the SDK's
/// split limit.
pub const DEFAULT_MAX_IDS_PER_CALL: u32 = 20;

/// The user id of the demo user; later users count up from it.
pub(crate) const DEMO_USER_ID: i64 = 10_086;

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
    pub(crate) users: BTreeMap<String, String>,
    pub(crate) token_ttl: Duration,
    /// Application ids by developer key.
    pub(crate) applications: HashMap<String, Vec<String>>,
    pub(crate) limits: Limits,
    /// Methods answered [`METHOD_NOT_GRANTED`](crate::rejection::METHOD_NOT_GRANTED), as
    /// for an application the console has not granted them to.
    pub(crate) refused_methods: std::collections::BTreeSet<String>,
    /// Whether every call must carry a `_nonce` never seen before.
    pub(crate) require_nonce: bool,
    /// Devices (MAC addresses, 12 upper-case hex digits) offline and counting nothing.
    pub(crate) dead_devices: std::collections::BTreeSet<String>,
    /// Recorded exchanges answered as recorded.
    pub(crate) recordings: crate::recordings::Recordings,
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
            refused_methods: std::collections::BTreeSet::new(),
            require_nonce: false,
            dead_devices: std::collections::BTreeSet::new(),
            recordings: crate::recordings::Recordings::default(),
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
            .field("refused_methods", &self.refused_methods)
            .field("require_nonce", &self.require_nonce)
            .field("dead_devices", &self.dead_devices)
            .field("recordings", &self.recordings)
            .finish()
    }
}

/// The platform side of a running sandbox.
pub(crate) struct Platform {
    users: Vec<User>,
    pub(crate) tokens: Tokens,
    applications: HashMap<String, Vec<String>>,
    pub(crate) limits: Limits,
    logins: AtomicU64,
    refused_methods: std::collections::BTreeSet<String>,
    /// The nonces seen, when every call must carry a fresh one.
    pub(crate) nonces: Option<crate::replay::ReplayCache>,
    /// The sales uploaded, per store and period.
    pub(crate) sales: crate::sales::SalesLedger,
    /// Devices offline and counting nothing.
    pub(crate) dead_devices: std::sync::Arc<std::collections::BTreeSet<String>>,
    /// Recorded exchanges answered as recorded.
    pub(crate) recordings: crate::recordings::Recordings,
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
            refused_methods: config.refused_methods,
            dead_devices: std::sync::Arc::new(config.dead_devices),
            recordings: config.recordings,
            nonces: config
                .require_nonce
                .then(crate::replay::ReplayCache::default),
            sales: crate::sales::SalesLedger::default(),
        }
    }

    /// Whether `method` is answered as not granted to the application: refused by its full
    /// name or by its last dotted part (`getTotalData`).
    pub(crate) fn refuses(&self, method: &str) -> bool {
        let short = method.rsplit('.').next().unwrap_or(method);
        self.refused_methods.contains(method) || self.refused_methods.contains(short)
    }

    /// The user of this name.
    pub(crate) fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    /// Whether the cloud gateway accepts `aid` with `akey`.
    /// Whether `aid` is the application id of any key (`_sm=rsa` calls name no key).
    pub(crate) fn application_known(&self, aid: &str) -> bool {
        self.applications
            .values()
            .any(|ids| ids.iter().any(|id| id == aid))
    }

    pub(crate) fn application_matches(&self, akey: &str, aid: &str) -> bool {
        self.applications
            .get(akey)
            .is_some_and(|ids| ids.iter().any(|id| id == aid))
    }

    /// Logs the user `name` in with the password `sent` (in the form the login method
    /// takes): a new token and its session, or why not.
    pub(crate) fn log_in(
        &self,
        name: &str,
        sent: &str,
        form: PasswordForm,
        now: DateTime<FixedOffset>,
    ) -> Result<(String, Session), Rejection> {
        let Some(user) = self.user(name) else {
            return Err(Rejection::new(
                ReturnCode::UsernameError,
                format_args!(
                    "no user {name:?}; log in with a business-platform account (the sandbox's demo user is {DEMO_USER:?})"
                ),
            ));
        };
        let (matches, hint) = match form {
            PasswordForm::Plain => (sent == user.password, "send the password as it is"),
            PasswordForm::Md5Hex => (
                sent == md5_hex(&user.password),
                "send the lowercase hex of the password's MD5",
            ),
        };
        if !matches {
            return Err(Rejection::new(
                ReturnCode::PasswordError,
                format_args!("wrong password for user {name:?}; {hint}"),
            ));
        }
        self.logins.fetch_add(1, Ordering::Relaxed);
        Ok(self.tokens.issue(user, now))
    }

    /// Successful logins so far.
    pub(crate) fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }
}

/// How a login method takes the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordForm {
    /// As it is (`mobileLogin`).
    Plain,
    /// The lowercase hex of its MD5 (`ssoLogin`).
    Md5Hex,
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_is_lowercase_hex() {
        assert_eq!(md5_hex("123456"), "e10adc3949ba59abbe56e057f20f883e");
    }

    #[test]
    fn logins_check_the_user_and_the_password_in_its_form() {
        let platform = Platform::new(PlatformConfig::default());
        let now = DateTime::UNIX_EPOCH.fixed_offset();
        let plain = platform.log_in(DEMO_USER, DEMO_PASSWORD, PasswordForm::Plain, now);
        assert_eq!(plain.unwrap().1.user_id, DEMO_USER_ID);
        let hashed = md5_hex(DEMO_PASSWORD);
        assert!(
            platform
                .log_in(DEMO_USER, &hashed, PasswordForm::Md5Hex, now)
                .is_ok()
        );
        let wrong = platform.log_in(DEMO_USER, &hashed, PasswordForm::Plain, now);
        assert_eq!(wrong.unwrap_err().code, ReturnCode::PasswordError);
        let nobody = platform.log_in("nobody", DEMO_PASSWORD, PasswordForm::Plain, now);
        assert_eq!(nobody.unwrap_err().code, ReturnCode::UsernameError);
        assert_eq!(platform.logins(), 2);
    }
}
