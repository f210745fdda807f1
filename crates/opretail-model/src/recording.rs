//! Recordings of exchanges: what a call asked and what the gateway answered, with every
//! secret removed, for bug reports and as test fixtures.
//!
//! An [`Exchange`] keeps the method, its version, the **business** parameters (never the
//! common ones: no `_akey`, `_sig`, `_timestamp`, `_nonce`), the HTTP status, the answer and
//! when it came. Values of secret-looking parameters (`password`, anything ending in `token`,
//! `secret`…, as [`redact_secrets`] decides) and of
//! secret-looking fields of the answer, at any depth, are replaced by [`REMOVED`]; the
//! answer keeps its shape, so a replay still decodes. Building an exchange is pure: an
//! [`ExchangeObserver`] set with
//! [`ConfigBuilder::observe_exchanges`](crate::ConfigBuilder::observe_exchanges) receives
//! each one and does what it likes with it (the `opretail` command's `--record DIR` writes
//! one file per call).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::redact::{is_secret_name, redact_secrets};

/// What stands in for a removed value.
pub const REMOVED: &str = "<removed>";

/// One call's exchange, secrets removed.
///
/// ```
/// use opretail_model::recording::{Exchange, REMOVED};
///
/// let body = br#"{"stat":{"code":0},"data":{"token":"tok-123","user":{"name":"demo"}}}"#;
/// let exchange = Exchange::new(
///     "open.user.login",
///     "v1",
///     &[("userName", "demo"), ("password", "hunter2")],
///     200,
///     body,
///     std::time::SystemTime::UNIX_EPOCH,
/// );
/// assert_eq!(exchange.params["password"], REMOVED);
/// assert_eq!(exchange.answer["data"]["token"], REMOVED);
/// assert_eq!(exchange.answer["data"]["user"]["name"], "demo");
/// let text = serde_json::to_string(&exchange).unwrap();
/// assert!(!text.contains("hunter2") && !text.contains("tok-123"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Exchange {
    /// The method (`_mt`).
    pub method: String,
    /// Its version (`_version`).
    pub version: String,
    /// The business parameters as sent (trimmed), secrets removed.
    pub params: BTreeMap<String, String>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The answer: its JSON with secret fields removed, or (not JSON) its text with
    /// secret-looking values removed.
    pub answer: Value,
    /// When the answer came, RFC 3339 in UTC.
    pub at: String,
}

impl Exchange {
    /// The exchange of a call of `method` at `version` with the business `params`, answered
    /// with `status` and `body` at `at`, secrets removed.
    pub fn new<K: AsRef<str>, V: AsRef<str>>(
        method: &str,
        version: &str,
        params: &[(K, V)],
        status: u16,
        body: &[u8],
        at: SystemTime,
    ) -> Exchange {
        let params = params
            .iter()
            .map(|(k, v)| {
                let (k, v) = (k.as_ref().trim(), v.as_ref().trim());
                let v = if is_secret_name(k) { REMOVED } else { v };
                (k.to_owned(), v.to_owned())
            })
            .collect();
        let answer = match serde_json::from_slice::<Value>(body) {
            Ok(mut json) => {
                remove_secrets(&mut json);
                json
            }
            Err(_) => Value::String(redact_secrets(&String::from_utf8_lossy(body))),
        };
        Exchange {
            method: method.to_owned(),
            version: version.to_owned(),
            params,
            status,
            answer,
            at: chrono::DateTime::<chrono::Utc>::from(at)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        }
    }

    /// The answer as the gateway's body: the JSON text, or the text itself.
    pub fn body(&self) -> String {
        match &self.answer {
            Value::String(text) => text.clone(),
            json => json.to_string(),
        }
    }
}

/// Replaces, at any depth, the value of every field whose name looks secret with
/// [`REMOVED`].
pub fn remove_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                if is_secret_name(name) {
                    *field = Value::String(REMOVED.to_owned());
                } else {
                    remove_secrets(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(remove_secrets),
        // A JSON document or a form inside a string (`iposJson`, a nested answer) is
        // cleaned too.
        Value::String(text) if text.contains(':') || text.contains('=') => {
            *text = redact_secrets(text);
        }
        _ => {}
    }
}

/// Receives every exchange of a client: set with
/// [`ConfigBuilder::observe_exchanges`](crate::ConfigBuilder::observe_exchanges). Called
/// on the task that made the call; keep it quick (hand heavy work elsewhere).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use opretail_model::recording::ExchangeObserver;
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = Arc::clone(&seen);
/// let observer = ExchangeObserver::new(move |exchange| sink.lock().unwrap().push(exchange.method.clone()));
/// let config = opretail_model::Config::builder().observe_exchanges(observer).build()?;
/// assert!(config.exchange_observer().is_some());
/// # Ok::<(), opretail_model::Error>(())
/// ```
#[derive(Clone)]
pub struct ExchangeObserver(Arc<dyn Fn(&Exchange) + Send + Sync>);

impl ExchangeObserver {
    /// An observer calling `observe` with each exchange.
    pub fn new(observe: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        ExchangeObserver(Arc::new(observe))
    }

    /// Hands `exchange` over.
    pub fn observe(&self, exchange: &Exchange) {
        (self.0)(exchange);
    }
}

impl fmt::Debug for ExchangeObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExchangeObserver")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_go_at_any_depth_and_the_shape_stays() {
        let body = br#"{"stat":{"code":"0","cid":"c1"},"data":{"token":"t-1","list":[{"accessToken":{"a":1},"name":"x"}],"nested":"{\"password\":\"p-1\",\"ok\":1}","ticket":7}}"#;
        let exchange =
            Exchange::new::<&str, &str>("m", "v1", &[], 200, body, SystemTime::UNIX_EPOCH);
        let text = serde_json::to_string(&exchange).unwrap();
        for secret in ["t-1", "p-1", "\"a\":1"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(exchange.answer["data"]["ticket"], REMOVED);
        assert_eq!(exchange.answer["data"]["list"][0]["name"], "x");
        assert_eq!(exchange.answer["stat"]["cid"], "c1");
        assert_eq!(exchange.at, "1970-01-01T00:00:00Z");
    }

    #[test]
    fn a_body_that_is_not_json_is_kept_as_text_with_secrets_removed() {
        let exchange = Exchange::new(
            "m",
            "v1",
            &[("token", "abc"), ("id", " S_1 ")],
            502,
            b"<html>bad gateway token=zzz9</html>",
            SystemTime::UNIX_EPOCH,
        );
        assert_eq!(exchange.params["token"], REMOVED);
        assert_eq!(exchange.params["id"], "S_1");
        let text = exchange.body();
        assert!(
            text.contains("bad gateway") && !text.contains("zzz9"),
            "{text}"
        );
    }
}
