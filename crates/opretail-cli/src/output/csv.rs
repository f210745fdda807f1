//! `csv`: a header row, then one row per id.

use std::io::{self, Write};

use opretail_model::Measure;

use super::{ErrorInfo, Outcome, Sink};

const HEADER: [&str; 15] = [
    "id",
    "ok",
    "day_flow",
    "week_flow",
    "month_flow",
    "total_sale",
    "expenditure",
    "enter_rate",
    "buy_rate",
    "fitting_rate",
    "weather",
    "error_code",
    "error_name",
    "error_message",
    "cid",
];

/// Writes CSV rows; figures as the gateway sent them (with units when asked for).
pub struct CsvSink<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> CsvSink<W> {
    /// A sink on a writer.
    pub fn new(out: W) -> Self {
        CsvSink {
            out: csv::Writer::from_writer(out),
        }
    }
}

fn cell(measure: &Option<Measure>) -> String {
    measure.as_ref().map(Measure::to_string).unwrap_or_default()
}

fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn start(&mut self) -> io::Result<()> {
        self.out.write_record(HEADER).map_err(io_error)
    }

    fn write(&mut self, outcome: &Outcome) -> io::Result<()> {
        let id = outcome.id.as_str().to_owned();
        let row: Vec<String> = match &outcome.result {
            Ok(d) => vec![
                id,
                "true".into(),
                cell(&d.day_flow),
                cell(&d.week_flow),
                cell(&d.month_flow),
                cell(&d.total_sale),
                cell(&d.expenditure),
                cell(&d.enter_rate),
                cell(&d.buy_rate),
                cell(&d.fitting_rate),
                d.weather
                    .as_ref()
                    .and_then(|w| w.weather.clone())
                    .unwrap_or_default(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
            Err(error) => {
                let info = ErrorInfo::of(error);
                let mut row = vec![id, "false".into()];
                row.extend(std::iter::repeat_n(String::new(), 9));
                row.push(info.code.map(|c| c.to_string()).unwrap_or_default());
                row.push(info.name);
                row.push(info.message);
                row.push(info.cid.unwrap_or_default());
                row
            }
        };
        self.out.write_record(&row).map_err(io_error)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opretail_model::{EntityId, Error};

    #[test]
    fn a_failed_row_has_the_error_columns_filled() {
        let mut out = Vec::new();
        {
            let mut sink = CsvSink::new(&mut out);
            sink.start().expect("header");
            let id: EntityId = "O_42".parse().expect("a valid id");
            let result = Err(Error::invalid_input("id", "bad, \"quoted\""));
            sink.write(&Outcome { id, result }).expect("row");
            sink.finish().expect("flush");
        }
        let text = String::from_utf8(out).expect("UTF-8");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().expect("header").len(), HEADER.len());
        let row = reader.records().next().expect("a row").expect("valid CSV");
        assert_eq!(row.len(), HEADER.len());
        assert_eq!((&row[0], &row[1]), ("O_42", "false"));
        assert_eq!(&row[12], "INVALID_INPUT");
        assert!(row[13].contains("\"quoted\""));
    }
}
