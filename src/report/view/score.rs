//! `bidscore score`: the ranking, the criterion-by-bid matrix, then each bid's gates and
//! criteria with the reasons, the `assumed` inputs the rules read, and warnings; as JSON,
//! the SPEC §8 report.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeStruct as _;

use super::Text;
use super::panel::PanelJson;
use super::{Gates, Sections, json_text};
use crate::analysis::{Applied, PanelAnalysis};
use crate::evaluate::score::Cells;
use crate::evaluate::{Awarded, LotOutcome, NegotiationCheck, Outcome, Reconstruction, Standing};
use crate::exact::Points;
use crate::model::Inputs;
use crate::report::doc::{Align, Block, Cell, Column, Doc, Table, group};
use crate::report::{View, prose};

/// The score report of an outcome. The panel analysis, when there is one, is computed by
/// the caller: a report never analyses.
#[derive(Clone, Copy, Debug)]
pub struct ScoreReport<'a> {
    /// The inputs scored.
    pub inputs: &'a Inputs,
    /// Their outcome.
    pub outcome: &'a Outcome,
    /// The panel analysis, carried in the JSON report.
    pub panel: Option<&'a PanelAnalysis>,
}

impl<'a> ScoreReport<'a> {
    /// The report of `outcome`, with the panel analysis if the tender has one.
    pub fn new(inputs: &'a Inputs, outcome: &'a Outcome, panel: Option<&'a PanelAnalysis>) -> ScoreReport<'a> {
        ScoreReport { inputs, outcome, panel }
    }
}

impl View for ScoreReport<'_> {
    fn doc(&self) -> Doc {
        let (inputs, outcome) = (self.inputs, self.outcome);
        let t = &inputs.tender;
        let mut d = Doc::new();
        d.push(Block::Title(format!("{} ({})", t.title, t.id)));
        let mut facts = Vec::new();
        if let Some(a) = &t.authority {
            facts.push(a.clone());
        }
        facts.push(format!("{} points", t.max_points));
        facts.push(format!("rounded to {} places, {}", t.rounding.places, t.rounding.mode.as_str()));
        if let Some(q) = &t.award.quantity {
            facts.push(prose::award_rule(&t.award, q));
        }
        if let Some(diff) = &t.differential {
            facts.push(format!("differential scoring on `{}`: {} points per rank", diff.section, diff.step));
        }
        match t.award.winners {
            Some(w) => facts.push(format!("at most {w} winner{}", if w == 1 { "" } else { "s" })),
            None => facts.push(String::from("no limit on winners")),
        }
        if let Some(crate::model::TieBreak::Lottery { seed }) = t.tie_break.last() {
            facts.push(format!("ties end in a lottery, seed {seed}"));
        }
        d.text(facts.join(" · "));
        d.blank();
        d.table(ranking(inputs, outcome));
        d.blank();
        for lot in &outcome.lots {
            lot_section(&mut d, inputs, lot);
        }
        if let Some(check) = &outcome.negotiation {
            negotiation(&mut d, inputs, check);
        }
        if let Some(rec) = &outcome.reported {
            reported(&mut d, inputs, rec);
        }
        d.push(Block::Heading(String::from("Points by criterion")));
        d.table(matrix(inputs, outcome));
        d.blank();
        for s in &outcome.standings {
            bid_detail(&mut d, inputs, outcome, s);
        }
        let assumed: Vec<&Standing> = outcome.standings.iter().filter(|s| !s.assumed.is_empty()).collect();
        if !assumed.is_empty() {
            d.push(Block::Heading(String::from("Assumed inputs that a rule read (no public source; see each bid's provenance):")));
            let mut data =
                Table::new("assumed", vec![Column::data("bidder"), Column::data("field"), Column::data("low"), Column::data("high")]);
            for s in assumed {
                let bid = inputs.bid_index(&s.bidder).and_then(|i| inputs.bids.get(i));
                let range = |f: &str| bid.and_then(|b| b.provenance.get(f)).and_then(|p| p.range.as_ref());
                let items: Vec<String> = s
                    .assumed
                    .iter()
                    .map(|f| format!("{f}{}", range(f).map(|(lo, hi)| format!(" (range {lo} to {hi})")).unwrap_or_default()))
                    .collect();
                d.item(2, format!("{}: {}", s.bidder, items.join(", ")));
                for f in &s.assumed {
                    let (lo, hi) = range(f).map_or((String::new(), String::new()), |(lo, hi)| (lo.to_string(), hi.to_string()));
                    data.rows.push(vec![Cell::text(&s.bidder), Cell::text(f), Cell::text(lo), Cell::text(hi)]);
                }
            }
            d.table(data);
            d.blank();
        }
        if !outcome.warnings.is_empty() || !inputs.warnings.is_empty() {
            d.push(Block::Heading(String::from("Warnings:")));
            let mut data = Table::new("warnings", vec![Column::data("code"), Column::data("at"), Column::data("message")]);
            for w in &inputs.warnings {
                d.item(2, prose::input_warning(&inputs.sources, w));
                data.rows.push(vec![Cell::text(w.code), Cell::text(crate::diag::locate(&inputs.sources, w)), Cell::text(&w.message)]);
            }
            for w in &outcome.warnings {
                d.item(2, prose::warning(w));
                data.rows.push(vec![Cell::text(""), Cell::text(""), Cell::text(prose::warning(w))]);
            }
            d.table(data);
        }
        d
    }

    fn json(&self) -> String {
        json_text(&report(self.inputs, self.outcome, self.panel, None))
    }

    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        report(self.inputs, self.outcome, self.panel, None).write(w)
    }
}

/// An award in a cell: nothing, `yes`, or a quantity.
fn award_cell(a: Awarded) -> Cell {
    match a {
        Awarded::No => Cell::none(),
        Awarded::Yes => Cell::text("yes"),
        Awarded::Quantity(q) => Cell::count(q),
    }
}

/// One lot: what it is evaluated on, and its ranking and award.
fn lot_section(d: &mut Doc, inputs: &Inputs, lot: &LotOutcome) {
    let mut facts = vec![format!(
        "{} on {} ({} points)",
        crate::diag::plural(lot.outcome.standings.len(), "bid"),
        crate::diag::plural(lot.criteria.len(), "criterion").replace("criterions", "criteria"),
        lot.max_points
    )];
    if let (Some(q), Some(field)) = (lot.quantity, inputs.tender.award.quantity.as_ref()) {
        facts.push(format!("{} of `{}`", group(q), field.field));
    }
    facts.push(match lot.winners {
        Some(w) => format!("at most {w} winner{}", if w == 1 { "" } else { "s" }),
        None => String::from("no limit on winners"),
    });
    d.push(Block::Heading(format!("Lot {} ({}): {}", lot.title, lot.id, facts.join(" · "))));
    let mut columns =
        vec![Column::new("Rank", Align::Left), Column::keyed("Bidder", "bidder", Align::Left), Column::new("Status", Align::Left)];
    // A section none of the lot's criteria is in says nothing about it.
    let shown: Vec<bool> = lot.sections.iter().map(|(_, max)| !max.is_zero()).collect();
    columns.extend(
        lot.sections.iter().filter(|(_, max)| !max.is_zero()).map(|(id, max)| Column::keyed(format!("{id}\n/{max}"), id, Align::Right)),
    );
    columns.push(Column::keyed(format!("Total\n/{}", lot.max_points), "total", Align::Right));
    columns.push(Column::new("Award", Align::Right));
    columns.insert(0, Column::data("lot"));
    let mut table = Table::new("lot_ranking", columns);
    for s in &lot.outcome.standings {
        let mut row = vec![
            Cell::text(&lot.id),
            s.rank.map_or_else(Cell::none, |r| Cell::text(r.to_string())),
            Cell::text(&s.bidder),
            Cell::text(s.status.as_str()),
        ];
        row.extend(s.sections.iter().zip(&shown).filter(|(_, k)| **k).map(|((_, p), _)| Cell::text(p.to_string())));
        row.push(Cell::text(s.total.to_string()));
        row.push(award_cell(s.award));
        table.rows.push(row);
    }
    d.table(table);
    if !lot.passed_over.is_empty() {
        let limit = inputs.tender.award.max_lots.unwrap_or(0);
        d.text(format!(
            "Passed over: {} already won {} (`max_lots_per_bidder`), so the next-ranked bid moved up.",
            prose::ticked(lot.passed_over.iter().map(String::as_str)),
            crate::diag::plural(usize::try_from(limit).unwrap_or(0), "lot")
        ));
    }
    for w in &lot.outcome.warnings {
        d.item(2, prose::warning(w));
    }
    d.blank();
}

/// The negotiation record beside the award, its departures, and whether they agree.
fn negotiation(d: &mut Doc, inputs: &Inputs, check: &NegotiationCheck) {
    let record = inputs.negotiation.as_ref();
    let from_record = inputs.tender.award.allocation == crate::model::Allocation::Negotiated;
    d.push(Block::Heading(match record.and_then(|r| r.source.as_deref()) {
        Some(src) => format!("Negotiation record ({src})"),
        None => String::from("Negotiation record"),
    }));
    let mut table = Table::new(
        "negotiation",
        vec![
            Column::keyed("Bidder", "bidder", Align::Left),
            Column::new("Status", Align::Left),
            Column::keyed(if from_record { "Award" } else { "Modelled" }, "award", Align::Right),
            Column::new("Outcome", Align::Left),
            Column::keyed("Agreed", "quantity", Align::Right),
            Column::keyed("Note", "note", Align::Left),
            Column::data("agrees"),
        ],
    );
    for r in &check.rows {
        let note = match (r.above_offer, r.agrees) {
            (Some(o), _) => format!("agreed above its offer of {}", group(o)),
            (None, false) => String::from("differs"),
            (None, true) => String::new(),
        };
        table.rows.push(vec![
            Cell::text(&r.bidder),
            Cell::text(r.status.as_str()),
            award_cell(r.award),
            Cell::text(r.outcome.map_or("(not in the record)", |o| o.as_str())),
            r.quantity.map_or_else(Cell::none, Cell::count),
            Cell::text(note),
            Cell::text(r.agrees.to_string()),
        ]);
    }
    d.table(table);
    d.text(prose::negotiation_verdict(check, from_record));
    for dep in &check.departures {
        d.item(2, format!("{} [{}]", dep.message(), dep.code()));
    }
    d.blank();
}

/// The reported outcome beside the model, and whether the model reproduces it.
fn reported(d: &mut Doc, inputs: &Inputs, rec: &Reconstruction) {
    d.push(Block::Heading(match inputs.reported.as_ref().and_then(|r| r.source.as_deref()) {
        Some(src) => format!("Reported outcome ({src})"),
        None => String::from("Reported outcome"),
    }));
    let mut table = Table::new(
        "reported",
        vec![
            Column::keyed("Bidder", "bidder", Align::Left),
            Column::keyed("Modelled", "status", Align::Left),
            Column::keyed("Award", "award", Align::Right),
            Column::keyed("Reported", "reported_status", Align::Left),
            Column::keyed("Quantity", "reported_quantity", Align::Right),
            Column::keyed("Difference", "difference", Align::Right),
        ],
    );
    for r in &rec.rows {
        let diff = match (r.same_status, r.difference()) {
            (_, Some(q)) => Cell::with_data(
                format!("{}{}", if q > 0 { "+" } else { "−" }, group(u64::try_from(q.unsigned_abs()).unwrap_or(u64::MAX))),
                q.to_string(),
            ),
            (false, None) => Cell::text("status"),
            (true, None) => Cell::none(),
        };
        table.rows.push(vec![
            Cell::text(&r.bidder),
            Cell::text(r.status.as_str()),
            award_cell(r.award),
            Cell::text(r.reported.as_str()),
            r.quantity.map_or_else(Cell::none, Cell::count),
            diff,
        ]);
    }
    d.table(table);
    d.text(prose::reported_verdict(rec));
    d.blank();
}

/// With differential scoring, an adjusted figure shows the original under it.
fn was(now: Points, before: Option<Points>) -> Cell {
    match before {
        Some(b) if b != now => Cell::with_data(format!("{now}\n(was {b})"), now.to_string()),
        _ => Cell::text(now.to_string()),
    }
}

fn ranking(inputs: &Inputs, outcome: &Outcome) -> Table {
    let t = &inputs.tender;
    let differential = t.differential.is_some();
    let mut columns = vec![
        Column::new("Rank", Align::Left),
        Column::keyed("Bidder", "bidder", Align::Left),
        Column::data("name"),
        Column::new("Status", Align::Left),
    ];
    columns.extend(t.sections.iter().map(|s| Column::keyed(format!("{}\n/{}", s.id, t.section_max(&s.id)), &s.id, Align::Right)));
    columns.push(Column::keyed(format!("Total\n/{}", t.max_points), "total", Align::Right));
    if differential {
        columns.extend(t.sections.iter().map(|s| Column::data(format!("original {}", s.id))));
        columns.push(Column::data("original total"));
    }
    columns.push(Column::new("Award", Align::Right));
    let mut table = Table::new("ranking", columns);
    for s in &outcome.standings {
        let mut row = vec![
            s.rank.map_or_else(Cell::none, |r| Cell::text(r.to_string())),
            Cell::with_data(format!("{}\n{}", s.name, s.bidder), &s.bidder),
            Cell::text(&s.name),
            Cell::text(s.status.as_str()),
        ];
        let orig = s.original.as_ref();
        row.extend(s.sections.iter().enumerate().map(|(k, (_, p))| was(*p, orig.and_then(|o| o.sections.get(k)).map(|x| x.1))));
        row.push(was(s.total, orig.map(|o| o.total)));
        if differential {
            row.extend(orig.into_iter().flat_map(|o| o.sections.iter().map(|(_, p)| Cell::text(p.to_string()))));
            row.push(Cell::text(orig.map(|o| o.total.to_string()).unwrap_or_default()));
        }
        row.push(award_cell(s.award));
        table.rows.push(row);
    }
    table
}

fn matrix(inputs: &Inputs, outcome: &Outcome) -> Table {
    let t = &inputs.tender;
    let mut columns = vec![Column::new("Criterion", Align::Left), Column::new("Section", Align::Left), Column::new("Max", Align::Right)];
    columns.extend(outcome.standings.iter().map(|s| Column::keyed(&s.bidder, &s.bidder, Align::Right)));
    let mut table = Table::new("points", columns);
    for (j, c) in t.criteria.iter().enumerate() {
        let mut row = vec![Cell::text(&c.id), Cell::text(&c.section), Cell::text(c.points.to_string())];
        row.extend(outcome.standings.iter().map(|s| Cell::text(s.points.get(j).map(ToString::to_string).unwrap_or_default())));
        table.rows.push(row);
    }
    table
}

fn bid_detail(d: &mut Doc, inputs: &Inputs, outcome: &Outcome, s: &Standing) {
    let t = &inputs.tender;
    let rank = s.rank.map(|r| format!("rank {r}, ")).unwrap_or_default();
    let award = match s.award {
        Awarded::No => String::new(),
        Awarded::Yes => String::from(", awarded"),
        Awarded::Quantity(q) => format!(", awarded {}", group(q)),
    };
    d.push(Block::Heading(format!("{} ({}): {rank}{}, {} points{award}", s.name, s.bidder, s.status.as_str(), s.total)));
    if let Some(tie) = &s.tie {
        d.item(2, prose::tie(tie));
    }
    if let (Some(orig), Some(diff)) = (&s.original, &t.differential)
        && let Some(r) = orig.section_rank
    {
        let before = orig.sections.iter().find(|(id, _)| *id == diff.section).map(|x| x.1).unwrap_or_default();
        let after = s.section(&diff.section).unwrap_or_default();
        d.item(
            2,
            format!(
                "differential: `{}` ranks {r} among the qualified bids, so it counts {after} (scored {before}); total {} before",
                diff.section, orig.total
            ),
        );
    }
    let mut gates = Table::new(
        "gates",
        vec![Column::data("bidder"), Column::data("gate"), Column::data("passed"), Column::data("value"), Column::data("reason")],
    );
    for (g, v) in t.gates.iter().zip(&s.gates) {
        let reason = prose::gate(g, v);
        d.item(2, format!("gate {} {}: {reason}", prose::mark(v.passed), v.id));
        gates.rows.push(vec![
            Cell::text(&s.bidder),
            Cell::text(&v.id),
            Cell::text(v.passed.to_string()),
            Cell::text(v.value.as_ref().map(ToString::to_string).unwrap_or_default()),
            Cell::text(reason),
        ]);
    }
    let mut thresholds = Table::new(
        "thresholds",
        vec![Column::data("bidder"), Column::data("scope"), Column::data("scored"), Column::data("needed"), Column::data("met")],
    );
    for q in &s.qualification {
        d.item(2, format!("threshold {} {}: {} of at least {} needed", prose::mark(q.met), q.scope, q.scored, q.needed.display(4)));
        thresholds.rows.push(vec![
            Cell::text(&s.bidder),
            Cell::text(q.scope.to_string()),
            Cell::text(q.scored.to_string()),
            Cell::text(q.needed.to_exact_string()),
            Cell::text(q.met.to_string()),
        ]);
    }
    d.table(gates);
    d.table(thresholds);
    if !s.low.is_empty() {
        let mut low = Table::new(
            "abnormally_low",
            vec![
                Column::data("bidder"),
                Column::data("check"),
                Column::data("value"),
                Column::data("threshold"),
                Column::data("low"),
                Column::data("action"),
            ],
        );
        for v in &s.low {
            d.item(2, format!("abnormally low {} {}: {}", prose::mark(!v.low), v.id, prose::low_verdict(v)));
            low.rows.push(vec![
                Cell::text(&s.bidder),
                Cell::text(&v.id),
                Cell::text(v.value.map(|x| x.to_string()).unwrap_or_default()),
                Cell::text(v.threshold.as_ref().map(crate::exact::Rat::to_exact_string).unwrap_or_default()),
                Cell::text(v.low.to_string()),
                Cell::text(v.action.as_str()),
            ]);
        }
        d.table(low);
    }
    let mut tbl = Table::new(
        "criteria",
        vec![
            Column::data("bidder"),
            Column::new("Criterion", Align::Left),
            Column::new("Value", Align::Left),
            Column::data("assumed"),
            Column::new("Points", Align::Right),
            Column::new("Max", Align::Right),
            Column::data("score"),
            Column::keyed("Why", "reason", Align::Left),
        ],
    );
    for c in outcome.criteria_of(inputs, s) {
        let assumed = t.criterion(c.id).and_then(|cr| cr.field.as_ref()).is_some_and(|f| s.assumed.iter().any(|a| **a == *f.to_string()));
        let value = c.value.map(ToString::to_string);
        let shown = value.clone().unwrap_or_else(|| String::from("—"));
        tbl.rows.push(vec![
            Cell::text(&s.bidder),
            Cell::text(c.id),
            Cell::with_data(if assumed { format!("{shown} (assumed)") } else { shown }, value.unwrap_or_default()),
            Cell::text(assumed.to_string()),
            Cell::text(c.points.to_string()),
            Cell::text(c.max.to_string()),
            Cell::text(c.score.to_exact_string()),
            Cell::text(prose::reason(&c)),
        ]);
    }
    d.table(tbl);
    d.blank();
}

/// The SPEC §8 report. Its fields are listed once, in [`Report::fields`], for both of the ways
/// it is written: serialised whole ([`View::json`]) and streamed ([`Report::write`]).
pub(super) struct Report<'a> {
    tender: TenderInfo<'a>,
    engine: Engine,
    inputs: Vec<InputFile<'a>>,
    bids: Bids<'a>,
    panel: Option<PanelJson<'a>>,
    warnings: Vec<String>,
    lots: Vec<LotJson<'a>>,
    negotiation: Option<NegotiationJson<'a>>,
    reported: Option<ReportedJson<'a>>,
    whatif: Option<Vec<AppliedJson<'a>>>,
}

/// Where a report's fields go, in order: see [`Report::fields`].
trait Fields {
    type Error;
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Self::Error>;
    /// The bids: the bulk of a report, which the stream writes on every core.
    fn bids(&mut self, key: &'static str, bids: &Bids<'_>) -> Result<(), Self::Error>;
    /// The panel analysis, with every bid's marks on each panel criterion: the stream
    /// writes those on every core too.
    fn panel(&mut self, key: &'static str, panel: &PanelJson<'_>) -> Result<(), Self::Error> {
        self.field(key, panel)
    }
    /// A list as long as the bids (the input files, the warnings: a large tender can have one
    /// for every bid), which the stream also writes on every core.
    fn list<T: Serialize + Sync>(&mut self, key: &'static str, items: &[T]) -> Result<(), Self::Error> {
        self.field(key, items)
    }
}

impl Report<'_> {
    /// Every field in order, those with nothing to say left out.
    fn fields<F: Fields>(&self, f: &mut F) -> Result<(), F::Error> {
        f.field("tender", &self.tender)?;
        f.field("engine", &self.engine)?;
        f.list("inputs", &self.inputs)?;
        f.bids("bids", &self.bids)?;
        if let Some(p) = &self.panel {
            f.panel("panel", p)?;
        }
        f.list("warnings", &self.warnings)?;
        if !self.lots.is_empty() {
            f.field("lots", &self.lots)?;
        }
        if let Some(n) = &self.negotiation {
            f.field("negotiation", n)?;
        }
        if let Some(r) = &self.reported {
            f.field("reported", r)?;
        }
        if let Some(w) = &self.whatif {
            f.field("whatif", w)?;
        }
        Ok(())
    }

    /// The report streamed to `w`: the bytes of [`View::json`], the bids serialised on every
    /// core and never held all at once.
    pub(super) fn write(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        struct Stream<'o, 'w>(super::ObjectOut<'o, super::Out<'w>>);
        impl Fields for Stream<'_, '_> {
            type Error = std::io::Error;
            fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> std::io::Result<()> {
                self.0.field(key, value)
            }
            fn bids(&mut self, key: &'static str, bids: &Bids<'_>) -> std::io::Result<()> {
                let depth = self.0.depth.saturating_add(1);
                super::write_array(self.0.key(key)?, depth, &bids.outcome.standings, |buf, depth, s| write_bid(buf, depth, bids, s))
            }
            fn panel(&mut self, key: &'static str, panel: &PanelJson<'_>) -> std::io::Result<()> {
                let depth = self.0.depth.saturating_add(1);
                panel.write(self.0.key(key)?, depth)
            }
            fn list<T: Serialize + Sync>(&mut self, key: &'static str, items: &[T]) -> std::io::Result<()> {
                let depth = self.0.depth.saturating_add(1);
                super::write_array(self.0.key(key)?, depth, items, super::write_value)
            }
        }
        super::stream_json(w, |out| {
            let mut stream = Stream(super::ObjectOut::begin(out, 0)?);
            self.fields(&mut stream)?;
            stream.0.end()
        })
    }
}

impl Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Struct<S>(S);
        impl<S: serde::ser::SerializeStruct> Fields for Struct<S> {
            type Error = S::Error;
            fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), S::Error> {
                self.0.serialize_field(key, value)
            }
            fn bids(&mut self, key: &'static str, bids: &Bids<'_>) -> Result<(), S::Error> {
                self.0.serialize_field(key, bids)
            }
        }
        let mut st = Struct(serializer.serialize_struct("Report", 10)?);
        self.fields(&mut st)?;
        st.0.end()
    }
}

#[derive(Serialize)]
struct LotJson<'a> {
    id: &'a str,
    title: &'a str,
    max_points: String,
    criteria: &'a [String],
    quantity: Option<u64>,
    winners: Option<u32>,
    passed_over: &'a [String],
    bids: Vec<LotBidJson<'a>>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct LotBidJson<'a> {
    bidder: &'a str,
    status: &'static str,
    rank: Option<u32>,
    total: Points,
    sections: BTreeMap<&'a str, Points>,
    award: serde_json::Value,
}

#[derive(Serialize)]
struct NegotiationJson<'a> {
    source: Option<&'a str>,
    agrees_with_model: bool,
    differences: Vec<NegotiationDifference<'a>>,
    departures: Vec<DepartureJson>,
}

#[derive(Serialize)]
struct NegotiationDifference<'a> {
    bidder: &'a str,
    modelled: serde_json::Value,
    negotiated: serde_json::Value,
}

#[derive(Serialize)]
struct DepartureJson {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct ReportedJson<'a> {
    source: Option<&'a str>,
    reproduces: bool,
    verdict: String,
    differences: Vec<ReportedDifference<'a>>,
}

#[derive(Serialize)]
struct ReportedDifference<'a> {
    bidder: &'a str,
    modelled_status: &'static str,
    reported_status: &'static str,
    modelled_award: serde_json::Value,
    reported_quantity: Option<u64>,
}

#[derive(Serialize)]
struct LowJson<'a> {
    id: &'a str,
    value: Option<String>,
    /// Exact; `null` when the check does not apply.
    threshold: Option<String>,
    at_or_below: bool,
    low: bool,
    action: &'static str,
}

#[derive(Serialize)]
struct NegotiatedJson {
    outcome: &'static str,
    quantity: Option<u64>,
}

#[derive(Serialize)]
struct ReportedBidJson {
    status: &'static str,
    quantity: Option<u64>,
}

fn award_json(a: Awarded) -> serde_json::Value {
    match a {
        Awarded::No => serde_json::Value::Null,
        Awarded::Yes => serde_json::Value::Bool(true),
        Awarded::Quantity(q) => serde_json::Value::from(q),
    }
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
    /// The seed of the lottery that ends the tie-break chain, so the draw can be replayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    lottery_seed: Option<u64>,
}

#[derive(Serialize)]
pub(super) struct Engine {
    name: &'static str,
    version: &'static str,
}

impl Engine {
    pub(super) fn this() -> Engine {
        Engine { name: "bidscore", version: env!("CARGO_PKG_VERSION") }
    }
}

#[derive(Serialize)]
pub(super) struct InputFile<'a> {
    path: &'a str,
    sha256: &'a str,
}

/// The files read, sorted by path (the order of arguments changes nothing).
pub(super) fn input_files(inputs: &Inputs) -> Vec<InputFile<'_>> {
    let mut files: Vec<InputFile<'_>> = inputs.sources.iter().map(|f| InputFile { path: &f.path, sha256: &f.sha256 }).collect();
    files.sort_by(|a, b| a.path.cmp(b.path));
    files
}

/// One bid in the JSON report. Its fields are listed once, in [`BidReport::fields`], for
/// both of the ways it is written: serialised ([`Bids`]) and by hand ([`write_bid`]).
struct BidReport<'a> {
    bidder: &'a str,
    name: &'a str,
    status: &'static str,
    rank: Option<u32>,
    total: Points,
    sections: Sections<'a>,
    original_total: Option<Points>,
    original_sections: Option<Sections<'a>>,
    /// `null` for a bid that is not qualified (its points are not adjusted).
    differential_rank: Option<Option<u32>>,
    award: serde_json::Value,
    gates: Gates<'a>,
    criteria: Criteria<'a>,
    assumed: &'a [crate::value::Str],
    abnormally_low: Vec<LowJson<'a>>,
    negotiated: Option<NegotiatedJson>,
    reported: Option<ReportedBidJson>,
}

/// Where a bid's fields go, in order: see [`BidReport::fields`].
trait BidFields {
    type Error;
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Self::Error>;
    fn gates(&mut self, key: &'static str, gates: &Gates<'_>) -> Result<(), Self::Error>;
    /// The criteria: most of a bid's report.
    fn criteria(&mut self, key: &'static str, criteria: &Criteria<'_>) -> Result<(), Self::Error>;
}

impl BidReport<'_> {
    /// Every field in order, those with nothing to say left out.
    fn fields<F: BidFields>(&self, f: &mut F) -> Result<(), F::Error> {
        f.field("bidder", self.bidder)?;
        f.field("name", self.name)?;
        f.field("status", self.status)?;
        f.field("rank", &self.rank)?;
        f.field("total", &self.total)?;
        f.field("sections", &self.sections)?;
        if let Some(t) = &self.original_total {
            f.field("original_total", t)?;
        }
        if let Some(s) = &self.original_sections {
            f.field("original_sections", s)?;
        }
        if let Some(r) = &self.differential_rank {
            f.field("differential_rank", r)?;
        }
        f.field("award", &self.award)?;
        f.gates("gates", &self.gates)?;
        f.criteria("criteria", &self.criteria)?;
        f.field("assumed", self.assumed)?;
        if !self.abnormally_low.is_empty() {
            f.field("abnormally_low", &self.abnormally_low)?;
        }
        if let Some(n) = &self.negotiated {
            f.field("negotiated", n)?;
        }
        if let Some(r) = &self.reported {
            f.field("reported", r)?;
        }
        Ok(())
    }
}

impl Serialize for BidReport<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Struct<S>(S);
        impl<S: serde::ser::SerializeStruct> BidFields for Struct<S> {
            type Error = S::Error;
            fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), S::Error> {
                self.0.serialize_field(key, value)
            }
            fn gates(&mut self, key: &'static str, gates: &Gates<'_>) -> Result<(), S::Error> {
                self.0.serialize_field(key, gates)
            }
            fn criteria(&mut self, key: &'static str, criteria: &Criteria<'_>) -> Result<(), S::Error> {
                self.0.serialize_field(key, criteria)
            }
        }
        let mut st = Struct(serializer.serialize_struct("BidReport", 17)?);
        self.fields(&mut st)?;
        st.0.end()
    }
}

/// Bid `s`'s report written by hand into `buf`, its braces at nesting `depth`: the bytes
/// serde_json writes for its [`BidReport`] (a property test holds them equal), with the
/// gates and criteria, most of a report of many bids, written without serde's machinery.
fn write_bid(buf: &mut Vec<u8>, depth: usize, bids: &Bids<'_>, s: &Standing) -> std::io::Result<()> {
    struct Hand<'o>(super::ObjectOut<'o, Vec<u8>>);
    impl BidFields for Hand<'_> {
        type Error = std::io::Error;
        fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> std::io::Result<()> {
            self.0.field(key, value)
        }
        fn gates(&mut self, key: &'static str, gates: &Gates<'_>) -> std::io::Result<()> {
            let depth = self.0.depth.saturating_add(1);
            super::array_of(self.0.key(key)?, depth, gates.iter(), |w, depth, g| {
                let mut o = super::ObjectOut::begin(w, depth)?;
                super::json_str(o.key("id")?, g.id)?;
                o.key("passed")?.extend_from_slice(if g.passed { b"true" } else { b"false" });
                super::json_display(o.key("reason")?, &g.reason.0)?;
                o.end()
            })
        }
        fn criteria(&mut self, key: &'static str, criteria: &Criteria<'_>) -> std::io::Result<()> {
            let depth = self.0.depth.saturating_add(1);
            // Each cell is made where it is written (a cell is some 300 bytes: moved through
            // the iterator, its copies were a twentieth of the report's time).
            let all = criteria.columns();
            // Each criterion's fields are on lines of one indentation, after their braces'.
            let mut spaces = Vec::new();
            super::indent(&mut spaces, depth.saturating_add(2))?;
            super::array_of(self.0.key(key)?, depth, all, |w, depth, (column, index, kept)| {
                let c = column.detail_kept(criteria.inputs, index, kept);
                // The fields of `CriterionReport`, in its order; the keys need no escaping.
                let key = |w: &mut Vec<u8>, first: bool, key: &str| {
                    w.extend_from_slice(if first { b"\n" } else { b",\n" });
                    w.extend_from_slice(&spaces);
                    w.push(b'"');
                    w.extend_from_slice(key.as_bytes());
                    w.extend_from_slice(b"\": ");
                };
                w.push(b'{');
                key(w, true, "id");
                super::json_str(w, c.id)?;
                key(w, false, "value");
                match c.value {
                    Some(v) => super::json_display(w, v)?,
                    None => w.extend_from_slice(b"null"),
                }
                key(w, false, "score");
                super::json_with(w, |o| c.score.write_exact(o))?;
                key(w, false, "points");
                // A decimal's text: nothing to escape.
                w.push(b'"');
                w.extend_from_slice(crate::exact::DecimalText::new(c.points.decimal()).as_bytes());
                w.push(b'"');
                key(w, false, "max");
                super::json_str(w, column.max_text())?;
                key(w, false, "reason");
                super::json_with(w, |o| prose::write_reason(o, &c))?;
                w.push(b'\n');
                super::indent(w, depth)?;
                w.push(b'}');
                Ok(())
            })
        }
    }
    let mut hand = Hand(super::ObjectOut::begin(buf, depth)?);
    bid(bids, s).fields(&mut hand)?;
    hand.0.end()
}

/// Every bid in report order, each [`BidReport`] made as it is written: a report of many
/// bids never holds them all.
struct Bids<'a> {
    inputs: &'a Inputs,
    outcome: &'a Outcome,
    /// The outcome's criteria, worked out once for every bid.
    columns: Vec<Option<Cells<'a>>>,
}

impl<'a> Bids<'a> {
    fn new(inputs: &'a Inputs, outcome: &'a Outcome) -> Bids<'a> {
        Bids { inputs, outcome, columns: outcome.columns(inputs) }
    }
}

impl Serialize for Bids<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.outcome.standings.iter().map(|s| bid(self, s)))
    }
}

/// One criterion of one bid in the JSON report. Its texts (value, exact score, maximum,
/// reason) are made as they are written, so a report of many bids never holds them all.
struct CriterionReport<'a>(crate::evaluate::CriterionScore<'a>, &'a Cells<'a>);

impl Serialize for CriterionReport<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let c = &self.0;
        let mut st = serializer.serialize_struct("CriterionReport", 6)?;
        st.serialize_field("id", c.id)?;
        st.serialize_field("value", &c.value.map(Text))?;
        st.serialize_field("score", &Text(&c.score))?;
        st.serialize_field("points", &c.points)?;
        st.serialize_field("max", self.1.max_text())?;
        st.serialize_field("reason", &Text(prose::reason_text(c)))?;
        st.end()
    }
}

/// A bid's criteria, each made again from the inputs (as [`Outcome::criteria_of`] makes
/// them) and written as a [`CriterionReport`].
struct Criteria<'a> {
    inputs: &'a Inputs,
    columns: &'a [Option<Cells<'a>>],
    /// The bid's place in `inputs`.
    index: Option<usize>,
    /// The points the evaluation kept, in the columns' order.
    kept: &'a [Points],
}

impl<'a> Criteria<'a> {
    fn cells(&self) -> impl Iterator<Item = (crate::evaluate::CriterionScore<'a>, &'a Cells<'a>)> + '_ {
        self.columns().map(|(c, index, kept)| (c.detail_kept(self.inputs, index, kept), c))
    }

    /// Each cell's column, the bid's place and the points kept: what [`Self::cells`] makes
    /// each cell from.
    fn columns(&self) -> impl Iterator<Item = (&'a Cells<'a>, usize, Points)> + '_ {
        self.columns.iter().zip(self.kept).filter_map(|(c, kept)| Some((c.as_ref()?, self.index?, *kept)))
    }
}

impl Serialize for Criteria<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.cells().map(|(c, column)| CriterionReport(c, column)))
    }
}

fn bid<'a>(bids: &'a Bids<'a>, s: &'a Standing) -> BidReport<'a> {
    let inputs = bids.inputs;
    BidReport {
        bidder: &s.bidder,
        name: &s.name,
        status: s.status.as_str(),
        rank: s.rank,
        total: s.total,
        sections: Sections(&s.sections),
        original_total: s.original.as_ref().map(|o| o.total),
        original_sections: s.original.as_ref().map(|o| Sections(&o.sections)),
        differential_rank: s.original.as_ref().map(|o| o.section_rank),
        award: award_json(s.award),
        gates: Gates { gates: &inputs.tender.gates, verdicts: &s.gates },
        criteria: Criteria { inputs, columns: &bids.columns, index: s.index_in(inputs), kept: &s.points },
        assumed: &s.assumed,
        abnormally_low: s
            .low
            .iter()
            .map(|v| LowJson {
                id: &v.id,
                value: v.value.map(|x| x.to_string()),
                threshold: v.threshold.as_ref().map(crate::exact::Rat::to_exact_string),
                at_or_below: v.at_or_below,
                low: v.low,
                action: v.action.as_str(),
            })
            .collect(),
        negotiated: inputs.negotiation.as_ref().map(|n| match n.bids.get(s.bidder.as_str()) {
            Some(e) => NegotiatedJson { outcome: e.outcome.as_str(), quantity: e.quantity },
            None => NegotiatedJson { outcome: "not-in-record", quantity: None },
        }),
        reported: inputs
            .reported
            .as_ref()
            .and_then(|r| r.bids.get(s.bidder.as_str()))
            .map(|e| ReportedBidJson { status: e.status.as_str(), quantity: e.quantity }),
    }
}

/// The SPEC §8 report, with the panel analysis and the changes of a what-if when given.
pub(super) fn report<'a>(
    inputs: &'a Inputs,
    outcome: &'a Outcome,
    panel: Option<&'a PanelAnalysis>,
    whatif: Option<(&'a str, &'a [Applied])>,
) -> Report<'a> {
    // Located on every core: a large tender can have a warning for every bid.
    let mut warnings: Vec<String> = crate::par::map(&inputs.warnings, |_, d| prose::input_warning(&inputs.sources, d));
    warnings.extend(outcome.warnings.iter().map(prose::warning));
    Report {
        tender: TenderInfo {
            id: &inputs.tender.id,
            title: &inputs.tender.title,
            max_points: inputs.tender.max_points.to_string(),
            lottery_seed: inputs.tender.tie_break.iter().find_map(|t| match t {
                crate::model::TieBreak::Lottery { seed } => Some(*seed),
                _ => None,
            }),
        },
        engine: Engine::this(),
        inputs: input_files(inputs),
        bids: Bids::new(inputs, outcome),
        panel: panel.map(super::panel::to_json),
        warnings,
        lots: outcome
            .lots
            .iter()
            .map(|l| LotJson {
                id: &l.id,
                title: &l.title,
                max_points: l.max_points.to_string(),
                criteria: &l.criteria,
                quantity: l.quantity,
                winners: l.winners,
                passed_over: &l.passed_over,
                bids: l
                    .outcome
                    .standings
                    .iter()
                    .map(|s| LotBidJson {
                        bidder: &s.bidder,
                        status: s.status.as_str(),
                        rank: s.rank,
                        total: s.total,
                        sections: s.sections.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
                        award: award_json(s.award),
                    })
                    .collect(),
                warnings: l.outcome.warnings.iter().map(prose::warning).collect(),
            })
            .collect(),
        negotiation: outcome.negotiation.as_ref().map(|c| NegotiationJson {
            source: inputs.negotiation.as_ref().and_then(|n| n.source.as_deref()),
            agrees_with_model: c.agrees_with_model,
            differences: c
                .rows
                .iter()
                .filter(|r| !r.agrees)
                .map(|r| NegotiationDifference {
                    bidder: &r.bidder,
                    modelled: award_json(r.award),
                    negotiated: r.quantity.map_or(serde_json::Value::Null, serde_json::Value::from),
                })
                .collect(),
            departures: c.departures.iter().map(|d| DepartureJson { code: d.code(), message: d.message() }).collect(),
        }),
        reported: outcome.reported.as_ref().map(|r| ReportedJson {
            source: inputs.reported.as_ref().and_then(|x| x.source.as_deref()),
            reproduces: r.reproduces,
            verdict: prose::reported_verdict(r),
            differences: r
                .rows
                .iter()
                .filter(|x| !(x.same_status && x.same_quantity))
                .map(|x| ReportedDifference {
                    bidder: &x.bidder,
                    modelled_status: x.status.as_str(),
                    reported_status: x.reported.as_str(),
                    modelled_award: award_json(x.award),
                    reported_quantity: x.quantity,
                })
                .collect(),
        }),
        whatif: whatif.map(|(bidder, applied)| {
            applied
                .iter()
                .map(|a| AppliedJson {
                    bid: a.bidder.as_deref().unwrap_or(bidder),
                    kind: a.kind.as_str(),
                    target: &a.target,
                    from: a.from.as_deref(),
                    to: &a.to,
                })
                .collect()
        }),
    }
}
