//! The Parquet sink: a directory of Parquet files, hive-partitioned by day, for DuckDB,
//! Spark, Polars or a warehouse's external tables.
//!
//! ```text
//! DIR/stores/part.parquet                          one file: the store dimension
//! DIR/flow_hourly/date=2026-11-03/part.parquet     one file per stream and day
//! DIR/flow_daily/date=2026-11-03/part.parquet
//! DIR/demographics_daily/date=2026-11-03/part.parquet
//! DIR/totals/date=2026-11-03/part.parquet
//! DIR/_opretail_state.json                         the marks
//! DIR/_opretail_runs.json                          the runs
//! DIR/_opretail_raw/run-<run_id>-<n>.jsonl         raw answers (--keep-raw)
//! ```
//!
//! A row's day is the day of its `bucket_start`, `day` or `taken_at` (so the `date=`
//! partition of the daily streams equals their `day` column). Columns are the catalog's, in
//! its order and with its nullability: text is `Utf8`, integers `Int64`, reals `Float64`,
//! booleans `Boolean`, days `Date32`, and times `Timestamp(Second, None)`. **Times are the
//! gateway's local time without a zone** (UTC+08:00 unless the client was configured
//! otherwise): a timestamp holds the local wall-clock time, not adjusted to UTC, and every
//! file says so in its key-value metadata (`opretail.times`). Rows are sorted by the primary
//! key, so the same rows always make the same file.
//!
//! Every file is replaced atomically (written beside, fsynced, renamed over), so readers
//! and a killed process only ever see whole files. A write is an upsert: a day's rows are
//! merged with its file's on the primary key, the new row replacing the old one except in
//! the columns kept on conflict (a store's `first_seen`).
//!
//! Rewriting a day's file for every small batch would cost the square of the data, so
//! batches wait in memory, column by column, and are written together once
//! [`DEFAULT_FLUSH_ROWS`] rows wait, and at the run's end: first the days' files, then the
//! raw answers, then the state file with the marks of the batches written. A process killed
//! in between leaves marks behind their rows, never ahead: the next run reads those buckets
//! again and upserts them, with no gap and no duplicate. Batches still waiting when the
//! process dies are simply read again by the next run.
//!
//! One sync at a time writes to a directory: a run holds an advisory lock on
//! `DIR/_opretail.lock` from its start to its end, and a second one is refused while it does.

mod columns;
mod files;
mod merge;
mod state;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use chrono::{NaiveDate, NaiveDateTime};

use self::columns::Pending;
use self::state::{Marks, RunRow};
use crate::rows::{Batch, RawAnswer};
use crate::sink::{Outcome, RunEnd, RunStart, Sink, SinkError, Status, StreamStatus};
use crate::stream::Stream;

/// The rows that wait in memory before they are written, unless
/// [`ParquetSink::with_flush_rows`] says otherwise.
///
/// Waiting rows take about 80 bytes each in Arrow's layout (up to twice that while their
/// buffers grow by doubling), so 100,000 rows stay under 16 MiB; and a month of hourly rows of
/// 300 stores (223,000 rows) is written in three rounds instead of one per store.
pub const DEFAULT_FLUSH_ROWS: usize = 100_000;

/// The data file of a partition.
const PART: &str = "part.parquet";
const STATE_FILE: &str = "_opretail_state.json";
const RUNS_FILE: &str = "_opretail_runs.json";
const RAW_DIR: &str = "_opretail_raw";
const LOCK_FILE: &str = "_opretail.lock";

/// The Parquet sink: one file per stream and day under a directory, times gateway-local
/// without a zone. See the module's documentation.
///
/// Rows wait in memory until [`DEFAULT_FLUSH_ROWS`] wait or the run ends: a sink dropped
/// without [`Sink::finish_run`] writes none of them, and none of their marks either, so the
/// next run reads them again.
pub struct ParquetSink {
    dir: PathBuf,
    name: String,
    flush_rows: usize,
    /// Held from the run's start to its end: the directory is this sink's.
    lock: Option<File>,
    /// The marks as the state file holds them, read once the lock is held.
    marks: Option<Marks>,
    /// The runs as the runs file holds them, read once the lock is held.
    runs: Option<Vec<RunRow>>,
    run_id: Option<i64>,
    buffer: Buffer,
    raw: Option<RawFile>,
}

/// What waits to be written.
#[derive(Default)]
struct Buffer {
    partitions: BTreeMap<(Stream, Option<NaiveDate>), Partition>,
    marks: Marks,
    rows: usize,
}

/// The rows of one file waiting: batches made when a flush began (kept when it failed, so
/// that the next one writes them), then rows still arriving.
struct Partition {
    made: Vec<RecordBatch>,
    pending: Pending,
}

/// The raw answers of the rows waiting, written to a hidden file as they come (they can be
/// large) and renamed into view when the rows are written.
struct RawFile {
    file: File,
    temporary: PathBuf,
    path: PathBuf,
    len: u64,
}

impl fmt::Debug for ParquetSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParquetSink")
            .field("dir", &self.dir)
            .field("flush_rows", &self.flush_rows)
            .field("rows_waiting", &self.buffer.rows)
            .finish_non_exhaustive()
    }
}

impl ParquetSink {
    /// The sink of the directory `dir`; nothing is read or created until a run starts.
    pub fn open(dir: &Path) -> Result<ParquetSink, SinkError> {
        let name = format!("parquet:{}", dir.display());
        if dir.exists() && !dir.is_dir() {
            return Err(SinkError::new(
                name,
                "this is a file, not a directory: give a directory (created when missing)",
            ));
        }
        Ok(ParquetSink {
            dir: dir.to_path_buf(),
            name,
            flush_rows: DEFAULT_FLUSH_ROWS,
            lock: None,
            marks: None,
            runs: None,
            run_id: None,
            buffer: Buffer::default(),
            raw: None,
        })
    }

    /// Writes once `rows` rows wait (at least one): fewer take less memory, more rewrite each
    /// day's file less often.
    pub fn with_flush_rows(mut self, rows: usize) -> ParquetSink {
        self.flush_rows = rows.max(1);
        self
    }

    /// Writes the waiting rows into their days' files and the raw answers, but not the
    /// marks: what a process killed between the two leaves behind. Only for tests of that
    /// crash; a sync never calls it.
    #[doc(hidden)]
    pub fn flush_without_marks(&mut self) -> Result<(), SinkError> {
        self.flush(false)
    }

    fn error(&self, message: impl Into<String>) -> SinkError {
        SinkError::new(&self.name, message)
    }

    /// Creates the directory, takes its lock and reads its state, once.
    fn ready(&mut self) -> Result<(), SinkError> {
        if self.lock.is_some() {
            return Ok(());
        }
        files::create_dir(&self.dir).map_err(|e| {
            self.error(format!(
                "cannot create the directory ({e}); check that its parent is writable"
            ))
        })?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK_FILE))
            .map_err(|e| self.error(format!("cannot open {LOCK_FILE}: {e}")))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(self.error(
                    "another sync is writing to this directory: wait for it to end, or give another directory",
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(self.error(format!("cannot lock {LOCK_FILE}: {e}")));
            }
        }
        let marks = state::read_marks(&self.dir.join(STATE_FILE)).map_err(|e| self.error(e))?;
        let runs = state::read_runs(&self.dir.join(RUNS_FILE)).map_err(|e| self.error(e))?;
        self.lock = Some(lock);
        self.marks = Some(marks);
        self.runs = Some(runs);
        Ok(())
    }

    /// Lets another sync have the directory; what this one knew of it may change then.
    fn release(&mut self) {
        self.lock = None;
        self.marks = None;
        self.runs = None;
    }

    fn partition_path(&self, stream: Stream, day: Option<NaiveDate>) -> PathBuf {
        let dir = self.dir.join(stream.name());
        match day {
            Some(day) => dir
                .join(format!("date={}", day.format("%Y-%m-%d")))
                .join(PART),
            None => dir.join(PART),
        }
    }

    /// Appends the raw answers of a batch to the run's raw file; on failure the file is cut
    /// back to where it was, so that it never holds part of a batch.
    fn append_raw(&mut self, answers: &[RawAnswer]) -> Result<(), SinkError> {
        if self.raw.is_none() {
            self.raw = Some(self.new_raw_file(answers)?);
        }
        let mut lines = Vec::new();
        state::raw_lines(answers, &mut lines);
        let name = self.name.clone();
        let Some(raw) = self.raw.as_mut() else {
            return Ok(());
        };
        if let Err(e) = raw.file.write_all(&lines) {
            let _ = raw.file.set_len(raw.len);
            let _ = raw.file.seek(SeekFrom::Start(raw.len));
            return Err(SinkError::new(
                name,
                format!("cannot write the raw answers: {e}"),
            ));
        }
        raw.len += lines.len() as u64;
        Ok(())
    }

    fn new_raw_file(&self, answers: &[RawAnswer]) -> Result<RawFile, SinkError> {
        let dir = self.dir.join(RAW_DIR);
        files::create_dir(&dir).map_err(|e| self.error(format!("cannot create {RAW_DIR}: {e}")))?;
        let run_id = self
            .run_id
            .or_else(|| answers.first().map(|a| a.run_id))
            .unwrap_or_default();
        let mut n = 1u32;
        let path = loop {
            let path = dir.join(format!("run-{run_id}-{n:03}.jsonl"));
            if !path.exists() {
                break path;
            }
            n = n.saturating_add(1);
        };
        let temporary = files::temporary(&path);
        let file = File::create(&temporary)
            .map_err(|e| self.error(format!("cannot create {}: {e}", temporary.display())))?;
        Ok(RawFile {
            file,
            temporary,
            path,
            len: 0,
        })
    }

    /// Removes raw files a killed process left half-made: their rows were never written, and
    /// the runs after it read those answers again.
    fn sweep_raw(&self) {
        let Ok(entries) = fs::read_dir(self.dir.join(RAW_DIR)) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".jsonl.tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Writes what waits: each day's file merged with its rows, then the raw answers, then
    /// (with `marks`) the state file with the marks of the rows written.
    fn flush(&mut self, marks: bool) -> Result<(), SinkError> {
        if self.buffer.partitions.is_empty() && self.buffer.marks.is_empty() && self.raw.is_none() {
            return Ok(());
        }
        self.ready()?;
        let keys: Vec<(Stream, Option<NaiveDate>)> =
            self.buffer.partitions.keys().copied().collect();
        for key in keys {
            self.flush_partition(key)?;
        }
        self.buffer.rows = 0;
        if let Some(RawFile {
            file,
            temporary,
            path,
            ..
        }) = self.raw.take()
        {
            // Failing here, the answers stay in the hidden file, which the next run sweeps.
            files::put_in_place(file, &temporary, &path)
                .map_err(|e| self.error(format!("cannot write {}: {e}", path.display())))?;
        }
        if !marks || self.buffer.marks.is_empty() {
            return Ok(());
        }
        let mut all = self.marks.clone().unwrap_or_default();
        for (stream, stores) in &self.buffer.marks {
            all.entry(stream.clone())
                .or_default()
                .extend(stores.iter().map(|(s, at)| (s.clone(), *at)));
        }
        state::write_marks(&self.dir.join(STATE_FILE), &all).map_err(|e| self.error(e))?;
        self.marks = Some(all);
        self.buffer.marks.clear();
        Ok(())
    }

    /// Writes one day's file: its rows merged with those waiting. Once written, they wait
    /// no more; on failure they wait for the next flush.
    fn flush_partition(&mut self, key: (Stream, Option<NaiveDate>)) -> Result<(), SinkError> {
        let (stream, day) = key;
        let schema = columns::schema(stream);
        let path = self.partition_path(stream, day);
        let Some(partition) = self.buffer.partitions.get_mut(&key) else {
            return Ok(());
        };
        if partition.pending.rows() > 0 {
            match partition.pending.finish(&schema) {
                Ok(made) => partition.made.push(made),
                Err(e) => {
                    // Those rows are gone: no mark waiting may be written after them.
                    self.buffer.marks.clear();
                    return Err(self.error(format!("cannot make the rows of {stream}: {e}")));
                }
            }
        }
        let made = partition.made.clone();
        if let Some(dir) = path.parent() {
            files::create_dir(dir)
                .map_err(|e| self.error(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut sources = files::read_parquet(&path, &schema)
            .map_err(|e| self.error(e))?
            .unwrap_or_default();
        sources.extend(made);
        let merged = merge::merge(stream.table(), &schema, &sources).map_err(|e| self.error(e))?;
        drop(sources);
        files::write_parquet(&path, stream, &merged).map_err(|e| self.error(e))?;
        self.buffer.partitions.remove(&key);
        Ok(())
    }

    /// Records the run's end in the runs file.
    fn record_end(&mut self, run: &RunEnd, outcome: Outcome) -> Result<(), SinkError> {
        self.ready()?;
        let Some(runs) = self.runs.as_mut() else {
            return Ok(());
        };
        let Some(row) = runs.iter_mut().find(|r| r.run_id == run.run_id) else {
            return Ok(());
        };
        row.finished_at = Some(state::time_text(run.finished_at));
        row.outcome = Some(outcome.name().to_owned());
        row.rows = Some(run.rows);
        row.failed_stores = Some(run.failed_stores);
        let runs = runs.clone();
        state::write_runs(&self.dir.join(RUNS_FILE), &runs).map_err(|e| self.error(e))
    }
}

impl Sink for ParquetSink {
    fn start_run(&mut self, run: &RunStart) -> Result<(), SinkError> {
        self.ready()?;
        if self.raw.is_none() {
            self.sweep_raw();
        }
        for stream in &run.streams {
            let dir = self.dir.join(stream.name());
            files::create_dir(&dir)
                .map_err(|e| self.error(format!("cannot create {}: {e}", dir.display())))?;
        }
        let streams: Vec<&str> = run.streams.iter().map(|s| s.name()).collect();
        let mut runs = self.runs.take().unwrap_or_default();
        runs.retain(|r| r.run_id != run.run_id);
        runs.push(RunRow {
            run_id: run.run_id,
            started_at: state::time_text(run.started_at),
            finished_at: None,
            outcome: None,
            streams: streams.join(","),
            rows: None,
            failed_stores: None,
        });
        let written = state::write_runs(&self.dir.join(RUNS_FILE), &runs);
        self.runs = Some(runs);
        written.map_err(|e| self.error(e))?;
        self.run_id = Some(run.run_id);
        Ok(())
    }

    fn marks(&mut self, stream: Stream) -> Result<BTreeMap<String, NaiveDateTime>, SinkError> {
        let mut marks = match &self.marks {
            Some(marks) => marks.get(stream.name()).cloned().unwrap_or_default(),
            None => state::read_marks(&self.dir.join(STATE_FILE))
                .map_err(|e| self.error(e))?
                .remove(stream.name())
                .unwrap_or_default(),
        };
        // Marks of rows still waiting: what the directory will hold once they are written.
        if let Some(waiting) = self.buffer.marks.get(stream.name()) {
            marks.extend(waiting.iter().map(|(s, at)| (s.clone(), *at)));
        }
        Ok(marks)
    }

    fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        self.ready()?;
        let stream = batch.rows.stream();
        let table = stream.table();
        let day_at = columns::day_column(stream).and_then(|name| table.position(name));
        // Every row is checked before any is taken: a batch is taken whole or not at all.
        let mut days = Vec::with_capacity(batch.rows.len());
        for row in batch.rows.iter() {
            if !Pending::fits(table, row) {
                return Err(self.error(format!("a row does not fit the columns of {stream}")));
            }
            let day = match day_at {
                Some(at) => match row.get(at).and_then(columns::day_of) {
                    Some(day) => Some(day),
                    None => return Err(self.error(format!("a row of {stream} has no day"))),
                },
                None => None,
            };
            days.push(day);
        }
        if !batch.raw.is_empty() {
            self.append_raw(&batch.raw)?;
        }
        for (row, day) in batch.rows.iter().zip(days) {
            self.buffer
                .partitions
                .entry((stream, day))
                .or_insert_with(|| Partition {
                    made: Vec::new(),
                    pending: Pending::new(table),
                })
                .pending
                .push(row);
        }
        for mark in batch.marks {
            self.buffer
                .marks
                .entry(mark.stream.name().to_owned())
                .or_default()
                .insert(mark.store_id, mark.complete_until);
        }
        self.buffer.rows += batch.rows.len();
        if self.buffer.rows >= self.flush_rows {
            self.flush(true)?;
        }
        Ok(())
    }

    fn finish_run(&mut self, run: &RunEnd) -> Result<(), SinkError> {
        let flushed = self.flush(true);
        // Rows that could not be written make the run stopped, whatever it did before.
        let outcome = if flushed.is_ok() {
            run.outcome
        } else {
            Outcome::Stopped
        };
        let recorded = self.record_end(run, outcome);
        self.release();
        flushed.and(recorded)
    }

    fn status(&mut self) -> Result<Status, SinkError> {
        let mut status = Status::default();
        let marks = state::read_marks(&self.dir.join(STATE_FILE)).map_err(|e| self.error(e))?;
        for stream in Stream::ALL {
            let dir = self.dir.join(stream.name());
            if !dir.is_dir() {
                continue;
            }
            let paths = files::data_files(&dir, columns::day_column(stream).is_some())
                .map_err(|e| self.error(e))?;
            let mut entry = StreamStatus::default();
            let mut stores = BTreeSet::new();
            for path in &paths {
                entry.rows += files::row_count(path).map_err(|e| self.error(e))?;
                files::store_ids(path, &mut stores).map_err(|e| self.error(e))?;
            }
            entry.stores = stores.len() as u64;
            if let Some(marks) = marks.get(stream.name()) {
                entry.oldest_mark = marks.values().min().copied();
                entry.newest_mark = marks.values().max().copied();
            }
            status.streams.insert(stream, entry);
        }
        let runs = state::read_runs(&self.dir.join(RUNS_FILE)).map_err(|e| self.error(e))?;
        status.last_run = runs
            .iter()
            .max_by_key(|r| r.run_id)
            .and_then(RunRow::last_run);
        Ok(status)
    }
}
