//! `bidscore stability`: each criterion's interval of points over which the winners stay
//! the same. Exact ends in JSON; for people, rounded inward (the lower end up, the upper
//! end down) so every printed figure lies inside the interval.

use rust_decimal::Decimal;
use serde::Serialize;

use super::json_text;
use crate::analysis::{End, OfficialEnd, Stability};
use crate::exact::{Rat, RoundingMode};
use crate::report::doc::{Align, Cell, Column, Doc, Table};
use crate::report::{View, prose};

/// The stability of every criterion's weight as a report.
#[derive(Clone, Copy, Debug)]
pub struct StabilityReport<'a>(pub &'a Stability);

impl View for StabilityReport<'_> {
    fn doc(&self) -> Doc {
        doc(self.0)
    }

    fn json(&self) -> String {
        json_text(&to_json(self.0))
    }
}

/// Round down (toward zero: the ends are never negative).
fn floor4(r: &Rat) -> Decimal {
    r.round(4, RoundingMode::Down).unwrap_or_default()
}

/// Round up to 4 places (the lower end is printed rounded inward).
fn ceil4(r: &Rat) -> Decimal {
    let down = r.round(4, RoundingMode::Down).unwrap_or_default();
    if Rat::from_decimal(down) < *r { down.saturating_add(Decimal::new(1, 4)) } else { down }
}

/// `outside`: the end rounded away from the interval, into the region where the winners differ.
fn beyond(e: &End, side: &str, outside: Decimal) -> String {
    let exact = exact_beyond(e, side, outside);
    match e.official {
        Some(o) => format!("{exact}; {}", prose::official_end(o)),
        None => exact,
    }
}

fn exact_beyond(e: &End, side: &str, outside: Decimal) -> String {
    match &e.beyond {
        None if e.unresolved => format!(
            "same winners at least to {}; beyond it events crowd together (closer than 10^-12 points, or a thousand in a row closer than 10^-6) and were not told apart",
            e.at.display(4)
        ),
        None if e.stopped => format!("same winners at least to {}; the search stopped there", e.at.display(4)),
        None => format!("same winners all the way to {}", e.at.display(4)),
        Some(_) => {
            let mut parts = Vec::new();
            if !e.entering.is_empty() {
                parts.push(format!("{} enters", prose::list(&e.entering)));
            }
            if !e.leaving.is_empty() {
                parts.push(format!("{} leaves", prose::list(&e.leaving)));
            }
            // An exclusive end changes the winners at the point itself (say, at the maximum);
            // an inclusive one just beyond it.
            if e.inclusive { format!("{side}: {}", parts.join(", ")) } else { format!("at {outside}: {}", parts.join(", ")) }
        }
    }
}

fn doc(s: &Stability) -> Doc {
    let mut d = Doc::new();
    d.text(format!(
        "Winners: {}. For each criterion, the points over which they stay the same (the other criteria",
        prose::list(&s.winners)
    ));
    d.text("rescaled to keep the total; unrounded points; qualification recomputed):");
    d.blank();
    let mut t = Table::new(
        "stability",
        vec![
            Column::new("Criterion", Align::Left),
            Column::new("Points", Align::Right),
            Column::keyed("Stable from", "from", Align::Right),
            Column::data("from exact"),
            Column::data("from inclusive"),
            Column::keyed("to", "to", Align::Right),
            Column::data("to exact"),
            Column::data("to inclusive"),
            Column::new("Below", Align::Left),
            Column::new("Above", Align::Left),
        ],
    );
    for c in &s.criteria {
        let lo = format!("{}{}", ceil4(&c.lower.at), if c.lower.inclusive { "" } else { " (excl.)" });
        let hi = format!("{}{}", floor4(&c.upper.at), if c.upper.inclusive { "" } else { " (excl.)" });
        t.rows.push(vec![
            Cell::text(&c.id),
            Cell::with_data(c.points.display(4), c.points.to_exact_string()),
            Cell::with_data(lo, ceil4(&c.lower.at).to_string()),
            Cell::text(c.lower.at.to_exact_string()),
            Cell::text(c.lower.inclusive.to_string()),
            Cell::with_data(hi, floor4(&c.upper.at).to_string()),
            Cell::text(c.upper.at.to_exact_string()),
            Cell::text(c.upper.inclusive.to_string()),
            Cell::text(beyond(&c.lower, "below", floor4(&c.lower.at))),
            Cell::text(beyond(&c.upper, "above", ceil4(&c.upper.at))),
        ]);
    }
    d.table(t);
    for c in &s.criteria {
        if let Some(n) = &c.note {
            d.text(format!("{}: {}", c.id, prose::stability_note(n)));
        }
    }
    d.text("Ends are exact rationals (see --format json), printed rounded inward to 4 places.");
    if s.criteria.iter().any(|c| c.lower.official.is_some() || c.upper.official.is_some()) {
        d.text(prose::OFFICIAL_ENDS);
    }
    if let Some(limit) = s.stopped_at {
        d.text(prose::stability_stopped(limit));
    }
    d
}

#[derive(Serialize)]
struct Json<'a> {
    winners: &'a [String],
    criteria: Vec<Crit<'a>>,
    evaluations: usize,
    stopped_at: Option<usize>,
}

#[derive(Serialize)]
struct Crit<'a> {
    id: &'a str,
    points: String,
    lower: EndJson<'a>,
    upper: EndJson<'a>,
    note: Option<String>,
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
    unresolved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    official: Option<OfficialJson>,
}

/// Where the official (rounded) scoring moves an end.
#[derive(Serialize)]
struct OfficialJson {
    /// The official winners differ at every grid point from here to the exact end…
    #[serde(skip_serializing_if = "Option::is_none")]
    differs_from: Option<String>,
    /// …or they first differ at this grid point…
    #[serde(skip_serializing_if = "Option::is_none")]
    changes_at: Option<String>,
    /// …or the furthest grid point looked at, where they are still the published ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    same_through: Option<String>,
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
        unresolved: e.unresolved,
        official: e.official.map(|o| match o {
            OfficialEnd::Inside(x) => OfficialJson { differs_from: Some(x.to_string()), changes_at: None, same_through: None },
            OfficialEnd::At(x) => OfficialJson { differs_from: None, changes_at: Some(x.to_string()), same_through: None },
            OfficialEnd::Beyond(x) => OfficialJson { differs_from: None, changes_at: None, same_through: Some(x.to_string()) },
        }),
    }
}

/// The stability report as JSON (exact ends as a decimal or `n/d`).
fn to_json(s: &Stability) -> Json<'_> {
    Json {
        winners: &s.winners,
        criteria: s
            .criteria
            .iter()
            .map(|c| Crit {
                id: &c.id,
                points: c.points.to_exact_string(),
                lower: end(&c.lower, true),
                upper: end(&c.upper, false),
                note: c.note.as_ref().map(prose::stability_note),
            })
            .collect(),
        evaluations: s.evaluations,
        stopped_at: s.stopped_at,
    }
}
