//! What a sink costs per row, on the case that shapes it: a month of hourly rows of 300
//! stores (223,200 rows) arriving as 300 batches of 744, as a first run writes them.
//!
//! ```text
//! cargo bench -p opretail-sync --features parquet --bench sinks
//! OPRETAIL_BENCH_QUICK=1 cargo bench -p opretail-sync --features parquet --bench sinks
//! ```
//!
//! Each iteration writes into a directory of its own, from the run's start to its end (the
//! files fsynced and renamed into place); the rows are made before the clock starts.
//! Afterwards the figures go to stdout, read from criterion's own estimates of this run:
//!
//! ```text
//! bench sync/parquet-rows 1200000 rows/s target=>=500000
//! ```
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) nothing is measured.

#[path = "../../../benches-common/criterion_estimates.rs"]
mod criterion_estimates;

const GROUP: &str = "sync";

/// Stores, hours per store: a month of 31 days.
const STORES: i64 = 300;
const HOURS: i64 = 31 * 24;

mod parquet {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    use chrono::{NaiveDate, TimeDelta};
    use criterion::{BatchSize, Criterion, Throughput};
    use opretail_sync::sinks::parquet::ParquetSink;
    use opretail_sync::{Batch, Cell, Mark, Outcome, Rows, RunEnd, RunStart, Sink, Stream};

    use super::{GROUP, HOURS, STORES};

    /// Rows per second wanted at least.
    pub const TARGET: f64 = 500_000.0;

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
        dir
    }

    fn write_month(dir: &Path, batches: Vec<Batch>) {
        let mut sink = ParquetSink::open(dir).expect("the directory opens");
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

    pub fn bench(c: &mut Criterion) {
        let mut group = c.benchmark_group(GROUP);
        group.sample_size(10);
        group.throughput(Throughput::Elements((STORES * HOURS) as u64));
        group.bench_function("parquet-rows", |b| {
            b.iter_batched(
                || (fresh_dir(), month()),
                |(dir, batches)| {
                    write_month(&dir, batches);
                    dir
                },
                BatchSize::PerIteration,
            );
        });
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
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: nothing to measure then.
    let Some(measured) = criterion_estimates::measure(parquet::bench) else {
        return;
    };
    match measured.median(GROUP, "parquet-rows") {
        Some(ns) => {
            let rows_per_second = (STORES * HOURS) as f64 / (ns / 1e9);
            println!(
                "bench sync/parquet-rows {rows_per_second:.0} rows/s target=>={:.0}",
                parquet::TARGET
            );
        }
        None => eprintln!("sync/parquet-rows: no estimate from this run (filtered out?)"),
    }
}
