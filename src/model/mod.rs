//! Validated models: what a tender, a bid and a panel *are* once every problem has been
//! ruled out. Holding one of these means evaluation cannot fail.
//!
//! Building them (`tender.rs`, `bid.rs`, `panel.rs`, `inputs.rs`) collects every problem
//! across every file. Nothing here evaluates or renders.

mod bid;
mod classify;
mod inputs;
mod panel;
mod record;
mod tender;
mod write;

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;

use crate::diag::Span;
use crate::exact::RoundingMode;
use crate::rules::Rule;
use crate::value::{Date, FieldPath, Scalar, Str};

pub use inputs::{Inputs, load_paths, load_paths_with, load_sources};

pub(crate) use inputs::{Columns, Resolved, Reuse, gate_kind, load_sources_reusing};
pub(crate) use tender::MAX_POINTS_LIMIT;

/// A tender: its evaluation rules, gates and weighted criteria.
#[derive(Clone, Debug, PartialEq)]
pub struct Tender {
    /// `[a-z0-9-]+`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Contracting authority.
    pub authority: Option<String>,
    /// Currency of prices, informational.
    pub currency: Option<String>,
    /// What the file is built from.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// The sum of all criterion points.
    pub max_points: Decimal,
    /// How criterion points are rounded.
    pub rounding: Rounding,
    /// Qualification thresholds, all of which a bid must meet.
    pub qualify: Vec<Threshold>,
    /// Tie-break chain after the total.
    pub tie_break: Vec<TieBreak>,
    /// Differential scoring (차등점수제) of one section, if the tender uses it.
    pub differential: Option<Differential>,
    /// Criteria by importance, most important first (`robustness --weights declared`).
    pub weight_order: Vec<String>,
    /// Award rule.
    pub award: Award,
    /// Sections in file order.
    pub sections: Vec<Section>,
    /// Gates in file order.
    pub gates: Vec<Gate>,
    /// Criteria in file order.
    pub criteria: Vec<Criterion>,
    /// Abnormally low tender checks, in file order (`[[abnormally_low]]`).
    pub abnormally_low: Vec<LowCheck>,
    /// Lots, in file order (`[[lot]]`): each its own evaluation and award.
    pub lots: Vec<Lot>,
    /// Where `[tender]` is written.
    pub span: Span,
    /// Ids of every `[[criterion]]` written, valid or not (so references to a criterion that
    /// failed validation are not reported as unknown too).
    pub(crate) declared_criteria: Vec<String>,
}

impl Tender {
    /// The points available in a section (exact sum of its criteria's points).
    pub fn section_max(&self, section: &str) -> Decimal {
        self.criteria.iter().filter(|c| c.section == section).map(|c| c.points).sum()
    }

    /// A criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// Every field a gate, criterion or the award reads, sorted and unique: a bid field
    /// outside this list changes nothing.
    pub fn read_fields(&self) -> Vec<Str> {
        let text = |f: &FieldPath| Str::from(f.to_string());
        let mut read: Vec<Str> = self.gates.iter().map(|g| text(&g.field)).collect();
        read.extend(self.criteria.iter().filter_map(|c| c.field.as_ref().map(text)));
        read.extend(self.award.quantity.iter().map(|q| text(&q.field)));
        read.extend(self.award.budget.iter().map(|b| text(&b.unit_price)));
        read.extend(self.abnormally_low.iter().map(|c| text(&c.field)));
        read.extend(self.tie_break.iter().filter_map(|t| match t {
            TieBreak::Value { field, .. } => Some(text(field)),
            _ => None,
        }));
        read.sort();
        read.dedup();
        read
    }
}

impl Require {
    /// Whether a value meets the condition. Numbers compare by value (`1` equals `1.0`);
    /// a value of another type never meets it.
    pub fn accepts(&self, v: &Scalar) -> bool {
        let eq = |a: &Scalar, b: &Scalar| match (a, b) {
            (Scalar::Number(x), Scalar::Number(y)) => x == y,
            _ => a == b,
        };
        match (self, v) {
            (Require::Equals(want), got) => eq(want, got),
            (Require::OneOf(list), got) => list.iter().any(|w| eq(w, got)),
            (Require::AtLeast(min), Scalar::Number(x)) => x >= min,
            (Require::AtMost(max), Scalar::Number(x)) => x <= max,
            (Require::NotAfter(d), Scalar::Date(x)) => x <= d,
            _ => false,
        }
    }

    /// The values a failing bid could give to meet the condition (its thresholds and listed
    /// values), for `path-to-win`.
    pub(crate) fn passing_values(&self) -> Vec<Scalar> {
        match self {
            Require::Equals(v) => vec![v.clone()],
            Require::OneOf(vs) => vs.clone(),
            Require::AtLeast(x) | Require::AtMost(x) => vec![Scalar::Number(*x)],
            Require::NotAfter(d) => vec![Scalar::Date(*d)],
        }
    }
}

/// Decimal places and mode for criterion points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounding {
    /// 0 to 6.
    pub places: u32,
    /// Half-up, half-even or down.
    pub mode: RoundingMode,
}

impl Default for Rounding {
    fn default() -> Rounding {
        Rounding { places: 4, mode: RoundingMode::HalfUp }
    }
}

/// A qualification threshold (SPEC §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threshold {
    /// The section it applies to; `None` = the total.
    pub section: Option<Str>,
    /// The minimum.
    pub min: Minimum,
    /// Where it is written.
    pub span: Span,
}

/// What a qualification threshold measures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A section's points (the id shared with the tender: every bid's verdict names it).
    Section(Str),
    /// The total.
    Total,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Section(s) => write!(f, "section:{s}"),
            Scope::Total => f.write_str("total"),
        }
    }
}

impl Threshold {
    /// What the threshold measures.
    pub fn scope(&self) -> Scope {
        self.section.clone().map_or(Scope::Total, Scope::Section)
    }
}

/// A threshold's minimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Minimum {
    /// A share of the section's (or the total's) maximum, in (0, 1].
    Share(Decimal),
    /// Points.
    Points(Decimal),
}

/// Differential scoring (차등점수제): after qualification, the qualified bids are ranked by
/// one section's points, and that section then counts `section max − (rank − 1) × step`
/// (not below 0) toward the total. Criterion points are never changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Differential {
    /// The section re-scored by rank.
    pub section: String,
    /// Points lost per rank, in (0, 3].
    pub step: Decimal,
    /// Where it is written.
    pub span: Span,
}

/// One step of the tie-break chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// Higher section points win.
    Section(String),
    /// Higher criterion points win.
    Criterion(String),
    /// Lower bidder id wins.
    Bidder,
    /// A bid field decides: `lower:`/`higher:` a number, `earlier:`/`later:` a date.
    Value {
        /// The bid field.
        field: FieldPath,
        /// Which way wins.
        order: ValueOrder,
    },
    /// A seeded lottery (`lottery:<seed>`), the last step: each bid draws the key
    /// SHA-256(`"<seed>:<bidder id>"`), its first 8 bytes read big-endian; the lower key
    /// wins. The same seed gives the same draw, whatever the files' order.
    Lottery {
        /// The seed, written in the criteria file and shown in every report.
        seed: u64,
    },
}

/// Which value wins a `Value` tie-break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueOrder {
    /// The lower number (a price).
    Lower,
    /// The higher number.
    Higher,
    /// The earlier date.
    Earlier,
    /// The later date.
    Later,
}

impl ValueOrder {
    /// Every order.
    pub const ALL: [ValueOrder; 4] = [ValueOrder::Lower, ValueOrder::Higher, ValueOrder::Earlier, ValueOrder::Later];

    /// The prefix in criteria files.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueOrder::Lower => "lower",
            ValueOrder::Higher => "higher",
            ValueOrder::Earlier => "earlier",
            ValueOrder::Later => "later",
        }
    }

    /// Whether the smaller value wins.
    pub fn smaller_wins(self) -> bool {
        matches!(self, ValueOrder::Lower | ValueOrder::Earlier)
    }

    /// Whether it reads a date (else a number).
    pub fn dates(self) -> bool {
        matches!(self, ValueOrder::Earlier | ValueOrder::Later)
    }
}

impl TieBreak {
    /// A bid's lottery key under `seed` (see [`TieBreak::Lottery`]).
    pub fn lottery_key(seed: u64, bidder: &str) -> u64 {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("{seed}:{bidder}").as_bytes());
        let mut first = [0u8; 8];
        for (slot, b) in first.iter_mut().zip(digest.iter()) {
            *slot = *b;
        }
        u64::from_be_bytes(first)
    }
}

impl fmt::Display for TieBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TieBreak::Section(s) => write!(f, "section:{s}"),
            TieBreak::Criterion(c) => write!(f, "criterion:{c}"),
            TieBreak::Bidder => f.write_str("bidder"),
            TieBreak::Value { field, order } => write!(f, "{}:{field}", order.as_str()),
            TieBreak::Lottery { seed } => write!(f, "lottery:{seed}"),
        }
    }
}

/// Who is awarded (SPEC §5.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Award {
    /// At most this many winners; `None` = no limit.
    pub winners: Option<u32>,
    /// Fill a quantity in rank order.
    pub quantity: Option<Quantity>,
    /// How the quantity is shared (SPEC §10.1).
    pub allocation: Allocation,
    /// No bid gets more than `floor(max_share × total)` of the quantity (SPEC §10.1).
    pub max_share: Option<Decimal>,
    /// No bid gets more than this of the quantity.
    pub max_quantity: Option<u64>,
    /// The money the award may spend, and the bid field with each unit's price (SPEC §10.1).
    pub budget: Option<Budget>,
    /// How a negotiation record that departs from the rules is reported.
    pub departures: Departures,
    /// With lots: the most lots one bidder may win (`max_lots_per_bidder`).
    pub max_lots: Option<u32>,
}

/// A budget: the award spends at most `total`, each unit at the bid's price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The money available (in the tender's currency).
    pub total: Decimal,
    /// The bid field with the price of one unit of the quantity (a positive number).
    pub unit_price: FieldPath,
}

/// Whether a negotiation record's departures from the rules (out of rank order, above the
/// total, the budget or a cap) stop the run or are reported beside the result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Departures {
    /// Errors: nothing is scored until the record is mended or the tender says `"warning"`.
    #[default]
    Error,
    /// Warnings: the result is shown with them.
    Warning,
}

impl Departures {
    /// The name in criteria files.
    pub fn as_str(self) -> &'static str {
        match self {
            Departures::Error => "error",
            Departures::Warning => "warning",
        }
    }
}

/// How an award shares its quantity among the winners.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Allocation {
    /// Each bid in rank order gets what it offered, as far as the quantity (and the cap) goes.
    #[default]
    RankOrder,
    /// The winners share the quantity in proportion to what they offered (largest remainder
    /// to whole units; ties to the better-ranked bid), then the cap, what it holds back going
    /// to the others in rank order up to their offers.
    Proportional,
    /// The quantities agreed in negotiation (the negotiation record), in rank order within
    /// the total, the cap and the budget; without a record, modelled as `RankOrder`.
    Negotiated,
}

impl Allocation {
    /// Every mode, in the order the docs list them.
    pub const ALL: [Allocation; 3] = [Allocation::RankOrder, Allocation::Proportional, Allocation::Negotiated];

    /// The name in criteria files.
    pub fn as_str(self) -> &'static str {
        match self {
            Allocation::RankOrder => "rank-order",
            Allocation::Proportional => "proportional",
            Allocation::Negotiated => "negotiated",
        }
    }
}

impl Award {
    /// The most of the quantity one bid may get: the smaller of `floor(max_share × total)`
    /// and `max_quantity` (`None`: no cap, or no quantity).
    pub fn cap(&self) -> Option<u64> {
        use rust_decimal::prelude::ToPrimitive;
        let q = self.quantity.as_ref()?;
        let by_share = self.max_share.and_then(|s| s.checked_mul(Decimal::from(q.total))).and_then(|x| x.floor().to_u64());
        match (by_share, self.max_quantity) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl Default for Award {
    fn default() -> Award {
        Award {
            winners: Some(1),
            quantity: None,
            allocation: Allocation::RankOrder,
            max_share: None,
            max_quantity: None,
            budget: None,
            departures: Departures::Error,
            max_lots: None,
        }
    }
}

/// A quantity filled in rank order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    /// The bid field with the offered quantity (a whole number).
    pub field: FieldPath,
    /// The total to fill.
    pub total: u64,
}

/// A section of the criteria.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Id.
    pub id: Str,
    /// Title.
    pub title: String,
    /// Free text.
    pub note: Option<String>,
    /// Where its id is written.
    pub span: Span,
}

/// A lot of a tender divided into lots: awarded on its own, among the bids that bid for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lot {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its quantity, under an award that shares one (`None`: the award's `total`).
    pub quantity: Option<u64>,
    /// Its winners (`None`: the award's `winners`; `Some(None)`: no limit).
    pub winners: Option<Option<u32>>,
    /// The criteria it is evaluated on, a subset in the tender's order (`None`: all).
    pub criteria: Option<Vec<String>>,
    /// Where its id is written.
    pub span: Span,
}

/// An abnormally low tender check (EU Directive 2014/24 Art. 69; the World Bank's ALB;
/// Italy's *soglia di anomalia*): a bid whose price is below the declared threshold is
/// flagged for explanation, or excluded, as the tender declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowCheck {
    /// Id.
    pub id: Str,
    /// Title.
    pub title: String,
    /// The bid field with the price.
    pub field: FieldPath,
    /// The threshold.
    pub rule: LowRule,
    /// What a bid below it gets.
    pub action: LowAction,
    /// Where the rule is reported.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Where its id is written.
    pub span: Span,
}

/// How an abnormally low price is recognised, among the bids that passed every gate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LowRule {
    /// Below `share × estimate`.
    ShareOfEstimate {
        /// The authority's estimate.
        estimate: Decimal,
        /// The share of it (above 0, at most 1).
        share: Decimal,
    },
    /// Below `share ×` the mean of the other bids' prices.
    ShareOfMean {
        /// The share (above 0, at most 1).
        share: Decimal,
    },
    /// Italy's wing-trimmed threshold (*taglio delle ali*, d.lgs. 50/2016 art. 97 c.2, in its
    /// base form): each bid's discount `(base − price) / base`; the `wings` share (rounded
    /// up) of the highest and of the lowest discounts set aside; `M` the mean of the rest,
    /// `S` the mean of their excesses over `M`; a discount of at least `M + S` is abnormally
    /// low. Applied only with at least `min_bids` bids.
    WingTrimmed {
        /// The base price the discounts are taken from.
        base: Decimal,
        /// The share trimmed from each wing (default 0.1).
        wings: Decimal,
        /// The fewest bids it applies to (default 5).
        min_bids: u64,
    },
}

impl LowRule {
    /// The rule's name in criteria files.
    pub fn kind(&self) -> &'static str {
        match self {
            LowRule::ShareOfEstimate { .. } => "share-of-estimate",
            LowRule::ShareOfMean { .. } => "share-of-mean",
            LowRule::WingTrimmed { .. } => "wing-trimmed",
        }
    }
}

/// What an abnormally low tender check does to a bid below its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LowAction {
    /// Flag it for explanation (EU Art. 69: the authority must ask before rejecting): it
    /// keeps its status and may be awarded.
    Flag,
    /// Exclude it: it keeps its points and rank, gets the status `excluded`, and the award
    /// walks past it.
    Exclude,
}

impl LowAction {
    /// The name in criteria files.
    pub fn as_str(self) -> &'static str {
        match self {
            LowAction::Flag => "flag",
            LowAction::Exclude => "exclude",
        }
    }
}

/// A pass/fail eligibility condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    /// Id.
    pub id: Str,
    /// Title.
    pub title: String,
    /// The bid field it reads.
    pub field: FieldPath,
    /// The condition.
    pub require: Require,
    /// What a bid without the field gets.
    pub missing: GateMissing,
    /// Where the condition is reported.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Where its id is written.
    pub span: Span,
}

/// A gate's condition (SPEC §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Require {
    /// Equal, by type.
    Equals(Scalar),
    /// Equal to one of these.
    OneOf(Vec<Scalar>),
    /// A number ≥ this.
    AtLeast(Decimal),
    /// A number ≤ this.
    AtMost(Decimal),
    /// A date on or before this.
    NotAfter(Date),
}

/// What a gate does when a bid lacks its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateMissing {
    /// An input error (default).
    Error,
    /// The gate fails.
    Fail,
}

/// What a criterion does when a bid lacks its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriterionMissing {
    /// An input error (default).
    Error,
    /// Score 0.
    Zero,
}

/// A weighted criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    /// Id.
    pub id: String,
    /// The section it belongs to.
    pub section: String,
    /// Title.
    pub title: String,
    /// Its weight in points.
    pub points: Decimal,
    /// Where its weight may lie, when the tender publishes it as a range
    /// (`robustness --weights declared`).
    pub points_range: Option<(Decimal, Decimal)>,
    /// The bid field it reads (`None` for panel criteria).
    pub field: Option<FieldPath>,
    /// How a value becomes a score in [0, 1].
    pub rule: Rule,
    /// What a bid without the field gets.
    pub missing: CriterionMissing,
    /// Where it is reported.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Where its id is written.
    pub span: Span,
}

/// Provenance status of a bid value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Two or more sources agree, or a primary text.
    Confirmed,
    /// One source.
    Reported,
    /// No source: an assumption with a plausible range.
    Assumed,
}

impl Status {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Reported => "reported",
            Status::Assumed => "assumed",
        }
    }
}

/// Where a bid value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Confirmed, reported or assumed.
    pub status: Status,
    /// The source address.
    pub source: Option<String>,
    /// Why, for assumptions.
    pub note: Option<String>,
    /// Plausible low and high for an assumed number or date.
    pub range: Option<(Scalar, Scalar)>,
    /// The values an assumed field could plausibly take (the value used among them), for
    /// strings and booleans above all: drawn uniformly by `robustness --inputs ranges`.
    pub alternatives: Option<Vec<Scalar>>,
}

/// A bid.
#[derive(Clone, Debug)]
pub struct Bid {
    /// `[a-z0-9-]+`, unique among the bids.
    pub id: Str,
    /// The bidder's name.
    pub name: Str,
    /// Free text.
    pub note: Option<String>,
    /// Its file's text, shared with [`Inputs::sources`]: the fields are read from it again
    /// when asked ([`Bid::field_values`], [`Bid::to_toml`]), so an evaluation of many bids
    /// keeps only the values its rules read (in `Inputs`), not a tree of every bid.
    pub(crate) text: std::sync::Arc<str>,
    /// Provenance by field path.
    pub provenance: BTreeMap<String, Provenance>,
    /// Tables or fields carried for the record (`informational` in `[bidder]`): no rule may
    /// read them, and they are not reported as unread. Each with where it is written.
    pub informational: Vec<(FieldPath, Span)>,
    /// The lots it bids for (`lots` in `[bidder]`; `None`: every lot).
    pub lots: Option<Vec<String>>,
    /// Where `lots` is written, and each entry.
    pub(crate) lots_span: Option<Span>,
    pub(crate) lots_spans: Vec<Span>,
    /// Index of the file it was read from.
    pub file: usize,
    /// Where its id is written.
    pub span: Span,
}

// Bids are equal when what they say is: the same fields, however the files were written.
impl PartialEq for Bid {
    fn eq(&self, o: &Bid) -> bool {
        self.id == o.id
            && self.name == o.name
            && self.note == o.note
            && self.provenance == o.provenance
            && self.informational == o.informational
            && self.lots == o.lots
            && self.lots_span == o.lots_span
            && self.lots_spans == o.lots_spans
            && self.file == o.file
            && self.span == o.span
            && self.fields() == o.fields()
    }
}

/// The committee's marks.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Where the marks come from.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// The evaluators' names: mark *i* of every array is evaluator *i* (`None`: unnamed,
    /// shown as `1`, `2`, …).
    pub evaluators: Option<Vec<String>>,
    /// A mark is flagged as far from the panel when it lies more than this many median
    /// absolute deviations from the median (default 2.5).
    pub outlier_k: Decimal,
    /// Marks by criterion id, then bidder id: one per evaluator.
    pub marks: BTreeMap<String, BTreeMap<String, Vec<Decimal>>>,
    /// Where `[panel]` is written.
    pub span: Span,
    /// Where `evaluators` is written.
    pub(crate) evaluators_span: Option<Span>,
    /// Where each criterion's marks and each bidder's array are written.
    pub(crate) spans: BTreeMap<String, (Span, BTreeMap<String, Span>)>,
}

impl Panel {
    /// The default `outlier_k`.
    pub const DEFAULT_OUTLIER_K: Decimal = Decimal::from_parts(25, 0, 0, false, 1);

    /// Evaluator `i`'s name: as declared, or `i + 1`.
    pub fn evaluator(&self, i: usize) -> String {
        self.evaluators.as_ref().and_then(|e| e.get(i).cloned()).unwrap_or_else(|| i.saturating_add(1).to_string())
    }
}

/// What a bid did in negotiation (SPEC §10.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NegotiationOutcome {
    /// A contract was agreed (with a quantity, under a quantity award).
    Agreed,
    /// Invited, and declined what it was offered.
    Declined,
    /// Withdrew its bid.
    Withdrawn,
    /// Never invited to negotiate.
    NotInvited,
}

impl NegotiationOutcome {
    /// Every outcome.
    pub const ALL: [NegotiationOutcome; 4] =
        [NegotiationOutcome::Agreed, NegotiationOutcome::Declined, NegotiationOutcome::Withdrawn, NegotiationOutcome::NotInvited];

    /// The name in record files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NegotiationOutcome::Agreed => "agreed",
            NegotiationOutcome::Declined => "declined",
            NegotiationOutcome::Withdrawn => "withdrawn",
            NegotiationOutcome::NotInvited => "not-invited",
        }
    }
}

/// One bidder's entry in the negotiation record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// What it did.
    pub outcome: NegotiationOutcome,
    /// The quantity agreed.
    pub quantity: Option<u64>,
    /// When.
    pub date: Option<Date>,
    /// Where it was reported.
    pub source: Option<String>,
    /// Why, when it is an assumption.
    pub note: Option<String>,
    /// Where the bidder's table is written.
    pub span: Span,
    /// Where the quantity is written.
    pub(crate) quantity_span: Option<Span>,
}

/// The negotiation record: a file in the bids directory whose table is `[negotiation]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiation {
    /// Where the outcome of negotiation was reported.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// By bidder id.
    pub bids: BTreeMap<String, Negotiated>,
    /// Where `[negotiation]` is written.
    pub span: Span,
}

/// A status as reported, in the words of SPEC §10.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportedStatus {
    /// Awarded.
    Selected,
    /// Evaluated and not awarded.
    Qualified,
    /// Below a qualifying threshold.
    NotQualified,
    /// Failed an eligibility condition.
    Disqualified,
    /// Declined the award or what it was offered.
    Declined,
    /// Withdrew.
    Withdrawn,
    /// Excluded (an abnormally low tender, say).
    Excluded,
}

impl ReportedStatus {
    /// Every status.
    pub const ALL: [ReportedStatus; 7] = [
        ReportedStatus::Selected,
        ReportedStatus::Qualified,
        ReportedStatus::NotQualified,
        ReportedStatus::Disqualified,
        ReportedStatus::Declined,
        ReportedStatus::Withdrawn,
        ReportedStatus::Excluded,
    ];

    /// The name in record files and reports (the same as a bid's status).
    pub fn as_str(self) -> &'static str {
        match self {
            ReportedStatus::Selected => "selected",
            ReportedStatus::Qualified => "qualified",
            ReportedStatus::NotQualified => "not-qualified",
            ReportedStatus::Disqualified => "disqualified",
            ReportedStatus::Declined => "declined",
            ReportedStatus::Withdrawn => "withdrawn",
            ReportedStatus::Excluded => "excluded",
        }
    }
}

/// One bidder's entry in the reported outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedBid {
    /// Its status, as reported.
    pub status: ReportedStatus,
    /// The quantity it was awarded.
    pub quantity: Option<u64>,
    /// Where it was reported.
    pub source: Option<String>,
    /// Why, when it is an assumption.
    pub note: Option<String>,
    /// Where the bidder's table is written.
    pub span: Span,
    /// Where the quantity is written.
    pub(crate) quantity_span: Option<Span>,
}

/// What was actually awarded, for a reconstruction: a file whose table is `[reported]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    /// Where the outcome was reported.
    pub source: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// By bidder id.
    pub bids: BTreeMap<String, ReportedBid>,
    /// Where `[reported]` is written.
    pub span: Span,
}
