//! Tidy tables of the listing commands (`stores`, `passenger-flow series`, `demographics`):
//! fixed columns, one row per thing, in every output format. Rows are written as they come,
//! except for the table, whose column widths need every row.

use std::io::{self, Write};

use opretail_model::Measure;
use serde_json::{Map, Value};

use crate::args::TotalFormat;
use crate::escape;

/// The widest a table cell gets, in characters, before it is clipped.
const CELL_CHARS: usize = 60;

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

/// Writes rows of `columns` to `out` in `format`.
pub struct TidyWriter<W: Write> {
    columns: &'static [&'static str],
    format: TotalFormat,
    csv_raw: bool,
    out: W,
    rows: usize,
    table: Vec<Vec<String>>,
}

impl<W: Write> TidyWriter<W> {
    /// A writer of rows with `columns`; the CSV header is written at once.
    pub fn new(
        columns: &'static [&'static str],
        format: TotalFormat,
        csv_raw: bool,
        out: W,
    ) -> io::Result<Self> {
        let mut writer = TidyWriter {
            columns,
            format,
            csv_raw,
            out,
            rows: 0,
            table: Vec::new(),
        };
        match format {
            TotalFormat::Csv => writer.csv_line(columns.iter().map(|c| (*c).to_owned()))?,
            TotalFormat::Json => writer.out.write_all(b"[")?,
            TotalFormat::Table | TotalFormat::Ndjson => {}
        }
        Ok(writer)
    }

    /// One row, one value per column.
    pub fn row(&mut self, cells: Vec<Value>) -> io::Result<()> {
        debug_assert_eq!(cells.len(), self.columns.len());
        match self.format {
            TotalFormat::Json | TotalFormat::Ndjson => {
                let object: Map<String, Value> = self
                    .columns
                    .iter()
                    .map(|c| (*c).to_owned())
                    .zip(cells)
                    .collect();
                if self.format == TotalFormat::Json {
                    self.out
                        .write_all(if self.rows == 0 { b"\n  " } else { b",\n  " })?;
                }
                serde_json::to_writer(&mut self.out, &object)?;
                if self.format == TotalFormat::Ndjson {
                    self.out.write_all(b"\n")?;
                }
            }
            TotalFormat::Csv => {
                let line: Vec<String> = cells.iter().map(plain).collect();
                self.csv_line(line.into_iter())?;
            }
            TotalFormat::Table => self.table.push(
                cells
                    .iter()
                    .map(|c| escape::for_terminal(&plain(c), CELL_CHARS).into_owned())
                    .collect(),
            ),
        }
        self.rows += 1;
        Ok(())
    }

    /// Ends the output; gives back the number of rows written.
    pub fn finish(mut self) -> io::Result<usize> {
        match self.format {
            TotalFormat::Json => {
                self.out
                    .write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?;
            }
            TotalFormat::Table => {
                let mut widths: Vec<usize> = self.columns.iter().map(|c| c.len()).collect();
                for row in &self.table {
                    for (width, cell) in widths.iter_mut().zip(row) {
                        *width = (*width).max(columns_of(cell));
                    }
                }
                let header: Vec<String> = self.columns.iter().map(|c| (*c).to_owned()).collect();
                for row in std::iter::once(&header).chain(&self.table) {
                    let mut line = String::new();
                    for (n, (cell, width)) in row.iter().zip(&widths).enumerate() {
                        if n > 0 {
                            line.push_str("  ");
                        }
                        line.push_str(cell);
                        if n + 1 < row.len() {
                            let pad = width.saturating_sub(columns_of(cell));
                            line.extend(std::iter::repeat_n(' ', pad));
                        }
                    }
                    writeln!(self.out, "{}", line.trim_end())?;
                }
            }
            TotalFormat::Csv | TotalFormat::Ndjson => {}
        }
        self.out.flush()?;
        Ok(self.rows)
    }

    fn csv_line(&mut self, cells: impl Iterator<Item = String>) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let raw = self.csv_raw;
        writer.write_record(cells.map(|c| {
            if raw {
                c
            } else {
                super::csv::guard(&c).into_owned()
            }
        }))?;
        let bytes = writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.out.write_all(&bytes)
    }
}

/// How many terminal columns `text` takes: two for the wide characters of East Asian scripts
/// (store names are often Chinese), one for the others. Escaped text has no control characters.
fn columns_of(text: &str) -> usize {
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

    fn render(format: TotalFormat, cells: Vec<Value>) -> String {
        let mut out = Vec::new();
        let mut writer = TidyWriter::new(&["id", "name"], format, false, &mut out).unwrap();
        writer.row(cells).unwrap();
        writer.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn chinese_names_take_two_columns_a_character() {
        assert_eq!(columns_of("上海 SH"), 7);
        let mut out = Vec::new();
        let mut writer =
            TidyWriter::new(&["name", "x"], TotalFormat::Table, false, &mut out).unwrap();
        writer.row(vec!["上海".into(), "1".into()]).unwrap();
        writer.row(vec!["abcd".into(), "2".into()]).unwrap();
        writer.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "上海  1");
        assert_eq!(lines[2], "abcd  2");
    }

    #[test]
    fn terminal_text_is_escaped_and_csv_formulas_are_guarded() {
        let cells = || {
            vec![
                Value::from("S_1"),
                Value::from("=cmd|'/c calc'!A1\u{1b}[2J"),
            ]
        };
        let table = render(TotalFormat::Table, cells());
        assert!(!table.contains('\u{1b}'), "{table}");
        let csv = render(TotalFormat::Csv, cells());
        assert!(csv.contains("'=cmd"), "{csv}");
        let json: Value = serde_json::from_str(&render(TotalFormat::Json, cells())).unwrap();
        assert_eq!(json[0]["id"], "S_1");
    }
}
