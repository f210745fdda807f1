//! Operations: one type per gateway method, plus [`RawCall`] for any method.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::{EntityId, TotalData};

/// A gateway method: its name, version, business parameters and output type.
///
/// Adding a method to the SDK is one type implementing this trait; the transports need no
/// change. Common parameters (`_aid`, `_akey`, `_sig`, …) are added by the SDK.
///
/// ```
/// use opretail_model::Operation;
///
/// /// `open.shopweb.security.mobileLogin`, typed.
/// struct MobileLogin { user: String, password: String }
///
/// #[derive(serde::Deserialize)]
/// struct Login { token: String }
///
/// impl Operation for MobileLogin {
///     type Output = Login;
///     fn method(&self) -> &str { "open.shopweb.security.mobileLogin" }
///     fn params(&self) -> Vec<(String, String)> {
///         vec![("userName".into(), self.user.clone()), ("password".into(), self.password.clone())]
///     }
/// }
/// ```
pub trait Operation {
    /// What `data` decodes to.
    type Output: DeserializeOwned;

    /// The method name, sent as `_mt`.
    fn method(&self) -> &str;

    /// The method version, sent as `_version`. Default: `v1`.
    fn version(&self) -> &str {
        "v1"
    }

    /// The business parameters, in any order. Names must be unique.
    fn params(&self) -> Vec<(String, String)>;

    /// Extra HTTP headers (for example `Ovo-Authorization` for methods that need a login
    /// token). They are not signed.
    fn headers(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Decodes `data` (`None` when absent). The default deserializes it (`null` when absent).
    fn decode_output(
        &self,
        data: Option<&RawValue>,
    ) -> Result<Self::Output, serde_path_to_error::Error<serde_json::Error>> {
        decode_data(data.map_or("null", RawValue::get))
    }
}

/// Deserializes `data`. Tracking the path costs an allocation per key, so it is done only
/// when a plain pass fails, to name the field in the error (the two passes fail alike).
fn decode_data<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    serde_json::from_str(text).or_else(|_| {
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
    })
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
/// assert_eq!(op.params(), [("id".to_string(), "S_1001".to_string()), ("needUnit".into(), "1".into())]);
/// # Ok::<(), opretail_model::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetTotalData {
    id: EntityId,
    with_units: bool,
}

impl GetTotalData {
    /// The method name.
    pub const METHOD: &'static str = "open.shopweb.passengerFlow.getTotalData";

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

    fn params(&self) -> Vec<(String, String)> {
        vec![
            ("id".to_owned(), self.id.as_str().to_owned()),
            (
                "needUnit".to_owned(),
                if self.with_units { "1" } else { "0" }.to_owned(),
            ),
        ]
    }

    fn decode_output(
        &self,
        data: Option<&RawValue>,
    ) -> Result<TotalData, serde_path_to_error::Error<serde_json::Error>> {
        match data.map(RawValue::get) {
            None | Some("null") => Ok(TotalData::default()),
            Some(text) => decode_data(text),
        }
    }
}

/// Any method with any parameters; `data` comes back as a [`serde_json::Value`].
///
/// Header values are not shown by `Debug`: they may carry login tokens.
///
/// ```
/// use opretail_model::{Operation, RawCall};
///
/// let call = RawCall::new("open.shopweb.passengerFlow.getPassengerIndicatorData")
///     .param("depId", "1001")
///     .param("startTime", "2026-11-01")
///     .header("Ovo-Authorization", "token");
/// assert_eq!(call.version(), "v1");
/// assert!(!format!("{call:?}").contains("token"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RawCall {
    method: String,
    version: String,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl RawCall {
    /// A call of `method` at version `v1`, without parameters.
    pub fn new(method: impl Into<String>) -> Self {
        RawCall {
            method: method.into(),
            version: "v1".to_owned(),
            params: Vec::new(),
            headers: Vec::new(),
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

    fn params(&self) -> Vec<(String, String)> {
        self.params.clone()
    }

    fn headers(&self) -> Vec<(String, String)> {
        self.headers.clone()
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
    fn params(&self) -> Vec<(String, String)> {
        (**self).params()
    }
    fn headers(&self) -> Vec<(String, String)> {
        (**self).headers()
    }
    fn decode_output(
        &self,
        data: Option<&RawValue>,
    ) -> Result<Self::Output, serde_path_to_error::Error<serde_json::Error>> {
        (**self).decode_output(data)
    }
}
