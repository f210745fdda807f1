//! Decoding a `getTotalData` envelope into `TotalData` against the floor: parsing the same
//! bytes into a `serde_json::Value`. The target is decoding at no more than 1.5 times the floor.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use opretail_model::{GetTotalData, decode_response};

fn bench(c: &mut Criterion) {
    let body = include_bytes!("../tests/fixtures/envelopes/success-plain.json");
    let op = GetTotalData::new("S_1001".parse().expect("valid id"));
    assert!(
        decode_response(&op, 200, body).is_ok(),
        "the fixture decodes"
    );
    let mut group = c.benchmark_group("decode");
    group.bench_function("total-data", |b| {
        b.iter(|| decode_response(&op, 200, black_box(body)))
    });
    group.bench_function("value-floor", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
