//! Operations: one type per gateway method, plus [`RawCall`] for any method.

use std::borrow::Cow;
use std::fmt;

use serde::de::DeserializeOwned;

use crate::{EntityId, TotalData};

/// The method name of `getTotalData`, defined once for the model, the sandbox and the CLI.
pub const METHOD_GET_TOTAL_DATA: &str = "open.shopweb.passengerFlow.getTotalData";

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
    /// quoted, with token-like fields hidden: see [`redact_secrets`](crate::redact_secrets)).
    fn answer_is_secret(&self) -> bool {
        false
    }

    /// Whether a successful answer must carry `data`: when `true`, an absent or `null`
    /// `data` is [`Error::Decode`](crate::Error::Decode) naming the method instead of an
    /// empty output. Default: `false` (a write may answer without `data`).
    fn data_is_required(&self) -> bool {
        false
    }
}

/// `open.shopweb.passengerFlow.getTotalData` (v1): the passenger-flow totals of a store or an
/// enterprise.
///
/// Sends `needUnit=0` by default, so figures come as plain numbers;
/// [`GetTotalData::with_units`] asks for values with units (`"35.2%"`), which the platform
/// sends when `needUnit` is absent.
///
/// ```
/// use opretail_model::{GetTotalData, Operation};
///
/// let op = GetTotalData::new("S_1001".parse()?).with_units(true);
/// assert_eq!(op.method(), "open.shopweb.passengerFlow.getTotalData");
/// assert_eq!(op.params(), [("id", "S_1001".into()), ("needUnit", "1".into())]);
/// assert!(op.idempotent());
/// # Ok::<(), opretail_model::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetTotalData {
    id: EntityId,
    with_units: bool,
}

impl GetTotalData {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_TOTAL_DATA;

    /// Totals for a store (`S_…`) or an enterprise (`O_…`), as plain numbers.
    pub fn new(id: EntityId) -> Self {
        GetTotalData {
            id,
            with_units: false,
        }
    }

    /// Whether to ask for values with units (`needUnit=1`).
    pub fn with_units(mut self, with_units: bool) -> Self {
        self.with_units = with_units;
        self
    }

    /// The store or enterprise asked about.
    pub fn id(&self) -> &EntityId {
        &self.id
    }
}

impl Operation for GetTotalData {
    type Output = TotalData;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let need_unit = if self.with_units { "1" } else { "0" };
        vec![
            ("id", self.id.as_str().into()),
            ("needUnit", need_unit.into()),
        ]
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn data_is_required(&self) -> bool {
        true
    }
}

/// Any method with any parameters; `data` comes back as a [`serde_json::Value`].
///
/// A raw call is not retried once the request may have reached the server, unless it is
/// marked [`RawCall::mark_idempotent`]. Header values are not shown by `Debug`: they may carry
/// login tokens.
///
/// ```
/// use opretail_model::{Operation, RawCall};
///
/// let call = RawCall::new("open.shopweb.passengerFlow.getPassengerIndicatorData")
///     .param("depId", "1001")
///     .param("startTime", "2026-11-01 00:00:00")
///     .header("X-Trace", "abc")
///     .mark_idempotent();
/// assert_eq!(call.version(), "v1");
/// assert!(call.idempotent());
/// assert!(!format!("{call:?}").contains("abc"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RawCall {
    method: String,
    version: String,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    idempotent: bool,
    needs_token: bool,
}

impl RawCall {
    /// A call of `method` at version `v1`, without parameters, not idempotent.
    pub fn new(method: impl Into<String>) -> Self {
        RawCall {
            method: method.into(),
            version: "v1".to_owned(),
            params: Vec::new(),
            headers: Vec::new(),
            idempotent: false,
            needs_token: false,
        }
    }

    /// Sets the method version (default `v1`).
    pub fn at_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Adds a business parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Adds business parameters.
    pub fn with_params<I, K, V>(mut self, params: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.params
            .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Adds an HTTP header (not signed).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Marks the call as safe to repeat (a read), so that the full retry policy applies.
    pub fn mark_idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Marks the call as needing the user's login token, which the client then sends in the
    /// gateway's token header.
    pub fn mark_needs_token(mut self) -> Self {
        self.needs_token = true;
        self
    }
}

impl fmt::Debug for RawCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, _)| (k.as_str(), "<redacted>"))
            .collect();
        f.debug_struct("RawCall")
            .field("method", &self.method)
            .field("version", &self.version)
            .field("params", &self.params)
            .field("headers", &headers)
            .field("idempotent", &self.idempotent)
            .field("needs_token", &self.needs_token)
            .finish()
    }
}

impl Operation for RawCall {
    type Output = serde_json::Value;

    fn method(&self) -> &str {
        &self.method
    }

    fn version(&self) -> &str {
        &self.version
    }

    fn params(&self) -> Params<'_> {
        self.params
            .iter()
            .map(|(k, v)| (k.as_str(), Cow::Borrowed(v.as_str())))
            .collect()
    }

    fn headers(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn idempotent(&self) -> bool {
        self.idempotent
    }

    fn needs_token(&self) -> bool {
        self.needs_token
    }

    /// A raw call of a login method is treated as the typed login: its answer is not quoted.
    fn answer_is_secret(&self) -> bool {
        let method = self.method.trim();
        method == crate::METHOD_MOBILE_LOGIN || method == crate::METHOD_SSO_LOGIN
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
