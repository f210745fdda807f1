//! The Parquet sink, through its files as other tools read them: the Arrow reader of the
//! `parquet` crate reads back what was written, with the catalog's types and nullability;
//! upserts, repeats, marks, a crash between the days' files and the state file, the status,
//! and whole runs of the engine against the sandbox.

#![cfg(feature = "parquet")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
    TimestampSecondArray,
};
use arrow_schema::{DataType, TimeUnit};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use opretail_sync::sinks::parquet::ParquetSink;
use opretail_sync::{
    Batch, Cell, ColumnType, Mark, Outcome, RawAnswer, Rows, RunEnd, RunStart, Sink, Stream,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

// ---------------------------------------------------------------------------------------
// Directories, rows and runs.

/// A directory of its own for one test, removed when the test passes.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, AtomicOrdering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "opretail-sync-parquet-{}-{n}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn at(d: u32, hour: u32) -> NaiveDateTime {
    day(d).and_hms_opt(hour, 0, 0).unwrap()
}

/// A row of `stream` for `store` at `time`, every other column filled from `seed` (some
/// nullable ones empty), of the column's type.
fn row(stream: Stream, store: &str, time: NaiveDateTime, seed: i64) -> Vec<Cell> {
    let table = stream.table();
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match (c.name, c.kind) {
            ("store_id", _) => Cell::Text(store.to_owned()),
            ("dimension", _) => Cell::Text(if seed % 2 == 0 { "gender" } else { "age" }.into()),
            ("grp", _) => Cell::Text(format!("group-{seed}")),
            ("partial", _) => Cell::Boolean(seed % 3 == 0),
            (_, ColumnType::Timestamp) => Cell::Timestamp(time),
            (_, ColumnType::Date) => Cell::Date(time.date()),
            _ if c.nullable && (seed + i as i64) % 4 == 0 => Cell::Null,
            (name, ColumnType::Text) => Cell::Text(format!("{name} 店 {seed}")),
            (_, ColumnType::Integer) => Cell::Integer(seed * 100 + i as i64),
            (_, ColumnType::Real) => Cell::Real(seed as f64 + 0.25),
            (_, ColumnType::Boolean) => Cell::Boolean(seed % 2 == 0),
        })
        .collect()
}

/// A day of hourly rows of `store` with figures from `seed`, and the mark it completes.
fn hourly_day(store: &str, d: u32, seed: i64) -> Batch {
    let hours = (0..24).map(|h| row(Stream::FlowHourly, store, at(d, h), seed + i64::from(h)));
    Batch::new(
        Rows::of(Stream::FlowHourly, hours),
        vec![Mark::new(Stream::FlowHourly, store, at(d + 1, 0))],
    )
}

fn run_start(run_id: i64, streams: &[Stream]) -> RunStart {
    RunStart {
        run_id,
        started_at: at(20, 8),
        streams: streams.to_vec(),
    }
}

fn run_end(run_id: i64, rows: u64) -> RunEnd {
    RunEnd {
        run_id,
        finished_at: at(20, 9),
        outcome: Outcome::Complete,
        rows,
        failed_stores: 0,
    }
}

/// A whole run writing `batches` into `dir`.
fn run(dir: &Path, run_id: i64, batches: Vec<Batch>) -> ParquetSink {
    let mut sink = ParquetSink::open(dir).unwrap();
    let mut streams: Vec<Stream> = batches.iter().map(|b| b.rows.stream()).collect();
    streams.sort();
    streams.dedup();
    sink.start_run(&run_start(run_id, &streams)).unwrap();
    let mut written = 0;
    for batch in batches {
        written += batch.rows.len() as u64;
        sink.write(batch).unwrap();
    }
    sink.finish_run(&run_end(run_id, written)).unwrap();
    sink
}

// ---------------------------------------------------------------------------------------
// Reading the files back as another tool would.

/// A key part of a row: for sorting expected rows as the files are.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Number(i64),
    Text(String),
}

fn key(stream: Stream, row: &[Cell]) -> Vec<KeyPart> {
    let table = stream.table();
    table
        .primary_key
        .iter()
        .map(|name| match &row[table.position(name).unwrap()] {
            Cell::Text(t) => KeyPart::Text(t.clone()),
            Cell::Date(d) => KeyPart::Number(i64::from(d.num_days_from_ce())),
            Cell::Timestamp(t) => KeyPart::Number(t.and_utc().timestamp()),
            other => panic!("a key cell {other:?}"),
        })
        .collect()
}

/// The day of a row's partition: of its bucket, day or snapshot (none for stores).
fn partition_day(stream: Stream, row: &[Cell]) -> Option<NaiveDate> {
    let column = match stream {
        Stream::Stores => return None,
        Stream::FlowHourly => "bucket_start",
        Stream::FlowDaily | Stream::DemographicsDaily => "day",
        Stream::Totals => "taken_at",
    };
    match &row[stream.table().position(column).unwrap()] {
        Cell::Date(d) => Some(*d),
        Cell::Timestamp(t) => Some(t.date()),
        other => panic!("a day cell {other:?}"),
    }
}

/// `expected` in the order the files read: day after day, by key within a day.
fn sorted(stream: Stream, mut expected: Vec<Vec<Cell>>) -> Vec<Vec<Cell>> {
    expected.sort_by_cached_key(|r| (partition_day(stream, r), key(stream, r)));
    expected
}

/// The expected Arrow type of a catalog type.
fn arrow_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Real => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Second, None),
    }
}

fn cell(array: &ArrayRef, at: usize, kind: ColumnType) -> Cell {
    if array.is_null(at) {
        return Cell::Null;
    }
    let any = array.as_any();
    match kind {
        ColumnType::Text => Cell::Text(any.downcast_ref::<StringArray>().unwrap().value(at).into()),
        ColumnType::Integer => Cell::Integer(any.downcast_ref::<Int64Array>().unwrap().value(at)),
        ColumnType::Real => Cell::Real(any.downcast_ref::<Float64Array>().unwrap().value(at)),
        ColumnType::Boolean => Cell::Boolean(any.downcast_ref::<BooleanArray>().unwrap().value(at)),
        ColumnType::Date => {
            let days = any.downcast_ref::<Date32Array>().unwrap().value(at);
            Cell::Date(NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap())
        }
        ColumnType::Timestamp => {
            let seconds = any
                .downcast_ref::<TimestampSecondArray>()
                .unwrap()
                .value(at);
            Cell::Timestamp(
                chrono::DateTime::from_timestamp(seconds, 0)
                    .unwrap()
                    .naive_utc(),
            )
        }
    }
}

/// The rows of one Parquet file of `stream`, after checking that its columns are the
/// catalog's: names, order, types, nullability.
fn read_file(path: &Path, stream: Stream) -> Vec<Vec<Cell>> {
    let table = stream.table();
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    assert_eq!(
        schema.fields().len(),
        table.columns.len(),
        "{}",
        path.display()
    );
    for (field, column) in schema.fields().iter().zip(table.columns) {
        assert_eq!(field.name(), column.name);
        assert_eq!(
            field.data_type(),
            &arrow_type(column.kind),
            "{}",
            column.name
        );
        assert_eq!(field.is_nullable(), column.nullable, "{}", column.name);
    }
    let mut out = Vec::new();
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        for r in 0..batch.num_rows() {
            out.push(
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(c, column)| cell(batch.column(c), r, column.kind))
                    .collect(),
            );
        }
    }
    out
}

/// The partition files of `stream` under `dir`, in day order.
fn files_of(dir: &Path, stream: Stream) -> Vec<PathBuf> {
    let stream_dir = dir.join(stream.name());
    if stream == Stream::Stores {
        let file = stream_dir.join("part.parquet");
        return if file.exists() {
            vec![file]
        } else {
            Vec::new()
        };
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&stream_dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path().join("part.parquet"))
                .filter(|p| p.exists())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Every row of `stream` under `dir`, day after day.
fn read_stream(dir: &Path, stream: Stream) -> Vec<Vec<Cell>> {
    files_of(dir, stream)
        .iter()
        .flat_map(|f| read_file(f, stream))
        .collect()
}

/// Every file's bytes under `dir`, by path: what a repeat must leave unchanged.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for stream in Stream::ALL {
        for file in files_of(dir, stream) {
            out.insert(file.clone(), std::fs::read(&file).unwrap());
        }
    }
    out
}

/// Every file and directory under `dir`, relative, with `/`.
fn tree(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(relative);
            if path.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

// ---------------------------------------------------------------------------------------
// Files, types, upserts.

#[test]
fn every_stream_reads_back_as_written_with_the_catalogs_types_and_nullability() {
    let dir = TempDir::new("types");
    let mut expected: BTreeMap<Stream, Vec<Vec<Cell>>> = BTreeMap::new();
    let mut batches = Vec::new();
    for stream in Stream::ALL {
        let mut written = Vec::new();
        for (n, store) in ["S_2", "S_10", "S_1"].into_iter().enumerate() {
            for (d, hour) in [(3, 23), (4, 0), (3, 5)] {
                let seed = n as i64 * 10 + i64::from(hour);
                written.push(row(stream, store, at(d, hour), seed));
            }
        }
        if stream == Stream::Stores {
            // One row per store: the last of each store wins, as with any upsert.
            written = written.chunks(3).map(|c| c[2].clone()).collect();
        }
        if matches!(stream, Stream::FlowDaily) {
            // One row per store and day: (3, 23) and (3, 5) are the same day.
            let mut by_key: BTreeMap<Vec<KeyPart>, Vec<Cell>> = BTreeMap::new();
            for r in &written {
                by_key.insert(key(stream, r), r.clone());
            }
            written = by_key.into_values().collect();
        }
        batches.push(Batch::new(Rows::of(stream, written.clone()), Vec::new()));
        expected.insert(stream, written);
    }
    run(dir.path(), 1, batches);

    for stream in Stream::ALL {
        let want = sorted(stream, expected[&stream].clone());
        assert_eq!(read_stream(dir.path(), stream), want, "{stream}");
    }
    let files = tree(dir.path());
    for file in [
        "stores/part.parquet",
        "flow_hourly/date=2026-11-03/part.parquet",
        "flow_hourly/date=2026-11-04/part.parquet",
        "flow_daily/date=2026-11-04/part.parquet",
        "demographics_daily/date=2026-11-03/part.parquet",
        "totals/date=2026-11-04/part.parquet",
        "_opretail_runs.json",
    ] {
        assert!(files.contains(file), "{file} in {files:?}");
    }
    assert!(
        !files.iter().any(|f| f.ends_with(".tmp")),
        "no temporary file is left: {files:?}"
    );
    // The day of a partition is the day of its rows' bucket.
    let hourly = read_file(
        &dir.path().join("flow_hourly/date=2026-11-03/part.parquet"),
        Stream::FlowHourly,
    );
    assert_eq!(hourly.len(), 6);
    assert!(
        hourly
            .iter()
            .all(|r| r[1] == Cell::Timestamp(at(3, 5)) || r[1] == Cell::Timestamp(at(3, 23)))
    );

    let file = File::open(dir.path().join("flow_hourly/date=2026-11-03/part.parquet")).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let metadata = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap();
    let value = |k: &str| {
        metadata
            .iter()
            .find(|kv| kv.key == k)
            .and_then(|kv| kv.value.clone())
            .unwrap_or_default()
    };
    assert!(
        value("opretail.times").contains("local time"),
        "{metadata:?}"
    );
    assert_eq!(value("opretail.stream"), "flow_hourly");
    assert_eq!(value("opretail.primary_key"), "store_id,bucket_start");
}

#[test]
fn an_upsert_replaces_a_revised_row_and_keeps_first_seen() {
    let dir = TempDir::new("upsert");
    let first = row(Stream::FlowHourly, "S_1", at(3, 10), 1);
    let other = row(Stream::FlowHourly, "S_1", at(3, 11), 2);
    let store = |name: &str, seen: NaiveDateTime| {
        let mut r = row(Stream::Stores, "S_1", seen, 0);
        r[1] = Cell::Text(name.into());
        r
    };
    run(
        dir.path(),
        1,
        vec![
            Batch::new(
                Rows::of(Stream::Stores, [store("Old name", at(3, 8))]),
                Vec::new(),
            ),
            Batch::new(
                Rows::of(Stream::FlowHourly, [first.clone(), other.clone()]),
                Vec::new(),
            ),
        ],
    );
    let mut revised = first.clone();
    revised[2] = Cell::Integer(4_711);
    revised[3] = Cell::Null;
    run(
        dir.path(),
        2,
        vec![
            Batch::new(
                Rows::of(Stream::Stores, [store("New name", at(5, 8))]),
                Vec::new(),
            ),
            Batch::new(Rows::of(Stream::FlowHourly, [revised.clone()]), Vec::new()),
        ],
    );

    assert_eq!(
        read_stream(dir.path(), Stream::FlowHourly),
        [revised, other]
    );
    let stores = read_stream(dir.path(), Stream::Stores);
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0][1], Cell::Text("New name".into()), "replaced");
    assert_eq!(stores[0][9], Cell::Timestamp(at(3, 8)), "first_seen kept");
    assert_eq!(
        stores[0][10],
        Cell::Timestamp(at(5, 8)),
        "last_seen replaced"
    );
}

#[test]
fn a_key_twice_in_the_waiting_rows_is_one_row_of_the_last_values() {
    let dir = TempDir::new("twice");
    let mut later = row(Stream::FlowHourly, "S_1", at(3, 10), 1);
    later[2] = Cell::Integer(99);
    run(
        dir.path(),
        1,
        vec![
            Batch::new(
                Rows::of(
                    Stream::FlowHourly,
                    [row(Stream::FlowHourly, "S_1", at(3, 10), 1)],
                ),
                Vec::new(),
            ),
            Batch::new(Rows::of(Stream::FlowHourly, [later.clone()]), Vec::new()),
        ],
    );
    assert_eq!(read_stream(dir.path(), Stream::FlowHourly), [later]);
}

#[test]
fn a_repeated_batch_gives_the_same_files() {
    let dir = TempDir::new("repeat");
    let batches = || {
        vec![
            hourly_day("S_1", 3, 0),
            hourly_day("S_2", 3, 50),
            hourly_day("S_1", 4, 100),
            Batch::new(
                Rows::of(Stream::Stores, [row(Stream::Stores, "S_1", at(3, 0), 1)]),
                Vec::new(),
            ),
        ]
    };
    run(dir.path(), 1, batches());
    let before = snapshot(dir.path());
    let rows_before = read_stream(dir.path(), Stream::FlowHourly);
    assert_eq!(rows_before.len(), 72);
    run(dir.path(), 2, batches());
    assert_eq!(read_stream(dir.path(), Stream::FlowHourly), rows_before);
    assert_eq!(snapshot(dir.path()), before, "byte for byte");
}

// ---------------------------------------------------------------------------------------
// Marks, crashes, status.

#[test]
fn marks_survive_reopening_and_those_of_waiting_rows_show_at_once() {
    let dir = TempDir::new("marks");
    let mut sink = ParquetSink::open(dir.path()).unwrap();
    sink.start_run(&run_start(1, &[Stream::FlowHourly]))
        .unwrap();
    sink.write(hourly_day("S_1", 3, 0)).unwrap();
    sink.write(hourly_day("S_2", 4, 0)).unwrap();
    let expected = BTreeMap::from([("S_1".to_owned(), at(4, 0)), ("S_2".to_owned(), at(5, 0))]);
    assert_eq!(sink.marks(Stream::FlowHourly).unwrap(), expected);
    assert!(
        !dir.path().join("_opretail_state.json").exists(),
        "no mark is written before its rows"
    );
    sink.finish_run(&run_end(1, 48)).unwrap();
    drop(sink);

    let mut reopened = ParquetSink::open(dir.path()).unwrap();
    assert_eq!(reopened.marks(Stream::FlowHourly).unwrap(), expected);
    assert!(reopened.marks(Stream::FlowDaily).unwrap().is_empty());
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("_opretail_state.json")).unwrap())
            .unwrap();
    assert_eq!(
        state[0],
        serde_json::json!({"stream": "flow_hourly", "store_id": "S_1", "complete_until": "2026-11-04 00:00:00"})
    );
}

#[test]
fn a_crash_before_the_state_file_loses_no_row_and_duplicates_none_after_the_rerun() {
    let dir = TempDir::new("crash");
    run(
        dir.path(),
        1,
        vec![hourly_day("S_1", 3, 0), hourly_day("S_2", 3, 0)],
    );
    let marks_before = ParquetSink::open(dir.path())
        .unwrap()
        .marks(Stream::FlowHourly)
        .unwrap();

    // The second run reads day 3 again (revised) and day 4, writes the days' files, and dies
    // before the state file.
    let second = || {
        vec![
            hourly_day("S_1", 3, 7),
            hourly_day("S_1", 4, 7),
            hourly_day("S_2", 4, 7),
        ]
    };
    let mut sink = ParquetSink::open(dir.path()).unwrap();
    sink.start_run(&run_start(2, &[Stream::FlowHourly]))
        .unwrap();
    for b in second() {
        sink.write(b).unwrap();
    }
    sink.flush_without_marks().unwrap();
    drop(sink);

    let mut reopened = ParquetSink::open(dir.path()).unwrap();
    assert_eq!(
        reopened.marks(Stream::FlowHourly).unwrap(),
        marks_before,
        "the marks stay behind their rows"
    );
    assert_eq!(
        read_stream(dir.path(), Stream::FlowHourly).len(),
        24 * 4,
        "the rows went ahead"
    );
    let status = reopened.status().unwrap();
    assert_eq!(
        status.last_run.unwrap().outcome,
        None,
        "the killed run never ended"
    );

    // The rerun reads from the marks again, as the engine would, and completes the data.
    run(dir.path(), 3, second());
    let mut expected: Vec<Vec<Cell>> = Vec::new();
    for b in [hourly_day("S_2", 3, 0)].into_iter().chain(second()) {
        expected.extend(b.rows.iter().map(<[Cell]>::to_vec));
    }
    assert_eq!(
        read_stream(dir.path(), Stream::FlowHourly),
        sorted(Stream::FlowHourly, expected)
    );
    assert_eq!(
        ParquetSink::open(dir.path())
            .unwrap()
            .marks(Stream::FlowHourly)
            .unwrap(),
        BTreeMap::from([("S_1".to_owned(), at(5, 0)), ("S_2".to_owned(), at(5, 0))])
    );
}

#[test]
fn small_flushes_give_the_same_rows_as_one() {
    let dir_small = TempDir::new("small-flushes");
    let dir_one = TempDir::new("one-flush");
    let batches = || {
        (0..6)
            .map(|n| hourly_day(&format!("S_{n}"), 3 + n % 2, n as i64))
            .collect::<Vec<_>>()
    };
    let mut sink = ParquetSink::open(dir_small.path())
        .unwrap()
        .with_flush_rows(30);
    sink.start_run(&run_start(1, &[Stream::FlowHourly]))
        .unwrap();
    for (n, b) in batches().into_iter().enumerate() {
        sink.write(b).unwrap();
        // Every second batch passes the bound: the rows waiting and their marks are written.
        let on_disk = ParquetSink::open(dir_small.path())
            .unwrap()
            .marks(Stream::FlowHourly)
            .unwrap();
        let flushed = if n % 2 == 1 { n + 1 } else { n };
        assert_eq!(on_disk.len(), flushed, "after batch {n}");
    }
    sink.finish_run(&run_end(1, 144)).unwrap();
    run(dir_one.path(), 1, batches());
    assert_eq!(snapshot(dir_small.path()).len(), 2);
    assert_eq!(
        read_stream(dir_small.path(), Stream::FlowHourly),
        read_stream(dir_one.path(), Stream::FlowHourly)
    );
}

#[test]
fn the_status_counts_rows_stores_marks_and_the_last_run() {
    let dir = TempDir::new("status");
    assert_eq!(
        ParquetSink::open(dir.path()).unwrap().status().unwrap(),
        Default::default()
    );
    let stores = Rows::of(
        Stream::Stores,
        ["S_1", "S_2", "S_3"].map(|s| row(Stream::Stores, s, at(3, 0), 1)),
    );
    let mut sink = run(
        dir.path(),
        7,
        vec![
            Batch::new(stores, Vec::new()),
            hourly_day("S_1", 3, 0),
            hourly_day("S_1", 4, 0),
            hourly_day("S_2", 3, 0),
        ],
    );
    let status = sink.status().unwrap();
    let hourly = &status.streams[&Stream::FlowHourly];
    assert_eq!((hourly.rows, hourly.stores), (72, 2));
    assert_eq!(hourly.oldest_mark, Some(at(4, 0)));
    assert_eq!(hourly.newest_mark, Some(at(5, 0)));
    let listed = &status.streams[&Stream::Stores];
    assert_eq!(
        (listed.rows, listed.stores, listed.oldest_mark),
        (3, 3, None)
    );
    assert!(
        !status.streams.contains_key(&Stream::Totals),
        "no directory, no stream"
    );
    let last = status.last_run.unwrap();
    assert_eq!(
        (last.run_id, last.outcome.as_deref(), last.rows),
        (7, Some("complete"), Some(75))
    );
    assert_eq!(
        (last.started_at, last.finished_at),
        (at(20, 8), Some(at(20, 9)))
    );

    let runs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("_opretail_runs.json")).unwrap())
            .unwrap();
    assert_eq!(
        runs[0],
        serde_json::json!({
            "run_id": 7, "started_at": "2026-11-20 08:00:00", "finished_at": "2026-11-20 09:00:00",
            "outcome": "complete", "streams": "stores,flow_hourly", "rows": 75, "failed_stores": 0
        })
    );
}

#[test]
fn raw_answers_are_json_lines_that_appear_with_their_rows() {
    let dir = TempDir::new("raw");
    let mut sink = ParquetSink::open(dir.path()).unwrap();
    sink.start_run(&run_start(42, &[Stream::FlowHourly]))
        .unwrap();
    let mut b = hourly_day("S_1", 3, 0);
    b.raw = vec![RawAnswer {
        run_id: 42,
        method: "open.passengerflow.getManyShopsPassengerIndicatorData".into(),
        params: r#"{"depIds":"1"}"#.into(),
        cid: Some("cid-1".into()),
        received_at: at(20, 8),
        body: r#"{"list":[]}"#.into(),
    }];
    sink.write(b).unwrap();
    let visible = || {
        tree(dir.path())
            .into_iter()
            .filter(|f| f.starts_with("_opretail_raw/") && f.ends_with(".jsonl"))
            .collect::<Vec<_>>()
    };
    assert!(
        visible().is_empty(),
        "no raw answer shows before its rows are written"
    );
    sink.finish_run(&run_end(42, 24)).unwrap();
    assert_eq!(visible(), ["_opretail_raw/run-42-001.jsonl"]);
    let text = std::fs::read_to_string(dir.path().join("_opretail_raw/run-42-001.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(line["cid"], "cid-1");
    assert_eq!(line["received_at"], "2026-11-20 08:00:00");
    assert_eq!(line["body"], r#"{"list":[]}"#);
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn a_second_sync_is_refused_while_one_writes_the_directory() {
    let dir = TempDir::new("lock");
    let mut first = ParquetSink::open(dir.path()).unwrap();
    first
        .start_run(&run_start(1, &[Stream::FlowHourly]))
        .unwrap();
    let mut second = ParquetSink::open(dir.path()).unwrap();
    let refused = second
        .start_run(&run_start(2, &[Stream::FlowHourly]))
        .unwrap_err();
    assert!(refused.to_string().contains("another sync"), "{refused}");
    first.finish_run(&run_end(1, 0)).unwrap();
    second
        .start_run(&run_start(2, &[Stream::FlowHourly]))
        .unwrap();
}

#[test]
fn a_file_that_is_not_of_the_catalog_is_named_and_left_alone() {
    let dir = TempDir::new("foreign");
    let path = dir.path().join("flow_hourly/date=2026-11-03/part.parquet");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"not parquet").unwrap();
    let mut sink = ParquetSink::open(dir.path()).unwrap();
    sink.start_run(&run_start(1, &[Stream::FlowHourly]))
        .unwrap();
    sink.write(hourly_day("S_1", 3, 0)).unwrap();
    let error = sink.finish_run(&run_end(1, 24)).unwrap_err().to_string();
    assert!(
        error.contains("date=2026-11-03") && error.contains("does not read as Parquet"),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"not parquet");
    assert!(
        sink.marks(Stream::FlowHourly).unwrap().contains_key("S_1"),
        "still waiting"
    );
    let state = dir.path().join("_opretail_state.json");
    assert!(!state.exists(), "no mark without its rows");
    let runs = std::fs::read_to_string(dir.path().join("_opretail_runs.json")).unwrap();
    assert!(runs.contains("\"stopped\""), "{runs}");
}

// ---------------------------------------------------------------------------------------
// Scale: memory.

/// Set in the child process that runs the month of hourly rows alone, to measure its peak.
#[cfg(target_os = "linux")]
const MEMORY_CHILD: &str = "OPRETAIL_SYNC_PARQUET_MEMORY_CHILD";

/// A month of hourly rows of 300 stores (223,200 rows) arriving as 300 batches of 744, in a
/// process of its own whose peak resident memory (`VmHWM`, a high-water mark the kernel
/// keeps) must stay well under 64 MiB. The child is this test binary, run for this test
/// alone.
#[cfg(target_os = "linux")]
#[test]
fn a_month_of_hourly_rows_of_300_stores_stays_well_under_64_mib() {
    const TEST: &str = "a_month_of_hourly_rows_of_300_stores_stays_well_under_64_mib";
    if let Ok(dir) = std::env::var(MEMORY_CHILD) {
        let before = high_water_kib();
        let rows = month_of_hourly_rows(Path::new(&dir));
        println!(
            "rows={rows} before_kib={before} peak_kib={}",
            high_water_kib()
        );
        return;
    }
    let dir = TempDir::new("month");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(MEMORY_CHILD, dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value = |name: &str| -> u64 {
        let found = stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .unwrap();
        found.parse().unwrap()
    };
    assert_eq!(value("rows="), 223_200);
    let (before, peak) = (value("before_kib="), value("peak_kib="));
    println!("peak resident memory: {peak} KiB, {before} KiB of it before the first row");
    assert!(peak < 40 * 1024, "peak {peak} KiB");
}

/// The peak resident memory of this process so far, in KiB.
#[cfg(target_os = "linux")]
fn high_water_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Writes the month and reads the row count back from the footers.
#[cfg(target_os = "linux")]
fn month_of_hourly_rows(dir: &Path) -> u64 {
    let mut sink = ParquetSink::open(dir).unwrap();
    sink.start_run(&run_start(1, &[Stream::FlowHourly]))
        .unwrap();
    let first = NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    for store in 0..300 {
        let id = format!("S_{}", 1001 + store);
        let hours = (0..744).map(|h| {
            let bucket = first + TimeDelta::hours(h);
            row(Stream::FlowHourly, &id, bucket, h + store)
        });
        let end = first + TimeDelta::hours(744);
        sink.write(Batch::new(
            Rows::of(Stream::FlowHourly, hours),
            vec![Mark::new(Stream::FlowHourly, &id, end)],
        ))
        .unwrap();
    }
    sink.finish_run(&run_end(1, 223_200)).unwrap();
    sink.status().unwrap().streams[&Stream::FlowHourly].rows
}

// ---------------------------------------------------------------------------------------
// End to end: the engine against the sandbox.

mod end_to_end {
    use super::*;
    use opretail::{Config, Credentials, Gateway, LoginMethod, TokenSource};
    use opretail_sandbox::{
        DEFAULT_AKEY, DEFAULT_ASID, DEMO_PASSWORD, DEMO_STORE_COUNT, DEMO_USER,
    };
    use opretail_sync::{Engine, SyncOptions, Target};

    fn client(url: &str) -> opretail::Client {
        let config = Config::builder().endpoint(url).build().unwrap();
        opretail::Client::new(
            Credentials::new(DEFAULT_AKEY, DEFAULT_ASID).unwrap(),
            config,
        )
        .unwrap()
        .with_token_source(
            TokenSource::login(
                DEMO_USER,
                DEMO_PASSWORD,
                LoginMethod::for_gateway(Gateway::Classic),
            )
            .unwrap(),
        )
    }

    /// The rows of a stream without `fetched_at` (when they were read), by key, and which of
    /// them were complete.
    fn by_key(dir: &Path, stream: Stream) -> BTreeMap<Vec<KeyPart>, (Vec<Cell>, bool)> {
        let table = stream.table();
        let fetched = table.position("fetched_at").unwrap();
        let partial = table.position("partial").unwrap();
        let mut out = BTreeMap::new();
        for mut r in read_stream(dir, stream) {
            let complete = r[partial] == Cell::Boolean(false);
            r.remove(fetched);
            let previous = out.insert(key(stream, &r), (r, complete));
            assert!(previous.is_none(), "a key twice in {stream}");
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_runs_write_every_stores_rows_and_the_second_the_same_complete_ones() {
        let sandbox = opretail_sandbox::Sandbox::builder().start().await.unwrap();
        let dir = TempDir::new("engine");
        let target: Target = format!("parquet:{}", dir.path().display()).parse().unwrap();
        let client = client(sandbox.url());
        let today = chrono::Utc::now()
            .with_timezone(&client.config().utc_offset())
            .date_naive();
        let since = today - TimeDelta::days(1);
        let engine_client = client.clone();
        let engine = Engine::new(client, SyncOptions::default().since(since));

        let first = engine.run(target.open().unwrap(), |_| {}).await.unwrap();
        assert_eq!(first.outcome, Outcome::Complete, "{:?}", first.failures);
        let stores = read_stream(dir.path(), Stream::Stores);
        assert_eq!(stores.len(), DEMO_STORE_COUNT);
        let hourly = by_key(dir.path(), Stream::FlowHourly);
        let daily = by_key(dir.path(), Stream::FlowDaily);
        let mut hours_per_store: BTreeMap<String, Vec<NaiveDateTime>> = BTreeMap::new();
        for (row, _) in hourly.values() {
            let (Cell::Text(id), Cell::Timestamp(t)) = (&row[0], &row[1]) else {
                panic!("{row:?}")
            };
            hours_per_store.entry(id.clone()).or_default().push(*t);
        }
        assert_eq!(
            hours_per_store.len(),
            DEMO_STORE_COUNT,
            "every store has hours"
        );
        for (store, hours) in &hours_per_store {
            assert_eq!(hours[0], since.and_hms_opt(0, 0, 0).unwrap(), "{store}");
            assert!(hours.len() >= 25, "{store}: {} hours", hours.len());
            assert!(
                hours.windows(2).all(|w| w[1] - w[0] == TimeDelta::hours(1)),
                "{store}: no hour missing"
            );
        }
        // Yesterday and today; and tomorrow too, should the gateway's midnight fall in the run.
        assert!(
            [2, 3]
                .map(|days| DEMO_STORE_COUNT * days)
                .contains(&daily.len()),
            "every day of every store: {}",
            daily.len()
        );
        let mut sink = target.open().unwrap();
        let marks = sink.marks(Stream::FlowHourly).unwrap();
        assert_eq!(marks.len(), DEMO_STORE_COUNT);
        let status = sink.status().unwrap();
        assert_eq!(
            status.streams[&Stream::FlowHourly].rows as usize,
            hourly.len()
        );
        assert_eq!(status.last_run.unwrap().rows, Some(first.rows));
        drop(sink);

        // The second run keeps the raw answers too: one line per call.
        let client = engine_client.clone();
        let engine = Engine::new(client, SyncOptions::default().since(since).keep_raw(true));
        let second = engine.run(target.open().unwrap(), |_| {}).await.unwrap();
        assert_eq!(second.outcome, Outcome::Complete, "{:?}", second.failures);
        let raw = dir
            .path()
            .join(format!("_opretail_raw/run-{}-001.jsonl", second.run_id));
        let raw = std::fs::read_to_string(&raw).unwrap();
        assert_eq!(raw.lines().count(), second.calls);
        assert!(
            raw.lines()
                .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        );
        assert_eq!(
            read_stream(dir.path(), Stream::Stores).len(),
            DEMO_STORE_COUNT
        );
        for (stream, before) in [(Stream::FlowHourly, hourly), (Stream::FlowDaily, daily)] {
            let after = by_key(dir.path(), stream);
            assert!(after.len() >= before.len(), "{stream}: nothing lost");
            for (key, (row, complete)) in before {
                if complete {
                    assert_eq!(
                        after.get(&key).map(|a| &a.0),
                        Some(&row),
                        "{stream} {key:?}"
                    );
                }
            }
        }
        sandbox.shutdown().await;
    }
}
