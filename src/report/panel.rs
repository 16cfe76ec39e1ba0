//! The panel analysis ([`crate::analysis::panel`]) for people and for programs. Exact
//! values are strings (a decimal, or `n/d` when no finite decimal is exact); the table
//! rounds to 4 places for reading.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment};
use serde::Serialize;

use super::table::{TableOptions, new_table};
use crate::analysis::{PanelAnalysis, PanelBid};
use crate::exact::Rat;

#[derive(Serialize)]
pub(super) struct PanelJson<'a> {
    evaluators: &'a [String],
    outlier_k: String,
    kendall_w: Option<String>,
    criteria: Vec<CriterionJson<'a>>,
    winners: &'a [String],
    drop_one: Vec<DropJson<'a>>,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct CriterionJson<'a> {
    id: &'a str,
    scale: String,
    trim: u32,
    kendall_w: Option<String>,
    bids: Vec<BidJson<'a>>,
}

#[derive(Serialize)]
struct BidJson<'a> {
    bidder: &'a str,
    marks: Vec<String>,
    trimmed_mean: Option<String>,
    median: String,
    spread: String,
    mad: String,
    outliers: Vec<OutlierJson<'a>>,
}

#[derive(Serialize)]
struct OutlierJson<'a> {
    evaluator: &'a str,
    mark: String,
}

#[derive(Serialize)]
struct DropJson<'a> {
    evaluator: &'a str,
    winners: Option<&'a [String]>,
    /// `null` when it could not be checked (see `reason`).
    changed: Option<bool>,
    entering: &'a [String],
    leaving: &'a [String],
    reason: Option<&'a str>,
}

pub(super) fn to_json(p: &PanelAnalysis) -> PanelJson<'_> {
    PanelJson {
        evaluators: &p.evaluators,
        outlier_k: p.outlier_k.normalize().to_string(),
        kendall_w: p.overall_w.as_ref().map(Rat::to_exact_string),
        criteria: p
            .criteria
            .iter()
            .map(|c| CriterionJson {
                id: &c.id,
                scale: c.scale.normalize().to_string(),
                trim: c.trim,
                kendall_w: c.kendall_w.as_ref().map(Rat::to_exact_string),
                bids: c.bids.iter().map(|b| bid_json(p, b)).collect(),
            })
            .collect(),
        winners: &p.winners,
        drop_one: p
            .drop_one
            .iter()
            .map(|d| DropJson {
                evaluator: &d.evaluator,
                winners: d.winners.as_deref(),
                changed: d.winners.as_ref().map(|_| d.changed()),
                entering: &d.entering,
                leaving: &d.leaving,
                reason: d.reason.as_deref(),
            })
            .collect(),
        note: p.note.as_deref(),
    }
}

fn bid_json<'a>(p: &'a PanelAnalysis, b: &'a PanelBid) -> BidJson<'a> {
    BidJson {
        bidder: &b.bidder,
        marks: b.marks.iter().map(|m| m.normalize().to_string()).collect(),
        trimmed_mean: b.trimmed_mean.as_ref().map(Rat::to_exact_string),
        median: b.median.to_exact_string(),
        spread: b.spread.normalize().to_string(),
        mad: b.mad.to_exact_string(),
        outliers: b
            .outliers
            .iter()
            .map(|&e| OutlierJson {
                evaluator: p.evaluators.get(e).map_or("?", String::as_str),
                mark: b.marks.get(e).map(|m| m.normalize().to_string()).unwrap_or_default(),
            })
            .collect(),
    }
}

/// The panel analysis as pretty JSON (`bidscore panel --format json`), ending in a newline.
pub fn panel_json(p: &PanelAnalysis) -> String {
    let mut s = serde_json::to_string_pretty(&to_json(p)).unwrap_or_default();
    s.push('\n');
    s
}

fn w_text(w: Option<&Rat>) -> String {
    w.map_or_else(
        || String::from("undefined (fewer than 2 bids or evaluators, or all tied)"),
        |w| format!("{} ({})", w.display(4), agreement(w)),
    )
}

/// A reading aid only; W itself is the figure.
fn agreement(w: &Rat) -> &'static str {
    if *w >= Rat::ratio(7, 10) {
        "strong agreement"
    } else if *w >= Rat::ratio(3, 10) {
        "moderate agreement"
    } else {
        "weak agreement"
    }
}

/// The panel analysis for people (`bidscore panel`).
pub fn panel_table(p: &PanelAnalysis, opts: TableOptions) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Evaluation panel: {} evaluators ({}); a mark is flagged beyond {} median absolute deviations from the median\n",
        p.evaluators.len(),
        p.evaluators.join(", "),
        p.outlier_k.normalize()
    );
    for c in &p.criteria {
        let _ = writeln!(
            o,
            "{} (scale {}, {} dropped each end): Kendall's W {}",
            c.id,
            c.scale.normalize(),
            c.trim,
            w_text(c.kendall_w.as_ref())
        );
        let mut t = new_table(opts);
        let mut header = vec![Cell::new("Bidder")];
        header.extend(p.evaluators.iter().take(c.marks).map(right));
        header.extend(["Trimmed mean", "Median", "Spread", "MAD"].into_iter().map(right));
        t.set_header(header);
        for b in &c.bids {
            let mut row = vec![Cell::new(&b.bidder)];
            row.extend(b.marks.iter().enumerate().map(|(e, m)| {
                let flag = if b.outliers.contains(&e) { " !" } else { "" };
                right(format!("{}{flag}", m.normalize()))
            }));
            row.push(right(b.trimmed_mean.as_ref().map_or_else(|| String::from("—"), |m| m.display(4))));
            row.push(right(b.median.display(4)));
            row.push(right(b.spread.normalize()));
            row.push(right(b.mad.display(4)));
            t.add_row(row);
        }
        let _ = writeln!(o, "{t}");
        let flagged: Vec<String> = c
            .bids
            .iter()
            .flat_map(|b| {
                b.outliers.iter().map(move |&e| {
                    format!(
                        "{} gave `{}` {} (median {}, MAD {})",
                        p.evaluators.get(e).map_or("?", String::as_str),
                        b.bidder,
                        b.marks.get(e).map(|m| m.normalize().to_string()).unwrap_or_default(),
                        b.median.display(4),
                        b.mad.display(4)
                    )
                })
            })
            .collect();
        if flagged.is_empty() {
            o.push_str("  no mark far from the panel\n\n");
        } else {
            let _ = writeln!(o, "  ! far from the panel: {}\n", flagged.join("; "));
        }
    }
    if let Some(n) = &p.note {
        let _ = writeln!(o, "Note: {n}.");
    }
    let _ = writeln!(o, "Agreement over each evaluator's panel points: Kendall's W {}", w_text(p.overall_w.as_ref()));
    let _ = writeln!(o, "Winners: {}", list(&p.winners));
    o.push_str("Without one evaluator's marks:\n");
    for d in &p.drop_one {
        let line = match (&d.winners, &d.reason) {
            (_, Some(r)) => format!("cannot tell: {r}"),
            (Some(w), None) if d.changed() => {
                let mut parts = Vec::new();
                if !d.entering.is_empty() {
                    parts.push(format!("{} would win", list(&d.entering)));
                }
                if !d.leaving.is_empty() {
                    parts.push(format!("{} would lose", list(&d.leaving)));
                }
                format!("the winners change to {} ({})", list(w), parts.join(", "))
            }
            _ => String::from("the same winners"),
        };
        let _ = writeln!(o, "  without {}: {line}", d.evaluator);
    }
    let changers: Vec<&str> = p.drop_one.iter().filter(|d| d.changed()).map(|d| d.evaluator.as_str()).collect();
    let unknown: Vec<&str> = p.drop_one.iter().filter(|d| d.winners.is_none()).map(|d| d.evaluator.as_str()).collect();
    if !changers.is_empty() {
        let _ = writeln!(o, "The winners depend on a single evaluator: {}.", changers.join(", "));
    }
    if !unknown.is_empty() {
        let _ = writeln!(o, "Could not be checked without: {}.", unknown.join(", "));
    }
    if changers.is_empty() && unknown.is_empty() && !p.drop_one.is_empty() {
        o.push_str("No single evaluator decides the winners.\n");
    }
    if p.drop_one.is_empty() {
        o.push_str("  (not checked: see the note above)\n");
    }
    o
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() { String::from("none") } else { ids.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ") }
}

fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}
