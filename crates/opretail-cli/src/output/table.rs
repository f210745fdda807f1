//! `table`: aligned columns for people, streamed row by row.

use std::io::{self, Write};

use opretail_model::Measure;

use super::{ErrorInfo, Outcome, Render};
use crate::escape;

/// The columns after the id: heading and width.
const COLUMNS: [(&str, usize); 8] = [
    ("DAY", 8),
    ("WEEK", 9),
    ("MONTH", 10),
    ("SALES", 13),
    ("PRICE", 9),
    ("ENTER", 7),
    ("BUY", 7),
    ("FITTING", 7),
];

/// The longest error message shown in a row, in characters.
const MESSAGE_CHARS: usize = 60;

/// Renders a header and one row per id; the id column is as wide as the longest id. Text from
/// the gateway (error names and messages) is escaped and clipped for the terminal.
pub struct TableRows {
    id_width: usize,
}

impl TableRows {
    /// Rows whose id column fits ids of up to `id_width` characters.
    pub fn new(id_width: usize) -> Self {
        TableRows {
            id_width: id_width.max(2),
        }
    }
}

/// A count: an integer, rounded when the gateway sent a fraction.
fn count(m: &Option<Measure>) -> String {
    m.as_ref()
        .map(|m| {
            m.as_i64()
                .map(|v| v.to_string())
                .unwrap_or_else(|| format!("{:.0}", m.value()))
        })
        .unwrap_or_else(|| "-".into())
}

/// Money: two decimals.
fn money(m: &Option<Measure>) -> String {
    m.as_ref()
        .map(|m| format!("{:.2}", m.value()))
        .unwrap_or_else(|| "-".into())
}

/// A rate in percent, as the gateway gives it (35.2 means 35.2 %).
fn rate(m: &Option<Measure>) -> String {
    m.as_ref()
        .map(|m| format!("{:.1}%", m.value()))
        .unwrap_or_else(|| "-".into())
}

impl Render for TableRows {
    fn header(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        write!(out, "{:<w$}", "ID", w = self.id_width)?;
        for (heading, width) in COLUMNS {
            write!(out, "  {heading:>width$}")?;
        }
        writeln!(out)
    }

    fn row(&mut self, _position: usize, outcome: &Outcome, out: &mut Vec<u8>) -> io::Result<()> {
        // Ids were checked: no control or invisible characters.
        write!(out, "{:<w$}", outcome.id.as_str(), w = self.id_width)?;
        match &outcome.result {
            Ok(d) => {
                let cells = [
                    count(&d.day_flow),
                    count(&d.week_flow),
                    count(&d.month_flow),
                    money(&d.total_sale),
                    money(&d.expenditure),
                    rate(&d.enter_rate),
                    rate(&d.buy_rate),
                    rate(&d.fitting_rate),
                ];
                for (cell, (_, width)) in cells.iter().zip(COLUMNS) {
                    write!(out, "  {cell:>width$}")?;
                }
            }
            Err(error) => {
                let info = ErrorInfo::of(error);
                let message = escape::for_terminal(&info.message, MESSAGE_CHARS);
                let name = escape::for_terminal(&info.name, MESSAGE_CHARS);
                let code = info.code.map(|c| format!(" ({c})")).unwrap_or_default();
                write!(out, "  failed: {name}{code}: {message}")?;
            }
        }
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opretail_model::{EntityId, Error, TotalData, TransportKind};

    fn row(result: Result<TotalData, Error>) -> String {
        let id: EntityId = "S_1001".parse().expect("a valid id");
        let mut out = Vec::new();
        let mut rows = TableRows::new(6);
        rows.row(0, &Outcome { id, result }, &mut out)
            .expect("write");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn figures_are_integers_money_and_percentages() {
        let data: TotalData = serde_json::from_str(
            r#"{"DAY_FLOW":"1,234人","WEEK_FLOW":5678.0,"TOTAL_SALE":"12.5元","ENTER_RATE":"35.2%","BUY_RATE":7}"#,
        )
        .expect("decodes");
        let row = row(Ok(data));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells,
            [
                "S_1001", "1234", "5678", "-", "12.50", "-", "35.2%", "7.0%", "-"
            ]
        );
    }

    #[test]
    fn a_failure_is_shown_in_its_row() {
        let error = Error::transport_message(
            TransportKind::Timeout,
            "http://127.0.0.1:1/m.api",
            "no answer within 1s",
        );
        let row = row(Err(error));
        assert!(
            row.starts_with("S_1001  failed: TRANSPORT_TIMEOUT: timed out"),
            "{row}"
        );
        assert!(row.ends_with("…\n"), "long messages are cut: {row}");
    }

    #[test]
    fn gateway_text_cannot_drive_the_terminal() {
        let error = Error::Gateway(Box::new(opretail_model::GatewayError {
            code: opretail_model::ReturnCode::from_code(-500),
            message: Some("\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}gnp.exe".to_owned()),
            cid: None,
            systime: None,
        }));
        let row = row(Err(error));
        assert!(!row.trim_end().chars().any(escape::is_unsafe), "{row:?}");
        assert!(row.contains("\\u{1b}[2J"), "{row}");
    }
}
