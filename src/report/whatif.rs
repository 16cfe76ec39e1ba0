//! `bidscore whatif` for people: the changes, then every bid's rank, status, total and
//! award before and after.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment};

use super::table::{TableOptions, new_table};
use crate::analysis::WhatIf;
use crate::evaluate::Awarded;

fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

fn award(a: Awarded) -> String {
    match a {
        Awarded::No => String::from("—"),
        Awarded::Yes => String::from("yes"),
        Awarded::Quantity(q) => super::table::group(q),
    }
}

fn arrow<T: PartialEq + ToString>(before: &T, after: &T) -> String {
    if before == after { after.to_string() } else { format!("{} → {}", before.to_string(), after.to_string()) }
}

/// The what-if for people.
pub fn whatif_table(w: &WhatIf, opts: TableOptions) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "What if, for bid `{}`:", w.bidder);
    for a in &w.applied {
        let what = if a.kind == "points" { format!("criterion `{}` is worth", a.target) } else { format!("`{}`", a.target) };
        let from = a.from.as_deref().unwrap_or("(absent)");
        let _ = writeln!(o, "  {what} {from} → {}", a.to);
    }
    if w.applied.iter().any(|a| a.kind == "points") {
        o.push_str("  (the other criteria scaled in proportion to keep the maximum, rounded to the tender's places)\n");
    }
    o.push('\n');
    let mut t = new_table(opts);
    t.set_header(vec![Cell::new("Bidder"), right("Rank"), Cell::new("Status"), right("Total"), right("Award")]);
    let rank = |r: Option<u32>| r.map_or_else(|| String::from("—"), |r| r.to_string());
    for m in &w.moves {
        let mark = if m.changed() { " *" } else { "" };
        t.add_row(vec![
            Cell::new(format!("{}{mark}", m.bidder)),
            right(arrow(&rank(m.rank.0), &rank(m.rank.1))),
            Cell::new(arrow(&m.status.0.as_str(), &m.status.1.as_str())),
            right(arrow(&m.total.0, &m.total.1)),
            right(arrow(&award(m.award.0), &award(m.award.1))),
        ]);
    }
    let _ = writeln!(o, "{t}");
    let changed = w.moves.iter().filter(|m| m.changed()).count();
    let winners = w.outcome.winners();
    let _ = writeln!(
        o,
        "{} changed (*). Selected now: {}.",
        if changed == 1 { String::from("1 bid") } else { format!("{changed} bids") },
        if winners.is_empty() { String::from("none") } else { winners.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ") }
    );
    o
}
