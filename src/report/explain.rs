//! `bidscore explain`: one bid's gates, criteria, thresholds and its comparison with
//! another bid, for people and for programs.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment};
use rust_decimal::Decimal;
use serde::Serialize;

use super::table::{TableOptions, new_table};
use crate::analysis::Explanation;

fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO { format!("+{d}") } else { d.to_string() }
}

/// The explanation for people.
pub fn explain_table(e: &Explanation, opts: TableOptions) -> String {
    let mut o = String::new();
    let rank = e.rank.map(|r| format!("rank {r}, ")).unwrap_or_default();
    let _ = writeln!(o, "{}: {rank}{}, {} points\n", e.bidder, e.status.as_str(), e.total);
    for g in &e.gates {
        let _ = writeln!(o, "gate {} {}: {}", if g.passed { "✓" } else { "✗" }, g.id, g.reason);
    }
    for t in &e.thresholds {
        let q = &t.verdict;
        let short = t.short_by.as_ref().map(|s| format!(" — short by {}", s.display(4))).unwrap_or_default();
        let _ = writeln!(
            o,
            "threshold {} {}: {} of at least {} needed{short}",
            if q.met { "✓" } else { "✗" },
            q.scope,
            q.scored,
            q.needed.display(4)
        );
    }
    let mut t = new_table(opts);
    t.set_header(vec![Cell::new("Criterion"), Cell::new("Value"), right("Points"), right("Max"), Cell::new("Why")]);
    for c in &e.criteria {
        t.add_row(vec![
            Cell::new(&c.id),
            Cell::new(c.value.as_deref().unwrap_or("—")),
            right(c.points),
            right(c.max),
            Cell::new(&c.reason),
        ]);
    }
    let _ = writeln!(o, "\n{t}\n");
    let Some(vs) = &e.against else {
        o.push_str("No other bid to compare with.\n");
        return o;
    };
    let _ = writeln!(
        o,
        "Against {} ({}, {}; {}): {} points, a gap of {}",
        vs.other,
        vs.other_status.as_str(),
        vs.other_total,
        vs.why,
        e.total,
        signed(vs.gap)
    );
    let mut t = new_table(opts);
    t.set_header(vec![Cell::new("Criterion"), right(&e.bidder), right(&vs.other), right("Difference")]);
    for d in &vs.deltas {
        let mark = if vs.decisive.contains(&d.criterion) { " ◆" } else { "" };
        t.add_row(vec![Cell::new(format!("{}{mark}", d.criterion)), right(d.mine), right(d.theirs), right(signed(d.delta))]);
    }
    if let Some(a) = vs.adjustment {
        t.add_row(vec![Cell::new("differential adjustment"), right(""), right(""), right(signed(a))]);
    }
    t.add_row(vec![Cell::new("total"), right(e.total), right(vs.other_total), right(signed(vs.gap))]);
    let _ = writeln!(o, "{t}");
    if let Some(d) = &vs.decided_by {
        let _ = writeln!(o, "{d}.");
        return o;
    }
    match vs.decisive_gap {
        Some(g) if !vs.decisive.is_empty() => {
            let list: Vec<String> = vs.decisive.iter().map(|c| format!("`{c}`")).collect();
            let _ = writeln!(
                o,
                "◆ decisive: {} — with {}'s points on {} the gap would be {} and the order of the two would reverse",
                list.join(", "),
                vs.other,
                if vs.decisive.len() == 1 { "it" } else { "these" },
                signed(g)
            );
        }
        _ => {
            let _ =
                writeln!(o, "No set of criteria reverses the pair: taking every one of {}'s points does not change their order.", vs.other);
        }
    }
    o
}

#[derive(Serialize)]
struct Json<'a> {
    bidder: &'a str,
    status: &'static str,
    rank: Option<u32>,
    total: String,
    gates: Vec<Gate<'a>>,
    criteria: Vec<Crit<'a>>,
    thresholds: Vec<Threshold>,
    against: Option<Against<'a>>,
}

#[derive(Serialize)]
struct Gate<'a> {
    id: &'a str,
    passed: bool,
    reason: &'a str,
}

#[derive(Serialize)]
struct Crit<'a> {
    id: &'a str,
    section: &'a str,
    value: Option<&'a str>,
    points: String,
    max: String,
    reason: &'a str,
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
    why: &'a str,
    status: &'static str,
    total: String,
    gap: String,
    deltas: Vec<DeltaJson<'a>>,
    adjustment: Option<String>,
    decisive: &'a [String],
    decisive_gap: Option<String>,
    decided_by: Option<&'a str>,
}

#[derive(Serialize)]
struct DeltaJson<'a> {
    criterion: &'a str,
    mine: String,
    theirs: String,
    delta: String,
}

/// The explanation as pretty JSON, ending in a newline. Decimals are strings; exact
/// rationals are a decimal or `n/d`.
pub fn explain_json(e: &Explanation) -> String {
    let j = Json {
        bidder: &e.bidder,
        status: e.status.as_str(),
        rank: e.rank,
        total: e.total.to_string(),
        gates: e.gates.iter().map(|g| Gate { id: &g.id, passed: g.passed, reason: &g.reason }).collect(),
        criteria: e
            .criteria
            .iter()
            .map(|c| Crit {
                id: &c.id,
                section: &c.section,
                value: c.value.as_deref(),
                points: c.points.to_string(),
                max: c.max.to_string(),
                reason: &c.reason,
            })
            .collect(),
        thresholds: e
            .thresholds
            .iter()
            .map(|t| Threshold {
                scope: t.verdict.scope.clone(),
                needed: t.verdict.needed.to_exact_string(),
                scored: t.verdict.scored.to_string(),
                met: t.verdict.met,
                short_by: t.short_by.as_ref().map(crate::exact::Rat::to_exact_string),
            })
            .collect(),
        against: e.against.as_ref().map(|a| Against {
            bidder: &a.other,
            why: &a.why,
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
            decided_by: a.decided_by.as_deref(),
        }),
    };
    let mut s = serde_json::to_string_pretty(&j).unwrap_or_default();
    s.push('\n');
    s
}
