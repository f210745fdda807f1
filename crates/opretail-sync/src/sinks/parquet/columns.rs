//! The Arrow side of the catalog: each stream's schema, the day a row belongs to, and the
//! columnar buffers rows wait in until they are written.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampSecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::rows::Cell;
use crate::stream::{ColumnType, Stream, Table};

/// The Arrow type of a catalog type. Times are gateway-local and carry no zone: a
/// `Timestamp(Second, None)` holds the local wall-clock time counted as if it were UTC, which
/// Parquet records as a timestamp not adjusted to UTC, and which DuckDB and Spark read back
/// as the same wall-clock time.
pub(crate) fn arrow_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Real => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Second, None),
    }
}

/// The schema of `stream`'s files: the catalog's columns in order, with its nullability, each
/// field describing itself.
pub(crate) fn schema(stream: Stream) -> SchemaRef {
    let fields: Vec<Field> = stream
        .table()
        .columns
        .iter()
        .map(|c| {
            Field::new(c.name, arrow_type(c.kind), c.nullable).with_metadata(HashMap::from([(
                "description".to_owned(),
                c.description.to_owned(),
            )]))
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Whether a file's schema has the catalog's columns (names, types, nullability), metadata
/// aside.
pub(crate) fn same_columns(found: &Schema, wanted: &Schema) -> bool {
    found.fields().len() == wanted.fields().len()
        && found.fields().iter().zip(wanted.fields()).all(|(f, w)| {
            f.name() == w.name()
                && f.data_type() == w.data_type()
                && f.is_nullable() == w.is_nullable()
        })
}

/// The column whose day partitions `stream` (`None`: one file for the whole stream).
pub(crate) fn day_column(stream: Stream) -> Option<&'static str> {
    match stream {
        Stream::Stores => None,
        Stream::FlowHourly => Some("bucket_start"),
        Stream::FlowDaily | Stream::DemographicsDaily => Some("day"),
        Stream::Totals => Some("taken_at"),
    }
}

/// The day of a row, from the cell of its day column.
pub(crate) fn day_of(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(day) => Some(*day),
        Cell::Timestamp(at) => Some(at.date()),
        _ => None,
    }
}

/// Seconds since 1970 of a gateway-local time counted as if it were UTC.
pub(crate) fn seconds(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp()
}

/// 1970-01-01 counted from 0001-01-01 as day 1.
const EPOCH_FROM_CE: i32 = 719_163;

/// Days since 1970 of a day, as Arrow's `Date32` counts them.
pub(crate) fn days(day: NaiveDate) -> i32 {
    // Chrono's days lie within ±262,143 years: no overflow.
    day.num_days_from_ce() - EPOCH_FROM_CE
}

/// One column's values as they arrive, in Arrow's layout: a tenth of the memory of the
/// rows' cells.
enum ColumnBuilder {
    Text(StringBuilder),
    Integer(Int64Builder),
    Real(Float64Builder),
    Boolean(BooleanBuilder),
    Date(Date32Builder),
    Timestamp(TimestampSecondBuilder),
}

/// The rows a small buffer starts with: builders grow by doubling, so a day that gets a few
/// rows (the daily streams) does not reserve room for thousands.
const INITIAL_ROWS: usize = 64;

impl ColumnBuilder {
    fn new(kind: ColumnType) -> ColumnBuilder {
        match kind {
            ColumnType::Text => {
                ColumnBuilder::Text(StringBuilder::with_capacity(INITIAL_ROWS, INITIAL_ROWS * 8))
            }
            ColumnType::Integer => {
                ColumnBuilder::Integer(Int64Builder::with_capacity(INITIAL_ROWS))
            }
            ColumnType::Real => ColumnBuilder::Real(Float64Builder::with_capacity(INITIAL_ROWS)),
            ColumnType::Boolean => {
                ColumnBuilder::Boolean(BooleanBuilder::with_capacity(INITIAL_ROWS))
            }
            ColumnType::Date => ColumnBuilder::Date(Date32Builder::with_capacity(INITIAL_ROWS)),
            ColumnType::Timestamp => {
                ColumnBuilder::Timestamp(TimestampSecondBuilder::with_capacity(INITIAL_ROWS))
            }
        }
    }

    /// Appends a cell; `false` (nothing appended) when it does not fit the column.
    fn append(&mut self, cell: &Cell) -> bool {
        match (self, cell) {
            (ColumnBuilder::Text(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Integer(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Real(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Boolean(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Date(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Timestamp(b), Cell::Null) => b.append_null(),
            (ColumnBuilder::Text(b), Cell::Text(v)) => b.append_value(v),
            (ColumnBuilder::Integer(b), Cell::Integer(v)) => b.append_value(*v),
            (ColumnBuilder::Real(b), Cell::Real(v)) => b.append_value(*v),
            (ColumnBuilder::Boolean(b), Cell::Boolean(v)) => b.append_value(*v),
            (ColumnBuilder::Date(b), Cell::Date(v)) => b.append_value(days(*v)),
            (ColumnBuilder::Timestamp(b), Cell::Timestamp(v)) => b.append_value(seconds(*v)),
            _ => return false,
        }
        true
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Text(b) => Arc::new(b.finish()),
            ColumnBuilder::Integer(b) => Arc::new(b.finish()),
            ColumnBuilder::Real(b) => Arc::new(b.finish()),
            ColumnBuilder::Boolean(b) => Arc::new(b.finish()),
            ColumnBuilder::Date(b) => Arc::new(b.finish()),
            ColumnBuilder::Timestamp(b) => Arc::new(b.finish()),
        }
    }
}

/// Rows of one stream and day waiting to be written, column by column.
pub(crate) struct Pending {
    columns: Vec<ColumnBuilder>,
    rows: usize,
}

impl Pending {
    /// No rows yet of `table`.
    pub(crate) fn new(table: &Table) -> Pending {
        Pending {
            columns: table
                .columns
                .iter()
                .map(|c| ColumnBuilder::new(c.kind))
                .collect(),
            rows: 0,
        }
    }

    /// Whether `row` can be appended: one cell per column, each of its column's type.
    pub(crate) fn fits(table: &Table, row: &[Cell]) -> bool {
        row.len() == table.columns.len()
            && row.iter().zip(table.columns).all(|(cell, column)| {
                cell.fits(column.kind) && (column.nullable || *cell != Cell::Null)
            })
    }

    /// Appends a row that [`Pending::fits`].
    pub(crate) fn push(&mut self, row: &[Cell]) {
        for (builder, cell) in self.columns.iter_mut().zip(row) {
            // A row that fits appends a value to every column.
            let _ = builder.append(cell);
        }
        self.rows += 1;
    }

    /// The rows waiting.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The rows as one Arrow batch of `schema`; the buffer is empty afterwards.
    pub(crate) fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, String> {
        let columns: Vec<ArrayRef> = self.columns.iter_mut().map(ColumnBuilder::finish).collect();
        self.rows = 0;
        RecordBatch::try_new(schema.clone(), columns).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_days_count_from_1970_as_arrow_does() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(days(day(1970, 1, 2)), 1);
        assert_eq!(days(day(1969, 12, 31)), -1);
        assert_eq!(days(day(2026, 11, 3)), 20_760);
        let at = day(1970, 1, 2).and_hms_opt(8, 0, 1).unwrap();
        assert_eq!(
            seconds(at),
            86_400 + 8 * 3_600 + 1,
            "a local time counted as if UTC"
        );
        assert_eq!(day_of(&Cell::Timestamp(at)), Some(at.date()));
        assert_eq!(day_of(&Cell::Null), None);
    }

    #[test]
    fn a_row_of_the_wrong_shape_does_not_fit() {
        let table = Stream::Stores.table();
        let mut row = vec![Cell::Null; table.columns.len()];
        assert!(!Pending::fits(table, &row), "store_id may not be null");
        row[0] = Cell::Text("S_1".into());
        row[9] = Cell::Timestamp(chrono::DateTime::UNIX_EPOCH.naive_utc());
        row[10] = Cell::Timestamp(chrono::DateTime::UNIX_EPOCH.naive_utc());
        assert!(Pending::fits(table, &row));
        row[1] = Cell::Integer(1);
        assert!(!Pending::fits(table, &row), "name is text");
        assert!(!Pending::fits(table, &row[1..]));
    }
}
