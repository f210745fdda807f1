//! `table`: aligned columns for people, streamed row by row.

use std::io::{self, Write};

use opretail_model::Measure;

use super::{ErrorInfo, Outcome, Sink};

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

/// Writes a header and one row per id; the id column is as wide as the longest id.
pub struct TableSink<W: Write> {
    out: W,
    id_width: usize,
}

impl<W: Write> TableSink<W> {
    /// A sink whose id column fits ids of up to `id_width` characters.
    pub fn new(out: W, id_width: usize) -> Self {
        TableSink {
            out,
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

impl<W: Write> Sink for TableSink<W> {
    fn start(&mut self) -> io::Result<()> {
        write!(self.out, "{:<w$}", "ID", w = self.id_width)?;
        for (heading, width) in COLUMNS {
            write!(self.out, "  {heading:>width$}")?;
        }
        writeln!(self.out)
    }

    fn write(&mut self, outcome: &Outcome) -> io::Result<()> {
        write!(self.out, "{:<w$}", outcome.id.as_str(), w = self.id_width)?;
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
                    write!(self.out, "  {cell:>width$}")?;
                }
            }
            Err(error) => {
                let info = ErrorInfo::of(error);
                let mut message = info.message.clone();
                if message.chars().count() > 60 {
                    message = message.chars().take(59).collect::<String>() + "…";
                }
                let code = info.code.map(|c| format!(" ({c})")).unwrap_or_default();
                write!(self.out, "  failed: {}{code}: {message}", info.name)?;
            }
        }
        writeln!(self.out)?;
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opretail_model::{EntityId, Error, TotalData, TransportKind};

    fn row(result: Result<TotalData, Error>) -> String {
        let id: EntityId = "S_1001".parse().expect("a valid id");
        let mut out = Vec::new();
        let mut sink = TableSink::new(&mut out, 6);
        sink.write(&Outcome { id, result }).expect("write");
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
}
