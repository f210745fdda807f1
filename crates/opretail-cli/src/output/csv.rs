//! `csv`: a header row, then one row per id.

use std::io;

use opretail_model::Measure;

use super::{ErrorInfo, Outcome, Render};

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

/// Renders CSV rows; figures as the gateway sent them (with units when asked for), every cell
/// guarded against formulas unless `raw`.
pub struct CsvRows {
    raw: bool,
}

impl CsvRows {
    /// `raw`: cells exactly as received, without the formula guard of [`guard`].
    pub fn new(raw: bool) -> Self {
        CsvRows { raw }
    }

    fn record<I, S>(&self, cells: I, out: &mut Vec<u8>) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        out.extend_from_slice(&line(cells, self.raw)?);
        Ok(())
    }
}

/// One CSV record of `cells`, each guarded against formulas (see [`guard`]) unless `raw`:
/// every CSV row of every command is written here.
pub fn line<I, S>(cells: I, raw: bool) -> io::Result<Vec<u8>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(1024)
        .from_writer(Vec::new());
    let cells = cells.into_iter().map(|cell| {
        if raw {
            cell.as_ref().to_owned()
        } else {
            guard(cell.as_ref()).into_owned()
        }
    });
    writer.write_record(cells).map_err(io_error)?;
    writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}

/// A cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, so that it is shown as text; plain numbers such as
/// `-12.5` or `+3` are left alone. This is OWASP's advice against CSV injection: text from the
/// gateway is data, never a formula that runs on the machine of whoever opens the file.
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    );
    if risky && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// An optional sign, digits with at most one decimal point, and an optional exponent.
fn is_plain_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
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

impl Render for CsvRows {
    fn header(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.record(HEADER, out)
    }

    fn row(&mut self, _position: usize, outcome: &Outcome, out: &mut Vec<u8>) -> io::Result<()> {
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
        self.record(&row, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opretail_model::{EntityId, Error};

    #[test]
    fn a_failed_row_has_the_error_columns_filled() {
        let mut out = Vec::new();
        let mut rows = CsvRows::new(false);
        rows.header(&mut out).expect("header");
        let id: EntityId = "O_42".parse().expect("a valid id");
        let result = Err(Error::invalid_input("id", "bad, \"quoted\""));
        rows.row(0, &Outcome { id, result }, &mut out).expect("row");
        let text = String::from_utf8(out).expect("UTF-8");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().expect("header").len(), HEADER.len());
        let row = reader.records().next().expect("a row").expect("valid CSV");
        assert_eq!(row.len(), HEADER.len());
        assert_eq!((&row[0], &row[1]), ("O_42", "false"));
        assert_eq!(&row[12], "INVALID_INPUT");
        assert!(row[13].contains("\"quoted\""));
    }

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for (cell, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-12.5%", "'-12.5%"),
        ] {
            assert_eq!(guard(cell), shown, "{cell:?}");
        }
        for cell in ["-12.5", "+3", "-0.5e-3", "1234", "多云", "35.2%", "", "a=b"] {
            assert_eq!(guard(cell), cell, "{cell:?}");
        }
    }
}
