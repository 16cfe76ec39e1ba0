//! Issue 13's goals for the analyses, and how they grow (never asserted in tests):
//! - `stability` on 200 bids × 20 criteria: at most 1 s;
//! - `path-to-win` for the last ranked of 200 bids × 20 criteria: at most 0.5 s;
//! - both at 10, 50 and 200 bids, to show the growth.
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

use bidscore::analysis::{PathToWinOptions, StabilityOptions, path_to_win, stability};
use bidscore::evaluate;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

#[path = "shared/mod.rs"]
mod common;

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [10, 50, 200] {
        let inputs = common::tender(n, 20);
        let outcome = evaluate(&inputs);
        g.bench_with_input(BenchmarkId::new("stability, bids x 20 criteria", n), &n, |b, _| {
            b.iter(|| black_box(stability(&inputs, &outcome, StabilityOptions::new())));
        });
        // The last ranked bid: the longest search (no path within three changes).
        let last = outcome.standings.iter().rfind(|s| s.rank.is_some()).unwrap().bidder.clone();
        g.bench_with_input(BenchmarkId::new("path-to-win for the last ranked, bids x 20 criteria", n), &n, |b, _| {
            b.iter(|| black_box(path_to_win(&inputs, &outcome, &last, PathToWinOptions::new()).unwrap()));
        });
    }
    g.finish();
}

criterion_group!(analysis, benches);
criterion_main!(analysis);
