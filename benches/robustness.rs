//! Robustness performance (issue 11), measured here and never asserted in tests:
//! - 1,000,000 samples of a 10-bid × 20-criterion tender, weights uniform and assumed
//!   values varying: ≤ 1 s on 2 cores (faster than a vectorised numpy SMAA-2 weighted sum,
//!   about 0.8–0.9 M samples/s);
//! - the flagship with 100,000 samples: well under a second;
//! - how the cost scales with bids, criteria and threads (`robustness scaling`).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "benchmark harness"
)]

use std::hint::black_box;
use std::time::Duration;

use bidscore::analysis::{InputMode, RobustnessOptions, WeightMode, robustness};
use bidscore::{evaluate, load_paths};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "shared/mod.rs"]
mod common;

fn options(samples: u64) -> RobustnessOptions {
    RobustnessOptions {
        samples,
        weights: WeightMode::Uniform,
        inputs: InputMode::Ranges,
        certify: 5,
        audit: 10,
        ..RobustnessOptions::new()
    }
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("robustness");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let inputs = common::tender(10, 20);
    let outcome = evaluate(&inputs);
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("1000000 samples, 10 bids x 20 criteria, weights and inputs", |b| {
        b.iter(|| black_box(robustness(&inputs, &outcome, &options(1_000_000)).unwrap()))
    });
    g.bench_function("1000000 samples, 10 bids x 20 criteria, weights only", |b| {
        let o = RobustnessOptions { inputs: InputMode::Fixed, ..options(1_000_000) };
        b.iter(|| black_box(robustness(&inputs, &outcome, &o).unwrap()))
    });
    let flagship = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    let published = evaluate(&flagship);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("flagship, 100000 samples, uniform weights, inputs, bootstrap", |b| {
        let o = RobustnessOptions { marks: bidscore::analysis::MarkMode::Bootstrap, ..options(100_000) };
        b.iter(|| black_box(robustness(&flagship, &published, &o).unwrap()))
    });
    g.finish();

    let mut s = c.benchmark_group("robustness scaling");
    s.sample_size(10).measurement_time(Duration::from_secs(10));
    let samples = 200_000u64;
    s.throughput(Throughput::Elements(samples));
    for (n, m) in [(10, 5), (10, 20), (10, 50), (50, 20), (200, 20)] {
        let inputs = common::tender(n, m);
        let outcome = evaluate(&inputs);
        s.bench_with_input(BenchmarkId::new("bids x criteria", format!("{n}x{m}")), &(), |b, ()| {
            b.iter(|| black_box(robustness(&inputs, &outcome, &options(samples)).unwrap()))
        });
    }
    let inputs = common::tender(10, 20);
    let outcome = evaluate(&inputs);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        s.bench_with_input(BenchmarkId::new("threads, 10x20", threads), &(), |b, ()| {
            b.iter(|| pool.install(|| black_box(robustness(&inputs, &outcome, &options(samples)).unwrap())))
        });
    }
    s.finish();
}

criterion_group!(robustness_benches, benches);
criterion_main!(robustness_benches);
