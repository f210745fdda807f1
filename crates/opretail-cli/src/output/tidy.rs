//! Tidy rows of the listing commands (`stores`, `passenger-flow series`, `demographics`):
//! fixed columns, one row per thing, in every output format.

use std::io;

use opretail_model::Measure;
use serde_json::{Map, Value};

use super::{Format, Framing};
use crate::escape;

/// The widest a table cell gets, in characters, before it is clipped.
const CELL_CHARS: usize = 60;

/// How many rows a table reads before it fixes its column widths: enough for the widths to
/// fit nearly every row, few enough that a table of any length streams.
const TABLE_SAMPLE_ROWS: usize = 200;

/// Separates the cells of a table row on its way to [`Aligned`]; escaped cells never hold it.
const CELL_SEPARATOR: char = '\u{1f}';

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

/// Turns rows of `columns` into the bytes of `format`.
pub struct Tidy {
    columns: &'static [&'static str],
    format: Format,
    csv_raw: bool,
    sandbox: bool,
}

impl Tidy {
    /// Rows of `columns` in `format`; `csv_raw` writes CSV cells without the formula guard;
    /// `sandbox` marks every JSON row as sandbox data (`"sandbox": true`), as
    /// `passenger-flow total` does.
    pub fn new(
        columns: &'static [&'static str],
        format: Format,
        csv_raw: bool,
        sandbox: bool,
    ) -> Tidy {
        Tidy {
            columns,
            format,
            csv_raw,
            sandbox,
        }
    }

    /// What goes around the rows: the CSV header, the JSON array, the aligned table.
    pub fn framing(&self) -> io::Result<Framing> {
        Ok(match self.format {
            Format::Json => Framing::Array,
            Format::Ndjson => Framing::Lines(Vec::new()),
            Format::Csv => {
                Framing::Lines(self.csv_line(self.columns.iter().map(|c| (*c).to_owned()))?)
            }
            Format::Table => Framing::Aligned(Aligned::new(self.columns)),
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
                    .map(|c| (*c).to_owned())
                    .zip(cells)
                    .collect();
                if self.sandbox {
                    object.insert("sandbox".to_owned(), Value::Bool(true));
                }
                serde_json::to_writer(&mut out, &object)?;
                if self.format == Format::Ndjson {
                    out.push(b'\n');
                }
            }
            Format::Csv => out = self.csv_line(cells.iter().map(plain))?,
            Format::Table => {
                let cells: Vec<String> = cells
                    .iter()
                    .map(|c| escape::for_terminal(&plain(c), CELL_CHARS).into_owned())
                    .collect();
                out = cells.join(&CELL_SEPARATOR.to_string()).into_bytes();
            }
        }
        Ok(out)
    }

    fn csv_line(&self, cells: impl Iterator<Item = String>) -> io::Result<Vec<u8>> {
        super::csv::line(cells, self.csv_raw)
    }
}

/// A table whose columns are as wide as their cells. The widths come from the header and the
/// first [`TABLE_SAMPLE_ROWS`] rows, which wait here until then; later rows are written at
/// once with those widths (a wider cell pushes the rest of its own row only).
pub struct Aligned {
    header: Vec<String>,
    widths: Option<Vec<usize>>,
    sample: Vec<Vec<String>>,
}

impl Aligned {
    /// A table of `columns`.
    pub fn new(columns: &[&str]) -> Aligned {
        Aligned {
            header: columns.iter().map(|c| (*c).to_owned()).collect(),
            widths: None,
            sample: Vec::new(),
        }
    }

    /// One row, as [`Tidy::row`] made it.
    pub fn row(&mut self, row: Vec<u8>, out: &mut Vec<u8>) {
        let text = String::from_utf8_lossy(&row);
        let cells: Vec<String> = text.split(CELL_SEPARATOR).map(str::to_owned).collect();
        match &self.widths {
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
        line(&self.header, &widths, out);
        for row in std::mem::take(&mut self.sample) {
            line(&row, &widths, out);
        }
        self.widths = Some(widths);
    }
}

/// One line of a table: cells padded to `widths`, two spaces apart, no trailing blanks.
fn line(cells: &[String], widths: &[usize], out: &mut Vec<u8>) {
    let mut text = String::new();
    for (n, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if n > 0 {
            text.push_str("  ");
        }
        text.push_str(cell);
        if n + 1 < cells.len() {
            let pad = width.saturating_sub(columns_of(cell));
            text.extend(std::iter::repeat_n(' ', pad));
        }
    }
    out.extend_from_slice(text.trim_end().as_bytes());
    out.push(b'\n');
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
