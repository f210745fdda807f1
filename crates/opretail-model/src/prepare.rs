//! Turning an operation into the signed form the gateway expects.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use opretail_sign::{Signature, Timestamp, sign};
use secrecy::ExposeSecret;

use crate::{Config, Credentials, Error, Operation};

/// The longest method name or version the gateway accepts.
pub const MAX_METHOD_CHARS: usize = 100;

/// The content type of every request.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The common parameters the SDK sets itself; an operation may not set them.
const COMMON: [&str; 9] = [
    "_aid",
    "_akey",
    "_mt",
    "_sm",
    "_requestMode",
    "_version",
    "_timestamp",
    "_sig",
    "_format",
];

/// A request ready for the wire: the signed form, its body and extra headers.
///
/// `Debug` shows the method and the parameter names only: the signature and the values stay
/// out of logs.
#[derive(Clone)]
pub struct PreparedRequest {
    pairs: Vec<(String, String)>,
    body: String,
    headers: Vec<(String, String)>,
    method: String,
    timestamp: Timestamp,
}

impl PreparedRequest {
    /// Every form field in signing order, `_sig` last, values trimmed: exactly what is sent.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Extra HTTP headers of the operation.
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
        let names: Vec<&str> = self.pairs.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("timestamp", &self.timestamp)
            .field("params", &names)
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

/// Signs requests for one pair of credentials and one configuration.
///
/// It remembers the signatures it produced in the last few seconds, so that identical calls
/// made in the same second (same parameters, same timestamp, hence the same `_sig`) do not
/// trip the gateway's replay protection (`API_CALL_REPEAT`): a repeat gets a timestamp up to
/// [`Config::replay_backdate`] seconds earlier, or waits for the next second.
pub struct RequestSigner {
    credentials: Credentials,
    config: Config,
    recent: Mutex<RecentSignatures>,
}

impl fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSigner")
            .field("credentials", &self.credentials)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RequestSigner {
    /// A signer for these credentials and configuration.
    pub fn new(credentials: Credentials, config: Config) -> Self {
        RequestSigner {
            credentials,
            config,
            recent: Mutex::new(RecentSignatures::default()),
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

    /// Builds the signed request for `operation` at wall-clock time `now`.
    ///
    /// Checks the operation first (method and version non-empty and at most 100 characters,
    /// parameter names non-empty, unique and not one of the common parameters), trims every
    /// value, adds the common parameters and signs.
    pub fn prepare<O: Operation + ?Sized>(
        &self,
        operation: &O,
        now: SystemTime,
    ) -> Result<Preparation, Error> {
        let config = &self.config;
        let method = operation.method().trim();
        let version = operation.version().trim();
        check_name_like("_mt (method)", method)?;
        check_name_like("_version", version)?;
        let business = operation.params();
        let mut seen = HashSet::with_capacity(business.len());
        for (name, _) in &business {
            let name = name.trim();
            if name.is_empty() {
                return Err(Error::invalid_input(
                    "parameter name",
                    "a parameter has an empty name",
                ));
            }
            if COMMON.contains(&name) {
                return Err(Error::invalid_input(
                    name.to_owned(),
                    "is a common parameter the SDK sets itself; configure it instead of passing it",
                ));
            }
            if !seen.insert(name) {
                return Err(Error::invalid_input(
                    name.to_owned(),
                    "is given twice; pass each parameter once",
                ));
            }
        }
        let now_ts = Timestamp::from_system_time(now, config.utc_offset()).map_err(|e| {
            Error::invalid_input(
                "_timestamp",
                format!("this machine's clock cannot be turned into a timestamp: {e}"),
            )
        })?;

        let mut pairs: Vec<(String, String)> = Vec::with_capacity(10 + business.len());
        pairs.push(("_aid".into(), config.aid().to_owned()));
        pairs.push(("_akey".into(), self.credentials.akey().to_owned()));
        pairs.push(("_mt".into(), method.to_owned()));
        pairs.push(("_sm".into(), config.sign_method().as_str().to_owned()));
        pairs.push(("_requestMode".into(), "POST".into()));
        pairs.push(("_version".into(), version.to_owned()));
        pairs.push(("_format".into(), "json".into()));
        for (name, value) in business {
            pairs.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        pairs.push(("_timestamp".into(), String::new()));
        // The form goes out in canonical order: the signer then finds it sorted and skips the
        // sort, and a captured request reads in the order it was signed.
        pairs.sort_unstable();
        let ts_index = pairs
            .iter()
            .position(|(k, _)| k == "_timestamp")
            .unwrap_or_default();

        let secret = self.credentials.asid().expose_secret();
        let sign_at = |pairs: &mut Vec<(String, String)>,
                       unix: i64|
         -> Result<(Timestamp, Signature), Error> {
            let ts = Timestamp::from_unix(unix, config.utc_offset())
                .map_err(|e| Error::invalid_input("_timestamp", e.to_string()))?;
            pairs[ts_index].1.clear();
            pairs[ts_index].1.push_str(ts.as_str());
            Ok((ts, sign(config.sign_method(), secret, pairs.iter())))
        };

        let mut chosen = None;
        {
            let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            recent.forget_before(now_ts.unix() - i64::from(config.replay_backdate()));
            for back in 0..=i64::from(config.replay_backdate()) {
                let (ts, sig) = sign_at(&mut pairs, now_ts.unix() - back)?;
                if recent.claim(now_ts.unix(), &sig) {
                    chosen = Some((ts, sig));
                    break;
                }
            }
        }
        let Some((timestamp, sig)) = chosen else {
            let subsec = now
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            return Ok(Preparation::Wait(
                Duration::from_nanos(u64::from(1_000_000_000 - subsec)) + Duration::from_millis(1),
            ));
        };
        pairs.push(("_sig".into(), sig.as_str().to_owned()));
        let body = form_urlencoded::Serializer::new(String::with_capacity(256))
            .extend_pairs(pairs.iter())
            .finish();
        Ok(Preparation::Ready(PreparedRequest {
            pairs,
            body,
            headers: operation.headers(),
            method: method.to_owned(),
            timestamp,
        }))
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

/// Signatures handed out recently, keyed by the first 8 bytes of the signature (a hash
/// already), with the second they were handed out in, to forget them in order.
#[derive(Default)]
struct RecentSignatures {
    keys: HashSet<u64>,
    order: VecDeque<(i64, u64)>,
}

impl RecentSignatures {
    fn key(sig: &Signature) -> u64 {
        sig.as_bytes().iter().take(16).fold(0u64, |acc, b| {
            acc << 4 | u64::from((*b as char).to_digit(16).unwrap_or(0))
        })
    }

    /// Records `sig` unless it was handed out already; says whether it was free.
    fn claim(&mut self, now: i64, sig: &Signature) -> bool {
        let key = Self::key(sig);
        if self.keys.insert(key) {
            self.order.push_back((now, key));
            true
        } else {
            false
        }
    }

    /// A signature handed out before `second` carries a timestamp before it, so it can never
    /// be chosen again: forget it.
    fn forget_before(&mut self, second: i64) {
        while let Some(&(at, key)) = self.order.front() {
            if at >= second {
                break;
            }
            self.order.pop_front();
            self.keys.remove(&key);
        }
    }
}
