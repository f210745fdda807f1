//! The PostgreSQL sink: the same tables as the SQLite sink (one per stream, the marks in
//! `_opretail_state`, the runs in `_opretail_runs`, raw answers in `_opretail_raw`), typed
//! natively: `text`, `bigint`, `double precision`, `boolean`, `date` and `timestamp`.
//!
//! Times are `timestamp` *without* time zone: they are the gateway's local time (UTC+08:00
//! unless the client was configured otherwise), exactly as the catalog describes them, and
//! the session's `TimeZone` never shifts them.
//!
//! Each batch is one transaction of three pipelined statements: the rows upserted by one
//! `INSERT … SELECT * FROM unnest($1::text[], $2::timestamp[], …) ON CONFLICT (key) DO
//! UPDATE` (each column one array parameter), the marks upserted the same way, and the raw
//! answers inserted. Every statement is prepared once per connection. (A binary `COPY` into
//! a temporary staging table, then `INSERT … SELECT`, measured no faster on batches of
//! 10,000 rows and three times slower on the small ones a sync mostly writes, a store's few
//! days, for its extra round trips.)
//!
//! Tables are created, unqualified, in the first schema of the `search_path` (usually
//! `public`); add `?options=-csearch_path%3Dfootfall` to the URL to use another.
//!
//! The connection is plain: `sslmode=disable` and `sslmode=prefer` (the default, which then
//! connects without TLS) are accepted, and any mode that requires TLS (`require`,
//! `verify-ca`, `verify-full`) is refused before connecting, with a message saying so. Use
//! a Unix socket (`postgres://user@%2Fvar%2Frun%2Fpostgresql/db`), a trusted network or a
//! TLS tunnel. The driver is asynchronous; the sink drives it on a single-threaded runtime
//! of its own, so its methods block and must not be called from inside an async task.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::hash::Hash;
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use futures_util::TryStreamExt;
use futures_util::future::try_join3;
use secrecy::SecretString;
use tokio::runtime::Runtime;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Statement, Transaction};

use crate::read::{DemographicsRow, FlowRow, FlowTable};
use crate::rows::{Batch, Cell, Mark, RawAnswer, Rows};
use crate::sink::{LastRun, RunEnd, RunStart, Sink, SinkError, Status, StreamStatus};
use crate::sql;
use crate::stream::{ColumnType, Stream, Table};
use crate::target::Target;

/// How long a connection attempt may take when the URL sets no `connect_timeout`: a host
/// that drops packets would otherwise hang the sync for minutes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The PostgreSQL sink. See the module's documentation.
pub struct PostgresSink {
    /// Always `Some` until the sink is dropped, when it is shut down without blocking.
    runtime: Option<Runtime>,
    client: Client,
    /// The target as shown: the URL with its password replaced by `***`.
    name: String,
    /// The statements prepared on this connection, by their SQL.
    prepared: HashMap<String, Statement>,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSink")
            .field("target", &self.name)
            .finish_non_exhaustive()
    }
}

impl Drop for PostgresSink {
    fn drop(&mut self) {
        // A runtime dropped the usual way blocks, which panics when the sink is dropped on an
        // async task (an engine cancelled mid-run). Nothing is in flight between calls, so
        // dropping the connection task unfinished only closes the socket.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The PostgreSQL type of a catalog type.
pub fn sql_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Text => "text",
        ColumnType::Integer => "bigint",
        ColumnType::Real => "double precision",
        ColumnType::Boolean => "boolean",
        ColumnType::Date => "date",
        ColumnType::Timestamp => "timestamp",
    }
}

/// A key cell that can be hashed: a float by its bits.
#[derive(PartialEq, Eq, Hash)]
enum KeyCell<'a> {
    Null,
    Text(&'a str),
    Integer(i64),
    Real(u64),
    Boolean(bool),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

impl<'a> From<&'a Cell> for KeyCell<'a> {
    fn from(cell: &'a Cell) -> Self {
        match cell {
            Cell::Null => KeyCell::Null,
            Cell::Text(text) => KeyCell::Text(text),
            Cell::Integer(v) => KeyCell::Integer(*v),
            Cell::Real(v) => KeyCell::Real(v.to_bits()),
            Cell::Boolean(v) => KeyCell::Boolean(*v),
            Cell::Date(day) => KeyCell::Date(*day),
            Cell::Timestamp(at) => KeyCell::Timestamp(*at),
        }
    }
}

/// The rows to write when some key comes twice: the last row of each key, in order, as
/// successive upserts would leave it. `None` when every key comes once (always, from the
/// engine). One `INSERT … ON CONFLICT` may not touch a row twice, so without this a repeated
/// key would fail the whole batch. Unlike successive upserts, a new row given twice takes
/// its kept columns (a store's `first_seen`) from the last one too.
fn last_of_each_key(rows: &Rows) -> Option<Vec<usize>> {
    let table = rows.stream().table();
    let positions: Vec<usize> = table
        .primary_key
        .iter()
        .filter_map(|name| table.position(name))
        .collect();
    let mut last: HashMap<Vec<KeyCell<'_>>, usize> = HashMap::with_capacity(rows.len());
    for (at, row) in rows.iter().enumerate() {
        let key = positions.iter().map(|&p| KeyCell::from(&row[p])).collect();
        last.insert(key, at);
    }
    if last.len() == rows.len() {
        return None;
    }
    let mut keep: Vec<usize> = last.into_values().collect();
    keep.sort_unstable();
    Some(keep)
}

/// The last of each key of `items`, in the order of the keys.
fn last_by<'a, K: Ord, T>(items: &'a [T], key: impl Fn(&'a T) -> K) -> Vec<&'a T> {
    let mut last = BTreeMap::new();
    for item in items {
        last.insert(key(item), item);
    }
    last.into_values().collect()
}

/// The driver's error as one line: a server's error with its code, detail and hint, any
/// other with its causes. Neither ever holds the password.
fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        if let Some(detail) = db.detail() {
            text.push_str(&format!(" ({detail})"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("; hint: {hint}"));
        }
        return text;
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_closed() {
        text.push_str(" (the connection to the server was lost: run the sync again)");
    }
    text
}

/// What to do about a failed connection.
fn connect_advice(error: &tokio_postgres::Error) -> &'static str {
    match error.code() {
        Some(code) if *code == SqlState::INVALID_PASSWORD => {
            "check the user and password in the URL"
        }
        Some(code) if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            "check the user in the URL, and that the server's pg_hba.conf lets it connect from here"
        }
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => {
            "create the database (createdb NAME) or fix its name in the URL"
        }
        Some(_) => "check the URL and the server's log",
        None => {
            "check that the server is running and accepts connections at the URL's host and port \
             (or socket directory), and that the URL is right"
        }
    }
}

/// The URL as errors show it: `Target`'s form (the password after the user replaced by
/// `***`), and a password given as a parameter (`?password=…`, which the driver accepts too)
/// replaced as well.
fn shown(url: &str) -> String {
    let name = Target::Postgres(SecretString::from(url)).to_string();
    match url::Url::parse(&name) {
        Ok(mut parsed) if parsed.query_pairs().any(|(key, _)| key == "password") => {
            let pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .map(|(key, value)| {
                    let value = if key == "password" {
                        "***".into()
                    } else {
                        value
                    };
                    (key.into_owned(), value.into_owned())
                })
                .collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
            parsed.to_string()
        }
        Ok(_) => name,
        // Unparsable, it may still hold a password anywhere: show its scheme only.
        Err(_) => "postgres://…".to_owned(),
    }
}

/// Refuses an `sslmode` that needs TLS: this sink connects without it.
fn refuse_tls(url: &str) -> Result<(), String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Ok(());
    };
    for (key, mode) in parsed.query_pairs() {
        if key == "sslmode" && mode != "disable" && mode != "prefer" {
            return Err(format!(
                "sslmode={mode} needs TLS, which this sink does not support yet: use sslmode=disable \
                 (or leave it out) on a trusted network or a Unix socket, or connect through a TLS tunnel"
            ));
        }
    }
    Ok(())
}

impl PostgresSink {
    /// Connects to the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`,
    /// a Unix socket directory as a percent-encoded host). Nothing is created yet.
    ///
    /// Refused before connecting: an `sslmode` other than `disable` or `prefer` (this sink
    /// has no TLS). Errors show the URL with its password replaced by `***`.
    pub fn connect(url: &str) -> Result<PostgresSink, SinkError> {
        let name = shown(url);
        refuse_tls(url).map_err(|message| SinkError::new(&name, message))?;
        let mut config = Config::from_str(url).map_err(|e| {
            SinkError::new(
                &name,
                format!(
                    "the URL is not a PostgreSQL connection URL ({}): postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
                    describe(&e)
                ),
            )
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            // Shown in pg_stat_activity, so that a DBA sees what holds the connection.
            config.application_name("opretail-sync");
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| {
                SinkError::new(&name, format!("cannot start the driver's runtime: {e}"))
            })?;
        let (client, connection) = runtime.block_on(config.connect(NoTls)).map_err(|e| {
            SinkError::new(
                &name,
                format!("cannot connect ({}): {}", describe(&e), connect_advice(&e)),
            )
        })?;
        // The connection runs only while a call blocks on the runtime, which is exactly when
        // the client needs it.
        runtime.spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error = %describe(&error), "the PostgreSQL connection ended");
            }
        });
        Ok(PostgresSink {
            runtime: Some(runtime),
            client,
            name,
            prepared: HashMap::new(),
        })
    }

    fn error(&self, what: &str, error: &tokio_postgres::Error) -> SinkError {
        SinkError::new(&self.name, format!("{what}: {}", describe(error)))
    }

    /// Runs `work` on the sink's runtime.
    fn block_on<F: Future>(
        runtime: &Option<Runtime>,
        name: &str,
        work: F,
    ) -> Result<F::Output, SinkError> {
        match runtime {
            Some(runtime) => Ok(runtime.block_on(work)),
            None => Err(SinkError::new(name, "the sink is closed")),
        }
    }

    fn has_table(&self, name: &str) -> Result<bool, SinkError> {
        let row = Self::block_on(
            &self.runtime,
            &self.name,
            self.client
                .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name]),
        )?
        .map_err(|e| self.error("cannot read the schema", &e))?;
        row.try_get(0)
            .map_err(|e| self.error("cannot read the schema", &e))
    }
}

/// One column's values of the rows, as one array parameter.
enum Values<'a> {
    Text(Vec<Option<&'a str>>),
    Integer(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Boolean(Vec<Option<bool>>),
    Date(Vec<Option<NaiveDate>>),
    Timestamp(Vec<Option<NaiveDateTime>>),
}

impl<'a> Values<'a> {
    /// The cells of column `at` of `rows`, of type `kind`. A cell of another type cannot
    /// come ([`Rows::push`] checks them against the catalog); it would be written null.
    fn of(rows: &[&'a [Cell]], at: usize, kind: ColumnType) -> Values<'a> {
        let cells = rows
            .iter()
            .map(move |row| row.get(at).unwrap_or(&Cell::Null));
        match kind {
            ColumnType::Text => Values::Text(
                cells
                    .map(|c| match c {
                        Cell::Text(v) => Some(v.as_str()),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Integer => Values::Integer(
                cells
                    .map(|c| match c {
                        Cell::Integer(v) => Some(*v),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Real => Values::Real(
                cells
                    .map(|c| match c {
                        Cell::Real(v) => Some(*v),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Boolean => Values::Boolean(
                cells
                    .map(|c| match c {
                        Cell::Boolean(v) => Some(*v),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Date => Values::Date(
                cells
                    .map(|c| match c {
                        Cell::Date(v) => Some(*v),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Timestamp => Values::Timestamp(
                cells
                    .map(|c| match c {
                        Cell::Timestamp(v) => Some(*v),
                        _ => None,
                    })
                    .collect(),
            ),
        }
    }

    fn param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Values::Text(v) => v,
            Values::Integer(v) => v,
            Values::Real(v) => v,
            Values::Boolean(v) => v,
            Values::Date(v) => v,
            Values::Timestamp(v) => v,
        }
    }
}

/// The upsert of a whole batch of `table` in one statement: each column one array
/// parameter, turned back into rows by `unnest`.
fn unnest_upsert(table: &Table) -> String {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let arrays: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(at, c)| format!("${}::{}[]", at + 1, sql_type(c.kind)))
        .collect();
    format!(
        "INSERT INTO {} ({}) SELECT * FROM unnest({}) {}",
        table.name,
        names.join(", "),
        arrays.join(", "),
        sql::on_conflict(table)
    )
}

/// Upserts `rows` (only those at `keep`, when given) with `upsert`, an [`unnest_upsert`].
async fn unnest_rows(
    tx: &Transaction<'_>,
    upsert: &Statement,
    rows: &Rows,
    keep: Option<&[usize]>,
) -> Result<u64, tokio_postgres::Error> {
    let all: Vec<&[Cell]> = rows.iter().collect();
    let chosen: Vec<&[Cell]> = match keep {
        None => all,
        Some(keep) => keep.iter().filter_map(|&at| all.get(at).copied()).collect(),
    };
    let columns = rows.stream().table().columns;
    let values: Vec<Values<'_>> = columns
        .iter()
        .enumerate()
        .map(|(at, c)| Values::of(&chosen, at, c.kind))
        .collect();
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(Values::param).collect();
    tx.execute(upsert, &params).await
}

/// The statement of `sql`, prepared once per connection: a statement prepared again for
/// every batch would cost a round trip each time.
async fn prepared(
    client: &Client,
    cache: &mut HashMap<String, Statement>,
    sql: &str,
) -> Result<Statement, tokio_postgres::Error> {
    if let Some(statement) = cache.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql).await?;
    cache.insert(sql.to_owned(), statement.clone());
    Ok(statement)
}

const UPSERT_MARKS: &str = "INSERT INTO _opretail_state (stream, store_id, complete_until) \
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp[]) \
     ON CONFLICT (stream, store_id) DO UPDATE SET complete_until = excluded.complete_until";

const INSERT_RAW: &str = "INSERT INTO _opretail_raw (run_id, method, params, cid, received_at, body) \
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamp[], $6::text[])";

async fn write_marks(
    tx: &Transaction<'_>,
    upsert: &Statement,
    marks: &[Mark],
) -> Result<(), tokio_postgres::Error> {
    // One upsert may not touch a mark twice: the last of a store's marks wins.
    let marks = last_by(marks, |m| (m.stream, m.store_id.as_str()));
    let streams: Vec<&str> = marks.iter().map(|m| m.stream.name()).collect();
    let stores: Vec<&str> = marks.iter().map(|m| m.store_id.as_str()).collect();
    let until: Vec<NaiveDateTime> = marks.iter().map(|m| m.complete_until).collect();
    tx.execute(upsert, &[&streams, &stores, &until])
        .await
        .map(drop)
}

async fn write_raw(
    tx: &Transaction<'_>,
    insert: &Statement,
    raw: &[RawAnswer],
) -> Result<(), tokio_postgres::Error> {
    let runs: Vec<i64> = raw.iter().map(|r| r.run_id).collect();
    let methods: Vec<&str> = raw.iter().map(|r| r.method.as_str()).collect();
    let params: Vec<&str> = raw.iter().map(|r| r.params.as_str()).collect();
    let cids: Vec<Option<&str>> = raw.iter().map(|r| r.cid.as_deref()).collect();
    let received: Vec<NaiveDateTime> = raw.iter().map(|r| r.received_at).collect();
    let bodies: Vec<&str> = raw.iter().map(|r| r.body.as_str()).collect();
    tx.execute(
        insert,
        &[&runs, &methods, &params, &cids, &received, &bodies],
    )
    .await
    .map(drop)
}

/// The state tables, as the SQLite sink has them, typed natively.
const STATE_TABLES: &str = "\
    CREATE TABLE IF NOT EXISTS _opretail_state (stream text NOT NULL, store_id text NOT NULL, \
    complete_until timestamp NOT NULL, PRIMARY KEY (stream, store_id));\n\
    CREATE TABLE IF NOT EXISTS _opretail_runs (run_id bigint PRIMARY KEY, started_at timestamp NOT NULL, \
    finished_at timestamp, outcome text, streams text NOT NULL, rows bigint, failed_stores bigint);\n\
    CREATE TABLE IF NOT EXISTS _opretail_raw (run_id bigint NOT NULL, method text NOT NULL, \
    params text NOT NULL, cid text, received_at timestamp NOT NULL, body text NOT NULL);\n";

impl Sink for PostgresSink {
    fn start_run(&mut self, run: &RunStart) -> Result<(), SinkError> {
        let mut ddl = String::new();
        for stream in &run.streams {
            ddl.push_str(&sql::create_table(stream.table(), sql_type));
            ddl.push_str(";\n");
        }
        ddl.push_str(STATE_TABLES);
        let streams: Vec<&str> = run.streams.iter().map(|s| s.name()).collect();
        let streams = streams.join(",");
        let client = &mut self.client;
        let done = Self::block_on(&self.runtime, &self.name, async {
            let tx = client.transaction().await?;
            tx.batch_execute(&ddl).await?;
            tx.execute(
                "INSERT INTO _opretail_runs (run_id, started_at, streams) VALUES ($1, $2, $3)",
                &[&run.run_id, &run.started_at, &streams],
            )
            .await?;
            tx.commit().await
        })?;
        done.map_err(|e| self.error("cannot create the tables", &e))
    }

    fn marks(&mut self, stream: Stream) -> Result<BTreeMap<String, NaiveDateTime>, SinkError> {
        let rows = Self::block_on(
            &self.runtime,
            &self.name,
            self.client.query(
                "SELECT store_id, complete_until FROM _opretail_state WHERE stream = $1",
                &[&stream.name()],
            ),
        )?
        .map_err(|e| self.error("cannot read the marks", &e))?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(|e| self.error("cannot read the marks", &e))
    }

    fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        let table = batch.rows.stream().table();
        let Self {
            runtime,
            client,
            name,
            prepared: cache,
        } = self;
        let done = Self::block_on(runtime, name, async {
            let upsert = if batch.rows.is_empty() {
                None
            } else {
                Some(prepared(client, cache, &unnest_upsert(table)).await?)
            };
            let marks = if batch.marks.is_empty() {
                None
            } else {
                Some(prepared(client, cache, UPSERT_MARKS).await?)
            };
            let raw = if batch.raw.is_empty() {
                None
            } else {
                Some(prepared(client, cache, INSERT_RAW).await?)
            };
            let tx = client.transaction().await?;
            let keep = last_of_each_key(&batch.rows);
            // Sent together, answered together: one round trip for the three.
            try_join3(
                async {
                    match &upsert {
                        Some(upsert) => unnest_rows(&tx, upsert, &batch.rows, keep.as_deref())
                            .await
                            .map(drop),
                        None => Ok(()),
                    }
                },
                async {
                    match &marks {
                        Some(upsert) => write_marks(&tx, upsert, &batch.marks).await,
                        None => Ok(()),
                    }
                },
                async {
                    match &raw {
                        Some(insert) => write_raw(&tx, insert, &batch.raw).await,
                        None => Ok(()),
                    }
                },
            )
            .await?;
            tx.commit().await
        })?;
        done.map_err(|e| self.error("cannot write", &e))
    }

    fn finish_run(&mut self, run: &RunEnd) -> Result<(), SinkError> {
        let rows = i64::try_from(run.rows).unwrap_or(i64::MAX);
        let failed = i64::try_from(run.failed_stores).unwrap_or(i64::MAX);
        Self::block_on(
            &self.runtime,
            &self.name,
            self.client.execute(
                "UPDATE _opretail_runs SET finished_at = $2, outcome = $3, rows = $4, failed_stores = $5 \
                 WHERE run_id = $1",
                &[
                    &run.run_id,
                    &run.finished_at,
                    &run.outcome.name(),
                    &rows,
                    &failed,
                ],
            ),
        )?
        .map(drop)
        .map_err(|e| self.error("cannot record the run's end", &e))
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
            "NULL::text"
        };
        let bucket = crate::sql::bucket_column(table);
        let sql = format!(
            "SELECT f.store_id, {names}, f.{bucket}, f.entering, f.passing, f.outside, f.partial \
             FROM {} f WHERE f.{bucket} >= $1 AND f.{bucket} < $2 ORDER BY f.store_id, f.{bucket}",
            table.name()
        );
        let (start, end) = crate::sql::time_range(from, to);
        let (start_day, end_day) = (start.date(), end.date());
        let bounds: [&(dyn ToSql + Sync); 2] = match table {
            FlowTable::Hourly => [&start, &end],
            FlowTable::Daily => [&start_day, &end_day],
        };
        let failed =
            |e: tokio_postgres::Error| self.error(&format!("cannot read {}", table.name()), &e);
        let row_of = |row: tokio_postgres::Row| -> Result<FlowRow, tokio_postgres::Error> {
            let start = match table {
                FlowTable::Hourly => row.try_get::<_, NaiveDateTime>(2)?,
                FlowTable::Daily => row
                    .try_get::<_, NaiveDate>(2)?
                    .and_time(chrono::NaiveTime::MIN),
            };
            Ok(FlowRow {
                store_id: row.try_get(0)?,
                name: row.try_get(1)?,
                start,
                entering: row.try_get(3)?,
                passing: row.try_get(4)?,
                outside: row.try_get(5)?,
                partial: row.try_get::<_, Option<bool>>(6)?.unwrap_or(false),
            })
        };
        // Row by row as the server sends them: `query` would collect them all first.
        let read = async {
            let rows = self.client.query_raw(&sql, bounds).await?;
            let mut rows = std::pin::pin!(rows);
            while let Some(row) = rows.try_next().await? {
                each(row_of(row)?);
            }
            Ok(())
        };
        Self::block_on(&self.runtime, &self.name, read)?.map_err(failed)
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
        let failed = |e: tokio_postgres::Error| self.error("cannot read demographics_daily", &e);
        let bounds: [&(dyn ToSql + Sync); 2] = [&from, &to];
        let read = async {
            let rows = self
                .client
                .query_raw(
                    "SELECT store_id, day, dimension, grp, people FROM demographics_daily \
                     WHERE day >= $1 AND day <= $2 ORDER BY store_id, day, dimension, grp",
                    bounds,
                )
                .await?;
            let mut rows = std::pin::pin!(rows);
            while let Some(row) = rows.try_next().await? {
                each(DemographicsRow {
                    store_id: row.try_get(0)?,
                    day: row.try_get(1)?,
                    dimension: row.try_get(2)?,
                    group: row.try_get(3)?,
                    people: row.try_get(4)?,
                });
            }
            Ok(())
        };
        Self::block_on(&self.runtime, &self.name, read)?.map_err(failed)
    }

    fn status(&mut self) -> Result<Status, SinkError> {
        let mut status = Status::default();
        let has_state = self.has_table("_opretail_state")?;
        let read = |e: tokio_postgres::Error| self.error("cannot read the status", &e);
        for stream in Stream::ALL {
            if !self.has_table(stream.name())? {
                continue;
            }
            let counts = Self::block_on(
                &self.runtime,
                &self.name,
                self.client.query_one(
                    &format!(
                        "SELECT count(*), count(DISTINCT store_id) FROM {}",
                        stream.name()
                    ),
                    &[],
                ),
            )?
            .map_err(read)?;
            let rows: i64 = counts.try_get(0).map_err(read)?;
            let stores: i64 = counts.try_get(1).map_err(read)?;
            let mut entry = StreamStatus {
                rows: u64::try_from(rows).unwrap_or_default(),
                stores: u64::try_from(stores).unwrap_or_default(),
                ..StreamStatus::default()
            };
            if has_state {
                let marks = Self::block_on(
                    &self.runtime,
                    &self.name,
                    self.client.query_one(
                        "SELECT min(complete_until), max(complete_until) FROM _opretail_state \
                         WHERE stream = $1",
                        &[&stream.name()],
                    ),
                )?
                .map_err(read)?;
                entry.oldest_mark = marks.try_get(0).map_err(read)?;
                entry.newest_mark = marks.try_get(1).map_err(read)?;
            }
            status.streams.insert(stream, entry);
        }
        if self.has_table("_opretail_runs")? {
            let last = Self::block_on(
                &self.runtime,
                &self.name,
                self.client.query_opt(
                    "SELECT run_id, started_at, finished_at, outcome, rows, failed_stores \
                     FROM _opretail_runs ORDER BY run_id DESC LIMIT 1",
                    &[],
                ),
            )?
            .map_err(|e| self.error("cannot read the last run", &e))?;
            status.last_run = last
                .map(|row| {
                    let count = |n: Option<i64>| n.map(|n| u64::try_from(n).unwrap_or_default());
                    Ok::<_, tokio_postgres::Error>(LastRun {
                        run_id: row.try_get(0)?,
                        started_at: row.try_get(1)?,
                        finished_at: row.try_get(2)?,
                        outcome: row.try_get(3)?,
                        rows: count(row.try_get(4)?),
                        failed_stores: count(row.try_get(5)?),
                    })
                })
                .transpose()
                .map_err(|e| self.error("cannot read the last run", &e))?;
        }
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_row(id: &str, name: &str) -> Vec<Cell> {
        let at = NaiveDate::from_ymd_opt(2026, 11, 2)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap();
        let mut row = vec![Cell::Text(id.into()), Cell::Text(name.into())];
        row.extend([Cell::Null, Cell::Null, Cell::Null, Cell::Null]);
        row.extend([Cell::Null, Cell::Null, Cell::Null]);
        row.extend([Cell::Timestamp(at), Cell::Timestamp(at)]);
        row
    }

    #[test]
    fn a_repeated_key_keeps_its_last_row_and_the_order() {
        let mut rows = Rows::new(Stream::Stores);
        for (id, name) in [("S_1", "a"), ("S_2", "b"), ("S_1", "c"), ("S_3", "d")] {
            rows.push(store_row(id, name));
        }
        assert_eq!(last_of_each_key(&rows), Some(vec![1, 2, 3]));
        let mut unique = Rows::new(Stream::Stores);
        unique.push(store_row("S_1", "a"));
        unique.push(store_row("S_2", "b"));
        assert_eq!(last_of_each_key(&unique), None);
    }

    #[test]
    fn tls_modes_are_refused_before_connecting() {
        for mode in ["require", "verify-ca", "verify-full"] {
            let url = format!("postgres://u:pw@127.0.0.1:1/db?sslmode={mode}");
            let error = PostgresSink::connect(&url).unwrap_err().to_string();
            assert!(
                error.contains("needs TLS") && error.contains("sslmode=disable"),
                "{error}"
            );
            assert!(
                error.starts_with("postgres://u:***@127.0.0.1:1/db"),
                "{error}"
            );
            assert!(!error.contains("pw"), "{error}");
        }
        assert!(refuse_tls("postgres://u@h/db?sslmode=disable").is_ok());
        assert!(refuse_tls("postgres://u@h/db?sslmode=prefer").is_ok());
    }

    #[test]
    fn a_password_given_as_a_parameter_never_shows_either() {
        let name = shown("postgres://u@h/db?sslmode=disable&password=hunter2&application_name=x");
        assert_eq!(
            name,
            "postgres://u@h/db?sslmode=disable&password=***&application_name=x"
        );
        assert_eq!(shown("postgres://u:hunter2@h/db"), "postgres://u:***@h/db");
        assert_eq!(shown("postgres://u@h:5432/db"), "postgres://u@h:5432/db");
        let error =
            PostgresSink::connect("postgres://u@127.0.0.1:1/db?password=hunter2&sslmode=require")
                .unwrap_err()
                .to_string();
        assert!(
            !error.contains("hunter2") && error.contains("password=***"),
            "{error}"
        );
    }

    #[test]
    fn types_follow_the_catalog() {
        let ddl = sql::create_table(Stream::FlowHourly.table(), sql_type);
        assert!(ddl.contains("bucket_start timestamp NOT NULL"), "{ddl}");
        assert!(ddl.contains("entering bigint,"), "{ddl}");
        assert!(ddl.contains("entry_rate double precision,"), "{ddl}");
        assert!(ddl.contains("partial boolean NOT NULL"), "{ddl}");
        let daily = sql::create_table(Stream::FlowDaily.table(), sql_type);
        assert!(daily.contains("day date NOT NULL"), "{daily}");
    }
}
