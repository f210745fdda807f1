//! The methods the sandbox serves: one handler each, found by `_mt` and `_version`.

mod codes;
mod demographics;
mod echo;
mod flow;
mod login;
mod series;
mod stores;
mod total_data;
mod window;

use chrono::{DateTime, FixedOffset};
use opretail_model::Gateway;
use serde_json::Value;

use crate::params::Params;
use crate::platform::Platform;
use crate::validate::Rejection;

pub(crate) use codes::return_code;
pub use codes::{
    ID_ILLEGAL, NEED_UNIT_ILLEGAL, PAGE_SIZE_TOO_LARGE, PARAM_ILLEGAL, STORE_NOT_FOUND,
    TOO_MANY_IDS, WINDOW_TOO_LONG,
};

/// What a method handler gets: the request's parameters and the gateway's view of the world.
pub(crate) struct Call<'a> {
    pub(crate) params: &'a Params<'a>,
    /// The gateway's clock (skew applied), at the gateway's offset.
    pub(crate) now: DateTime<FixedOffset>,
    pub(crate) quirks: bool,
    /// Users, tokens and limits.
    pub(crate) platform: &'a Platform,
    /// The gateway the request came to.
    pub(crate) gateway: Gateway,
    /// The value of the gateway's token header, if sent.
    pub(crate) token: Option<&'a str>,
}

/// A method: the business payload (`data`) or a business error.
pub(crate) type Handler = fn(&Call<'_>) -> Result<Value, Rejection>;

/// The methods known to the gateway, by name and version.
pub(crate) struct Registry {
    entries: Vec<(&'static str, &'static str, Handler)>,
}

impl Registry {
    /// Every method the sandbox serves. Adding one is one line here plus its handler.
    pub(crate) fn standard() -> Self {
        Registry {
            entries: vec![
                (total_data::METHOD, "v1", total_data::handle as Handler),
                (echo::METHOD, "v1", echo::handle as Handler),
                (login::MOBILE, "v1", login::mobile as Handler),
                (login::SSO, "v1", login::sso as Handler),
                (stores::DEPARTMENTS, "v1", stores::departments as Handler),
                (stores::DEPT_LIST, "v1", stores::dept_list as Handler),
                (series::INDICATOR, "v1", series::indicator as Handler),
                (series::MANY_SHOPS, "v1", series::many_shops as Handler),
                (demographics::METHOD, "v1", demographics::handle as Handler),
            ],
        }
    }

    /// Whether a method of this name exists at any version.
    pub(crate) fn knows(&self, method: &str) -> bool {
        self.entries.iter().any(|(m, _, _)| *m == method)
    }

    /// The handler of a method at a version.
    pub(crate) fn lookup(&self, method: &str, version: &str) -> Option<Handler> {
        self.entries
            .iter()
            .find(|(m, v, _)| *m == method && *v == version)
            .map(|(_, _, h)| *h)
    }
}
