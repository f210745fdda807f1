//! SQL shared by the database sinks (SQLite and PostgreSQL): a stream's table and its
//! upsert, from the catalog. Identifiers come from the catalog, never from input.

use chrono::{NaiveDate, NaiveDateTime};

use crate::read::FlowTable;
use crate::sink::SinkError;
use crate::stream::{OnConflict, Table};

/// `CREATE TABLE IF NOT EXISTS` for `table`, each column typed by `sql_type`.
pub(crate) fn create_table(
    table: &Table,
    sql_type: impl Fn(crate::stream::ColumnType) -> &'static str,
) -> String {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let null = if c.nullable { "" } else { " NOT NULL" };
            format!("{} {}{null}", c.name, sql_type(c.kind))
        })
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))",
        table.name,
        columns.join(", "),
        table.primary_key.join(", ")
    )
}

/// An upsert of one row of `table` with `?` placeholders (SQLite): `INSERT … ON CONFLICT
/// (key) DO UPDATE` of every column that is not part of the key and is replaced on conflict.
#[cfg(feature = "sqlite")]
pub(crate) fn upsert(table: &Table) -> String {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({}) {}",
        table.name,
        names.join(", "),
        vec!["?"; names.len()].join(", "),
        on_conflict(table)
    )
}

/// The `ON CONFLICT (key) DO UPDATE SET …` clause of an upsert into `table`.
pub(crate) fn on_conflict(table: &Table) -> String {
    let updates: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.on_conflict == OnConflict::Replace && !table.primary_key.contains(&c.name))
        .map(|c| format!("{0} = excluded.{0}", c.name))
        .collect();
    if updates.is_empty() {
        return format!("ON CONFLICT ({}) DO NOTHING", table.primary_key.join(", "));
    }
    format!(
        "ON CONFLICT ({}) DO UPDATE SET {}",
        table.primary_key.join(", "),
        updates.join(", ")
    )
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::Stream;

    #[test]
    fn a_stores_upsert_keeps_first_seen_and_replaces_the_rest() {
        let sql = upsert(Stream::Stores.table());
        assert!(
            sql.starts_with("INSERT INTO stores (store_id, name,"),
            "{sql}"
        );
        assert!(sql.contains("?, ?)"), "{sql}");
        assert!(
            sql.contains("ON CONFLICT (store_id) DO UPDATE SET name = excluded.name"),
            "{sql}"
        );
        assert!(sql.contains("last_seen = excluded.last_seen"), "{sql}");
        assert!(!sql.contains("first_seen = excluded"), "{sql}");
        assert!(!sql.contains("store_id = excluded"), "{sql}");
    }
}

/// The bucket column of a flow table, for reading it back.
pub(crate) fn bucket_column(table: FlowTable) -> &'static str {
    match table {
        FlowTable::Hourly => "bucket_start",
        FlowTable::Daily => "day",
    }
}

/// The days `from..=to` as the half-open range of times the flow tables hold them in.
pub(crate) fn time_range(from: NaiveDate, to: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let start = from.and_time(chrono::NaiveTime::MIN);
    let end = to.succ_opt().unwrap_or(to).and_time(chrono::NaiveTime::MIN);
    (start, end)
}

/// The error of a target that has no `table` yet.
pub(crate) fn missing_table(target: &str, table: &str) -> SinkError {
    SinkError::new(
        target,
        format!(
            "has no `{table}` table: fill it first with `opretail sync --to {target} --streams \
             stores,{table}`"
        ),
    )
}
