//! The report for people: a ranking table, a criterion-by-bid matrix, then each bid's gates
//! and criteria with the reasons, the `assumed` inputs the rules read, and warnings.

use std::fmt::Write as _;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::evaluate::{Awarded, Outcome, Standing};
use crate::model::Inputs;

/// How to lay out the table.
#[derive(Clone, Copy, Debug)]
pub struct TableOptions {
    /// Wrap to this many columns.
    pub width: u16,
}

impl Default for TableOptions {
    fn default() -> TableOptions {
        TableOptions { width: 120 }
    }
}

impl TableOptions {
    /// Set the width.
    pub fn with_width(mut self, width: u16) -> TableOptions {
        self.width = width;
        self
    }
}

pub(super) fn new_table(opts: TableOptions) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).force_no_tty().set_content_arrangement(ContentArrangement::Dynamic).set_width(opts.width);
    t
}

fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

fn award_text(a: Awarded) -> String {
    match a {
        Awarded::No => String::from("—"),
        Awarded::Yes => String::from("yes"),
        Awarded::Quantity(q) => group(q),
    }
}

/// 13136 → "13,136".
pub(super) fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Render the report.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let text = bidscore::report::table(&inputs, &bidscore::evaluate(&inputs), Default::default());
/// assert!(text.contains("Coupang"));
/// ```
pub fn table(inputs: &Inputs, outcome: &Outcome, opts: TableOptions) -> String {
    let t = &inputs.tender;
    let mut o = String::new();
    let _ = writeln!(o, "{} ({})", t.title, t.id);
    let mut facts = Vec::new();
    if let Some(a) = &t.authority {
        facts.push(a.clone());
    }
    facts.push(format!("{} points", t.max_points));
    facts.push(format!("rounded to {} places, {}", t.rounding.places, t.rounding.mode.as_str()));
    if let Some(q) = &t.award.quantity {
        facts.push(format!("award fills {} of `{}` in rank order", group(q.total), q.field));
    }
    if let Some(d) = &t.differential {
        facts.push(format!("differential scoring on `{}`: {} points per rank", d.section, d.step));
    }
    match t.award.winners {
        Some(w) => facts.push(format!("at most {w} winner{}", if w == 1 { "" } else { "s" })),
        None => facts.push(String::from("no limit on winners")),
    }
    let _ = writeln!(o, "{}\n", facts.join(" · "));

    // Ranking.
    let mut rank = new_table(opts);
    let mut header = vec![Cell::new("Rank"), Cell::new("Bidder"), Cell::new("Status")];
    header.extend(t.sections.iter().map(|s| right(format!("{}\n/{}", s.id, t.section_max(&s.id)))));
    header.push(right(format!("Total\n/{}", t.max_points)));
    header.push(right("Award"));
    rank.set_header(header);
    for s in &outcome.standings {
        let mut row = vec![
            Cell::new(s.rank.map_or_else(|| String::from("—"), |r| r.to_string())),
            Cell::new(format!("{}\n{}", s.name, s.bidder)),
            Cell::new(s.status.as_str()),
        ];
        // With differential scoring, an adjusted figure shows the original under it.
        let was = |now: crate::exact::Points, before: Option<crate::exact::Points>| match before {
            Some(b) if b != now => right(format!("{now}\n(was {b})")),
            _ => right(now),
        };
        let orig = s.original.as_ref();
        row.extend(s.sections.iter().enumerate().map(|(k, (_, p))| was(*p, orig.and_then(|o| o.sections.get(k)).map(|x| x.1))));
        row.push(was(s.total, orig.map(|o| o.total)));
        row.push(right(award_text(s.award)));
        rank.add_row(row);
    }
    let _ = writeln!(o, "{rank}\n");

    // Criterion × bid.
    let mut matrix = new_table(opts);
    let mut header = vec![Cell::new("Criterion"), Cell::new("Section"), right("Max")];
    header.extend(outcome.standings.iter().map(|s| right(&s.bidder)));
    matrix.set_header(header);
    for c in &t.criteria {
        let mut row = vec![Cell::new(&c.id), Cell::new(&c.section), right(c.points)];
        row.extend(outcome.standings.iter().map(|s| right(s.criterion(&c.id).map(|x| x.points.to_string()).unwrap_or_default())));
        matrix.add_row(row);
    }
    let _ = writeln!(o, "Points by criterion\n{matrix}\n");

    for s in &outcome.standings {
        o.push_str(&bid_detail(inputs, s, opts));
    }

    let assumed: Vec<&Standing> = outcome.standings.iter().filter(|s| !s.assumed.is_empty()).collect();
    if !assumed.is_empty() {
        o.push_str("Assumed inputs that a rule read (no public source; see each bid's provenance):\n");
        for s in assumed {
            let bid = inputs.bids.iter().find(|b| b.id == s.bidder);
            let items: Vec<String> = s
                .assumed
                .iter()
                .map(|f| {
                    let range = bid
                        .and_then(|b| b.provenance.get(f))
                        .and_then(|p| p.range.as_ref())
                        .map(|(lo, hi)| format!(" (range {lo} to {hi})"))
                        .unwrap_or_default();
                    format!("{f}{range}")
                })
                .collect();
            let _ = writeln!(o, "  {}: {}", s.bidder, items.join(", "));
        }
        o.push('\n');
    }
    if !outcome.warnings.is_empty() || !inputs.warnings.is_empty() {
        o.push_str("Warnings:\n");
        for d in &inputs.warnings {
            let _ = writeln!(o, "  {}: {} [{}]", crate::diag::locate(&inputs.sources, d), d.message, d.code);
        }
        for x in &outcome.warnings {
            let _ = writeln!(o, "  {x}");
        }
    }
    o
}

fn bid_detail(inputs: &Inputs, s: &Standing, opts: TableOptions) -> String {
    let mut o = String::new();
    let rank = s.rank.map(|r| format!("rank {r}, ")).unwrap_or_default();
    let award = match s.award {
        Awarded::No => String::new(),
        Awarded::Yes => String::from(", awarded"),
        Awarded::Quantity(q) => format!(", awarded {}", group(q)),
    };
    let _ = writeln!(o, "{} ({}): {rank}{}, {} points{award}", s.name, s.bidder, s.status.as_str(), s.total);
    if let Some(tie) = &s.tie {
        let _ = writeln!(o, "  {tie}");
    }
    if let (Some(orig), Some(d)) = (&s.original, &inputs.tender.differential)
        && let Some(r) = orig.section_rank
    {
        let before = orig.sections.iter().find(|(id, _)| *id == d.section).map(|x| x.1).unwrap_or_default();
        let after = s.section(&d.section).unwrap_or_default();
        let _ = writeln!(
            o,
            "  differential: `{}` ranks {r} among the qualified bids, so it counts {after} (scored {before}); total {} before",
            d.section, orig.total
        );
    }
    for g in &s.gates {
        let _ = writeln!(o, "  gate {} {}: {}", if g.passed { "✓" } else { "✗" }, g.id, g.reason);
    }
    for q in &s.qualification {
        let _ = writeln!(
            o,
            "  threshold {} {}: {} of at least {} needed",
            if q.met { "✓" } else { "✗" },
            q.scope,
            q.scored,
            q.needed.display(4)
        );
    }
    let mut tbl = new_table(opts);
    tbl.set_header(vec![Cell::new("Criterion"), Cell::new("Value"), right("Points"), right("Max"), Cell::new("Why")]);
    for c in &s.criteria {
        let assumed = inputs.tender.criterion(&c.id).and_then(|cr| cr.field.as_ref()).is_some_and(|f| s.assumed.contains(&f.to_string()));
        let value = c.value.as_ref().map_or_else(|| String::from("—"), ToString::to_string);
        tbl.add_row(vec![
            Cell::new(&c.id),
            Cell::new(if assumed { format!("{value} (assumed)") } else { value }),
            right(c.points),
            right(c.max),
            Cell::new(c.reason_text()),
        ]);
    }
    let _ = writeln!(o, "{tbl}\n");
    o
}
