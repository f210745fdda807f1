//! [`RawCall`]: any method, any parameters, `serde_json::Value` back (or a type of the
//! caller's).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::{Operation, Params};

/// Any method with any parameters; `data` comes back as a [`serde_json::Value`], or as a
/// type of the caller's ([`RawCall::with_output`]).
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
pub struct RawCall<T = serde_json::Value> {
    method: String,
    version: String,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    idempotent: bool,
    needs_token: bool,
    /// The JSON body, when the call sends one.
    json_body: Option<String>,
    /// What `data` decodes to; `fn() -> T` so that the call is `Send` and `Sync` whatever `T`.
    output: PhantomData<fn() -> T>,
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
            json_body: None,
            output: PhantomData,
        }
    }
}

impl<T> RawCall<T> {
    /// The same call, with `data` decoded into `U` instead: a type of the caller's, or
    /// `Box<serde_json::value::RawValue>` to keep the text as sent (a `Value` takes many
    /// times the bytes of its text: 16 MiB of `{}` are about 200 MB of values). `U` is not
    /// counted against [`AnswerLimits`](crate::AnswerLimits), as a `Value` is not.
    ///
    /// ```
    /// use opretail_model::RawCall;
    /// use serde_json::value::RawValue;
    ///
    /// let call: RawCall<Box<RawValue>> = RawCall::new("open.demo.any").with_output();
    /// # let _ = call;
    /// ```
    pub fn with_output<U>(self) -> RawCall<U> {
        RawCall {
            method: self.method,
            version: self.version,
            params: self.params,
            headers: self.headers,
            idempotent: self.idempotent,
            needs_token: self.needs_token,
            json_body: self.json_body,
            output: PhantomData,
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

    /// Sends `body` (a JSON object) as the request body, as the cloud gateway takes the
    /// business parameters of methods with nested JSON: the common parameters, any
    /// [`param`](Self::param)s and `_sig` go in the URL query and are signed; the JSON is
    /// sent as it is (`application/json;charset=utf-8`) and is **not** signed. Anything but an
    /// object is refused before a request.
    ///
    /// ```
    /// use opretail_model::{Operation, RawCall};
    ///
    /// let call = RawCall::new("open.demo.nested").with_json_body(serde_json::json!({"a": {"b": 1}}))?;
    /// assert_eq!(call.json_body(), Some(r#"{"a":{"b":1}}"#));
    /// assert!(RawCall::new("m").with_json_body(serde_json::json!([1])).is_err());
    /// # Ok::<(), opretail_model::Error>(())
    /// ```
    pub fn with_json_body(mut self, body: serde_json::Value) -> Result<Self, crate::Error> {
        if !body.is_object() {
            return Err(crate::Error::invalid_input(
                "JSON body",
                "is not a JSON object: the gateway reads the business parameters from an object",
            ));
        }
        self.json_body = Some(body.to_string());
        Ok(self)
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

impl<T> fmt::Debug for RawCall<T> {
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
            .field("json_body", &self.json_body.as_ref().map(String::len))
            .finish()
    }
}

impl<T: DeserializeOwned> Operation for RawCall<T> {
    type Output = T;

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

    fn json_body(&self) -> Option<&str> {
        self.json_body.as_deref()
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

    /// A raw call may be a write, whose success carries no `data`: it comes back `null`.
    fn data_is_required(&self) -> bool {
        false
    }
}
