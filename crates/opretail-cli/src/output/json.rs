//! `json` (one array, rows in input order) and `ndjson` (one object a line, as they finish).

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
    fn header(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        if !self.lines {
            // A whole line, so that a reader sees the array begin before the first result.
            out.extend_from_slice(b"[\n");
        }
        Ok(())
    }

    fn row(&mut self, position: usize, outcome: &Outcome, out: &mut Vec<u8>) -> io::Result<()> {
        let value = Element::new(outcome, self.sandbox);
        if self.lines {
            serde_json::to_writer(&mut *out, &value)?;
            out.push(b'\n');
        } else {
            out.extend_from_slice(if position == 0 { b"  " } else { b",\n  " });
            serde_json::to_writer(&mut *out, &value)?;
        }
        Ok(())
    }

    fn footer(&mut self, rows: usize, out: &mut Vec<u8>) -> io::Result<()> {
        if !self.lines {
            out.extend_from_slice(if rows == 0 { b"]\n" } else { b"\n]\n" });
        }
        Ok(())
    }
}
