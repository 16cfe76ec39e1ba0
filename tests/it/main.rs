//! The one integration-test binary: each module is an area, fixtures are data.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs,
    unreachable_pub,
    reason = "tests fail loudly; helpers are pub for the test modules"
)]

mod analysis;
mod cli;
mod differential;
mod fixtures;
mod fuzz_regressions;
mod generate;
mod hostile;
mod hostile_output;
mod invariants;
mod panel_analysis;
mod ranking;
mod reference;
mod regimes;
mod robustness;
mod rules;
mod scenarios;
mod snapshots;
mod validation;

use bidscore::report::{Format, Options, ScoreReport, View, render};
use bidscore::{Diagnostics, Inputs, Outcome, SourceFile, load_sources};

/// Load a criteria text and other files (named `f1.toml`, … in order).
pub fn load_texts(criteria: &str, others: &[String]) -> Result<Inputs, Diagnostics> {
    let mut sources = vec![SourceFile::new("criteria.toml", criteria)];
    for (i, t) in others.iter().enumerate() {
        sources.push(SourceFile::new(format!("f{i}.toml"), t.as_str()));
    }
    load_sources(sources)
}

/// Load, panicking with the rendered diagnostics if invalid.
pub fn load_ok(criteria: &str, others: &[String]) -> Inputs {
    match load_texts(criteria, others) {
        Ok(i) => i,
        Err(d) => {
            panic!("expected valid input:\n{}\n--- criteria ---\n{criteria}\n--- others ---\n{}", d.render_short(), others.join("\n---\n"))
        }
    }
}

/// The codes of every diagnostic, for assertions.
pub fn codes(d: &Diagnostics) -> Vec<&'static str> {
    d.items.iter().map(|x| x.code).collect()
}

/// A view rendered in a format, 120 columns wide.
pub fn show(view: &dyn View, format: Format) -> String {
    render(view, format, Options::new())
}

/// The score report in a format, as `bidscore score` renders it (with the panel analysis
/// when the tender has one).
pub fn score_report(inputs: &Inputs, outcome: &Outcome, format: Format) -> String {
    let panel = bidscore::analysis::panel(inputs, outcome).ok();
    show(&ScoreReport::new(inputs, outcome, panel.as_ref()), format)
}

/// The score report as a table.
pub fn table(inputs: &Inputs, outcome: &Outcome) -> String {
    score_report(inputs, outcome, Format::Table)
}

/// The SPEC §8 JSON report.
pub fn json(inputs: &Inputs, outcome: &Outcome) -> String {
    score_report(inputs, outcome, Format::Json)
}
