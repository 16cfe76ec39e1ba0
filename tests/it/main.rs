//! The one integration-test binary: each module is an area, fixtures are data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs, reason = "tests fail loudly")]

mod analysis;
mod cli;
mod differential;
mod fixtures;
mod fuzz_regressions;
mod generate;
mod invariants;
mod panel_analysis;
mod ranking;
mod reference;
mod regimes;
mod rules;
mod snapshots;
mod validation;

use bidscore::{Diagnostics, Inputs, SourceFile, load_sources};

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
