//! Signing a `getTotalData` call against the floor: hashing the same canonical bytes alone.
//! The target is signing at no more than 1.3 times the floor.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use md5::Md5;
use opretail_sign::{SignMethod, sign};
use sha1::{Digest, Sha1};

const SECRET: &str = "demo-secret";

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
    let mut sorted = pairs().to_vec();
    sorted.sort_unstable();
    let mut text = String::from(SECRET);
    for (k, v) in sorted {
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
    let mut group = c.benchmark_group("sign");
    for (name, method) in [("md5", SignMethod::Md5), ("sha1", SignMethod::Sha1)] {
        group.bench_function(name, |b| {
            b.iter(|| sign(method, black_box(SECRET), black_box(&sorted)))
        });
        group.bench_function(format!("{name}-unsorted"), |b| {
            b.iter(|| sign(method, black_box(SECRET), black_box(&unsorted)))
        });
    }
    group.bench_function("md5-floor", |b| {
        b.iter(|| Md5::digest(black_box(&canonical)))
    });
    group.bench_function("sha1-floor", |b| {
        b.iter(|| Sha1::digest(black_box(&canonical)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
