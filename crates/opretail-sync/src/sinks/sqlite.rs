//! The SQLite sink: one table per stream, the marks in `_opretail_state`, the runs in
//! `_opretail_runs`, raw answers in `_opretail_raw`; WAL, one transaction per batch,
//! prepared upserts.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql, params};

use crate::read::{DemographicsRow, FlowRow, FlowTable};
use crate::rows::{Batch, Cell};
use crate::sink::{LastRun, RunEnd, RunStart, Sink, SinkError, Status, StreamStatus};
use crate::sql;
use crate::stream::{ColumnType, Stream};

/// The SQLite sink. See the module's documentation.
#[derive(Debug)]
pub struct SqliteSink {
    connection: Connection,
    name: String,
}

/// How times are written: text that sorts as time does.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
const DAY_FORMAT: &str = "%Y-%m-%d";

impl SqliteSink {
    /// Opens (creating when missing) the database at `path`, in WAL mode.
    pub fn open(path: &Path) -> Result<SqliteSink, SinkError> {
        let name = format!("sqlite:{}", path.display());
        let connection = Connection::open(path).map_err(|e| {
            SinkError::new(
                &name,
                format!("cannot open the database ({e}); check that the directory exists and is writable"),
            )
        })?;
        let sink = SqliteSink { connection, name };
        // WAL: readers (sqlite3, a dashboard) never block a sync, and a commit is one append.
        // NORMAL is durable against a killed process, which is what a sync must survive.
        sink.connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;",
            )
            .map_err(|e| sink.error("cannot set the journal mode", e))?;
        Ok(sink)
    }

    fn error(&self, what: &str, error: rusqlite::Error) -> SinkError {
        SinkError::new(&self.name, format!("{what}: {error}"))
    }

    fn has_table(&self, name: &str) -> Result<bool, SinkError> {
        self.connection
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.error("cannot read the schema", e))
    }
}

/// The SQLite type of a catalog type.
pub fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text | ColumnType::Date | ColumnType::Timestamp => "TEXT",
        ColumnType::Integer | ColumnType::Boolean => "INTEGER",
        ColumnType::Real => "REAL",
    }
}

struct SqlCell<'a>(&'a Cell);

impl ToSql for SqlCell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Cell::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Cell::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Cell::Integer(v) => ToSqlOutput::Owned(SqlValue::Integer(*v)),
            Cell::Real(v) => ToSqlOutput::Owned(SqlValue::Real(*v)),
            Cell::Boolean(v) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(*v))),
            Cell::Date(day) => {
                ToSqlOutput::Owned(SqlValue::Text(day.format(DAY_FORMAT).to_string()))
            }
            Cell::Timestamp(at) => {
                ToSqlOutput::Owned(SqlValue::Text(at.format(TIME_FORMAT).to_string()))
            }
        })
    }
}

fn time_text(at: NaiveDateTime) -> String {
    at.format(TIME_FORMAT).to_string()
}

fn read_time(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, TIME_FORMAT)
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, DAY_FORMAT)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

impl Sink for SqliteSink {
    fn start_run(&mut self, run: &RunStart) -> Result<(), SinkError> {
        let mut ddl = String::new();
        for stream in &run.streams {
            ddl.push_str(&sql::create_table(stream.table(), sql_type));
            ddl.push_str(";\n");
        }
        ddl.push_str(
            "CREATE TABLE IF NOT EXISTS _opretail_state (stream TEXT NOT NULL, store_id TEXT NOT NULL, \
             complete_until TEXT NOT NULL, PRIMARY KEY (stream, store_id));\n\
             CREATE TABLE IF NOT EXISTS _opretail_runs (run_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, \
             finished_at TEXT, outcome TEXT, streams TEXT NOT NULL, rows INTEGER, failed_stores INTEGER);\n\
             CREATE TABLE IF NOT EXISTS _opretail_raw (run_id INTEGER NOT NULL, method TEXT NOT NULL, \
             params TEXT NOT NULL, cid TEXT, received_at TEXT NOT NULL, body TEXT NOT NULL);\n",
        );
        let streams: Vec<&str> = run.streams.iter().map(|s| s.name()).collect();
        let tx = self
            .connection
            .transaction()
            .map_err(|e| SinkError::new(&self.name, format!("cannot begin: {e}")))?;
        tx.execute_batch(&ddl)
            .and_then(|()| {
                tx.execute(
                    "INSERT INTO _opretail_runs (run_id, started_at, streams) VALUES (?1, ?2, ?3)",
                    params![run.run_id, time_text(run.started_at), streams.join(",")],
                )
            })
            .and_then(|_| tx.commit())
            .map_err(|e| SinkError::new(&self.name, format!("cannot create the tables: {e}")))
    }

    fn marks(&mut self, stream: Stream) -> Result<BTreeMap<String, NaiveDateTime>, SinkError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT store_id, complete_until FROM _opretail_state WHERE stream = ?1",
            )
            .map_err(|e| self.error("cannot read the marks", e))?;
        let rows = statement
            .query_map([stream.name()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| SinkError::new(&self.name, format!("cannot read the marks: {e}")))?;
        rows.into_iter()
            .map(|(store, text)| match read_time(&text) {
                Some(at) => Ok((store, at)),
                None => Err(SinkError::new(
                    &self.name,
                    format!("the mark of {store} in {stream} is not a time ({text:?}): fix or delete that row of _opretail_state"),
                )),
            })
            .collect()
    }

    fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        let name = self.name.clone();
        let fail = |e: rusqlite::Error| SinkError::new(&name, format!("cannot write: {e}"));
        let tx = self.connection.transaction().map_err(fail)?;
        {
            let table = batch.rows.stream().table();
            let mut upsert = tx.prepare_cached(&sql::upsert(table)).map_err(fail)?;
            for row in batch.rows.iter() {
                upsert
                    .execute(rusqlite::params_from_iter(row.iter().map(SqlCell)))
                    .map_err(fail)?;
            }
            let mut mark = tx
                .prepare_cached(
                    "INSERT INTO _opretail_state (stream, store_id, complete_until) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (stream, store_id) DO UPDATE SET complete_until = excluded.complete_until",
                )
                .map_err(fail)?;
            for m in &batch.marks {
                mark.execute(params![
                    m.stream.name(),
                    m.store_id,
                    time_text(m.complete_until)
                ])
                .map_err(fail)?;
            }
            let mut raw = tx
                .prepare_cached(
                    "INSERT INTO _opretail_raw (run_id, method, params, cid, received_at, body) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(fail)?;
            for r in &batch.raw {
                raw.execute(params![
                    r.run_id,
                    r.method,
                    r.params,
                    r.cid,
                    time_text(r.received_at),
                    r.body
                ])
                .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }

    fn finish_run(&mut self, run: &RunEnd) -> Result<(), SinkError> {
        self.connection
            .execute(
                "UPDATE _opretail_runs SET finished_at = ?2, outcome = ?3, rows = ?4, failed_stores = ?5 \
                 WHERE run_id = ?1",
                params![
                    run.run_id,
                    time_text(run.finished_at),
                    run.outcome.name(),
                    run.rows as i64,
                    run.failed_stores as i64
                ],
            )
            .map(drop)
            .map_err(|e| self.error("cannot record the run's end", e))
    }

    fn each_flow_row(
        &mut self,
        table: FlowTable,
        from: NaiveDate,
        to: NaiveDate,
        each: &mut dyn FnMut(FlowRow),
    ) -> Result<(), SinkError> {
        if !self.has_table(table.name())? {
            return Err(crate::sql::missing_table(&self.name, table.name()));
        }
        let names = if self.has_table("stores")? {
            "(SELECT name FROM stores s WHERE s.store_id = f.store_id)"
        } else {
            "NULL"
        };
        let (start, end) = crate::sql::time_range(from, to);
        let (start, end) = match table {
            FlowTable::Hourly => (time_text(start), time_text(end)),
            FlowTable::Daily => (
                start.format(DAY_FORMAT).to_string(),
                end.format(DAY_FORMAT).to_string(),
            ),
        };
        let bucket = crate::sql::bucket_column(table);
        let sql = format!(
            "SELECT f.store_id, {names}, f.{bucket}, f.entering, f.passing, f.outside, f.partial \
             FROM {} f WHERE f.{bucket} >= ?1 AND f.{bucket} < ?2 ORDER BY f.store_id, f.{bucket}",
            table.name()
        );
        let failed = |e| self.error(&format!("cannot read {}", table.name()), e);
        let mut statement = self.connection.prepare(&sql).map_err(failed)?;
        let rows = statement
            .query_map(params![start, end], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<i64>>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                    row.get::<_, Option<i64>>(6)?,
                ))
            })
            .map_err(failed)?;
        for row in rows {
            let (store_id, name, bucket, entering, passing, outside, partial) =
                row.map_err(failed)?;
            let start = read_time(&bucket).ok_or_else(|| {
                SinkError::new(
                    &self.name,
                    format!("{}: `{bucket}` of {store_id} is not a time", table.name()),
                )
            })?;
            each(FlowRow {
                store_id,
                name,
                start,
                entering,
                passing,
                outside,
                partial: partial.unwrap_or(0) != 0,
            });
        }
        Ok(())
    }

    fn each_demographics_row(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        each: &mut dyn FnMut(DemographicsRow),
    ) -> Result<(), SinkError> {
        let table = "demographics_daily";
        if !self.has_table(table)? {
            return Err(crate::sql::missing_table(&self.name, table));
        }
        let failed = |e| self.error("cannot read demographics_daily", e);
        let mut statement = self
            .connection
            .prepare(
                "SELECT store_id, day, dimension, grp, people FROM demographics_daily \
                 WHERE day >= ?1 AND day <= ?2 ORDER BY store_id, day, dimension, grp",
            )
            .map_err(failed)?;
        let rows = statement
            .query_map(
                params![
                    from.format(DAY_FORMAT).to_string(),
                    to.format(DAY_FORMAT).to_string()
                ],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, Option<i64>>(4)?,
                    ))
                },
            )
            .map_err(failed)?;
        for row in rows {
            let (store_id, day, dimension, group, people) = row.map_err(failed)?;
            let day = NaiveDate::parse_from_str(&day, DAY_FORMAT).map_err(|_| {
                SinkError::new(
                    &self.name,
                    format!("{table}: `{day}` of {store_id} is not a day"),
                )
            })?;
            each(DemographicsRow {
                store_id,
                day,
                dimension,
                group,
                people,
            });
        }
        Ok(())
    }

    fn status(&mut self) -> Result<Status, SinkError> {
        let mut status = Status::default();
        let has_state = self.has_table("_opretail_state")?;
        for stream in Stream::ALL {
            if !self.has_table(stream.name())? {
                continue;
            }
            let read = |e| self.error("cannot read the status", e);
            let (rows, stores): (i64, i64) = self
                .connection
                .query_row(
                    &format!(
                        "SELECT count(*), count(DISTINCT store_id) FROM {}",
                        stream.name()
                    ),
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .map_err(read)?;
            let mut entry = StreamStatus {
                rows: rows as u64,
                stores: stores as u64,
                ..StreamStatus::default()
            };
            if has_state {
                let (oldest, newest): (Option<String>, Option<String>) = self
                    .connection
                    .query_row(
                        "SELECT min(complete_until), max(complete_until) FROM _opretail_state WHERE stream = ?1",
                        [stream.name()],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .map_err(read)?;
                entry.oldest_mark = oldest.as_deref().and_then(read_time);
                entry.newest_mark = newest.as_deref().and_then(read_time);
            }
            status.streams.insert(stream, entry);
        }
        if self.has_table("_opretail_runs")? {
            status.last_run = self
                .connection
                .query_row(
                    "SELECT run_id, started_at, finished_at, outcome, rows, failed_stores \
                     FROM _opretail_runs ORDER BY run_id DESC LIMIT 1",
                    [],
                    |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, Option<String>>(2)?,
                            row.get::<_, Option<String>>(3)?,
                            row.get::<_, Option<i64>>(4)?,
                            row.get::<_, Option<i64>>(5)?,
                        ))
                    },
                )
                .optional()
                .map_err(|e| self.error("cannot read the last run", e))?
                .and_then(|(run_id, started, finished, outcome, rows, failed)| {
                    Some(LastRun {
                        run_id,
                        started_at: read_time(&started)?,
                        finished_at: finished.as_deref().and_then(read_time),
                        outcome,
                        rows: rows.map(|r| r as u64),
                        failed_stores: failed.map(|f| f as u64),
                    })
                });
        }
        Ok(status)
    }
}
