//! `bidscore whatif`: the changes, then every bid's rank, status, total and award before and
//! after; as JSON, the SPEC §8 report of the changed tender with the changes applied.

use super::json_text;
use super::score::report;
use crate::analysis::{ChangeKind, PanelAnalysis, WhatIf};
use crate::evaluate::Awarded;
use crate::report::doc::{Align, Cell, Column, Doc, Table};
use crate::report::{View, prose};

/// A what-if as a report. The panel analysis of the changed tender, when there is one, is
/// computed by the caller and carried in the JSON report.
#[derive(Clone, Copy, Debug)]
pub struct WhatIfReport<'a> {
    /// The what-if.
    pub whatif: &'a WhatIf,
    /// The panel analysis of the changed tender.
    pub panel: Option<&'a PanelAnalysis>,
}

fn arrow<T: PartialEq + ToString>(before: &T, after: &T) -> String {
    if before == after { after.to_string() } else { format!("{} → {}", before.to_string(), after.to_string()) }
}

fn award_data(a: Awarded) -> String {
    match a {
        Awarded::No => String::new(),
        Awarded::Yes => String::from("yes"),
        Awarded::Quantity(q) => q.to_string(),
    }
}

impl View for WhatIfReport<'_> {
    fn doc(&self) -> Doc {
        let w = self.whatif;
        let mut d = Doc::new();
        d.text(format!("What if, for bid `{}`:", w.bidder));
        let mut changes = Table::new(
            "changes",
            vec![Column::data("kind"), Column::data("bid"), Column::data("target"), Column::data("from"), Column::data("to")],
        );
        for a in &w.applied {
            let what = match a.kind {
                ChangeKind::Points => format!("criterion `{}` is worth", a.target),
                ChangeKind::Field if a.bidder.as_deref().is_some_and(|b| b != w.bidder) => {
                    format!("`{}` of `{}`", a.target, a.bidder.as_deref().unwrap_or_default())
                }
                ChangeKind::Field => format!("`{}`", a.target),
                ChangeKind::Committee => String::from("the committee (evaluators by index)"),
            };
            let from = a.from.as_deref().unwrap_or("(absent)");
            d.item(2, format!("{what} {from} → {}", a.to));
            changes.rows.push(vec![
                Cell::text(a.kind.as_str()),
                Cell::text(a.bidder.clone().unwrap_or_default()),
                Cell::text(&a.target),
                Cell::text(a.from.clone().unwrap_or_default()),
                Cell::text(&a.to),
            ]);
        }
        if w.applied.iter().any(|a| a.kind == ChangeKind::Points) {
            d.item(2, "(the other criteria scaled in proportion to keep the maximum, rounded to the tender's places)");
        }
        d.table(changes);
        d.blank();
        let mut t = Table::new(
            "moves",
            vec![
                Column::keyed("Bidder", "bidder", Align::Left),
                Column::data("changed"),
                Column::new("Rank", Align::Right),
                Column::data("rank after"),
                Column::new("Status", Align::Left),
                Column::data("status after"),
                Column::new("Total", Align::Right),
                Column::data("total after"),
                Column::new("Award", Align::Right),
                Column::data("award after"),
            ],
        );
        let rank = |r: Option<u32>| r.map_or_else(|| String::from("—"), |r| r.to_string());
        let rank_data = |r: Option<u32>| r.map(|r| r.to_string()).unwrap_or_default();
        for m in &w.moves {
            let mark = if m.changed() { " *" } else { "" };
            t.rows.push(vec![
                Cell::with_data(format!("{}{mark}", m.bidder), &m.bidder),
                Cell::text(m.changed().to_string()),
                Cell::with_data(arrow(&rank(m.rank.0), &rank(m.rank.1)), rank_data(m.rank.0)),
                Cell::text(rank_data(m.rank.1)),
                Cell::with_data(arrow(&m.status.0.as_str(), &m.status.1.as_str()), m.status.0.as_str()),
                Cell::text(m.status.1.as_str()),
                Cell::with_data(arrow(&m.total.0, &m.total.1), m.total.0.to_string()),
                Cell::text(m.total.1.to_string()),
                Cell::with_data(arrow(&prose::award(m.award.0), &prose::award(m.award.1)), award_data(m.award.0)),
                Cell::text(award_data(m.award.1)),
            ]);
        }
        d.table(t);
        let changed = w.moves.iter().filter(|m| m.changed()).count();
        let winners: Vec<String> = w.outcome.winners().into_iter().map(str::to_owned).collect();
        d.text(format!(
            "{} changed (*). Selected now: {}.",
            if changed == 1 { String::from("1 bid") } else { format!("{changed} bids") },
            prose::list(&winners)
        ));
        d
    }

    fn json(&self) -> String {
        let w = self.whatif;
        json_text(&report(&w.inputs, &w.outcome, self.panel, Some((&w.bidder, &w.applied))))
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let w = self.whatif;
        report(&w.inputs, &w.outcome, self.panel, Some((&w.bidder, &w.applied))).write(out)
    }
}
