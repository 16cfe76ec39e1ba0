//! `bidscore stability`: each criterion's interval of points over which the winners stay
//! the same. Exact ends in JSON; for people, rounded inward (the lower end up, the upper
//! end down) so every printed figure lies inside the interval.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment};
use rust_decimal::Decimal;
use serde::Serialize;

use super::table::{TableOptions, new_table};
use crate::analysis::{End, Stability};
use crate::exact::{Rat, RoundingMode};

fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

/// Round down (toward zero: the ends are never negative).
fn floor4(r: &Rat) -> Decimal {
    r.round(4, RoundingMode::Down).unwrap_or_default()
}

/// Round up to 4 places (the lower end is printed rounded inward).
fn ceil4(r: &Rat) -> Decimal {
    let down = r.round(4, RoundingMode::Down).unwrap_or_default();
    if Rat::from_decimal(down) < *r { down + Decimal::new(1, 4) } else { down }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() { String::from("none") } else { ids.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ") }
}

/// `outside`: the end rounded away from the interval, into the region where the winners differ.
fn beyond(e: &End, side: &str, outside: Decimal) -> String {
    match &e.beyond {
        None if e.stopped => format!("same winners at least to {}; the search stopped there", e.at.display(4)),
        None => format!("same winners all the way to {}", e.at.display(4)),
        Some(_) => {
            let mut parts = Vec::new();
            if !e.entering.is_empty() {
                parts.push(format!("{} enters", list(&e.entering)));
            }
            if !e.leaving.is_empty() {
                parts.push(format!("{} leaves", list(&e.leaving)));
            }
            // An exclusive end changes the winners at the point itself (say, at the maximum);
            // an inclusive one just beyond it.
            if e.inclusive { format!("{side}: {}", parts.join(", ")) } else { format!("at {outside}: {}", parts.join(", ")) }
        }
    }
}

/// The stability report for people.
pub fn stability_table(s: &Stability, opts: TableOptions) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Winners: {}. For each criterion, the points over which they stay the same (the other criteria\nrescaled to keep the total; unrounded points; qualification recomputed):\n",
        list(&s.winners)
    );
    let mut t = new_table(opts);
    t.set_header(vec![Cell::new("Criterion"), right("Points"), right("Stable from"), right("to"), Cell::new("Below"), Cell::new("Above")]);
    for c in &s.criteria {
        let lo = format!("{}{}", ceil4(&c.lower.at), if c.lower.inclusive { "" } else { " (excl.)" });
        let hi = format!("{}{}", floor4(&c.upper.at), if c.upper.inclusive { "" } else { " (excl.)" });
        t.add_row(vec![
            Cell::new(&c.id),
            right(c.points.display(4)),
            right(lo),
            right(hi),
            Cell::new(beyond(&c.lower, "below", floor4(&c.lower.at))),
            Cell::new(beyond(&c.upper, "above", ceil4(&c.upper.at))),
        ]);
    }
    let _ = writeln!(o, "{t}");
    for c in s.criteria.iter().filter(|c| c.note.is_some()) {
        let _ = writeln!(o, "{}: {}", c.id, c.note.as_deref().unwrap_or_default());
    }
    o.push_str("Ends are exact rationals (see --format json), printed rounded inward to 4 places.\n");
    o
}

#[derive(Serialize)]
struct Json<'a> {
    winners: &'a [String],
    criteria: Vec<Crit<'a>>,
}

#[derive(Serialize)]
struct Crit<'a> {
    id: &'a str,
    points: String,
    lower: EndJson<'a>,
    upper: EndJson<'a>,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct EndJson<'a> {
    at: String,
    shown: String,
    inclusive: bool,
    beyond: Option<&'a [String]>,
    entering: &'a [String],
    leaving: &'a [String],
    stopped: bool,
}

fn end(e: &End, lower: bool) -> EndJson<'_> {
    EndJson {
        at: e.at.to_exact_string(),
        shown: if lower { ceil4(&e.at) } else { floor4(&e.at) }.to_string(),
        inclusive: e.inclusive,
        beyond: e.beyond.as_deref(),
        entering: &e.entering,
        leaving: &e.leaving,
        stopped: e.stopped,
    }
}

/// The stability report as pretty JSON (exact ends as a decimal or `n/d`), ending in a newline.
pub fn stability_json(s: &Stability) -> String {
    let j = Json {
        winners: &s.winners,
        criteria: s
            .criteria
            .iter()
            .map(|c| Crit {
                id: &c.id,
                points: c.points.to_exact_string(),
                lower: end(&c.lower, true),
                upper: end(&c.upper, false),
                note: c.note.as_deref(),
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&j).unwrap_or_default();
    out.push('\n');
    out
}
