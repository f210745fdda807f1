//! Rows written per second by each sink: 300 stores × 31 days of hourly rows (223,200), in
//! batches of one store's month (744 rows, one mark each) as a back-fill hands them over.
//!
//! ```text
//! cargo bench -p opretail-sync --bench sinks --all-features
//! ```
//!
//! Lines: `bench sync/sqlite-rows <rows/s> rows/s target=>=200000`, and for the other sinks
//! when their features are on. Without `--bench` (as `cargo test --all-targets` runs it)
//! nothing is measured.

use std::time::Instant;

use chrono::{NaiveDate, TimeDelta};
use opretail_sync::{Batch, Cell, Mark, RunEnd, RunStart, Outcome, Rows, Sink, Stream};

const STORES: usize = 300;
const DAYS: i64 = 31;

/// One store's month of hourly rows and its mark.
fn batch(store: usize) -> Batch {
    let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let id = format!("S_{}", 1001 + store);
    let mut rows = Rows::new(Stream::FlowHourly);
    for hour in 0..DAYS * 24 {
        let at = first + TimeDelta::hours(hour);
        let entering = (hour % 24) * 7 + store as i64 % 13;
        rows.push([
            Cell::Text(id.clone()),
            Cell::Timestamp(at),
            Cell::Integer(entering),
            Cell::Integer(entering * 9),
            Cell::Integer(entering * 10),
            Cell::Real(10.0),
            Cell::Null,
            Cell::Real(1.5),
            Cell::Boolean(false),
            Cell::Timestamp(first),
        ]);
    }
    Batch {
        rows,
        marks: vec![Mark {
            stream: Stream::FlowHourly,
            store_id: id,
            complete_until: first + TimeDelta::days(DAYS),
        }],
        raw: Vec::new(),
    }
}

/// Writes every batch through `sink` in one run; rows per second.
fn measure(mut sink: Box<dyn Sink>) -> f64 {
    let batches: Vec<Batch> = (0..STORES).map(batch).collect();
    let rows: usize = batches.iter().map(|b| b.rows.len()).sum();
    let started_at = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    sink.start_run(&RunStart { run_id: 1, started_at, streams: vec![Stream::FlowHourly] })
        .expect("the run starts");
    let begun = Instant::now();
    for batch in batches {
        sink.write(batch).expect("the batch is written");
    }
    sink.finish_run(&RunEnd {
        run_id: 1,
        finished_at: started_at,
        outcome: Outcome::Complete,
        rows: rows as u64,
        failed_stores: 0,
    })
    .expect("the run ends");
    rows as f64 / begun.elapsed().as_secs_f64()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().expect("a scratch directory");
    #[cfg(feature = "sqlite")]
    {
        let target: opretail_sync::Target = format!("sqlite:{}", dir.path().join("bench.db").display())
            .parse()
            .expect("a target");
        let rate = measure(target.open().expect("the database opens"));
        println!("bench sync/sqlite-rows {rate:.0} rows/s target=>=200000");
    }
    let _ = &dir;
}
