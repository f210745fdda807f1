//! `json` (one element of the array, in input order) and `ndjson` (one object a line, as they
//! finish) of `passenger-flow total`.

use std::io;

use opretail_model::TotalData;
use serde::Serialize;

use super::{ErrorInfo, Outcome, Render};

/// Renders JSON elements `{"id", "ok", "data" | "error"[, "sandbox"]}`. The text is exact:
/// serde escapes control characters, nothing is clipped.
pub struct JsonRows {
    lines: bool,
    sandbox: bool,
}

impl JsonRows {
    /// `lines`: NDJSON instead of one array. `sandbox`: mark every element as sandbox data.
    pub fn new(lines: bool, sandbox: bool) -> Self {
        JsonRows { lines, sandbox }
    }
}

/// The JSON error of a failed id.
#[derive(Serialize)]
struct ErrorJson {
    code: Option<i64>,
    name: String,
    message: String,
    cid: Option<String>,
    remedy: Option<String>,
}

/// The JSON element of one result, fields in a fixed, readable order.
#[derive(Serialize)]
pub struct Element<'a> {
    id: &'a str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a TotalData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorJson>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sandbox: bool,
}

impl<'a> Element<'a> {
    /// The element of one result; `sandbox` marks it as sandbox data.
    pub fn new(outcome: &'a Outcome, sandbox: bool) -> Self {
        let (data, error) = match &outcome.result {
            Ok(data) => (Some(data), None),
            Err(error) => {
                let info = ErrorInfo::of(error);
                let error = ErrorJson {
                    code: info.code,
                    name: info.name,
                    message: info.message,
                    cid: info.cid,
                    remedy: info.remedy,
                };
                (None, Some(error))
            }
        };
        Element {
            id: outcome.id.as_str(),
            ok: data.is_some(),
            data,
            error,
            sandbox,
        }
    }
}

impl Render for JsonRows {
    /// Nothing: the array's brackets are the [`Sink`](super::Sink)'s.
    fn header(&mut self, _out: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, _position: usize, outcome: &Outcome, out: &mut Vec<u8>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &Element::new(outcome, self.sandbox))?;
        if self.lines {
            out.push(b'\n');
        }
        Ok(())
    }
}
