//! Decoding a `getTotalData` envelope into `TotalData` against the floor: parsing the same
//! bytes into a `serde_json::Value`. The target is decoding at no more than the floor: a typed
//! decode in one pass builds less than a generic tree of the same text.
//!
//! Criterion measures; afterwards the figures go to stdout, read from criterion's own
//! estimates of this run:
//!
//! ```text
//! bench decode/total-data 3270 ns ratio=0.73 target=<=1
//! bench decode/value-floor 4470 ns
//! ```
//!
//! `OPRETAIL_BENCH_QUICK=1` shortens the run. Without `--bench` (as `cargo test
//! --all-targets` runs it) nothing is measured.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::Criterion;
use opretail_model::GetTotalData;
use opretail_model::engine::decode_response;

#[path = "../../../benches-common/criterion_estimates.rs"]
mod criterion_estimates;

use criterion_estimates::{criterion_dir, fresh_median};

const GROUP: &str = "decode";
const TARGET: f64 = 1.0;

fn bench(c: &mut Criterion) {
    let body = include_bytes!("../tests/fixtures/envelopes/success-plain.json");
    let op = GetTotalData::new("S_1001".parse().expect("valid id"));
    assert!(
        decode_response(&op, 200, body).is_ok(),
        "the fixture decodes"
    );
    let mut group = c.benchmark_group(GROUP);
    group.bench_function("total-data", |b| {
        b.iter(|| decode_response(&op, 200, black_box(body)))
    });
    group.bench_function("value-floor", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)))
    });
    group.finish();
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let output = criterion_dir();
    let mut criterion = Criterion::default().output_directory(&output);
    if std::env::var_os("OPRETAIL_BENCH_QUICK").is_some() {
        criterion = criterion
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
    }
    let mut criterion = criterion.configure_from_args();
    let started = SystemTime::now();
    bench(&mut criterion);
    criterion.final_summary();

    let ours = fresh_median(&output, GROUP, "total-data", started);
    let floor = fresh_median(&output, GROUP, "value-floor", started);
    match (ours, floor) {
        (Some(ours), Some(floor)) => {
            println!(
                "bench decode/total-data {ours:.1} ns ratio={:.3} target=<={TARGET}",
                ours / floor
            );
            println!("bench decode/value-floor {floor:.1} ns");
        }
        _ => eprintln!("decode: no estimates from this run (filtered out?)"),
    }
}
