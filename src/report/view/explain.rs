//! `bidscore explain`: one bid's gates, criteria, thresholds and its comparison with
//! another bid, for people and for programs.

use serde::Serialize;

use super::{Gates, json_text};
use crate::analysis::Explanation;
use crate::model::Inputs;
use crate::report::View;
use crate::report::doc::{Align, Cell, Column, Doc, Table};
use crate::report::prose::{self, signed};

/// An explanation as a report (the inputs name the gates' fields and conditions).
#[derive(Clone, Copy, Debug)]
pub struct ExplainReport<'a> {
    /// The explanation.
    pub explanation: &'a Explanation<'a>,
    /// The inputs it explains.
    pub inputs: &'a Inputs,
}

impl View for ExplainReport<'_> {
    fn doc(&self) -> Doc {
        doc(self.explanation, self.inputs)
    }

    fn json(&self) -> String {
        json_text(&to_json(self.explanation, self.inputs))
    }
}

fn doc(e: &Explanation<'_>, inputs: &Inputs) -> Doc {
    let mut d = Doc::new();
    let rank = e.rank.map(|r| format!("rank {r}, ")).unwrap_or_default();
    d.text(format!("{}: {rank}{}, {} points", e.bidder, e.status.as_str(), e.total));
    d.blank();
    for (g, v) in inputs.tender.gates.iter().zip(&e.gates) {
        d.item(0, format!("gate {} {}: {}", prose::mark(v.passed), v.id, prose::gate(g, v)));
    }
    for t in &e.thresholds {
        let q = &t.verdict;
        let short = t.short_by.as_ref().map(|s| format!(" — short by {}", s.display(4))).unwrap_or_default();
        d.item(0, format!("threshold {} {}: {} of at least {} needed{short}", prose::mark(q.met), q.scope, q.scored, q.needed.display(4)));
    }
    d.blank();
    let mut t = Table::new(
        "criteria",
        vec![
            Column::new("Criterion", Align::Left),
            Column::new("Value", Align::Left),
            Column::new("Points", Align::Right),
            Column::new("Max", Align::Right),
            Column::keyed("Why", "reason", Align::Left),
        ],
    );
    for c in &e.criteria {
        let value = c.value.map(ToString::to_string);
        t.rows.push(vec![
            Cell::text(c.id),
            value.map_or_else(Cell::none, Cell::text),
            Cell::text(c.points.to_string()),
            Cell::text(c.max.to_string()),
            Cell::text(prose::reason(c)),
        ]);
    }
    d.table(t);
    d.blank();
    let Some(vs) = &e.against else {
        d.text("No other bid to compare with.");
        return d;
    };
    d.text(format!(
        "Against {} ({}, {}; {}): {} points, a gap of {}",
        vs.other,
        vs.other_status.as_str(),
        vs.other_total,
        prose::why(vs.why),
        e.total,
        signed(vs.gap)
    ));
    let mut t = Table::new(
        "comparison",
        vec![
            Column::new("Criterion", Align::Left),
            Column::data("decisive"),
            Column::keyed(&e.bidder, "mine", Align::Right),
            Column::keyed(&vs.other, "theirs", Align::Right),
            Column::new("Difference", Align::Right),
        ],
    );
    for delta in &vs.deltas {
        let decisive = vs.decisive.contains(&delta.criterion);
        let mark = if decisive { " ◆" } else { "" };
        t.rows.push(vec![
            Cell::with_data(format!("{}{mark}", delta.criterion), &delta.criterion),
            Cell::text(decisive.to_string()),
            Cell::text(delta.mine.to_string()),
            Cell::text(delta.theirs.to_string()),
            Cell::with_data(signed(delta.delta), delta.delta.to_string()),
        ]);
    }
    if let Some(a) = vs.adjustment {
        t.rows.push(vec![
            Cell::text("differential adjustment"),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::with_data(signed(a), a.to_string()),
        ]);
    }
    t.rows.push(vec![
        Cell::text("total"),
        Cell::text(""),
        Cell::text(e.total.to_string()),
        Cell::text(vs.other_total.to_string()),
        Cell::with_data(signed(vs.gap), vs.gap.to_string()),
    ]);
    d.table(t);
    if let Some(by) = &vs.decided_by {
        d.text(format!("{}.", prose::decided_by(by)));
        return d;
    }
    match vs.decisive_gap {
        Some(g) if !vs.decisive.is_empty() => {
            d.text(format!(
                "◆ decisive: {} — with {}'s points on {} the gap would be {} and the order of the two would reverse",
                prose::ticked(vs.decisive.iter().map(String::as_str)),
                vs.other,
                if vs.decisive.len() == 1 { "it" } else { "these" },
                signed(g)
            ));
        }
        _ => {
            d.text(format!("No set of criteria reverses the pair: taking every one of {}'s points does not change their order.", vs.other));
        }
    }
    d
}

#[derive(Serialize)]
struct Json<'a> {
    bidder: &'a str,
    status: &'static str,
    rank: Option<u32>,
    total: String,
    gates: Gates<'a>,
    criteria: Vec<Crit<'a>>,
    thresholds: Vec<Threshold>,
    against: Option<Against<'a>>,
}

#[derive(Serialize)]
struct Crit<'a> {
    id: &'a str,
    section: &'a str,
    value: Option<String>,
    points: String,
    max: String,
    reason: String,
}

#[derive(Serialize)]
struct Threshold {
    scope: String,
    needed: String,
    scored: String,
    met: bool,
    short_by: Option<String>,
}

#[derive(Serialize)]
struct Against<'a> {
    bidder: &'a str,
    why: &'static str,
    status: &'static str,
    total: String,
    gap: String,
    deltas: Vec<DeltaJson<'a>>,
    adjustment: Option<String>,
    decisive: &'a [String],
    decisive_gap: Option<String>,
    decided_by: Option<String>,
}

#[derive(Serialize)]
struct DeltaJson<'a> {
    criterion: &'a str,
    mine: String,
    theirs: String,
    delta: String,
}

/// The explanation as JSON: decimals are strings; exact rationals are a decimal or `n/d`.
fn to_json<'a>(e: &'a Explanation<'a>, inputs: &'a Inputs) -> Json<'a> {
    Json {
        bidder: &e.bidder,
        status: e.status.as_str(),
        rank: e.rank,
        total: e.total.to_string(),
        gates: Gates { gates: &inputs.tender.gates, verdicts: &e.gates },
        criteria: e
            .criteria
            .iter()
            .map(|c| Crit {
                id: c.id,
                section: c.section,
                value: c.value.map(ToString::to_string),
                points: c.points.to_string(),
                max: c.max.to_string(),
                reason: prose::reason(c),
            })
            .collect(),
        thresholds: e
            .thresholds
            .iter()
            .map(|t| Threshold {
                scope: t.verdict.scope.to_string(),
                needed: t.verdict.needed.to_exact_string(),
                scored: t.verdict.scored.to_string(),
                met: t.verdict.met,
                short_by: t.short_by.as_ref().map(crate::exact::Rat::to_exact_string),
            })
            .collect(),
        against: e.against.as_ref().map(|a| Against {
            bidder: &a.other,
            why: prose::why(a.why),
            status: a.other_status.as_str(),
            total: a.other_total.to_string(),
            gap: a.gap.to_string(),
            deltas: a
                .deltas
                .iter()
                .map(|d| DeltaJson {
                    criterion: &d.criterion,
                    mine: d.mine.to_string(),
                    theirs: d.theirs.to_string(),
                    delta: d.delta.to_string(),
                })
                .collect(),
            adjustment: a.adjustment.map(|x| x.to_string()),
            decisive: &a.decisive,
            decisive_gap: a.decisive_gap.map(|x| x.to_string()),
            decided_by: a.decided_by.as_ref().map(prose::decided_by),
        }),
    }
}
