//! Turning an operation into the signed form the gateway expects: [`FormBuilder`].

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use opretail_sign::{RSA_SIGN_METHOD, Signature, sign, sign_rsa};
use secrecy::ExposeSecret;

use super::{Moment, ReplayGuard};
use crate::credentials::Signer;
use crate::timestamp::until_next_second;
use crate::{Config, Credentials, ENVIRONMENT_HEADER, Error, Operation, Timestamp};

/// The longest method name or version the gateway accepts.
pub const MAX_METHOD_CHARS: usize = 100;

/// A request ready for the wire: the signed form's body and the headers to send with it.
///
/// `Debug` shows the method and the parameter names only: the signature, the values and the
/// header values (they may carry tokens) stay out of logs.
#[derive(Clone)]
pub struct PreparedRequest {
    body: String,
    /// The signed form in the URL query, when the body is JSON.
    query: Option<String>,
    headers: Vec<(String, String)>,
    method: String,
    timestamp: Timestamp,
}

impl PreparedRequest {
    /// The content type of a signed form.
    pub const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded; charset=utf-8";

    /// The content type of a JSON body (see [`Operation::json_body`]).
    pub const JSON_CONTENT_TYPE: &'static str = "application/json;charset=utf-8";

    /// Every signed field as sent, in signing order with `_sig` last, values trimmed and
    /// decoded from the body (or from the query, when the body is JSON).
    pub fn pairs(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> + '_ {
        form_urlencoded::parse(self.query.as_deref().unwrap_or(&self.body).as_bytes())
    }

    /// The URL query to send (the signed form), when the body is JSON; `None` for a form.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The body's content type: [`Self::CONTENT_TYPE`] or [`Self::JSON_CONTENT_TYPE`].
    pub fn content_type(&self) -> &'static str {
        if self.query.is_some() {
            Self::JSON_CONTENT_TYPE
        } else {
            Self::CONTENT_TYPE
        }
    }

    /// The value sent for a parameter.
    pub fn value(&self, name: &str) -> Option<String> {
        self.pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The body: the signed form, or the operation's JSON.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The body, handed over to be sent without a copy.
    pub fn into_body(self) -> String {
        self.body
    }

    /// Extra HTTP headers of the operation (and the login token, where one is sent).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The method name (`_mt`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The `_timestamp` sent.
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<Cow<'_, str>> = self.pairs().map(|(k, _)| k).collect();
        let headers: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("timestamp", &self.timestamp)
            .field("params", &names)
            .field("headers", &headers)
            .finish_non_exhaustive()
    }
}

/// What preparing a request gave.
#[derive(Debug)]
pub enum Preparation {
    /// Send this.
    Ready(PreparedRequest),
    /// An identical request already used every allowed timestamp: wait this long (until the
    /// next second) and prepare again.
    Wait(Duration),
}

/// Builds and signs the form of an operation for one pair of credentials and one
/// configuration: checks the operation's method and parameters, adds the common parameters,
/// and signs with the newest timestamp a [`ReplayGuard`] allows. Pure but for the guard.
#[derive(Clone)]
pub struct FormBuilder {
    credentials: Credentials,
    config: Config,
}

impl fmt::Debug for FormBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormBuilder")
            .field("credentials", &self.credentials)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl FormBuilder {
    /// A form builder for these credentials and configuration.
    pub fn new(credentials: Credentials, config: Config) -> Self {
        FormBuilder {
            credentials,
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Builds the signed request for `operation` at `now` (see [`Stamp`]), with `headers`
    /// (a login token, say) besides the operation's own.
    ///
    /// Checks the operation first (method and version non-empty and at most 100 characters;
    /// parameter names non-empty, unique and not starting with `_`, the prefix of the
    /// gateway's common parameters), trims every name and value (as the vendor's SDK does,
    /// so that what is signed is what is sent), adds the common parameters and signs.
    ///
    /// Identical calls made in the same second would carry the same `_timestamp` and so the
    /// same `_sig`, which the gateway's replay protection refuses (`API_CALL_REPEAT`):
    /// `replay` hands out each signature once, backdating a repeat by up to
    /// [`Config::replay_backdate`] seconds, or says to wait for the next second.
    pub fn prepare<O: Operation + ?Sized>(
        &self,
        operation: &O,
        headers: &[(&str, &str)],
        now: impl Into<Stamp>,
        replay: &ReplayGuard,
    ) -> Result<Preparation, Error> {
        let Stamp { wall: now, random } = now.into();
        let config = &self.config;
        let method = operation.method().trim();
        let version = operation.version().trim();
        check_name_like("_mt (method)", method)?;
        check_name_like("_version", version)?;
        let mut all_headers: Vec<(String, String)> = operation
            .headers()
            .into_iter()
            .chain(headers.iter().copied())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        if !all_headers.is_empty()
            && config.endpoint().is_clear_text_remote()
            && !config.headers_over_clear_text()
        {
            return Err(crate::config::clear_text_refused(format!(
                "{} would send the header {}",
                method, all_headers[0].0
            )));
        }
        // Not a secret, so it may go over clear text where a token may not.
        if let Some(environment) = config.environment() {
            all_headers.push((
                ENVIRONMENT_HEADER.to_owned(),
                environment.as_str().to_owned(),
            ));
        }
        let timestamp = Timestamp::from_system_time(now, config.utc_offset()).ok_or_else(|| {
            Error::invalid_input(
                "_timestamp",
                "this machine's clock is before 1970 or out of range; set the clock",
            )
        })?;

        let business = operation.params();
        let mut pairs: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(10 + business.len());
        let sign_method = match self.credentials.signer() {
            Signer::Secret(_) => config.sign_method().as_str(),
            Signer::Rsa(_) => RSA_SIGN_METHOD,
        };
        if let Some(akey) = self.credentials.akey() {
            pairs.push(("_akey", Cow::Borrowed(akey)));
        }
        pairs.extend([
            ("_aid", Cow::Borrowed(config.aid())),
            ("_format", Cow::Borrowed("json")),
            ("_mt", Cow::Borrowed(method)),
            ("_requestMode", Cow::Borrowed("POST")),
            ("_sm", Cow::Borrowed(sign_method)),
            ("_timestamp", Cow::Owned(timestamp.to_string())),
            ("_version", Cow::Borrowed(version)),
        ]);
        if config.nonce() {
            let random = random.ok_or_else(|| {
                Error::invalid_input(
                    "_nonce",
                    "this configuration sends a _nonce: prepare with a Moment (the transport's \
                     random bits), not a bare time",
                )
            })?;
            pairs.push(("_nonce", Cow::Owned(nonce(random))));
        }
        for (name, value) in &business {
            let name = name.trim();
            if name.is_empty() {
                return Err(Error::invalid_input(
                    "parameter name",
                    "a parameter has an empty name",
                ));
            }
            if name.starts_with('_') {
                return Err(Error::invalid_input(
                    name.to_owned(),
                    "starts with `_`, the prefix of the gateway's common parameters, which the \
                     SDK sets itself; configure them instead of passing them",
                ));
            }
            pairs.push((name, Cow::Borrowed(value.trim())));
        }
        // The form goes out in canonical order: a repeated name sits next to its twin, and a
        // captured request reads in the order it was signed.
        pairs.sort_unstable();
        if let Some(twin) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::invalid_input(
                twin[0].0.to_owned(),
                "is given twice; pass each parameter once",
            ));
        }
        let ts_index = pairs
            .iter()
            .position(|(k, _)| *k == "_timestamp")
            .expect("_timestamp was pushed above");

        let Some((timestamp, sig)) =
            self.distinct_signature(&mut pairs, ts_index, timestamp, replay)
        else {
            return Ok(Preparation::Wait(until_next_second(now)));
        };
        pairs.push(("_sig", Cow::Owned(sig.into())));
        let form = form_urlencoded::Serializer::new(String::with_capacity(512))
            .extend_pairs(pairs.iter().map(|(k, v)| (k, v.as_ref())))
            .finish();
        let (body, query) = match operation.json_body() {
            Some(json) => (json.to_owned(), Some(form)),
            None => (form, None),
        };
        all_headers.shrink_to_fit();
        Ok(Preparation::Ready(PreparedRequest {
            body,
            query,
            headers: all_headers,
            method: method.to_owned(),
            timestamp,
        }))
    }

    /// Signs the pairs with the newest timestamp whose signature was not handed out in the
    /// last [`Config::replay_backdate`] seconds, writing it into `pairs[ts_index]`.
    fn distinct_signature(
        &self,
        pairs: &mut [(&str, Cow<'_, str>)],
        ts_index: usize,
        now: Timestamp,
        replay: &ReplayGuard,
    ) -> Option<(Timestamp, Signature)> {
        let config = &self.config;
        let backdate = i64::from(config.replay_backdate());
        replay.claim(now, backdate, |ts, back| {
            if back > 0 {
                pairs[ts_index].1 = Cow::Owned(ts.to_string());
            }
            match self.credentials.signer() {
                Signer::Secret(secret) => {
                    sign(config.sign_method(), secret.expose_secret(), &*pairs)
                }
                Signer::Rsa(key) => sign_rsa(key, &*pairs),
            }
        })
    }
}

fn check_name_like(param: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_input(param, "is empty"));
    }
    if value.chars().count() > MAX_METHOD_CHARS {
        return Err(Error::invalid_input(
            param,
            format!("is longer than {MAX_METHOD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// When a request is prepared: the wall-clock time for `_timestamp` and, from a transport's
/// [`Moment`], the random bits of its `_nonce`. A bare [`SystemTime`] carries none, which is
/// enough unless the configuration sends a nonce.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    /// Wall-clock time.
    pub wall: SystemTime,
    /// Random bits for `_nonce`.
    pub random: Option<u128>,
}

impl From<SystemTime> for Stamp {
    fn from(wall: SystemTime) -> Stamp {
        Stamp { wall, random: None }
    }
}

impl From<Moment> for Stamp {
    fn from(moment: Moment) -> Stamp {
        Stamp {
            wall: moment.wall,
            random: Some(moment.random),
        }
    }
}

/// A `_nonce` as the vendor's newer SDKs send it: a version-4 UUID, lower case with dashes
/// (36 characters), from `random`.
fn nonce(random: u128) -> String {
    uuid::Builder::from_random_bytes(random.to_le_bytes())
        .into_uuid()
        .hyphenated()
        .to_string()
}
