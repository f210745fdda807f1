//! The methods the sandbox serves: one handler each, found by `_mt` and `_version`.

mod echo;
mod total_data;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::params::Params;
use crate::validate::Rejection;

pub(crate) use total_data::return_code;
pub use total_data::{ID_ILLEGAL, NEED_UNIT_ILLEGAL};

/// What a method handler gets: the request's parameters and the gateway's view of the world.
pub(crate) struct Call<'a> {
    pub(crate) params: &'a Params<'a>,
    /// The gateway's clock (skew applied), at the gateway's offset.
    pub(crate) now: DateTime<FixedOffset>,
    pub(crate) quirks: bool,
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
