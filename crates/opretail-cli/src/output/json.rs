//! `json` (one streamed array) and `ndjson` (one object a line, flushed as it comes).

use std::io::{self, Write};

use opretail_model::TotalData;
use serde::Serialize;

use super::{ErrorInfo, Outcome, Sink};

/// Writes JSON elements `{"id", "ok", "data" | "error"[, "sandbox"]}`.
pub struct JsonSink<W: Write> {
    out: W,
    lines: bool,
    sandbox: bool,
    written: usize,
}

impl<W: Write> JsonSink<W> {
    /// `lines`: NDJSON instead of one array. `sandbox`: mark every element as sandbox data.
    pub fn new(out: W, lines: bool, sandbox: bool) -> Self {
        JsonSink {
            out,
            lines,
            sandbox,
            written: 0,
        }
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

impl<W: Write> Sink for JsonSink<W> {
    fn start(&mut self) -> io::Result<()> {
        if !self.lines {
            // A whole line, so that a reader sees the array begin before the first result.
            self.out.write_all(b"[\n")?;
            self.out.flush()?;
        }
        Ok(())
    }

    fn write(&mut self, outcome: &Outcome) -> io::Result<()> {
        let value = Element::new(outcome, self.sandbox);
        if self.lines {
            serde_json::to_writer(&mut self.out, &value)?;
            self.out.write_all(b"\n")?;
            // Each line is complete on its own; a reader piping it on should see it now.
            self.out.flush()?;
        } else {
            self.out
                .write_all(if self.written == 0 { b"  " } else { b",\n  " })?;
            serde_json::to_writer(&mut self.out, &value)?;
        }
        self.written += 1;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.lines {
            self.out
                .write_all(if self.written == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()
    }
}
