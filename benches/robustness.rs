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

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use bidscore::analysis::{InputMode, RobustnessOptions, WeightMode, robustness};
use bidscore::{Inputs, SourceFile, evaluate, load_paths, load_sources};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "shared/mod.rs"]
mod common;

/// A tender of `m` criteria cycling through the rule kinds (no panel), with two gates and a
/// quantity award; bids carry assumed values with ranges on a linear, a date and a price
/// criterion.
fn tender(n: usize, m: usize) -> Inputs {
    // Every kind but the panel (the bench varies weights and values, not marks).
    let rules = common::RULES.get(..9).unwrap();
    let mut c = format!(
        "[tender]\nid = \"bench\"\ntitle = \"Benchmark\"\n[evaluation]\nmax_points = {}\nrounding = {{ places = 4, mode = \"half-up\" }}\n\
         qualify = [{{ section = \"technical\", min_share = 0.3 }}]\ntie_break = [\"section:technical\", \"bidder\"]\n\
         [award]\nwinners = 3\nquantity = {{ field = \"offer.qty\", total = 40 }}\n\
         [[section]]\nid = \"technical\"\ntitle = \"Technical\"\n[[section]]\nid = \"price\"\ntitle = \"Price\"\n\
         [[gate]]\nid = \"korea\"\ntitle = \"Korea\"\nfield = \"eligibility.korea\"\nrequire = {{ equals = true }}\n\
         [[gate]]\nid = \"power\"\ntitle = \"Power\"\nfield = \"eligibility.power\"\nrequire = {{ at_least = 17 }}\n",
        5 * m
    );
    for i in 0..m {
        let (kind, rule) = rules[i % rules.len()];
        let section = if kind == "price" { "price" } else { "technical" };
        let _ = write!(
            c,
            "[[criterion]]\nid = \"c{i}\"\nsection = \"{section}\"\ntitle = \"C{i}\"\npoints = 5\nfield = \"v.c{i}\"\nrule = {rule}\n"
        );
    }
    let mut sources = vec![SourceFile::new("criteria.toml", c)];
    for b in 0..n {
        let mut o = String::from("[v]\n");
        let mut prov = String::new();
        for i in 0..m {
            let x = ((b as u64 * 2_654_435_761 + i as u64 * 40_503) >> 7) as usize % 1000;
            let v = match i % rules.len() {
                0 | 1 | 5 | 8 => format!("{}.{}", 10 + x / 20, x % 10),
                2 => ["\"owned\"", "\"affiliate\"", "\"leased\""][x % 3].to_owned(),
                3 => x.is_multiple_of(2).to_string(),
                4 => format!("2025-{:02}-{:02}", 1 + x % 12, 1 + x % 28),
                6 => format!("{}", 1 + x),
                _ => format!("{}", 500_000 + x * 700),
            };
            let _ = writeln!(o, "c{i} = {v}");
            let range = match i % rules.len() {
                0 => Some(format!("[{}, {}]", 10 + x / 20 - 5, 10 + x / 20 + 6)),
                4 => Some(format!("[2025-{:02}-{:02}, 2026-03-31]", 1 + x % 12, 1 + x % 28)),
                7 => Some(format!("[{}, {}]", 450_000 + x * 700, 550_000 + x * 700)),
                _ => None,
            };
            if let Some(r) = range {
                let _ = write!(prov, "[provenance.\"v.c{i}\"]\nstatus = \"assumed\"\nnote = \"bench\"\nrange = {r}\n");
            }
        }
        let _ = write!(
            o,
            "[eligibility]\nkorea = {}\npower = {}\n[offer]\nqty = {}\n[bidder]\nid = \"b{b:05}\"\nname = \"Bidder {b}\"\n{prov}",
            b % 7 != 3,
            15 + b % 40,
            5 + b % 20
        );
        sources.push(SourceFile::new(format!("b{b:05}.toml"), o));
    }
    load_sources(sources).unwrap()
}

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
    let inputs = tender(10, 20);
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
        let inputs = tender(n, m);
        let outcome = evaluate(&inputs);
        s.bench_with_input(BenchmarkId::new("bids x criteria", format!("{n}x{m}")), &(), |b, ()| {
            b.iter(|| black_box(robustness(&inputs, &outcome, &options(samples)).unwrap()))
        });
    }
    let inputs = tender(10, 20);
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
