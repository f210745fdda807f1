//! The [`Sink`] trait every target implements, and what it records of runs.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::read::{DemographicsRow, FlowRow, FlowTable};
use crate::rows::Batch;
use crate::stream::Stream;

/// A sink's failure: the database or the files refused a write or a read.
#[derive(Debug, thiserror::Error)]
#[error("{target}: {message}")]
pub struct SinkError {
    target: String,
    message: String,
}

impl SinkError {
    /// An error of `target` (`sqlite:footfall.db`), saying what went wrong and what to do.
    pub fn new(target: impl Into<String>, message: impl Into<String>) -> SinkError {
        SinkError {
            target: target.into(),
            message: message.into(),
        }
    }
}

/// A run as it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStart {
    /// The run's number: its start in microseconds since 1970, unique per target.
    pub run_id: i64,
    /// When it started, gateway time.
    pub started_at: NaiveDateTime,
    /// The streams it fills.
    pub streams: Vec<Stream>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every store of every stream was brought up to date.
    Complete,
    /// Some stores failed; their marks did not move.
    SomeFailed,
    /// Stopped before its end (Ctrl-C, SIGTERM, a sink error).
    Stopped,
}

impl Outcome {
    /// The name stored and shown: `complete`, `some_failed`, `stopped`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Complete => "complete",
            Outcome::SomeFailed => "some_failed",
            Outcome::Stopped => "stopped",
        }
    }
}

/// A run as it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd {
    /// The run's number, as it started.
    pub run_id: i64,
    /// When it ended, gateway time.
    pub finished_at: NaiveDateTime,
    /// How it ended.
    pub outcome: Outcome,
    /// The rows it wrote.
    pub rows: u64,
    /// The stores it failed for.
    pub failed_stores: u64,
}

/// The last run a target recorded. A run killed before its end has no `finished_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastRun {
    /// Its number.
    pub run_id: i64,
    /// When it started, gateway time.
    pub started_at: NaiveDateTime,
    /// When it ended, if it did.
    pub finished_at: Option<NaiveDateTime>,
    /// `complete`, `some_failed`, `stopped`, or `None` when it never ended (killed).
    pub outcome: Option<String>,
    /// Rows written, when it ended.
    pub rows: Option<u64>,
    /// Stores failed, when it ended.
    pub failed_stores: Option<u64>,
}

/// What a target holds of one stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StreamStatus {
    /// Its rows.
    pub rows: u64,
    /// The stores it has rows or a mark for.
    pub stores: u64,
    /// The oldest of the stores' marks (the store furthest behind).
    pub oldest_mark: Option<NaiveDateTime>,
    /// The newest mark.
    pub newest_mark: Option<NaiveDateTime>,
}

/// What a target holds: per stream, and the last run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Per stream, for the streams it has a table of.
    pub streams: BTreeMap<Stream, StreamStatus>,
    /// The last run, if any.
    pub last_run: Option<LastRun>,
}

/// Where a sync writes: a database or a directory, with the state that makes runs
/// incremental kept beside the data.
///
/// The engine calls a sink from one thread, in this order: [`Sink::start_run`], then
/// [`Sink::marks`] per stream and [`Sink::write`] per batch, then [`Sink::finish_run`].
/// Each `write` is all or nothing: rows upserted on the stream's primary key and marks
/// advanced together, so that a process killed at any point leaves marks that never run
/// ahead of their rows, and a rerun completes the data with no gap and no duplicate.
///
/// A sink may buffer (the Parquet sink rewrites whole day files, so it gathers rows first):
/// then `write` only accepts a batch, a later `write` or `finish_run` makes it durable, and
/// the marks it keeps durable must be those of durable rows only. `finish_run` is called
/// even after a failed `write`, to record the run as stopped; a buffering sink may still make
/// the rows it accepted before the failure durable then.
pub trait Sink: Send {
    /// Creates what is missing (tables, state, directories) for these streams and records
    /// the run's start.
    fn start_run(&mut self, run: &RunStart) -> Result<(), SinkError>;

    /// The marks of `stream`, per store (`S_…`).
    fn marks(&mut self, stream: Stream) -> Result<BTreeMap<String, NaiveDateTime>, SinkError>;

    /// Writes rows, marks and raw answers, all or nothing.
    fn write(&mut self, batch: Batch) -> Result<(), SinkError>;

    /// Writes whatever is still buffered and records the run's end.
    fn finish_run(&mut self, run: &RunEnd) -> Result<(), SinkError>;

    /// What the target holds.
    fn status(&mut self) -> Result<Status, SinkError>;

    /// Hands `each` the rows of `table` for the days `from..=to` as they are read, each with
    /// its store's name, ordered by store and time: a year of hourly rows of hundreds of
    /// stores is millions of rows, never held at once. Targets that cannot be read back
    /// (Parquet) say so.
    fn each_flow_row(
        &mut self,
        table: FlowTable,
        from: NaiveDate,
        to: NaiveDate,
        each: &mut dyn FnMut(FlowRow),
    ) -> Result<(), SinkError> {
        let _ = (table, from, to, each);
        Err(self.unreadable())
    }

    /// [`Sink::each_flow_row`], collected.
    fn read_flow(
        &mut self,
        table: FlowTable,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FlowRow>, SinkError> {
        let mut rows = Vec::new();
        self.each_flow_row(table, from, to, &mut |row| rows.push(row))?;
        Ok(rows)
    }

    /// Hands `each` the rows of `demographics_daily` for the days `from..=to` as they are
    /// read, ordered by store and day.
    fn each_demographics_row(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        each: &mut dyn FnMut(DemographicsRow),
    ) -> Result<(), SinkError> {
        let _ = (from, to, each);
        Err(self.unreadable())
    }

    /// [`Sink::each_demographics_row`], collected.
    fn read_demographics(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DemographicsRow>, SinkError> {
        let mut rows = Vec::new();
        self.each_demographics_row(from, to, &mut |row| rows.push(row))?;
        Ok(rows)
    }

    /// The error of a target that cannot be read back.
    fn unreadable(&self) -> SinkError {
        SinkError::new(
            "this target",
            "cannot be read back: read Parquet files with DuckDB, Polars or pandas, or sync to \
             SQLite or PostgreSQL for reports",
        )
    }
}
