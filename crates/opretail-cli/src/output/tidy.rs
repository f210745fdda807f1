//! Rows of every command in every output format: the listing commands' rows (`stores`,
//! `passenger-flow series`, `demographics`: fixed columns, one row per thing) and the
//! results of `passenger-flow total` (one row per id, which carries either the figures or the
//! error of its call).

use std::io;

use opretail_model::Measure;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{ErrorInfo, Format, Framing};
use crate::escape;

/// The widest a table cell gets, in characters, before it is clipped.
const CELL_CHARS: usize = 60;

/// How many rows a table reads before it fixes its column widths: enough for the widths to
/// fit nearly every row, few enough that a table of any length streams.
const TABLE_SAMPLE_ROWS: usize = 200;

/// Separates the cells of a table row on its way to [`Aligned`]; escaped cells never hold it.
const CELL_SEPARATOR: char = '\u{1f}';

/// The CSV columns after the others of a result row: why its call failed.
const ERROR_COLUMNS: [&str; 4] = ["error_code", "error_name", "error_message", "cid"];

/// A cell from an optional text.
pub fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |v| Value::String(v.to_owned()))
}

/// A cell from an optional figure: a JSON number, or its text when it has units.
pub fn figure(value: Option<&Measure>) -> Value {
    value
        .and_then(|m| serde_json::to_value(m).ok())
        .unwrap_or(Value::Null)
}

/// How a table shows a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Text, escaped and clipped, left-aligned: in a table of flat rows as wide as its widest
    /// cell, in a table of results as wide as the key (for the key) or as its heading.
    Text,
    /// A count (an integer, rounded when the gateway sent a fraction), right-aligned in this
    /// many characters.
    Count(usize),
    /// Money (two decimals), right-aligned in this many characters.
    Money(usize),
    /// A rate in percent as the gateway gives it (35.2 means 35.2 %), right-aligned in this
    /// many characters.
    Rate(usize),
    /// Not in a table: in CSV and JSON only.
    Hidden,
}

/// A column of result rows (see [`Tidy::results`]): its name in CSV, its heading in a table
/// and how the table shows it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The CSV header.
    pub name: &'static str,
    /// The table's heading.
    pub heading: &'static str,
    /// How a table shows it.
    pub shown: Shown,
}

/// One cell of a result row.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    /// A value: text in CSV and a table, as it is.
    Value(Value),
    /// A figure: in CSV as the gateway sent it (with its units), in a table as its column
    /// shows it, `-` when there is none.
    Figure(Option<&'a Measure>),
}

/// What a row is made of.
enum Shape {
    /// One value per column, in every format: JSON objects of the columns (by name).
    Flat,
    /// The result of a call about a key (the first column, `key_width` characters at most):
    /// in JSON `{key, "ok", "data" | "error"}`, in CSV the columns between the key and `ok`
    /// and the error's, in a table the columns shown or the failure.
    Results { key_width: usize },
}

/// Turns rows of `columns` into the bytes of `format`.
pub struct Tidy {
    columns: Vec<Column>,
    shape: Shape,
    format: Format,
    csv_raw: bool,
    sandbox: bool,
}

impl Tidy {
    /// Rows of `columns` in `format`; `csv_raw` writes CSV cells without the formula guard;
    /// `sandbox` marks every JSON row as sandbox data (`"sandbox": true`).
    pub fn new(
        columns: &'static [&'static str],
        format: Format,
        csv_raw: bool,
        sandbox: bool,
    ) -> Tidy {
        let columns = columns
            .iter()
            .map(|name| Column {
                name,
                heading: name,
                shown: Shown::Text,
            })
            .collect();
        Tidy {
            columns,
            shape: Shape::Flat,
            format,
            csv_raw,
            sandbox,
        }
    }

    /// Result rows (see [`Tidy::result`]): `columns[0]` is their key, at most `key_width`
    /// characters long; its table column is that wide and the others are as wide as their
    /// [`Shown`] says, so that the table streams from its first row.
    pub fn results(
        columns: &[Column],
        key_width: usize,
        format: Format,
        csv_raw: bool,
        sandbox: bool,
    ) -> Tidy {
        Tidy {
            columns: columns.to_vec(),
            shape: Shape::Results { key_width },
            format,
            csv_raw,
            sandbox,
        }
    }

    /// What goes around the rows: the CSV header, the JSON array, the aligned table.
    pub fn framing(&self) -> io::Result<Framing> {
        let names = self.columns.iter().map(|c| c.name.to_owned());
        Ok(match (self.format, &self.shape) {
            (Format::Json, _) => Framing::Array,
            (Format::Ndjson, _) => Framing::Lines(Vec::new()),
            (Format::Csv, Shape::Flat) => Framing::Lines(self.csv_line(names)?),
            (Format::Csv, Shape::Results { .. }) => {
                let mut names: Vec<String> = names.collect();
                names.insert(1, "ok".to_owned());
                names.extend(ERROR_COLUMNS.map(str::to_owned));
                Framing::Lines(self.csv_line(names.into_iter())?)
            }
            (Format::Table, Shape::Flat) => Framing::Aligned(Aligned::new(
                self.columns
                    .iter()
                    .map(|c| (c.heading.to_owned(), None))
                    .collect(),
            )),
            (Format::Table, Shape::Results { key_width }) => {
                let mut columns = Vec::new();
                for (n, column) in self.columns.iter().enumerate() {
                    let width = match column.shown {
                        Shown::Text if n == 0 => {
                            Align::Left((*key_width).max(column.heading.chars().count()))
                        }
                        Shown::Text => Align::Left(column.heading.chars().count()),
                        Shown::Count(w) | Shown::Money(w) | Shown::Rate(w) => Align::Right(w),
                        Shown::Hidden => continue,
                    };
                    columns.push((column.heading.to_owned(), Some(width)));
                }
                Framing::Aligned(Aligned::new(columns))
            }
        })
    }

    /// The bytes of one row, one value per column.
    pub fn row(&self, cells: Vec<Value>) -> io::Result<Vec<u8>> {
        debug_assert_eq!(cells.len(), self.columns.len());
        let mut out = Vec::new();
        match self.format {
            Format::Json | Format::Ndjson => {
                let mut object: Map<String, Value> = self
                    .columns
                    .iter()
                    .map(|c| c.name.to_owned())
                    .zip(cells)
                    .collect();
                if self.sandbox {
                    object.insert("sandbox".to_owned(), Value::Bool(true));
                }
                self.json_line(&object, &mut out)?;
            }
            Format::Csv => out = self.csv_line(cells.iter().map(plain))?,
            Format::Table => {
                let cells: Vec<String> = cells
                    .iter()
                    .map(|c| escape::for_terminal(&plain(c), CELL_CHARS).into_owned())
                    .collect();
                out = table_row(&cells);
            }
        }
        Ok(out)
    }

    /// The bytes of the result of the call about `key`: its `data` (the whole answer, for
    /// JSON) and one cell per column after the key, or its error.
    pub fn result<D: Serialize>(
        &self,
        key: &str,
        result: Result<(&D, Vec<Cell<'_>>), &ErrorInfo>,
    ) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        match self.format {
            Format::Json | Format::Ndjson => {
                let (data, error) = match &result {
                    Ok((data, _)) => (Some(*data), None),
                    Err(error) => (None, Some(*error)),
                };
                let element = ResultJson {
                    id: key,
                    ok: data.is_some(),
                    data,
                    error,
                    sandbox: self.sandbox,
                };
                self.json_line(&element, &mut out)?;
            }
            Format::Csv => {
                let mut cells = vec![key.to_owned()];
                match result {
                    Ok((_, row)) => {
                        cells.push("true".to_owned());
                        cells.extend(row.iter().map(Cell::text));
                        cells.extend(ERROR_COLUMNS.map(|_| String::new()));
                    }
                    Err(error) => {
                        cells.push("false".to_owned());
                        cells.extend(self.columns[1..].iter().map(|_| String::new()));
                        cells.push(error.code.map(|c| c.to_string()).unwrap_or_default());
                        cells.push(error.name.clone());
                        cells.push(error.message.clone());
                        cells.push(error.cid.clone().unwrap_or_default());
                    }
                }
                out = self.csv_line(cells.into_iter())?;
            }
            Format::Table => {
                // Keys were checked: no control or invisible characters.
                let mut cells = vec![key.to_owned()];
                match result {
                    Ok((_, row)) => {
                        for (cell, column) in row.iter().zip(&self.columns[1..]) {
                            if column.shown != Shown::Hidden {
                                cells.push(cell.shown(column.shown));
                            }
                        }
                    }
                    Err(error) => {
                        let message = escape::for_terminal(&error.message, CELL_CHARS);
                        let name = escape::for_terminal(&error.name, CELL_CHARS);
                        let code = error.code.map(|c| format!(" ({c})")).unwrap_or_default();
                        cells.push(format!("failed: {name}{code}: {message}"));
                    }
                }
                out = table_row(&cells);
            }
        }
        Ok(out)
    }

    /// One JSON value, with its line's end in NDJSON.
    fn json_line(&self, value: &impl Serialize, out: &mut Vec<u8>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, value)?;
        if self.format == Format::Ndjson {
            out.push(b'\n');
        }
        Ok(())
    }

    fn csv_line(&self, cells: impl Iterator<Item = String>) -> io::Result<Vec<u8>> {
        super::csv::line(cells, self.csv_raw)
    }
}

/// The JSON of a result row, fields in a fixed, readable order. The text is exact: serde
/// escapes control characters, nothing is clipped.
#[derive(Serialize)]
struct ResultJson<'a, D> {
    id: &'a str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a D>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a ErrorInfo>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sandbox: bool,
}

impl Cell<'_> {
    /// The cell in CSV.
    fn text(&self) -> String {
        match self {
            Cell::Value(value) => plain(value),
            Cell::Figure(m) => m.map(Measure::to_string).unwrap_or_default(),
        }
    }

    /// The cell in a table column that shows it as `shown`.
    fn shown(&self, shown: Shown) -> String {
        let Cell::Figure(m) = self else {
            return escape::for_terminal(&self.text(), CELL_CHARS).into_owned();
        };
        let Some(m) = m else {
            return "-".to_owned();
        };
        match shown {
            Shown::Count(_) => m
                .as_i64()
                .map(|v| v.to_string())
                .unwrap_or_else(|| format!("{:.0}", m.value())),
            Shown::Money(_) => format!("{:.2}", m.value()),
            Shown::Rate(_) => format!("{:.1}%", m.value()),
            Shown::Text | Shown::Hidden => {
                escape::for_terminal(&self.text(), CELL_CHARS).into_owned()
            }
        }
    }
}

/// The cells of a table row, joined for [`Aligned::row`].
fn table_row(cells: &[String]) -> Vec<u8> {
    cells.join(&CELL_SEPARATOR.to_string()).into_bytes()
}

/// Where a column of a table of fixed widths puts its cells, and how wide it is.
#[derive(Debug, Clone, Copy)]
pub enum Align {
    /// Left-aligned in this many characters.
    Left(usize),
    /// Right-aligned in this many characters.
    Right(usize),
}

/// A table whose columns are as wide as their cells, or as wide as given.
///
/// Widths not given come from the header and the first [`TABLE_SAMPLE_ROWS`] rows, which wait
/// here until then; later rows are written at once with those widths (a wider cell pushes the
/// rest of its own row only). A table of given widths writes its header and every row at once,
/// padded as `format!` pads (in characters), each line as it is.
pub struct Aligned {
    header: Vec<String>,
    widths: Option<Vec<Align>>,
    fixed: bool,
    sample: Vec<Vec<String>>,
}

impl Aligned {
    /// A table of `columns`: heading and, when known, alignment and width. Given widths for
    /// every column make a table that streams from its first row.
    pub fn new(columns: Vec<(String, Option<Align>)>) -> Aligned {
        let widths: Option<Vec<Align>> = columns.iter().map(|(_, width)| *width).collect();
        Aligned {
            header: columns.into_iter().map(|(heading, _)| heading).collect(),
            fixed: widths.is_some(),
            widths,
            sample: Vec::new(),
        }
    }

    /// Writes what comes before the first row: the header, when the widths are known.
    pub fn start(&mut self, out: &mut Vec<u8>) {
        if let Some(widths) = &self.widths {
            fixed_line(&self.header, widths, out);
        }
    }

    /// One row, as [`Tidy::row`] or [`Tidy::result`] made it. A row shorter than the table
    /// ends with a cell that takes the rest of the line as it is.
    pub fn row(&mut self, row: Vec<u8>, out: &mut Vec<u8>) {
        let text = String::from_utf8_lossy(&row);
        let cells: Vec<String> = text.split(CELL_SEPARATOR).map(str::to_owned).collect();
        match &self.widths {
            Some(widths) if self.fixed => fixed_line(&cells, widths, out),
            Some(widths) => line(&cells, widths, out),
            None => {
                self.sample.push(cells);
                if self.sample.len() >= TABLE_SAMPLE_ROWS {
                    self.fix_widths(out);
                }
            }
        }
    }

    /// Writes the rows still waiting (a table shorter than the sample).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.widths.is_none() {
            self.fix_widths(out);
        }
    }

    fn fix_widths(&mut self, out: &mut Vec<u8>) {
        let mut widths: Vec<usize> = self.header.iter().map(|c| columns_of(c)).collect();
        for row in &self.sample {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(columns_of(cell));
            }
        }
        let widths: Vec<Align> = widths.into_iter().map(Align::Left).collect();
        line(&self.header, &widths, out);
        for row in std::mem::take(&mut self.sample) {
            line(&row, &widths, out);
        }
        self.widths = Some(widths);
    }
}

/// One line of a table sized by its cells: cells padded to `widths` in terminal columns, two
/// spaces apart, no trailing blanks.
fn line(cells: &[String], widths: &[Align], out: &mut Vec<u8>) {
    let mut text = String::new();
    for (n, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if n > 0 {
            text.push_str("  ");
        }
        text.push_str(cell);
        if n + 1 < cells.len() {
            let (Align::Left(width) | Align::Right(width)) = *width;
            let pad = width.saturating_sub(columns_of(cell));
            text.extend(std::iter::repeat_n(' ', pad));
        }
    }
    out.extend_from_slice(text.trim_end().as_bytes());
    out.push(b'\n');
}

/// One line of a table of given widths: cells padded to their column's width in terminal
/// columns, two spaces apart; the last cell of a row shorter than the table as it is.
fn fixed_line(cells: &[String], widths: &[Align], out: &mut Vec<u8>) {
    let mut text = String::new();
    for (n, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if n > 0 {
            text.push_str("  ");
        }
        let pad = |width: usize| " ".repeat(width.saturating_sub(columns_of(cell)));
        match *width {
            _ if n + 1 == cells.len() && cells.len() < widths.len() => text.push_str(cell),
            Align::Left(width) => {
                text.push_str(cell);
                text.push_str(&pad(width));
            }
            Align::Right(width) => {
                text.push_str(&pad(width));
                text.push_str(cell);
            }
        }
    }
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
}

/// How many terminal columns `text` takes: two for the wide characters of East Asian scripts
/// (store names are often Chinese), one for the others. Escaped text has no control characters.
pub fn columns_of(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let wide = matches!(
                u32::from(c),
                0x1100..=0x115F
                    | 0x2E80..=0x303E
                    | 0x3041..=0x33FF
                    | 0x3400..=0x4DBF
                    | 0x4E00..=0x9FFF
                    | 0xA000..=0xA4CF
                    | 0xAC00..=0xD7A3
                    | 0xF900..=0xFAFF
                    | 0xFE30..=0xFE4F
                    | 0xFF00..=0xFF60
                    | 0xFFE0..=0xFFE6
                    | 0x20000..=0x3FFFD
            );
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// A cell as text: strings as they are, numbers as JSON writes them, nothing as empty.
fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: Format, columns: &'static [&'static str], rows: Vec<Vec<Value>>) -> String {
        let tidy = Tidy::new(columns, format, false, false);
        let mut out = Vec::new();
        let mut framing = tidy.framing().unwrap();
        let rendered: Vec<Vec<u8>> = rows.into_iter().map(|r| tidy.row(r).unwrap()).collect();
        match &mut framing {
            Framing::Aligned(table) => {
                for row in rendered {
                    table.row(row, &mut out);
                }
                table.finish(&mut out);
            }
            Framing::Lines(header) => {
                out.extend_from_slice(header);
                out.extend(rendered.concat());
            }
            Framing::Array => {
                let objects: Vec<String> = rendered
                    .into_iter()
                    .map(|r| String::from_utf8(r).unwrap())
                    .collect();
                out.extend(format!("[{}]", objects.join(",")).into_bytes());
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn chinese_names_take_two_columns_a_character() {
        assert_eq!(columns_of("上海 SH"), 7);
        let text = render(
            Format::Table,
            &["name", "x"],
            vec![
                vec!["上海".into(), "1".into()],
                vec!["abcd".into(), "2".into()],
            ],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "上海  1");
        assert_eq!(lines[2], "abcd  2");
    }

    #[test]
    fn given_widths_count_wide_characters_as_two_columns() {
        let mut out = Vec::new();
        let widths = [Align::Left(7), Align::Right(4)];
        fixed_line(&["S_门店1".into(), "8".into()], &widths, &mut out);
        fixed_line(&["S_1001".into(), "10".into()], &widths, &mut out);
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines, ["S_门店1     8", "S_1001     10"]);
        assert!(lines.iter().all(|line| columns_of(line) == 13));
    }

    #[test]
    fn a_long_table_streams_with_the_widths_of_its_first_rows() {
        let mut rows: Vec<Vec<Value>> = (0..TABLE_SAMPLE_ROWS)
            .map(|n| vec![Value::from(format!("S_{n}")), "x".into()])
            .collect();
        rows.push(vec!["a-much-longer-cell".into(), "y".into()]);
        let text = render(Format::Table, &["id", "v"], rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2 + TABLE_SAMPLE_ROWS);
        assert_eq!(lines[1], "S_0    x");
        assert_eq!(lines.last().copied(), Some("a-much-longer-cell  y"));
    }

    #[test]
    fn terminal_text_is_escaped_and_csv_formulas_are_guarded() {
        let cells = || {
            vec![vec![
                Value::from("S_1"),
                Value::from("=cmd|'/c calc'!A1\u{1b}[2J"),
            ]]
        };
        let table = render(Format::Table, &["id", "name"], cells());
        assert!(!table.contains('\u{1b}'), "{table}");
        let csv = render(Format::Csv, &["id", "name"], cells());
        assert!(csv.contains("'=cmd"), "{csv}");
        let json: Value =
            serde_json::from_str(&render(Format::Json, &["id", "name"], cells())).unwrap();
        assert_eq!(json[0]["id"], "S_1");
    }
}
