//! What the engine hands a sink: rows of one stream, the marks they complete, and the raw
//! answers they came from, written together or not at all.

use chrono::{NaiveDate, NaiveDateTime};

use crate::stream::{ColumnType, Stream};

/// One value of a row, of its column's [`ColumnType`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value: the platform did not send it.
    Null,
    /// Text.
    Text(String),
    /// An integer.
    Integer(i64),
    /// A float.
    Real(f64),
    /// True or false.
    Boolean(bool),
    /// A day.
    Date(NaiveDate),
    /// A gateway-local time.
    Timestamp(NaiveDateTime),
}

impl Cell {
    /// Whether the cell can be stored in a column of `kind` (null fits any).
    pub fn fits(&self, kind: ColumnType) -> bool {
        matches!(
            (self, kind),
            (Cell::Null, _)
                | (Cell::Text(_), ColumnType::Text)
                | (Cell::Integer(_), ColumnType::Integer)
                | (Cell::Real(_), ColumnType::Real)
                | (Cell::Boolean(_), ColumnType::Boolean)
                | (Cell::Date(_), ColumnType::Date)
                | (Cell::Timestamp(_), ColumnType::Timestamp)
        )
    }
}

impl From<Option<String>> for Cell {
    fn from(text: Option<String>) -> Cell {
        text.map_or(Cell::Null, Cell::Text)
    }
}

impl From<Option<i64>> for Cell {
    fn from(value: Option<i64>) -> Cell {
        value.map_or(Cell::Null, Cell::Integer)
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Cell {
        value.map_or(Cell::Null, Cell::Real)
    }
}

/// Rows of one stream, row after row, each with one cell per column in table order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    stream: Stream,
    cells: Vec<Cell>,
}

impl Rows {
    /// No rows yet of `stream`.
    pub fn new(stream: Stream) -> Rows {
        Rows {
            stream,
            cells: Vec::new(),
        }
    }

    /// Rows of `stream` made of `rows` (see [`Rows::push`]).
    pub fn of(stream: Stream, rows: impl IntoIterator<Item = Vec<Cell>>) -> Rows {
        let mut all = Rows::new(stream);
        for row in rows {
            all.push(row);
        }
        all
    }

    /// Adds a row.
    ///
    /// # Panics
    ///
    /// When the row does not have one cell per column of the stream, or a cell does not fit
    /// its column: a bug of the code that made the row, never of the data.
    pub fn push(&mut self, row: impl IntoIterator<Item = Cell>) {
        let table = self.stream.table();
        let start = self.cells.len();
        self.cells.extend(row);
        let added = &self.cells[start..];
        assert_eq!(
            added.len(),
            table.columns.len(),
            "a row of {} has one cell per column",
            table.name
        );
        for (cell, column) in added.iter().zip(table.columns) {
            assert!(
                cell.fits(column.kind) && (column.nullable || *cell != Cell::Null),
                "{}.{} cannot hold {cell:?}",
                table.name,
                column.name
            );
        }
    }

    /// Their stream.
    pub fn stream(&self) -> Stream {
        self.stream
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.cells.len() / self.stream.table().columns.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The rows, each a slice of cells in column order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[Cell]> + '_ {
        self.cells.chunks_exact(self.stream.table().columns.len())
    }

    /// The rows' cells of column `at`, row after row.
    pub fn column(&self, at: usize) -> impl Iterator<Item = &Cell> + '_ {
        let width = self.stream.table().columns.len();
        self.cells.iter().skip(at).step_by(width)
    }
}

/// How far a store's data of one stream is complete: every bucket that starts before
/// `complete_until` has been written complete. A run re-reads from a little before it
/// (the lookback) to now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The stream.
    pub stream: Stream,
    /// The store, `S_…`.
    pub store_id: String,
    /// The end of its complete buckets, gateway time.
    pub complete_until: NaiveDateTime,
}

impl Mark {
    /// `store_id`'s data of `stream` complete until `complete_until`.
    pub fn new(stream: Stream, store_id: impl Into<String>, complete_until: NaiveDateTime) -> Mark {
        Mark {
            stream,
            store_id: store_id.into(),
            complete_until,
        }
    }
}

/// An answer as it came, kept with `--keep-raw`: never a secret, a token or a signature,
/// only the business parameters and the `data` the gateway sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    /// The run it came in.
    pub run_id: i64,
    /// The gateway method.
    pub method: String,
    /// The business parameters sent, as a JSON object.
    pub params: String,
    /// The gateway's request id (`stat.cid`), to quote to its support.
    pub cid: Option<String>,
    /// When it came, gateway time.
    pub received_at: NaiveDateTime,
    /// The `data` of the answer, as JSON text.
    pub body: String,
}

/// Rows, the marks they complete and their raw answers: a sink writes all of it in one
/// transaction (or an equivalent all-or-nothing step), so that a mark never runs ahead of
/// its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The rows, upserted on the stream's primary key.
    pub rows: Rows,
    /// The marks the rows complete.
    pub marks: Vec<Mark>,
    /// The answers the rows came from, with `--keep-raw`.
    pub raw: Vec<RawAnswer>,
}

impl Batch {
    /// Rows and the marks they complete, without raw answers.
    pub fn new(rows: Rows, marks: Vec<Mark>) -> Batch {
        Batch {
            rows,
            marks,
            raw: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn flow_row(store: &str, d: u32, entering: i64) -> Vec<Cell> {
        vec![
            Cell::Text(store.into()),
            Cell::Date(day(d)),
            Cell::Integer(entering),
            Cell::Null,
            Cell::Null,
            Cell::Real(8.5),
            Cell::Null,
            Cell::Null,
            Cell::Boolean(false),
            Cell::Timestamp(day(d).and_hms_opt(1, 0, 0).unwrap()),
        ]
    }

    #[test]
    fn rows_are_read_back_by_row_and_by_column() {
        let mut rows = Rows::new(Stream::FlowDaily);
        rows.push(flow_row("S_1", 1, 10));
        rows.push(flow_row("S_2", 2, 20));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.iter().nth(1).unwrap()[0], Cell::Text("S_2".into()));
        let entering: Vec<&Cell> = rows.column(2).collect();
        assert_eq!(entering, [&Cell::Integer(10), &Cell::Integer(20)]);
    }

    #[test]
    #[should_panic(expected = "flow_daily.day cannot hold")]
    fn a_cell_of_the_wrong_type_is_a_bug() {
        let mut row = flow_row("S_1", 1, 10);
        row[1] = Cell::Text("2026-11-01".into());
        Rows::new(Stream::FlowDaily).push(row);
    }

    #[test]
    #[should_panic(expected = "one cell per column")]
    fn a_short_row_is_a_bug() {
        let mut row = flow_row("S_1", 1, 10);
        row.pop();
        Rows::new(Stream::FlowDaily).push(row);
    }
}
