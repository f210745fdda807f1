//! What a sink costs per row, on the case that shapes it: a month of hourly rows of 300
//! stores (223,200 rows) arriving as 300 batches of 744 with one mark each, as a first run
//! writes them.
//!
//! ```text
//! cargo bench -p opretail-sync --all-features --bench sinks
//! OPRETAIL_BENCH_QUICK=1 cargo bench -p opretail-sync --all-features --bench sinks
//! ```
//!
//! Each iteration writes into a target of its own, from the run's start to its end (files
//! fsynced and renamed into place, transactions committed); the rows are made before the
//! clock starts. Afterwards the figures go to stdout, read from criterion's own estimates of
//! this run, for each sink this build has:
//!
//! ```text
//! bench sync/sqlite-rows 290000 rows/s target=>=200000
//! bench sync/postgres-rows 150000 rows/s target=>=50000
//! bench sync/parquet-rows 800000 rows/s target=>=500000
//! ```
//!
//! PostgreSQL is a throwaway cluster of the tests' harness (Debian's `postgresql-15`, a Unix
//! socket, `fsync` off as in the tests): the figure is the sink's and the protocol's cost, not
//! the disk's. Without the server's programs the line is left out, saying why on stderr.
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) nothing is measured.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{NaiveDate, TimeDelta};
use criterion::{BatchSize, Criterion, Throughput};
use opretail_sync::{Batch, Cell, Mark, Outcome, Rows, RunEnd, RunStart, Sink, Stream};

#[path = "../../../benches-common/criterion_estimates.rs"]
mod criterion_estimates;

#[cfg(feature = "postgres")]
#[path = "../tests/pg_cluster/mod.rs"]
mod pg_cluster;

/// The cluster of the PostgreSQL figure, started at its first use and stopped at the end.
#[cfg(feature = "postgres")]
static CLUSTER: std::sync::Mutex<Option<pg_cluster::Cluster>> = std::sync::Mutex::new(None);

/// A PostgreSQL sink on empty tables of the bench's cluster.
#[cfg(feature = "postgres")]
fn postgres(_: &Path) -> Box<dyn Sink> {
    let mut cluster = CLUSTER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cluster = cluster.get_or_insert_with(pg_cluster::Cluster::start);
    cluster.db().execute(
        "DROP TABLE IF EXISTS flow_hourly, _opretail_state, _opretail_runs, _opretail_raw",
        &[],
    );
    Box::new(
        opretail_sync::sinks::postgres::PostgresSink::connect(&cluster.url())
            .expect("the cluster accepts the sink"),
    )
}

const GROUP: &str = "sync";

/// Stores, hours per store: a month of 31 days.
const STORES: i64 = 300;
const HOURS: i64 = 31 * 24;

/// The sinks of this build: name, rows per second wanted at least, and how to open a fresh
/// target in a directory.
type Opener = fn(&Path) -> Box<dyn Sink>;
const SINKS: &[(&str, f64, Opener)] = &[
    #[cfg(feature = "sqlite")]
    ("sqlite-rows", 200_000.0, |dir| {
        let target: opretail_sync::Target = format!("sqlite:{}", dir.join("bench.db").display())
            .parse()
            .expect("a target");
        target.open().expect("the database opens")
    }),
    #[cfg(feature = "postgres")]
    ("postgres-rows", 50_000.0, postgres),
    #[cfg(feature = "parquet")]
    ("parquet-rows", 500_000.0, |dir| {
        Box::new(
            opretail_sync::sinks::parquet::ParquetSink::open(dir).expect("the directory opens"),
        )
    }),
];

/// The month: one batch per store, its hours and its mark.
fn month() -> Vec<Batch> {
    let first = NaiveDate::from_ymd_opt(2026, 10, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid time");
    (0..STORES)
        .map(|store| {
            let id = format!("S_{}", 1001 + store);
            let mut rows = Rows::new(Stream::FlowHourly);
            for hour in 0..HOURS {
                let bucket = first + TimeDelta::hours(hour);
                let n = store * HOURS + hour;
                rows.push([
                    Cell::Text(id.clone()),
                    Cell::Timestamp(bucket),
                    Cell::Integer(n % 97),
                    Cell::Integer(n % 311),
                    Cell::Integer(n % 97 + n % 311),
                    Cell::Real((n % 1000) as f64 / 10.0),
                    if n % 5 == 0 {
                        Cell::Null
                    } else {
                        Cell::Integer(n % 89)
                    },
                    Cell::Null,
                    Cell::Boolean(false),
                    Cell::Timestamp(first + TimeDelta::days(31)),
                ]);
            }
            Batch {
                rows,
                marks: vec![Mark {
                    stream: Stream::FlowHourly,
                    store_id: id,
                    complete_until: first + TimeDelta::hours(HOURS),
                }],
                raw: Vec::new(),
            }
        })
        .collect()
}

/// A fresh directory for one iteration.
fn fresh_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "opretail-sync-bench-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// One run of the month through a sink.
fn write_month(mut sink: Box<dyn Sink>, batches: Vec<Batch>) {
    let start = RunStart {
        run_id: 1,
        started_at: chrono::NaiveDateTime::default(),
        streams: vec![Stream::FlowHourly],
    };
    sink.start_run(&start).expect("the run starts");
    for batch in batches {
        sink.write(batch).expect("the batch is written");
    }
    let end = RunEnd {
        run_id: 1,
        finished_at: chrono::NaiveDateTime::default(),
        outcome: Outcome::Complete,
        rows: (STORES * HOURS) as u64,
        failed_stores: 0,
    };
    sink.finish_run(&end).expect("the run ends");
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group(GROUP);
    group.sample_size(10);
    group.throughput(Throughput::Elements((STORES * HOURS) as u64));
    for &(name, _, open) in SINKS {
        #[cfg(feature = "postgres")]
        if name == "postgres-rows" && !Path::new(pg_cluster::BIN).join("initdb").exists() {
            eprintln!(
                "sync/postgres-rows: left out, no PostgreSQL server programs in {} (install \
                 Debian's postgresql-15)",
                pg_cluster::BIN
            );
            continue;
        }
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = fresh_dir();
                    (open(&dir), month(), dir)
                },
                |(sink, batches, dir)| {
                    write_month(sink, batches);
                    dir
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        let prefix = format!("opretail-sync-bench-{}-", std::process::id());
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: nothing to measure then.
    let measured = criterion_estimates::measure(bench);
    #[cfg(feature = "postgres")]
    drop(CLUSTER.lock().map(|mut cluster| cluster.take()));
    let Some(measured) = measured else {
        return;
    };
    for &(name, target, _) in SINKS {
        match measured.median(GROUP, name) {
            Some(ns) => {
                let rows_per_second = (STORES * HOURS) as f64 / (ns / 1e9);
                println!("bench sync/{name} {rows_per_second:.0} rows/s target=>={target:.0}");
            }
            None => eprintln!("sync/{name}: no estimate from this run (filtered out?)"),
        }
    }
}
