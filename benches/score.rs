//! Performance goals (issue 2), measured here and never asserted in tests:
//! - 10,000 bids × 20 criteria evaluated and ranked in-process: under 50 ms;
//! - the CLI loading those 10,000 files and scoring them: under 1.5 s;
//! - the flagship `score`: under 20 ms.
//!
//! And (issue 13) how both grow from 1,000 to 100,000 bids.
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
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use bidscore::report::{Format, Options, ScoreReport, render, render_to};
use bidscore::{SourceFile, evaluate, load_paths, load_sources};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

#[path = "shared/mod.rs"]
mod common;

const BIDS: usize = 10_000;

/// A 20-criterion tender using every rule kind, with gates, a threshold and a quantity award.
fn criteria() -> String {
    let rules = common::RULES;
    let mut o = String::from(
        "[tender]\nid = \"bench\"\ntitle = \"Benchmark\"\n[evaluation]\nmax_points = 100\nrounding = { places = 4, mode = \"half-up\" }\n\
         qualify = [{ section = \"technical\", min_share = 0.3 }]\ntie_break = [\"section:technical\", \"bidder\"]\n\
         [award]\nwinners = \"all\"\nquantity = { field = \"offer.qty\", total = 50000 }\n\
         [[section]]\nid = \"technical\"\ntitle = \"Technical\"\n[[section]]\nid = \"price\"\ntitle = \"Price\"\n\
         [[gate]]\nid = \"korea\"\ntitle = \"Korea\"\nfield = \"eligibility.korea\"\nrequire = { equals = true }\n\
         [[gate]]\nid = \"power\"\ntitle = \"Power\"\nfield = \"eligibility.power\"\nrequire = { at_least = 17 }\n",
    );
    for i in 0..20 {
        let (kind, rule) = rules[i % rules.len()];
        let section = if kind == "price" { "price" } else { "technical" };
        let field = if kind == "panel" { String::new() } else { format!("field = \"v.c{i}\"\n") };
        let _ = write!(o, "[[criterion]]\nid = \"c{i}\"\nsection = \"{section}\"\ntitle = \"C{i}\"\npoints = 5\n{field}rule = {rule}\n");
    }
    o
}

/// Bid `n`: values spread deterministically.
fn bid(n: usize) -> String {
    let mut o = String::from("[v]\n");
    for i in 0..20 {
        // A multiplicative hash: values spread without repeating every few bids.
        let x = ((n as u64 * 2_654_435_761 + i as u64 * 40_503) >> 7) as usize % 1000;
        let v = match i % 10 {
            0 | 1 | 5 | 8 => format!("{}.{}", x / 10, x % 10),
            2 => ["\"owned\"", "\"affiliate\"", "\"leased\""][x % 3].to_owned(),
            3 => x.is_multiple_of(2).to_string(),
            4 => format!("2025-{:02}-{:02}", 1 + x % 12, 1 + x % 28),
            6 => format!("{}", 1 + x),
            7 => format!("{}", 500_000 + x * 700),
            _ => continue,
        };
        let _ = writeln!(o, "c{i} = {v}");
    }
    let _ = write!(
        o,
        "[eligibility]\nkorea = {}\npower = {}\n[offer]\nqty = {}\n[bidder]\nid = \"b{n:05}\"\nname = \"Bidder {n}\"\n",
        !n.is_multiple_of(50),
        15 + n % 40,
        1 + n % 20
    );
    o
}

fn panel(count: usize) -> String {
    let mut o = String::from("[panel]\n");
    for c in [9, 19] {
        let _ = writeln!(o, "[panel.marks.c{c}]");
        for n in 0..count {
            let m = (n * 31 + c) % 10;
            let _ = writeln!(o, "b{n:05} = [{m}, {}, {}, 5, 7]", (m + 3) % 11, (m + 6) % 11);
        }
    }
    o
}

fn sources(count: usize) -> Vec<SourceFile> {
    let mut s = vec![SourceFile::new("criteria.toml", criteria())];
    s.extend((0..count).map(|n| SourceFile::new(format!("b{n:06}.toml"), bid(n))));
    s.push(SourceFile::new("panel.toml", panel(count)));
    s
}

fn write_files(count: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bidscore-bench-{}-{count}", std::process::id()));
    let bids = dir.join("bids");
    std::fs::create_dir_all(&bids).unwrap();
    std::fs::write(dir.join("criteria.toml"), criteria()).unwrap();
    for n in 0..count {
        std::fs::write(bids.join(format!("b{n:06}.toml")), bid(n)).unwrap();
    }
    std::fs::write(bids.join("panel.toml"), panel(count)).unwrap();
    dir
}

/// `bidscore score … --format json` on the files in `dir`.
fn cli_json(exe: &str, dir: &std::path::Path) {
    let out = Command::new(exe)
        .args(["score", dir.join("criteria.toml").to_str().unwrap(), dir.join("bids").to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn benches(c: &mut Criterion) {
    let inputs = load_sources(sources(BIDS)).expect("valid generated tender");
    assert_eq!(inputs.bids.len(), BIDS);
    let mut g = c.benchmark_group("score");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("evaluate 10000 bids x 20 criteria", |b| b.iter_with_large_drop(|| evaluate(black_box(&inputs))));
    g.bench_function("load and validate 10000 bids from memory", |b| b.iter(|| black_box(load_sources(sources(BIDS)).unwrap())));
    // Issue 13's goal: the SPEC §8 report of 10,000 bids streamed in at most 50 ms.
    let outcome = evaluate(&inputs);
    g.bench_function("json report of 10000 bids, streamed", |b| {
        b.iter(|| {
            let view = ScoreReport::new(&inputs, &outcome, None);
            let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::sink());
            render_to(&view, Format::Json, Options::new(), &mut w).unwrap();
            black_box(w);
        });
    });

    g.bench_function("flagship: load, evaluate, render table", |b| {
        b.iter(|| {
            let i = load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
            let o = evaluate(&i);
            black_box(render(&ScoreReport::new(&i, &o, None), Format::Table, Options::new()))
        });
    });

    let exe = env!("CARGO_BIN_EXE_bidscore");
    g.bench_function("cli: flagship score", |b| {
        b.iter(|| {
            let out = Command::new(exe).args(["score", "criteria/msit-2025-gpu.toml", "bids/msit-2025"]).output().unwrap();
            assert!(out.status.success());
        });
    });
    let dir = write_files(BIDS);
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("cli: score 10000 bid files", |b| b.iter(|| cli_json(exe, &dir)));
    g.finish();
    let _ = std::fs::remove_dir_all(dir);
}

/// How evaluation and the whole CLI grow with the bids: 1,000, 10,000 and 100,000.
fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let exe = env!("CARGO_BIN_EXE_bidscore");
    for n in [1_000, 10_000, 100_000] {
        let inputs = load_sources(sources(n)).expect("valid generated tender");
        g.bench_with_input(BenchmarkId::new("evaluate, bids x 20 criteria", n), &n, |b, _| {
            b.iter_with_large_drop(|| evaluate(black_box(&inputs)));
        });
        drop(inputs);
        let dir = write_files(n);
        g.bench_with_input(BenchmarkId::new("cli: score bid files, json", n), &n, |b, _| b.iter(|| cli_json(exe, &dir)));
        let _ = std::fs::remove_dir_all(dir);
    }
    g.finish();
}

criterion_group!(score, benches, scaling);
criterion_main!(score);
