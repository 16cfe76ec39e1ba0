//! What the benchmarks build tenders from.
#![allow(dead_code, reason = "each benchmark uses part of it")]

use std::fmt::Write as _;

use bidscore::{Inputs, SourceFile, load_sources};

/// The binary's allocator (`src/main.rs`), so the in-process figures are what the command
/// line does; a library user links the allocator of their choice.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// One rule of every kind (the linear one twice, both directions), as criteria use them.
pub(crate) const RULES: [(&str, &str); 10] = [
    ("linear", "{ kind = \"linear\", zero_at = 0, full_at = 100 }"),
    ("steps", "{ kind = \"steps\", steps = [{ at_least = 10, score = 0.5 }, { at_least = 50, score = 1 }] }"),
    ("choice", "{ kind = \"choice\", scores = { owned = 1, affiliate = 0.9, leased = 0.3 } }"),
    ("flag", "{ kind = \"flag\" }"),
    ("date", "{ kind = \"date\", full_by = 2025-12-31, zero_from = 2026-07-01 }"),
    ("relative", "{ kind = \"relative\", better = \"higher\" }"),
    ("lower", "{ kind = \"relative\", better = \"lower\" }"),
    ("price", "{ kind = \"kr-price\", estimated = 1000000 }"),
    ("linear", "{ kind = \"linear\", zero_at = 100, full_at = 10 }"),
    ("panel", "{ kind = \"panel\", scale = 10 }"),
];

/// A tender of `m` criteria cycling through the rule kinds (no panel), with two gates and a
/// quantity award; bids carry assumed values with ranges on a linear, a date and a price
/// criterion.
pub(crate) fn tender(n: usize, m: usize) -> Inputs {
    // Every kind but the panel (the bench varies weights and values, not marks).
    let rules = RULES.get(..9).unwrap();
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
