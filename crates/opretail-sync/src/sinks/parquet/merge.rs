//! The upsert of a file: its rows and the new ones merged on the primary key, as the SQL
//! sinks' `INSERT … ON CONFLICT DO UPDATE` would leave the table, sorted by key.

use std::sync::Arc;

use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Float64Type, Int64Type, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, BooleanArray, PrimitiveArray, RecordBatch, StringArray};
use arrow_schema::{DataType, SchemaRef, TimeUnit};

use crate::stream::{OnConflict, Table};

/// The most columns a primary key has (demographics: store, day, dimension, group).
const KEY_COLUMNS: usize = 4;

/// One column's part of a key: text, or a time or day as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart<'a> {
    Number(i64),
    Text(&'a str),
}

/// A key column of one source, typed.
enum KeyColumn<'a> {
    Text(&'a StringArray),
    Time(&'a PrimitiveArray<TimestampSecondType>),
    Day(&'a PrimitiveArray<Date32Type>),
}

impl<'a> KeyColumn<'a> {
    fn of(array: &'a ArrayRef) -> Option<KeyColumn<'a>> {
        let any = array.as_any();
        match array.data_type() {
            DataType::Utf8 => any.downcast_ref().map(KeyColumn::Text),
            DataType::Timestamp(TimeUnit::Second, None) => any.downcast_ref().map(KeyColumn::Time),
            DataType::Date32 => any.downcast_ref().map(KeyColumn::Day),
            _ => None,
        }
    }

    fn part(&self, row: usize) -> KeyPart<'a> {
        match self {
            KeyColumn::Text(a) => KeyPart::Text(a.value(row)),
            KeyColumn::Time(a) => KeyPart::Number(a.value(row)),
            KeyColumn::Day(a) => KeyPart::Number(i64::from(a.value(row))),
        }
    }
}

/// Where a row is: its source and its index there.
type At = (u32, u32);

/// Merges `sources` (the file's batches, then the new rows, in the order they came) on
/// `table`'s primary key: of the rows sharing a key, the last one's values win, except the
/// columns kept on conflict, which hold the first one's. The result is sorted by key, so that
/// the same rows always give the same file.
pub(crate) fn merge(
    table: &Table,
    schema: &SchemaRef,
    sources: &[RecordBatch],
) -> Result<RecordBatch, String> {
    let key_at: Vec<usize> = table
        .primary_key
        .iter()
        .map(|name| table.position(name))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("{}: a key column is missing", table.name))?;
    if key_at.len() > KEY_COLUMNS {
        return Err(format!("{}: more key columns than a key holds", table.name));
    }
    if sources.len() > u32::MAX as usize {
        return Err("too many batches to merge".into());
    }
    let total: usize = sources.iter().map(RecordBatch::num_rows).sum();
    let mut keyed: Vec<([KeyPart<'_>; KEY_COLUMNS], At)> = Vec::with_capacity(total);
    for (s, source) in sources.iter().enumerate() {
        if source.num_columns() != table.columns.len() || source.num_rows() > u32::MAX as usize {
            return Err(format!("{}: a batch of another shape", table.name));
        }
        let keys: Vec<KeyColumn<'_>> = key_at
            .iter()
            .map(|&at| KeyColumn::of(source.column(at)))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("{}: a key column of another type", table.name))?;
        for row in 0..source.num_rows() {
            let mut key = [KeyPart::Number(0); KEY_COLUMNS];
            for (part, column) in key.iter_mut().zip(&keys) {
                *part = column.part(row);
            }
            keyed.push((key, (s as u32, row as u32)));
        }
    }
    // Stable: rows of one key stay in the order they came.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut first = Vec::with_capacity(keyed.len());
    let mut last = Vec::with_capacity(keyed.len());
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        if let (Some(f), Some(l)) = (group.first(), group.last()) {
            first.push(f.1);
            last.push(l.1);
        }
    }
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|(at, column)| {
            let picks = match column.on_conflict {
                OnConflict::Keep => &first,
                OnConflict::Replace => &last,
            };
            let arrays: Vec<&ArrayRef> = sources.iter().map(|s| s.column(at)).collect();
            gather(&arrays, picks, schema.field(at).data_type())
                .ok_or_else(|| format!("{}.{}: a column of another type", table.name, column.name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| e.to_string())
}

/// The values at `picks` of a column split over `arrays`; `None` when an array is not of
/// `kind`.
fn gather(arrays: &[&ArrayRef], picks: &[At], kind: &DataType) -> Option<ArrayRef> {
    match kind {
        DataType::Utf8 => {
            let typed = downcast::<StringArray>(arrays)?;
            let array: StringArray = picks
                .iter()
                .map(|&(s, r)| value(typed[s as usize], r, |a, r| a.value(r)))
                .collect();
            Some(Arc::new(array))
        }
        DataType::Boolean => {
            let typed = downcast::<BooleanArray>(arrays)?;
            let array: BooleanArray = picks
                .iter()
                .map(|&(s, r)| value(typed[s as usize], r, |a, r| a.value(r)))
                .collect();
            Some(Arc::new(array))
        }
        DataType::Int64 => primitive::<Int64Type>(arrays, picks),
        DataType::Float64 => primitive::<Float64Type>(arrays, picks),
        DataType::Date32 => primitive::<Date32Type>(arrays, picks),
        DataType::Timestamp(TimeUnit::Second, None) => {
            primitive::<TimestampSecondType>(arrays, picks)
        }
        _ => None,
    }
}

fn primitive<T: ArrowPrimitiveType>(arrays: &[&ArrayRef], picks: &[At]) -> Option<ArrayRef> {
    let typed = downcast::<PrimitiveArray<T>>(arrays)?;
    let array: PrimitiveArray<T> = picks
        .iter()
        .map(|&(s, r)| value(typed[s as usize], r, |a, r| a.value(r)))
        .collect();
    Some(Arc::new(array))
}

fn downcast<'a, A: Array + 'static>(arrays: &[&'a ArrayRef]) -> Option<Vec<&'a A>> {
    arrays
        .iter()
        .map(|&a| a.as_any().downcast_ref::<A>())
        .collect()
}

fn value<'a, A: Array, T>(array: &'a A, row: u32, get: impl Fn(&'a A, usize) -> T) -> Option<T> {
    let row = row as usize;
    array.is_valid(row).then(|| get(array, row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sinks::parquet::columns::{Pending, schema};
    use crate::{Cell, Stream};
    use chrono::NaiveDate;

    fn store(id: &str, name: &str, seen_day: u32, code: Option<&str>) -> Vec<Cell> {
        let seen = NaiveDate::from_ymd_opt(2026, 11, seen_day)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let mut row = vec![Cell::Null; Stream::Stores.table().columns.len()];
        row[0] = Cell::Text(id.into());
        row[1] = Cell::Text(name.into());
        row[2] = code.map(str::to_owned).into();
        row[9] = Cell::Timestamp(seen);
        row[10] = Cell::Timestamp(seen);
        row
    }

    fn batch(rows: &[Vec<Cell>]) -> RecordBatch {
        let table = Stream::Stores.table();
        let mut pending = Pending::new(table);
        for row in rows {
            assert!(Pending::fits(table, row));
            pending.push(row);
        }
        pending.finish(&schema(Stream::Stores)).unwrap()
    }

    #[test]
    fn the_last_row_of_a_key_wins_but_kept_columns_hold_the_first() {
        let old = batch(&[
            store("S_2", "two", 1, None),
            store("S_1", "one", 1, Some("A1")),
        ]);
        let new = batch(&[
            store("S_1", "one renamed", 2, Some("A2")),
            store("S_3", "three", 2, Some("C")),
            store("S_1", "one again", 3, None),
        ]);
        let merged = merge(Stream::Stores.table(), &schema(Stream::Stores), &[old, new]).unwrap();
        let ids = merged
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let names = merged
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let times = |at: usize| {
            merged
                .column(at)
                .as_any()
                .downcast_ref::<PrimitiveArray<TimestampSecondType>>()
                .unwrap()
                .values()
                .to_vec()
        };
        assert_eq!(
            ids.iter().flatten().collect::<Vec<_>>(),
            ["S_1", "S_2", "S_3"]
        );
        assert_eq!(
            names.iter().flatten().collect::<Vec<_>>(),
            ["one again", "two", "three"]
        );
        let day = |d: u32| {
            NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp()
        };
        assert_eq!(times(9), [day(1), day(1), day(2)], "first_seen is kept");
        assert_eq!(times(10), [day(3), day(1), day(2)], "last_seen is replaced");
        assert!(merged.column(2).is_null(0), "a null replaces a value too");
        assert!(merged.column(2).is_valid(2));
    }
}
