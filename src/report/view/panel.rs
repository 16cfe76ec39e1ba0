//! `bidscore panel`: the evaluation committee — each criterion's marks with the trimmed
//! mean, median, spread and MAD, marks far from the panel, Kendall's W, and the winners
//! without each evaluator. Exact values are strings in JSON (a decimal, or `n/d`); the
//! table rounds to 4 places for reading.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Text, json_text};
use crate::analysis::{PanelAnalysis, PanelBid};
use crate::exact::{DecimalText, Rat};
use crate::report::doc::{Align, Block, Cell, Column, Doc, Table};
use crate::report::{View, prose};

/// The panel analysis as a report.
#[derive(Clone, Copy, Debug)]
pub struct PanelReport<'a>(pub &'a PanelAnalysis);

impl View for PanelReport<'_> {
    fn doc(&self) -> Doc {
        doc(self.0)
    }

    fn json(&self) -> String {
        json_text(&to_json(self.0))
    }
}

#[derive(Serialize)]
pub(super) struct PanelJson<'a> {
    evaluators: &'a [String],
    outlier_k: String,
    kendall_w: Option<String>,
    criteria: Vec<CriterionJson<'a>>,
    winners: &'a [String],
    drop_one: Vec<DropJson<'a>>,
    note: Option<String>,
}

impl PanelJson<'_> {
    /// The panel as [`Serialize`] writes it, its braces at nesting `depth`, each criterion's
    /// bids serialised on every core ([`super::write_array`]).
    pub(super) fn write(&self, w: &mut impl std::io::Write, depth: usize) -> std::io::Result<()> {
        let mut o = super::ObjectOut::begin(w, depth)?;
        o.field("evaluators", self.evaluators)?;
        o.field("outlier_k", &self.outlier_k)?;
        o.field("kendall_w", &self.kendall_w)?;
        let inner = depth.saturating_add(1);
        super::array_of(o.key("criteria")?, inner, &self.criteria, |w, depth, c| {
            let mut o = super::ObjectOut::begin(w, depth)?;
            o.field("id", c.id)?;
            o.field("scale", &c.scale)?;
            o.field("trim", &c.trim)?;
            o.field("kendall_w", &c.kendall_w)?;
            let (panel, bids) = (c.bids.panel, c.bids.bids);
            super::write_array(o.key("bids")?, depth.saturating_add(1), bids, |buf, depth, bid| {
                super::write_value(buf, depth, &BidJson { panel, bid })
            })?;
            o.end()
        })?;
        o.field("winners", self.winners)?;
        o.field("drop_one", &self.drop_one)?;
        o.field("note", &self.note)?;
        o.end()
    }
}

#[derive(Serialize)]
struct CriterionJson<'a> {
    id: &'a str,
    scale: String,
    trim: u32,
    kendall_w: Option<String>,
    bids: BidsJson<'a>,
}

/// A criterion's bids, each written as it is made: the panel of a tender of many bids has
/// texts for each of them on each panel criterion, never held all at once.
struct BidsJson<'a> {
    panel: &'a PanelAnalysis,
    bids: &'a [PanelBid],
}

impl Serialize for BidsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.bids.iter().map(|b| BidJson { panel: self.panel, bid: b }))
    }
}

/// One bid's marks and statistics on one criterion.
struct BidJson<'a> {
    panel: &'a PanelAnalysis,
    bid: &'a PanelBid,
}

impl Serialize for BidJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let b = self.bid;
        let mut st = serializer.serialize_struct("BidJson", 7)?;
        st.serialize_field("bidder", &b.bidder)?;
        st.serialize_field("marks", &Marks(&b.marks))?;
        st.serialize_field("trimmed_mean", &b.trimmed_mean.as_ref().map(Text))?;
        st.serialize_field("median", &Text(&b.median))?;
        st.serialize_field("spread", DecimalText::new(b.spread.normalize()).as_str())?;
        st.serialize_field("mad", &Text(&b.mad))?;
        st.serialize_field("outliers", &Outliers { panel: self.panel, bid: b })?;
        st.end()
    }
}

/// Marks, each as its shortest decimal text.
struct Marks<'a>(&'a [Decimal]);

impl Serialize for Marks<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|m| Text(DecimalText::new(m.normalize()))))
    }
}

/// The evaluators whose mark lies far from the panel's, with the mark.
struct Outliers<'a> {
    panel: &'a PanelAnalysis,
    bid: &'a PanelBid,
}

impl Serialize for Outliers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (p, b) = (self.panel, self.bid);
        serializer.collect_seq(b.outliers.iter().map(|&e| OutlierJson {
            evaluator: p.evaluators.get(e).map_or("?", String::as_str),
            mark: b.marks.get(e).map(|m| Text(DecimalText::new(m.normalize()))),
        }))
    }
}

#[derive(Serialize)]
struct OutlierJson<'a> {
    evaluator: &'a str,
    /// Always there (an outlier is one of the marks); written as an empty text if not.
    #[serde(serialize_with = "mark_or_empty")]
    mark: Option<Text<DecimalText>>,
}

fn mark_or_empty<S: serde::Serializer>(mark: &Option<Text<DecimalText>>, serializer: S) -> Result<S::Ok, S::Error> {
    match mark {
        Some(m) => m.serialize(serializer),
        None => serializer.serialize_str(""),
    }
}

#[derive(Serialize)]
struct DropJson<'a> {
    evaluator: &'a str,
    winners: Option<&'a [String]>,
    /// `null` when it could not be checked (see `reason`).
    changed: Option<bool>,
    entering: &'a [String],
    leaving: &'a [String],
    reason: Option<String>,
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
                bids: BidsJson { panel: p, bids: &c.bids },
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
                reason: d.reason.as_ref().map(prose::drop_one_reason),
            })
            .collect(),
        note: p.note.as_ref().map(prose::panel_note),
    }
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

fn doc(p: &PanelAnalysis) -> Doc {
    let mut d = Doc::new();
    d.text(format!(
        "Evaluation panel: {} evaluators ({}); a mark is flagged beyond {} median absolute deviations from the median",
        p.evaluators.len(),
        p.evaluators.join(", "),
        p.outlier_k.normalize()
    ));
    d.blank();
    for c in &p.criteria {
        d.push(Block::Heading(format!(
            "{} (scale {}, {} dropped each end): Kendall's W {}",
            c.id,
            c.scale.normalize(),
            c.trim,
            w_text(c.kendall_w.as_ref())
        )));
        let mut columns = vec![Column::data("criterion"), Column::new("Bidder", Align::Left)];
        columns.extend(p.evaluators.iter().take(c.marks).map(|e| Column::keyed(e, format!("mark {e}"), Align::Right)));
        columns.push(Column::keyed("Trimmed mean", "trimmed mean", Align::Right));
        columns.push(Column::new("Median", Align::Right));
        columns.push(Column::new("Spread", Align::Right));
        columns.push(Column::keyed("MAD", "mad", Align::Right));
        columns.push(Column::data("outliers"));
        let mut t = Table::new("marks", columns);
        for b in &c.bids {
            let mut row = vec![Cell::text(&c.id), Cell::text(&b.bidder)];
            row.extend(b.marks.iter().enumerate().map(|(e, m)| {
                let flag = if b.outliers.contains(&e) { " !" } else { "" };
                Cell::with_data(format!("{}{flag}", m.normalize()), m.normalize().to_string())
            }));
            row.push(b.trimmed_mean.as_ref().map_or_else(Cell::none, |m| Cell::with_data(m.display(4), m.to_exact_string())));
            row.push(Cell::with_data(b.median.display(4), b.median.to_exact_string()));
            row.push(Cell::text(b.spread.normalize().to_string()));
            row.push(Cell::with_data(b.mad.display(4), b.mad.to_exact_string()));
            let outliers: Vec<&str> = b.outliers.iter().filter_map(|&e| p.evaluators.get(e).map(String::as_str)).collect();
            row.push(Cell::text(outliers.join(" ")));
            t.rows.push(row);
        }
        d.table(t);
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
            d.item(2, "no mark far from the panel");
        } else {
            d.item(2, format!("! far from the panel: {}", flagged.join("; ")));
        }
        d.blank();
    }
    if let Some(n) = &p.note {
        d.text(format!("Note: {}.", prose::panel_note(n)));
    }
    d.text(format!("Agreement over each evaluator's panel points: Kendall's W {}", w_text(p.overall_w.as_ref())));
    d.text(format!("Winners: {}", prose::list(&p.winners)));
    d.text("Without one evaluator's marks:");
    let mut table =
        Table::new("drop-one", vec![Column::data("evaluator"), Column::data("winners"), Column::data("changed"), Column::data("reason")]);
    for drop in &p.drop_one {
        let line = match (&drop.winners, &drop.reason) {
            (_, Some(r)) => format!("cannot tell: {}", prose::drop_one_reason(r)),
            (Some(w), None) if drop.changed() => {
                let mut parts = Vec::new();
                if !drop.entering.is_empty() {
                    parts.push(format!("{} would win", prose::list(&drop.entering)));
                }
                if !drop.leaving.is_empty() {
                    parts.push(format!("{} would lose", prose::list(&drop.leaving)));
                }
                format!("the winners change to {} ({})", prose::list(w), parts.join(", "))
            }
            _ => String::from("the same winners"),
        };
        d.item(2, format!("without {}: {line}", drop.evaluator));
        table.rows.push(vec![
            Cell::text(&drop.evaluator),
            Cell::text(drop.winners.as_ref().map(|w| w.join(" ")).unwrap_or_default()),
            Cell::text(drop.winners.as_ref().map(|_| drop.changed().to_string()).unwrap_or_default()),
            Cell::text(drop.reason.as_ref().map(prose::drop_one_reason).unwrap_or_default()),
        ]);
    }
    d.table(table);
    let changers: Vec<&str> = p.drop_one.iter().filter(|d| d.changed()).map(|d| d.evaluator.as_str()).collect();
    let unknown: Vec<&str> = p.drop_one.iter().filter(|d| d.winners.is_none()).map(|d| d.evaluator.as_str()).collect();
    if !changers.is_empty() {
        d.text(format!("The winners depend on a single evaluator: {}.", changers.join(", ")));
    }
    if !unknown.is_empty() {
        d.text(format!("Could not be checked without: {}.", unknown.join(", ")));
    }
    if changers.is_empty() && unknown.is_empty() && !p.drop_one.is_empty() {
        d.text("No single evaluator decides the winners.");
    }
    if p.drop_one.is_empty() {
        d.item(2, "(not checked: see the note above)");
    }
    d
}
