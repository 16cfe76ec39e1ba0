//! The JSON report (SPEC §8): decimals as strings, inputs with SHA-256 sorted by path, bids
//! in report order. Same inputs → byte-identical output.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::PanelAnalysis;
use crate::evaluate::{Awarded, Outcome, Standing};
use crate::exact::Points;
use crate::model::Inputs;

#[derive(Serialize)]
struct Report<'a> {
    tender: TenderInfo<'a>,
    engine: Engine,
    inputs: Vec<InputFile<'a>>,
    bids: Vec<BidReport<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    panel: Option<super::panel::PanelJson<'a>>,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whatif: Option<Vec<AppliedJson<'a>>>,
}

#[derive(Serialize)]
struct AppliedJson<'a> {
    bid: &'a str,
    kind: &'static str,
    target: &'a str,
    from: Option<&'a str>,
    to: &'a str,
}

#[derive(Serialize)]
struct TenderInfo<'a> {
    id: &'a str,
    title: &'a str,
    max_points: String,
}

#[derive(Serialize)]
struct Engine {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct InputFile<'a> {
    path: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct BidReport<'a> {
    bidder: &'a str,
    name: &'a str,
    status: &'static str,
    rank: Option<u32>,
    total: Points,
    sections: BTreeMap<&'a str, Points>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_total: Option<Points>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_sections: Option<BTreeMap<&'a str, Points>>,
    /// `null` for a bid that is not qualified (its points are not adjusted).
    #[serde(skip_serializing_if = "Option::is_none")]
    differential_rank: Option<Option<u32>>,
    award: serde_json::Value,
    gates: Vec<GateReport<'a>>,
    criteria: Vec<CriterionReport<'a>>,
    assumed: &'a [String],
}

#[derive(Serialize)]
struct GateReport<'a> {
    id: &'a str,
    passed: bool,
    reason: &'a str,
}

#[derive(Serialize)]
struct CriterionReport<'a> {
    id: &'a str,
    value: Option<String>,
    score: String,
    points: Points,
    max: String,
    reason: String,
}

fn bid(s: &Standing) -> BidReport<'_> {
    BidReport {
        bidder: &s.bidder,
        name: &s.name,
        status: s.status.as_str(),
        rank: s.rank,
        total: s.total,
        sections: s.sections.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
        original_total: s.original.as_ref().map(|o| o.total),
        original_sections: s.original.as_ref().map(|o| o.sections.iter().map(|(k, v)| (k.as_str(), *v)).collect()),
        differential_rank: s.original.as_ref().map(|o| o.section_rank),
        award: match s.award {
            Awarded::No => serde_json::Value::Null,
            Awarded::Yes => serde_json::Value::Bool(true),
            Awarded::Quantity(q) => serde_json::Value::from(q),
        },
        gates: s.gates.iter().map(|g| GateReport { id: &g.id, passed: g.passed, reason: &g.reason }).collect(),
        criteria: s
            .criteria
            .iter()
            .map(|c| CriterionReport {
                id: &c.id,
                value: c.value.as_ref().map(ToString::to_string),
                score: c.score.to_exact_string(),
                points: c.points,
                max: c.max.to_string(),
                reason: c.reason_text(),
            })
            .collect(),
        assumed: &s.assumed,
    }
}

fn build<'a>(inputs: &'a Inputs, outcome: &'a Outcome, panel: Option<&'a PanelAnalysis>) -> Report<'a> {
    let mut files: Vec<InputFile<'_>> = inputs.sources.iter().map(|f| InputFile { path: &f.path, sha256: &f.sha256 }).collect();
    files.sort_by(|a, b| a.path.cmp(b.path));
    let mut warnings: Vec<String> =
        inputs.warnings.iter().map(|d| format!("{}: {} [{}]", crate::diag::locate(&inputs.sources, d), d.message, d.code)).collect();
    warnings.extend(outcome.warnings.iter().cloned());
    Report {
        tender: TenderInfo { id: &inputs.tender.id, title: &inputs.tender.title, max_points: inputs.tender.max_points.to_string() },
        engine: Engine { name: "bidscore", version: env!("CARGO_PKG_VERSION") },
        inputs: files,
        bids: outcome.standings.iter().map(bid).collect(),
        panel: panel.map(super::panel::to_json),
        warnings,
        whatif: None,
    }
}

/// The report as a JSON value, for programs that post-process it in Rust.
pub fn json_value(inputs: &Inputs, outcome: &Outcome) -> serde_json::Value {
    let panel = crate::analysis::panel(inputs, outcome);
    serde_json::to_value(build(inputs, outcome, panel.as_ref())).unwrap_or(serde_json::Value::Null)
}

/// The report as pretty JSON text, ending in a newline.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let text = bidscore::report::json(&inputs, &bidscore::evaluate(&inputs));
/// let v: serde_json::Value = serde_json::from_str(&text).unwrap();
/// assert_eq!(v["tender"]["max_points"], "100");
/// ```
pub fn json(inputs: &Inputs, outcome: &Outcome) -> String {
    // Serialised straight from the borrowed report: no intermediate value tree.
    let panel = crate::analysis::panel(inputs, outcome);
    let mut s = serde_json::to_string_pretty(&build(inputs, outcome, panel.as_ref())).unwrap_or_default();
    s.push('\n');
    s
}

/// The SPEC §8 report of a what-if's changed tender, with a top-level `whatif` list of the
/// changes applied, ending in a newline.
pub fn whatif_json(w: &crate::analysis::WhatIf) -> String {
    let panel = crate::analysis::panel(&w.inputs, &w.outcome);
    let mut report = build(&w.inputs, &w.outcome, panel.as_ref());
    report.whatif = Some(
        w.applied
            .iter()
            .map(|a| AppliedJson { bid: &w.bidder, kind: a.kind, target: &a.target, from: a.from.as_deref(), to: &a.to })
            .collect(),
    );
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}
