//! Signing a `getTotalData` call against the floor: hashing the same canonical bytes alone.
//! The target is signing at no more than 1.5 times the floor.
//!
//! Criterion measures; afterwards one line per figure goes to stdout, read from criterion's
//! own estimates of this run:
//!
//! ```text
//! bench sign/md5 412 ns ratio=1.12 target=<=1.5
//! bench sign/md5-unsorted 520 ns ratio=1.41
//! ```
//!
//! `OPRETAIL_BENCH_QUICK=1` shortens the run. Without `--bench` (as `cargo test
//! --all-targets` runs it) nothing is measured.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use md5::Md5;
use opretail_sign::{SignMethod, sign};
use sha1::{Digest, Sha1};

const SECRET: &str = "demo-secret";
#[path = "../../../benches-common/criterion_estimates.rs"]
mod criterion_estimates;

const GROUP: &str = "sign";
const TARGET: f64 = 1.5;

/// The parameters in the order the SDK hands them to the signer: already sorted, because
/// `opretail-model` builds every form in canonical order.
fn sorted_pairs() -> [(&'static str, &'static str); 10] {
    let mut pairs = pairs();
    pairs.sort_unstable();
    pairs
}

fn pairs() -> [(&'static str, &'static str); 10] {
    [
        ("_aid", "S107"),
        ("_akey", "demo-key"),
        ("_mt", "open.shopweb.passengerFlow.getTotalData"),
        ("_requestMode", "POST"),
        ("_sm", "md5"),
        ("_timestamp", "20261128101500"),
        ("_version", "v1"),
        ("_format", "json"),
        ("id", "S_1001"),
        ("needUnit", "0"),
    ]
}

fn canonical_bytes() -> Vec<u8> {
    let mut text = String::from(SECRET);
    for (k, v) in sorted_pairs() {
        text.push_str(k);
        text.push_str(v);
    }
    text.push_str(SECRET);
    text.into_bytes()
}

fn bench(c: &mut Criterion) {
    let sorted = sorted_pairs();
    let unsorted = pairs();
    let canonical = canonical_bytes();
    let mut group = c.benchmark_group(GROUP);
    // Each floor right before its signer: on a shared machine the load drifts, and the
    // ratio is fairer between neighbours.
    group.bench_function("md5-floor", |b| {
        b.iter(|| Md5::digest(black_box(&canonical)))
    });
    signer(&mut group, "md5", SignMethod::Md5, &sorted, &unsorted);
    group.bench_function("sha1-floor", |b| {
        b.iter(|| Sha1::digest(black_box(&canonical)))
    });
    signer(&mut group, "sha1", SignMethod::Sha1, &sorted, &unsorted);
    group.finish();
}

fn signer(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    method: SignMethod,
    sorted: &[(&str, &str)],
    unsorted: &[(&str, &str)],
) {
    group.bench_function(name, |b| {
        b.iter(|| sign(method, black_box(SECRET), black_box(sorted)))
    });
    group.bench_function(format!("{name}-unsorted"), |b| {
        b.iter(|| sign(method, black_box(SECRET), black_box(unsorted)))
    });
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: nothing to measure then.
    let Some(measured) = criterion_estimates::measure(bench) else {
        return;
    };

    let estimate = |name: &str| measured.median(GROUP, name);
    for algorithm in ["md5", "sha1"] {
        let floor = estimate(&format!("{algorithm}-floor"));
        for (variant, target) in [("", true), ("-unsorted", false)] {
            let name = format!("{algorithm}{variant}");
            let (Some(ours), Some(floor)) = (estimate(&name), floor) else {
                eprintln!("sign/{name}: no estimate from this run (filtered out?)");
                continue;
            };
            let mut line = format!("bench sign/{name} {ours:.1} ns ratio={:.3}", ours / floor);
            if target {
                line.push_str(&format!(" target=<={TARGET}"));
            }
            println!("{line}");
        }
        if let Some(floor) = floor {
            println!("bench sign/{algorithm}-floor {floor:.1} ns");
        }
    }
}
