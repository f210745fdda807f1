//! Turning the gateway's answer into an operation's output, or into the right error.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde::de::IntoDeserializer;
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;

use crate::answer_limits::{AnswerLimits, Passed, Scope};
use crate::error::{BODY_SNIPPET_LIMIT, SECRET_BODY, body_snippet};
use crate::redact::redact_secrets;
use crate::{Error, GatewayError, Operation, ReturnCode};

/// What the gateway said about a successful call besides `data`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// `stat.cid`: the request id, to quote to the platform's support.
    pub cid: Option<String>,
    /// `stat.systime`: the gateway's time.
    pub systime: Option<String>,
    /// `result`: the gateway's message.
    pub result: Option<String>,
    /// How many attempts the call took (1 without retries).
    pub attempts: u32,
}

/// An operation's output with the call's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded `data`.
    pub output: T,
    /// `cid`, `systime`, `result` and the attempts made.
    pub meta: ResponseMeta,
}

/// A JSON string or number, read as text (the gateway is loose about which it sends).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(crate::lenient::float_text(v))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct Stat<'a> {
    #[serde(borrow, default)]
    cid: Option<Text<'a>>,
    #[serde(borrow, default)]
    code: Option<Text<'a>>,
    #[serde(borrow, default)]
    codename: Option<Text<'a>>,
    #[serde(borrow, default)]
    systime: Option<Text<'a>>,
}

/// The envelope with `data` left as raw JSON: the careful pass, after a failure.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    stat: Option<Stat<'a>>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// The envelope with `data` decoded straight into the output: the one pass of a good answer.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: DeserializeOwned"))]
struct TypedEnvelope<'a, T> {
    #[serde(borrow, default)]
    stat: Option<Stat<'a>>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default = "Option::default")]
    data: Option<T>,
}

fn owned(text: Option<Text<'_>>) -> Option<String> {
    text.map(|t| t.0.into_owned())
}

/// At most [`BODY_SNIPPET_LIMIT`] bytes of a parser's message: serde quotes the offending
/// value whole (`invalid type: string "…"`), and an error must not grow with the answer.
fn clipped(mut text: String) -> String {
    if text.len() > BODY_SNIPPET_LIMIT {
        let mut cut = BODY_SNIPPET_LIMIT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(" …");
    }
    text
}

/// `result` is documented as a string; anything else is kept as its JSON text.
fn result_text(raw: Option<&RawValue>) -> Result<Option<String>, serde_json::Error> {
    match raw.map(RawValue::get) {
        None | Some("null") => Ok(None),
        Some(text) if text.starts_with('"') => serde_json::from_str(text),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

/// Decodes one answer of the gateway for `operation`, within the default
/// [`AnswerLimits`]: [`decode_response_capped`] with [`AnswerLimits::default`].
///
/// A non-2xx status is [`Error::HttpStatus`] (the gateway itself answers 200); a body that
/// is not JSON is [`Error::NotJson`]; JSON without a usable `stat.code` is
/// [`Error::Envelope`]; a code other than `0` is [`Error::Gateway`]; a `data` that does not
/// decode is [`Error::Decode`] naming the field. `stat.code` may be a string or a number.
///
/// ```
/// use opretail_model::RawCall;
/// use opretail_model::engine::decode_response;
///
/// let body = br#"{"stat":{"cid":"c-1","code":0,"codename":"SUCCESS","systime":"2026-11-28 10:15:00"},"result":"ok","data":{"a":1}}"#;
/// let response = decode_response(&RawCall::new("open.sandbox.echo"), 200, body)?;
/// assert_eq!(response.output["a"], 1);
/// assert_eq!(response.meta.cid.as_deref(), Some("c-1"));
///
/// let body = br#"{"stat":{"cid":"c-2","code":"7","codename":"SIGN_WRONG"},"result":"bad sig"}"#;
/// let err = decode_response(&RawCall::new("x"), 200, body).unwrap_err();
/// assert_eq!(err.return_code().map(|c| c.code()), Some(7));
/// # Ok::<(), opretail_model::Error>(())
/// ```
pub fn decode_response<O: Operation + ?Sized>(
    operation: &O,
    status: u16,
    body: &[u8],
) -> Result<Response<O::Output>, Error> {
    decode_response_capped(operation, status, body, AnswerLimits::default())
}

/// Decodes one answer of the gateway for `operation`, as [`decode_response`] does, stopping
/// with [`Error::Decode`] as soon as `data` passes one of `limits` (rows, or elements of
/// undocumented fields; see [`Config::answer_limits`](crate::Config::answer_limits)).
///
/// An operation whose [`data_is_required`](Operation::data_is_required) gets a decode error
/// for an absent or `null` `data`; one whose [`answer_is_secret`](Operation::answer_is_secret)
/// never has its body quoted in an error. Every other quoted body has its token-like fields
/// hidden ([`redact_secrets`](crate::engine::redact_secrets)).
///
/// ```
/// use opretail_model::engine::decode_response_capped;
/// use opretail_model::{AnswerLimits, GetTotalData};
///
/// let op = GetTotalData::new("S_1001".parse()?);
/// let hostile = format!(r#"{{"stat":{{"code":0}},"data":{{"cfgData":[{}]}}}}"#, vec!["{}"; 20].join(","));
/// let err = decode_response_capped(&op, 200, hostile.as_bytes(), AnswerLimits::new(10, 10)).unwrap_err();
/// assert!(err.to_string().contains("getTotalData") && err.to_string().contains("10 rows"), "{err}");
/// assert!(decode_response_capped(&op, 200, hostile.as_bytes(), AnswerLimits::new(100, 10)).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode_response_capped<O: Operation + ?Sized>(
    operation: &O,
    status: u16,
    body: &[u8],
    limits: AnswerLimits,
) -> Result<Response<O::Output>, Error> {
    let secret = operation.answer_is_secret();
    if !(200..300).contains(&status) {
        return Err(Error::HttpStatus {
            status,
            body: quote(body, secret),
        });
    }
    // One pass for a good answer; the careful pass, which tells what is wrong and where,
    // only when it fails (both passes fail alike on the same input).
    let first = {
        let _limits = Scope::new(limits);
        // Checked as UTF-8 once, the whole body is read as text: `from_slice` checks every
        // string on its own, a sixth of the decoding's instructions (`client/async-cpu`, see
        // docs/benchmarks.md). A body that is not UTF-8 goes the slice's way, which says where.
        match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str::<TypedEnvelope<'_, O::Output>>(text),
            Err(_) => serde_json::from_slice::<TypedEnvelope<'_, O::Output>>(body),
        }
    };
    match first {
        Ok(envelope) => {
            let meta = check_stat(envelope.stat, envelope.result, body, secret)?;
            let output = match envelope.data {
                Some(output) => output,
                None => decode_absent::<O>(operation, &meta)?,
            };
            Ok(Response { output, meta })
        }
        Err(_) => Err(diagnose(operation, body, limits)),
    }
}

/// The body as an error quotes it: not at all for a secret answer, else a redacted snippet.
fn quote(body: &[u8], secret: bool) -> String {
    if secret {
        SECRET_BODY.to_owned()
    } else {
        body_snippet(body)
    }
}

/// A parser's message as an error shows it: clipped, and for a secret answer without the
/// values it quotes (serde quotes an offending string whole).
fn detail(text: String, secret: bool) -> String {
    if !secret {
        return clipped(text);
    }
    let mut shown = String::with_capacity(text.len().min(BODY_SNIPPET_LIMIT));
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 0 {
            shown.push_str(part);
        } else {
            shown.push_str("\"…\"");
        }
    }
    clipped(shown)
}

/// The output for an absent or `null` `data`: an error when the operation requires `data`,
/// else whatever the output type makes of `null`.
fn decode_absent<O: Operation + ?Sized>(
    operation: &O,
    meta: &ResponseMeta,
) -> Result<O::Output, Error> {
    if operation.data_is_required() {
        return Err(Error::Decode {
            path: "data".to_owned(),
            message: format!(
                "{} answered success without `data` (absent or null): this is not its answer \
                 (check the endpoint URL), or the platform failed; quote the cid to its support",
                operation.method()
            ),
            cid: meta.cid.clone(),
        });
    }
    O::Output::deserialize(().into_deserializer()).map_err(|e: serde::de::value::Error| {
        Error::Decode {
            path: "data".to_owned(),
            message: clipped(format!(
                "{} answered without `data`: {e}",
                operation.method()
            )),
            cid: meta.cid.clone(),
        }
    })
}

/// The gateway's return code and what came with it; an error for any code but `SUCCESS`.
fn check_stat(
    stat: Option<Stat<'_>>,
    result: Option<&RawValue>,
    body: &[u8],
    secret: bool,
) -> Result<ResponseMeta, Error> {
    let envelope_error = |text: &str| Error::Envelope {
        detail: detail(text.to_owned(), secret),
        body: quote(body, secret),
    };
    let stat = stat.ok_or_else(|| envelope_error("no `stat` object"))?;
    let code_text = stat.code.ok_or_else(|| envelope_error("no `stat.code`"))?;
    let code: i64 = code_text.0.trim().parse().map_err(|_| {
        envelope_error(&format!(
            "`stat.code` is {:?}, not a whole number",
            code_text.0
        ))
    })?;
    let codename = stat.codename.as_ref().map(|name| &*name.0);
    let code = ReturnCode::from_wire(code, codename);
    let cid = owned(stat.cid);
    let systime = owned(stat.systime);
    let result = result_text(result).map_err(|e| envelope_error(&format!("`result`: {e}")))?;
    if !code.is_success() {
        return Err(Error::Gateway(Box::new(GatewayError {
            code,
            // The gateway's message is shown to the user: no token-like value in it.
            message: result.map(|text| redact_secrets(&text)),
            cid,
            systime,
        })));
    }
    Ok(ResponseMeta {
        cid,
        systime,
        result,
        attempts: 1,
    })
}

/// The error of an answer the one pass refused: not JSON, not an envelope, a gateway error
/// with an odd `data`, or a `data` that does not decode (naming the field, and the method
/// when the whole `data` is wrong or too large).
fn diagnose<O: Operation + ?Sized>(operation: &O, body: &[u8], limits: AnswerLimits) -> Error {
    let secret = operation.answer_is_secret();
    let envelope: Envelope<'_> = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(e) if e.is_data() => {
            return Error::Envelope {
                detail: detail(e.to_string(), secret),
                body: quote(body, secret),
            };
        }
        Err(e) => {
            return Error::NotJson {
                detail: detail(e.to_string(), secret),
                body: quote(body, secret),
            };
        }
    };
    let meta = match check_stat(envelope.stat, envelope.result, body, secret) {
        Ok(meta) => meta,
        Err(error) => return error,
    };
    let text = envelope.data.map_or("null", RawValue::get);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let scope = Scope::new(limits);
    let decoded = serde_path_to_error::deserialize::<_, O::Output>(&mut deserializer);
    let passed = scope.passed();
    drop(scope);
    match decoded {
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." {
                "data".to_owned()
            } else {
                format!("data.{path}")
            };
            let method = operation.method();
            let over = |what: String, setting: &str| {
                format!(
                    "{method} answered more than {what}; decoding stopped there. If such \
                     answers are expected, raise ConfigBuilder::{setting}; else check the \
                     endpoint URL"
                )
            };
            let message = if passed == Some(Passed::Rows) {
                over(
                    format!("{} rows (stores, buckets, shares, items)", limits.max_rows),
                    "max_rows_per_answer",
                )
            } else if passed == Some(Passed::Elements) {
                over(
                    format!("{} elements in undocumented fields", limits.max_elements),
                    "max_elements_per_answer",
                )
            } else {
                let message = detail(e.into_inner().to_string(), secret);
                if path == "data" && !message.contains(method) {
                    format!("{method}: {message}")
                } else {
                    message
                }
            };
            Error::Decode {
                path: clipped(path),
                message,
                cid: meta.cid,
            }
        }
        // Only reached if the two passes disagree, which would be a bug in a decoder.
        Ok(_) => Error::Decode {
            path: "data".to_owned(),
            message: format!(
                "{}: the answer decodes on a second reading but not on the first",
                operation.method()
            ),
            cid: meta.cid,
        },
    }
}
