//! Rows in every output format, written as they are ready.
//!
//! A command turns each result into the bytes of its rows with [`tidy::Tidy`] and hands them
//! to a [`Sink`] with their place in the output. The sink keeps rows finished out
//! of order in a bounded [`Reorder`] buffer, adds what the format puts around rows (the JSON
//! array's brackets and commas, a table's aligned columns) and writes them on stdout. It
//! closes the output on every exit, so that JSON stays valid after a signal or a failure.

mod csv;
pub mod tidy;

use std::io::{IsTerminal, Write};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use indicatif::ProgressBar;
use opretail_model::{CLEAR_TEXT_HEADERS_SETTING, Error};
use serde::Serialize;

use crate::failure::Failure;
use crate::reorder::{REORDER_LIMIT_BYTES, Reorder};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

impl Format {
    /// The format asked for; without one, a table on a terminal and JSON elsewhere.
    pub fn or_default(format: Option<Format>) -> Format {
        format.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Json
            }
        })
    }

    /// The `--output` values, with what each means for one command (in the order table,
    /// json, ndjson, csv).
    pub fn parser(help: [&'static str; 4]) -> impl TypedValueParser<Value = Format> {
        let names = ["table", "json", "ndjson", "csv"];
        PossibleValuesParser::new(
            names
                .iter()
                .zip(help)
                .map(|(name, help)| PossibleValue::new(*name).help(help)),
        )
        .map(|name| match name.as_str() {
            "table" => Format::Table,
            "json" => Format::Json,
            "ndjson" => Format::Ndjson,
            _ => Format::Csv,
        })
    }
}

/// The `--output` values of the listing commands (`stores`, `series`, `demographics`).
pub fn list_formats() -> impl TypedValueParser<Value = Format> {
    Format::parser([
        "Aligned columns for people, text escaped for the terminal",
        "One JSON array of objects, one per row",
        "One JSON object per line",
        "Comma-separated values with a header row",
    ])
}

/// A failure, reduced to what every output format shows (in JSON, an object of these fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorInfo {
    /// The gateway return code; `None` when the gateway did not answer with one.
    pub code: Option<i64>,
    /// The return code's name, or the kind of failure (`TRANSPORT`, `HTTP_STATUS`, …).
    pub name: String,
    /// What went wrong, in words.
    pub message: String,
    /// The gateway's request id, to quote to support.
    pub cid: Option<String>,
    /// What to do about it.
    pub remedy: Option<String>,
}

impl ErrorInfo {
    /// Describes an error. Nothing here can hold the secret: the SDK's errors never do.
    pub fn of(error: &Error) -> ErrorInfo {
        if let Some(gateway) = error.gateway() {
            return ErrorInfo {
                code: Some(gateway.code.code()),
                name: gateway.code.name().to_owned(),
                message: gateway
                    .message
                    .clone()
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| gateway.code.meaning().to_owned()),
                cid: gateway.cid.clone(),
                remedy: Some(gateway.remedy().to_owned()),
            };
        }
        let name = match error {
            Error::InvalidInput { .. } => "INVALID_INPUT".to_owned(),
            Error::Transport { kind, .. } => format!("TRANSPORT_{}", transport_name(*kind)),
            Error::HttpStatus { .. } => "HTTP_STATUS".to_owned(),
            Error::NotJson { .. } => "NOT_JSON".to_owned(),
            Error::Envelope { .. } => "NOT_AN_ENVELOPE".to_owned(),
            Error::Decode { .. } => "DECODE".to_owned(),
            _ => "ERROR".to_owned(),
        };
        ErrorInfo {
            code: None,
            name,
            message: words(error),
            cid: error.cid().map(str::to_owned),
            remedy: None,
        }
    }

    /// One line for stderr: name, code, message, cid and remedy. Not yet escaped: it goes to
    /// stderr through `diag`, which escapes it.
    pub fn line(&self) -> String {
        let mut line = self.name.clone();
        if let Some(code) = self.code {
            line.push_str(&format!(" ({code})"));
        }
        line.push_str(": ");
        line.push_str(&self.message);
        // A decoding error's message names its cid already.
        if let Some(cid) = self
            .cid
            .as_ref()
            .filter(|cid| !self.message.contains(&format!("cid {cid}")))
        {
            line.push_str(&format!(" [cid {cid}]"));
        }
        if let Some(remedy) = &self.remedy {
            line.push_str(&format!("; what to do: {remedy}"));
        }
        line
    }
}

/// The flag that allows what the SDK's [`CLEAR_TEXT_HEADERS_SETTING`] allows.
pub const CLEAR_TEXT_FLAG: &str = "--allow-clear-text-headers";

/// The SDK's settings that its errors name, and the flags that set them here.
const SETTING_FLAGS: [(&str, &str); 5] = [
    ("Config::body_limit", "--max-answer-bytes"),
    // A method's own limit is set by the same flag, for every method at once.
    (
        "ConfigBuilder::method_body_limit of",
        "--max-answer-bytes, the limit of",
    ),
    (CLEAR_TEXT_HEADERS_SETTING, CLEAR_TEXT_FLAG),
    (
        "ConfigBuilder::max_rows_per_answer",
        "--max-rows-per-answer",
    ),
    (
        "ConfigBuilder::max_elements_per_answer",
        "--max-elements-per-answer",
    ),
];

/// An SDK error in the command line's terms: the error and its causes, with the SDK's names
/// of settings replaced by the flags that set them (a user of the command has no
/// `ConfigBuilder`).
pub fn words(error: &Error) -> String {
    SETTING_FLAGS
        .iter()
        .fold(with_causes(error), |text, (setting, flag)| {
            text.replace(setting, flag)
        })
}

/// Whether `error` is the SDK's refusal to send a token or a password over clear-text http
/// beyond loopback: a setting to change, refused before anything was sent.
pub fn is_clear_text_refusal(error: &Error) -> bool {
    matches!(error, Error::InvalidInput { reason, .. } if reason.contains(CLEAR_TEXT_HEADERS_SETTING))
}

/// The error and each of its causes, once each: the SDK's message says what happened in its
/// terms, the HTTP library's error (its source) says what the system said.
fn with_causes(error: &Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        let words = error.to_string();
        if !text.contains(&words) {
            text.push_str(": ");
            text.push_str(&words);
        }
        cause = error.source();
    }
    text
}

fn transport_name(kind: opretail_model::TransportKind) -> &'static str {
    use opretail_model::TransportKind as K;
    match kind {
        K::Connect => "CONNECT",
        K::Timeout => "TIMEOUT",
        K::Tls => "TLS",
        K::BodyLimit => "BODY_LIMIT",
        K::Io => "IO",
        K::Request => "REQUEST",
        K::Redirect => "REDIRECT",
        _ => "OTHER",
    }
}

/// What a format puts around its rows.
pub enum Framing {
    /// A JSON array: `[`, the rows separated by commas, `]`.
    Array,
    /// A header, then the rows as they are (CSV, NDJSON).
    Lines(Vec<u8>),
    /// A table whose columns are as wide as their cells or as given: see [`tidy::Aligned`].
    Aligned(tidy::Aligned),
}

/// Where rows go: in their order (through a bounded reorder buffer) or as they come, framed
/// for their format, on stdout.
pub struct Sink {
    framing: Framing,
    ordered: bool,
    reorder: Reorder,
    progress: ProgressBar,
    chunk: Vec<u8>,
    rows: usize,
    held: usize,
    gone: bool,
    closed: bool,
}

impl Sink {
    /// A sink for rows framed by `framing`; `ordered` keeps the order of their places,
    /// otherwise rows are written as they come. Writes pause `progress` while they run.
    pub fn new(framing: Framing, ordered: bool, progress: ProgressBar) -> Sink {
        Sink {
            framing,
            ordered,
            reorder: Reorder::new(REORDER_LIMIT_BYTES),
            progress,
            chunk: Vec::new(),
            rows: 0,
            held: 0,
            gone: false,
            closed: false,
        }
    }

    /// Pauses `progress` while writing, from now on.
    pub fn show_progress(&mut self, progress: ProgressBar) {
        self.progress = progress;
    }

    /// Writes what comes before the first row, so that a reader sees the output begin.
    pub fn start(&mut self) -> Result<(), Failure> {
        match &mut self.framing {
            Framing::Array => self.chunk.extend_from_slice(b"[\n"),
            Framing::Lines(header) => self.chunk.extend_from_slice(header),
            Framing::Aligned(table) => table.start(&mut self.chunk),
        }
        self.emit()
    }

    /// The rows of place `place` (from 0; each place given once, perhaps with no rows).
    pub fn put(&mut self, place: usize, rows: Vec<Vec<u8>>) -> Result<(), Failure> {
        if self.ordered {
            self.reorder.insert(place, rows);
        } else {
            for row in rows {
                self.frame(row);
            }
            self.reorder.skip();
        }
        Ok(())
    }

    /// Writes every row whose turn has come.
    pub fn flush(&mut self) -> Result<(), Failure> {
        let mut ready = Vec::new();
        self.reorder.drain_ready(&mut ready);
        for row in ready {
            self.frame(row);
        }
        self.emit()
    }

    /// Counts `bytes` that a command holds outside the sink (answers waiting for their
    /// siblings) as if they waited in it: [`Sink::is_full`] then covers them too.
    pub fn hold(&mut self, bytes: usize) {
        self.held += bytes;
    }

    /// Stops counting `bytes` given to [`Sink::hold`].
    pub fn release(&mut self, bytes: usize) {
        self.held = self.held.saturating_sub(bytes);
    }

    /// Whether what waits has reached the limit: no new call should start but the one that
    /// every waiting row waits for.
    pub fn is_full(&self) -> bool {
        self.reorder.is_full(self.held)
    }

    /// Whether the reader of stdout went away (`| head`).
    pub fn reader_gone(&self) -> bool {
        self.gone
    }

    /// How many places have been written out, all their rows included.
    pub fn places_written(&self) -> usize {
        self.reorder.written()
    }

    /// Ends the output (a JSON array's `]`, a short table's rows) unless its reader is gone.
    /// Rows still waiting for an earlier place are dropped: the output stays valid. Safe to
    /// call more than once.
    pub fn finish(&mut self) -> Result<(), Failure> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        if self.gone {
            return Ok(());
        }
        match &mut self.framing {
            Framing::Array => {
                self.chunk
                    .extend_from_slice(if self.rows == 0 { b"]\n" } else { b"\n]\n" })
            }
            Framing::Lines(_) => {}
            Framing::Aligned(table) => table.finish(&mut self.chunk),
        }
        self.emit()
    }

    fn frame(&mut self, row: Vec<u8>) {
        match &mut self.framing {
            Framing::Array => {
                self.chunk
                    .extend_from_slice(if self.rows == 0 { b"  " } else { b",\n  " });
                self.chunk.extend_from_slice(&row);
            }
            Framing::Lines(_) => self.chunk.extend_from_slice(&row),
            Framing::Aligned(table) => table.row(row, &mut self.chunk),
        }
        self.rows += 1;
    }

    /// Writes what is ready in one go; a reader gone away stops the writing, not the command.
    fn emit(&mut self) -> Result<(), Failure> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        if self.gone {
            self.chunk.clear();
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.chunk);
        let written = self.progress.suspend(|| {
            let mut out = std::io::stdout().lock();
            out.write_all(&chunk)?;
            out.flush()
        });
        self.chunk = chunk;
        self.chunk.clear();
        match written.map_err(Failure::from) {
            Ok(()) => Ok(()),
            Err(Failure::BrokenPipe) => {
                self.gone = true;
                Ok(())
            }
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_settings_an_error_names_become_flags() {
        let refusal = Error::invalid_input(
            "endpoint",
            format!("the header would travel in clear text ({CLEAR_TEXT_HEADERS_SETTING})"),
        );
        assert!(is_clear_text_refusal(&refusal));
        let info = ErrorInfo::of(&refusal);
        assert!(info.message.contains(CLEAR_TEXT_FLAG), "{}", info.message);
        assert!(!info.message.contains("ConfigBuilder"), "{}", info.message);

        let over = Error::Decode {
            path: "data.records".to_owned(),
            message: "raise ConfigBuilder::max_rows_per_answer or \
                      ConfigBuilder::max_elements_per_answer"
                .to_owned(),
            cid: None,
        };
        assert!(!is_clear_text_refusal(&over));
        let large = Error::body_over_limit("https://gw.example/m.api", 32_768, Some(40_000));
        let message = words(&large);
        assert!(message.contains("--max-answer-bytes"), "{message}");
        assert!(!message.contains("Config::"), "{message}");
        let config = opretail_model::Config::builder()
            .method_body_limit(opretail_model::METHOD_GET_TOTAL_DATA, 32_768)
            .build()
            .unwrap();
        let own = Error::answer_over_limit(&config, opretail_model::METHOD_GET_TOTAL_DATA, None);
        let message = words(&own);
        assert!(message.contains("raise --max-answer-bytes"), "{message}");
        assert!(!message.contains("Config"), "{message}");
        let message = words(&over);
        assert!(
            message.contains("--max-rows-per-answer")
                && message.contains("--max-elements-per-answer")
                && !message.contains("ConfigBuilder"),
            "{message}"
        );
    }

    #[test]
    fn a_line_names_the_cid_once() {
        let decode = |cid: Option<&str>| Error::Decode {
            path: "data.DAY_FLOW".to_owned(),
            message: "not a number".to_owned(),
            cid: cid.map(str::to_owned),
        };
        let line = ErrorInfo::of(&decode(Some("c-7"))).line();
        assert_eq!(line.matches("c-7").count(), 1, "{line}");
        let info = ErrorInfo::of(&decode(None));
        assert_eq!(info.cid, None);
        assert!(!info.line().contains("[cid"), "{}", info.line());
    }
}
