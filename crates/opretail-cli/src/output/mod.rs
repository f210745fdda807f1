//! How the results of `passenger-flow total` are written: one renderer per output format
//! turns one result into the bytes of its row, so that rows finished out of order can wait in
//! a reorder buffer as compact bytes, and nothing needs to hold every result.

mod csv;
mod json;
mod table;
pub mod tidy;

use std::io;

use opretail_model::{EntityId, Error, TotalData};

pub use self::csv::CsvRows;
pub use self::json::JsonRows;
pub use self::table::TableRows;

/// The result of one id.
pub struct Outcome {
    /// The id, as given.
    pub id: EntityId,
    /// The figures, or why there are none.
    pub result: Result<TotalData, Error>,
}

/// A failure, reduced to what every output format shows.
#[derive(Debug, Clone, PartialEq)]
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
            message: with_causes(error),
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
        if let Some(cid) = &self.cid {
            line.push_str(&format!(" [cid {cid}]"));
        }
        if let Some(remedy) = &self.remedy {
            line.push_str(&format!("; what to do: {remedy}"));
        }
        line
    }
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

/// The bytes of an output format: a header, one row per result, a footer.
pub trait Render {
    /// What comes before the first row.
    fn header(&mut self, out: &mut Vec<u8>) -> io::Result<()>;
    /// The row of `outcome`, written as the `position`-th row (from 0). Formats in input order
    /// get rows in position order; `ndjson` gets them as they finish.
    fn row(&mut self, position: usize, outcome: &Outcome, out: &mut Vec<u8>) -> io::Result<()>;
    /// What comes after the last row, when `rows` rows were written.
    fn footer(&mut self, rows: usize, out: &mut Vec<u8>) -> io::Result<()>;
}
