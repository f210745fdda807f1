//! The [`Operation`] trait: what every gateway method of `methods/` implements.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

/// Business parameters of an operation: names and values, borrowed from the operation where
/// they can be.
pub type Params<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// A gateway method: its name, version, business parameters and output type, whether it is
/// safe to repeat and whether it needs a user token.
///
/// Adding a method to the SDK is one type implementing this trait; the transports need no
/// change. Common parameters (`_aid`, `_akey`, `_sig`, …) are added by the SDK.
///
/// ```
/// use opretail_model::{Operation, Params};
///
/// /// `open.demo.queryOpenAccount`, typed.
/// struct QueryOpenAccount { orgid: String }
///
/// #[derive(serde::Deserialize)]
/// struct Account { name: Option<String> }
///
/// impl Operation for QueryOpenAccount {
///     type Output = Account;
///     fn method(&self) -> &str { "open.demo.queryOpenAccount" }
///     fn params(&self) -> Params<'_> {
///         vec![("orgid", self.orgid.as_str().into())]
///     }
///     fn idempotent(&self) -> bool { true }
/// }
/// ```
pub trait Operation {
    /// What `data` decodes to. An absent `data` decodes as JSON `null`.
    type Output: DeserializeOwned;

    /// The method name, sent as `_mt`.
    fn method(&self) -> &str;

    /// The method version, sent as `_version`. Default: `v1`.
    fn version(&self) -> &str {
        "v1"
    }

    /// The business parameters, in any order. Names must be unique and must not start with
    /// `_` (those are the gateway's common parameters).
    fn params(&self) -> Params<'_>;

    /// Extra HTTP headers. They are not signed.
    fn headers(&self) -> Vec<(&str, &str)> {
        Vec::new()
    }

    /// Whether a second run of the call on the server does no harm (a read). Only such calls
    /// are retried after the request may have reached the server (a timeout, a broken
    /// connection, `-100`); others only when it surely did not (the connection failed).
    /// Default: `false`, the safe answer for a method the SDK does not know.
    fn idempotent(&self) -> bool {
        false
    }

    /// Whether the method needs a user's login token in a header. Default: `false`.
    fn needs_token(&self) -> bool {
        false
    }

    /// Whether the answer may hold a secret (a login's token), so that no error ever quotes
    /// its body: an unexpected answer is described, not shown. Default: `false` (bodies are
    /// quoted, with token-like fields hidden: see
    /// [`redact_secrets`](crate::engine::redact_secrets)).
    fn answer_is_secret(&self) -> bool {
        false
    }

    /// A JSON object to send as the request body instead of the form: the common
    /// parameters, the form parameters and `_sig` then go in the URL query and are signed,
    /// the JSON is not (the cloud gateway's form for methods taking nested JSON). `None`, the
    /// default, sends everything as the signed form.
    fn json_body(&self) -> Option<&str> {
        None
    }

    /// Whether a successful answer must carry `data`: when `true`, an absent or `null`
    /// `data` is [`Error::Decode`](crate::Error::Decode) naming the method instead of an
    /// empty output. Default: `true`, so that a new typed read cannot succeed empty by
    /// omission; an operation whose success may come without `data` (a write, a raw call)
    /// says `false`.
    fn data_is_required(&self) -> bool {
        true
    }
}

impl<O: Operation + ?Sized> Operation for &O {
    type Output = O::Output;

    fn method(&self) -> &str {
        (**self).method()
    }
    fn version(&self) -> &str {
        (**self).version()
    }
    fn params(&self) -> Params<'_> {
        (**self).params()
    }
    fn json_body(&self) -> Option<&str> {
        (**self).json_body()
    }
    fn headers(&self) -> Vec<(&str, &str)> {
        (**self).headers()
    }
    fn idempotent(&self) -> bool {
        (**self).idempotent()
    }
    fn needs_token(&self) -> bool {
        (**self).needs_token()
    }
    fn answer_is_secret(&self) -> bool {
        (**self).answer_is_secret()
    }
    fn data_is_required(&self) -> bool {
        (**self).data_is_required()
    }
}
