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

use criterion::Criterion;
use opretail_model::GetTotalData;
use opretail_model::engine::decode_response;

#[path = "../../../benches-common/criterion_estimates.rs"]
mod criterion_estimates;

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
    let Some(measured) = criterion_estimates::measure(bench) else {
        return;
    };

    let ours = measured.median(GROUP, "total-data");
    let floor = measured.median(GROUP, "value-floor");
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
