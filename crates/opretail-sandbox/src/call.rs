//! What every method handler shares: the call it gets, the `data` it answers with, and the
//! registry that finds a handler by `_mt` and `_version`.

use chrono::{DateTime, FixedOffset};
use opretail_model::{Gateway, ReturnCode};
use serde::Serialize;

use crate::params::Params;
use crate::platform::Platform;
use crate::rejection::Rejection;
use crate::synthesis::revision::{FlowView, Revision};
use crate::tokens::{Session, TokenProblem};

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
    /// This answer's revision of the recent hours, when the sandbox revises them.
    pub(crate) revision: Option<Revision>,
}

impl Call<'_> {
    /// The passenger flow as this answer sees it.
    pub(crate) fn flows(&self) -> FlowView {
        FlowView::new(self.now.naive_local(), self.revision)
            .with_dead_devices(self.platform.dead_devices.clone())
    }

    /// The passenger flow as the devices counted it, dead devices included: what a device's
    /// share is taken from.
    pub(crate) fn counted_flows(&self) -> FlowView {
        FlowView::new(self.now.naive_local(), self.revision)
    }

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

/// A method's `data`: any value that serializes, written into the envelope as it is.
///
/// Most handlers build a `serde_json::Value`; `getTotalData` (the call every batch makes) and
/// the series (the largest answers) hand over typed payloads, so that no tree is built for
/// them (see their handlers).
pub(crate) struct Data(Box<dyn Payload>);

/// A payload written as JSON: implemented for every `Serialize` type.
trait Payload: Send {
    fn write_json(&self, out: &mut Vec<u8>);
}

impl<T: Serialize + Send> Payload for T {
    fn write_json(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(out, self)
            .expect("a payload has string keys only and writes to memory, so it serializes");
    }
}

impl Data {
    /// The `data` of an answer.
    pub(crate) fn new(payload: impl Serialize + Send + 'static) -> Data {
        Data(Box::new(payload))
    }

    /// Appends the JSON text of the payload.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        self.0.write_json(out);
    }

    /// The payload as a JSON tree, for tests that look inside it.
    #[cfg(test)]
    pub(crate) fn to_value(&self) -> serde_json::Value {
        let mut bytes = Vec::new();
        self.write_json(&mut bytes);
        serde_json::from_slice(&bytes).expect("a payload is JSON")
    }
}

/// A method: the business payload (`data`) or a business error.
pub(crate) type Handler = fn(&Call<'_>) -> Result<Data, Rejection>;

/// The methods known to the gateway: name, version and handler.
pub(crate) struct Registry {
    entries: Vec<(&'static str, &'static str, Handler)>,
}

impl Registry {
    pub(crate) fn new(entries: Vec<(&'static str, &'static str, Handler)>) -> Self {
        Registry { entries }
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

    /// Every method: name, version and handler.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> &[(&'static str, &'static str, Handler)] {
        &self.entries
    }
}
