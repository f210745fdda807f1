//! Turning the gateway's answer into an operation's output, or into the right error.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;

use crate::error::body_snippet;
use crate::{BODY_SNIPPET_LIMIT, Error, GatewayError, Operation, ReturnCode};

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
                Ok(Text(Cow::Owned(v.to_string())))
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

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    stat: Option<Stat<'a>>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
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

/// Decodes one answer of the gateway for `operation`.
///
/// A non-2xx status is [`Error::HttpStatus`] (the gateway itself answers 200); a body that
/// is not JSON is [`Error::NotJson`]; JSON without a usable `stat.code` is
/// [`Error::Envelope`]; a code other than `0` is [`Error::Gateway`]; a `data` that does not
/// decode is [`Error::Decode`] naming the field. `stat.code` may be a string or a number.
///
/// ```
/// use opretail_model::{decode_response, RawCall};
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
    if !(200..300).contains(&status) {
        return Err(Error::HttpStatus {
            status,
            body: body_snippet(body),
        });
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            Error::Envelope {
                detail: clipped(e.to_string()),
                body: body_snippet(body),
            }
        } else {
            Error::NotJson {
                detail: clipped(e.to_string()),
                body: body_snippet(body),
            }
        }
    })?;
    let envelope_error = |detail: &str| Error::Envelope {
        detail: clipped(detail.to_owned()),
        body: body_snippet(body),
    };
    let stat = envelope
        .stat
        .ok_or_else(|| envelope_error("no `stat` object"))?;
    let code_text = stat.code.ok_or_else(|| envelope_error("no `stat.code`"))?;
    let code: i64 = code_text.0.trim().parse().map_err(|_| {
        envelope_error(&format!(
            "`stat.code` is {:?}, not a whole number",
            code_text.0
        ))
    })?;
    let codename = owned(stat.codename);
    let code = ReturnCode::from_wire(code, codename.as_deref());
    let cid = owned(stat.cid);
    let systime = owned(stat.systime);
    let result =
        result_text(envelope.result).map_err(|e| envelope_error(&format!("`result`: {e}")))?;
    if !code.is_success() {
        return Err(Error::Gateway(Box::new(GatewayError {
            code,
            message: result,
            cid,
            systime,
        })));
    }
    let output = operation.decode_output(envelope.data).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            path: clipped(if path == "." {
                "data".to_owned()
            } else {
                format!("data.{path}")
            }),
            message: clipped(e.into_inner().to_string()),
            cid: cid.clone().unwrap_or_else(|| "none".to_owned()),
        }
    })?;
    Ok(Response {
        output,
        meta: ResponseMeta {
            cid,
            systime,
            result,
            attempts: 1,
        },
    })
}
