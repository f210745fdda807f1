//! Turning an operation into the signed form the gateway expects.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
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
    form: Form,
    body: String,
    headers: Vec<(String, String)>,
    method: String,
    timestamp: Timestamp,
}

impl PreparedRequest {
    /// Every form field in signing order, `_sig` last, values trimmed: exactly what is sent.
    pub fn pairs(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.form.pairs()
    }

    /// The value sent for a parameter.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.form.pairs().find(|(k, _)| *k == name).map(|(_, v)| v)
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
        let names: Vec<&str> = self.form.pairs().map(|(k, _)| k).collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("timestamp", &self.timestamp)
            .field("params", &names)
            .finish_non_exhaustive()
    }
}

/// The form's names and values back to back in one buffer, with their spans: a request is a
/// handful of allocations instead of two per parameter.
#[derive(Clone, Default)]
struct Form {
    text: String,
    fields: Vec<Field>,
}

#[derive(Clone, Copy)]
struct Field {
    name: (u32, u32),
    value: (u32, u32),
}

impl Form {
    fn with_capacity(fields: usize) -> Self {
        Form {
            text: String::with_capacity(256),
            fields: Vec::with_capacity(fields),
        }
    }

    fn push(&mut self, name: &str, value: &str) {
        let at = |text: &String| u32::try_from(text.len()).unwrap_or(u32::MAX);
        let name_start = at(&self.text);
        self.text.push_str(name);
        let value_start = at(&self.text);
        self.text.push_str(value);
        let end = at(&self.text);
        self.fields.push(Field {
            name: (name_start, value_start),
            value: (value_start, end),
        });
    }

    fn slice(&self, (start, end): (u32, u32)) -> &str {
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    fn name(&self, field: &Field) -> &str {
        self.slice(field.name)
    }

    fn pairs(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.fields
            .iter()
            .map(|f| (self.slice(f.name), self.slice(f.value)))
    }

    /// Puts the fields in signing order: by name, then value, byte by byte.
    fn sort(&mut self) {
        let mut fields = std::mem::take(&mut self.fields);
        fields.sort_by(|a, b| {
            self.slice(a.name)
                .cmp(self.slice(b.name))
                .then_with(|| self.slice(a.value).cmp(self.slice(b.value)))
        });
        self.fields = fields;
    }

    /// Overwrites a value with one of the same length.
    fn overwrite(&mut self, field: usize, value: &str) {
        if let Some(f) = self.fields.get(field) {
            let range = f.value.0 as usize..f.value.1 as usize;
            if range.len() == value.len() {
                self.text.replace_range(range, value);
            }
        }
    }
}

/// The bytes a form field keeps as they are: `A-Z a-z 0-9 * - . _`.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'*' | b'-' | b'.' | b'_');
        b += 1;
    }
    table
};

/// Percent-encodes a form field for `application/x-www-form-urlencoded`: plain bytes stand
/// as they are, a space becomes `+`, every other byte `%XX`.
fn encode_into(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = text.as_bytes();
    // Runs of plain bytes (most of a form) are copied whole.
    while let Some(at) = rest.iter().position(|&b| !PLAIN[usize::from(b)]) {
        out.extend_from_slice(&rest[..at]);
        let byte = rest[at];
        if byte == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0x0f)],
            ]);
        }
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
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
        }
        let now_ts = Timestamp::from_system_time(now, config.utc_offset()).map_err(|e| {
            Error::invalid_input(
                "_timestamp",
                format!("this machine's clock cannot be turned into a timestamp: {e}"),
            )
        })?;

        let mut form = Form::with_capacity(10 + business.len());
        // Pushed in signing order already, so the sort below has little to do.
        form.push("_aid", config.aid());
        form.push("_akey", self.credentials.akey());
        form.push("_format", "json");
        form.push("_mt", method);
        form.push("_requestMode", "POST");
        form.push("_sm", config.sign_method().as_str());
        form.push("_timestamp", now_ts.as_str());
        form.push("_version", version);
        for (name, value) in &business {
            form.push(name.trim(), value.trim());
        }
        // The form goes out in canonical order: the signer then finds it sorted and skips the
        // sort, a repeated name sits next to its twin, and a captured request reads in the
        // order it was signed.
        form.sort();
        if let Some(twin) = form
            .fields
            .windows(2)
            .find(|w| form.name(&w[0]) == form.name(&w[1]))
        {
            return Err(Error::invalid_input(
                form.name(&twin[0]).to_owned(),
                "is given twice; pass each parameter once",
            ));
        }
        let ts_index = form
            .fields
            .iter()
            .position(|f| form.name(f) == "_timestamp")
            .unwrap_or_default();

        let secret = self.credentials.asid().expose_secret();
        let mut chosen = None;
        {
            let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            recent.forget_before(now_ts.unix() - i64::from(config.replay_backdate()));
            for back in 0..=i64::from(config.replay_backdate()) {
                let ts = if back == 0 {
                    now_ts
                } else {
                    Timestamp::from_unix(now_ts.unix() - back, config.utc_offset())
                        .map_err(|e| Error::invalid_input("_timestamp", e.to_string()))?
                };
                form.overwrite(ts_index, ts.as_str());
                let sig = sign_form(config.sign_method(), secret, &form);
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
        form.push("_sig", sig.as_str());
        let mut body = Vec::with_capacity(form.text.len() * 3 / 2 + 4 * form.fields.len());
        for (i, (name, value)) in form.pairs().enumerate() {
            if i > 0 {
                body.push(b'&');
            }
            encode_into(&mut body, name);
            body.push(b'=');
            encode_into(&mut body, value);
        }
        // Percent-encoding leaves only ASCII.
        let body = String::from_utf8(body).unwrap_or_default();
        Ok(Preparation::Ready(PreparedRequest {
            form,
            body,
            headers: operation.headers(),
            method: method.to_owned(),
            timestamp,
        }))
    }
}

/// Signs the form's pairs, viewing them on the stack for ordinary requests.
fn sign_form(method: opretail_sign::SignMethod, secret: &str, form: &Form) -> Signature {
    const STACK: usize = 24;
    if form.fields.len() <= STACK {
        let mut view = [("", ""); STACK];
        for (slot, pair) in view.iter_mut().zip(form.pairs()) {
            *slot = pair;
        }
        sign(method, secret, &view[..form.fields.len()])
    } else {
        let view: Vec<(&str, &str)> = form.pairs().collect();
        sign(method, secret, &view)
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
    keys: HashSet<u64, BuildHasherDefault<KeyHasher>>,
    order: VecDeque<(i64, u64)>,
}

/// The keys are bits of an MD5 or SHA-1 digest already: hashing them again is wasted work.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
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
