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
use serde::Serialize;
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
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    /// `data` built as a JSON tree.
    Tree(fn(&Call<'_>) -> Result<Value, Rejection>),
    /// `data` as typed values, serialized straight into the answer.
    Typed(fn(&Call<'_>) -> Result<Data, Rejection>),
}

impl Handler {
    /// Runs the method.
    pub(crate) fn run(self, call: &Call<'_>) -> Result<Data, Rejection> {
        match self {
            Handler::Tree(handler) => handler(call).map(Data::Tree),
            Handler::Typed(handler) => handler(call),
        }
    }
}

/// A method's `data`, serialized into the envelope as it is.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum Data {
    /// A JSON tree.
    Tree(Value),
    /// `getTotalData`'s, the one every batch calls: typed, so that no tree is built for it
    /// (with the figures formatted only where they are sent, this took the sandbox from
    /// about 129,000 to 90,000 instructions per call).
    TotalData(Box<total_data::Payload>),
}

/// The methods known to the gateway, by name and version.
pub(crate) struct Registry {
    entries: Vec<(&'static str, &'static str, Handler)>,
}

impl Registry {
    /// Every method the sandbox serves. Adding one is one line here plus its handler.
    pub(crate) fn standard() -> Self {
        Registry {
            entries: vec![
                (total_data::METHOD, "v1", Handler::Typed(total_data::handle)),
                (echo::METHOD, "v1", Handler::Tree(echo::handle)),
                (login::MOBILE, "v1", Handler::Tree(login::mobile)),
                (login::SSO, "v1", Handler::Tree(login::sso)),
                (
                    stores::DEPARTMENTS,
                    "v1",
                    Handler::Tree(stores::departments),
                ),
                (stores::DEPT_LIST, "v1", Handler::Tree(stores::dept_list)),
                (series::INDICATOR, "v1", Handler::Tree(series::indicator)),
                (series::MANY_SHOPS, "v1", Handler::Tree(series::many_shops)),
                (
                    demographics::METHOD,
                    "v1",
                    Handler::Tree(demographics::handle),
                ),
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
