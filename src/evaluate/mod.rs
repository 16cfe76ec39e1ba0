//! Evaluation: validated inputs in, an [`Outcome`] out. Pure: no I/O, no clock, no
//! randomness, and no failure — everything that could go wrong was ruled out by
//! validation.
//!
//! Order (SPEC §5): gates → references for `relative`/`kr-price` over the bids that pass
//! every gate → criterion points (exact, rounded once: `score.rs`) → the tally
//! (`tally.rs`: sections and total, qualification, references among the qualified,
//! differential scoring, ranking with the tie-break chain, award in `award.rs`).
//!
//! The outcome is data: verdicts, reasons, ties and warnings are values that reports turn
//! into sentences, never sentences themselves.

pub(crate) mod award;
mod lots;
pub(crate) mod low;
mod record;
pub(crate) mod sampled;
pub(crate) mod score;
pub(crate) mod tally;

use rust_decimal::Decimal;

use crate::exact::{Points, Rat};
pub use crate::model::Scope;
use crate::model::{Bid, Gate, Inputs, Status, TieBreak};
use crate::rules::Reason;
use crate::value::{Given, Scalar, Str};
pub use lots::LotOutcome;
pub use low::LowVerdict;
pub use record::{Departure, NegotiationCheck, NegotiationRow, Reconstruction, ReportedRow, departures};
use tally::{Field, Frame, Row, Tally};

/// Where a bid ends up (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BidStatus {
    /// Awarded.
    Selected,
    /// Qualified, not awarded.
    Qualified,
    /// Qualified and ranked, and declined in negotiation (SPEC §10.2): awarded nothing, the
    /// next-ranked bid moves up.
    Declined,
    /// Qualified and ranked, and withdrawn: awarded nothing, the next-ranked bid moves up.
    Withdrawn,
    /// Qualified and ranked, and excluded as abnormally low by a declared check: awarded
    /// nothing, the award walks past it.
    Excluded,
    /// Passed the gates, missed a qualification threshold.
    NotQualified,
    /// Failed a gate.
    Disqualified,
}

impl BidStatus {
    /// The group of the report order the bid is listed in (SPEC §5.3): 0 for ranked bids
    /// (selected or qualified), 1 for not qualified, 2 for disqualified. A bid in an earlier
    /// group is ahead of every bid in a later one, whatever the points.
    pub fn group(self) -> u8 {
        match self {
            BidStatus::Selected | BidStatus::Qualified | BidStatus::Declined | BidStatus::Withdrawn | BidStatus::Excluded => 0,
            BidStatus::NotQualified => 1,
            BidStatus::Disqualified => 2,
        }
    }

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BidStatus::Selected => "selected",
            BidStatus::Qualified => "qualified",
            BidStatus::Declined => "declined",
            BidStatus::Withdrawn => "withdrawn",
            BidStatus::Excluded => "excluded",
            BidStatus::NotQualified => "not-qualified",
            BidStatus::Disqualified => "disqualified",
        }
    }
}

/// What a bid was awarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Awarded {
    /// Nothing.
    No,
    /// Selected (no quantity in the award rule).
    Yes,
    /// This quantity.
    Quantity(u64),
}

/// A gate's verdict on one bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateVerdict {
    /// Gate id.
    pub id: Str,
    /// Passed?
    pub passed: bool,
    /// The value the gate read (`None`: the bid lacks it, and the gate fails).
    pub value: Option<Scalar>,
}

/// Why a bid scored what it did on one criterion: the value, the exact score, the official
/// points and the reason. Made when a report asks ([`Outcome::criterion`]), from the inputs
/// and the reference the evaluation scored against; the outcome itself keeps the points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionScore<'a> {
    /// Criterion id.
    pub id: &'a str,
    /// Its section.
    pub section: &'a str,
    /// The value or marks scored (`None` when missing).
    pub value: Option<&'a Given>,
    /// The exact score (a fraction of the criterion's points).
    pub score: Rat,
    /// The official points: `points × score` rounded once.
    pub points: Points,
    /// The criterion's points.
    pub max: Decimal,
    /// Why, as data.
    pub reason: Reason,
    /// The exact points were too large for a decimal and are shown saturated.
    pub saturated: bool,
}

/// A qualification threshold's verdict on one bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdVerdict {
    /// What was measured.
    pub scope: Scope,
    /// The points needed (exact).
    pub needed: Rat,
    /// The points scored.
    pub scored: Points,
    /// Met?
    pub met: bool,
}

/// How a tie on the total was settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tie {
    /// The other bids with the same total, in report order.
    pub with: Vec<String>,
    /// The tie-break step that ordered this bid among them, or `None` when it shares its rank.
    pub settled_by: Option<TieBreak>,
}

/// Things a reader of the outcome should know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Bids tied after every tie-break: they share a rank.
    Unresolved {
        /// The bids, by id.
        bidders: Vec<String>,
        /// The rank they share.
        rank: u32,
    },
    /// The award takes one of two bids tied at a rank and not the other: report order
    /// (bidder id) decided.
    AwardSplitsTie {
        /// The last bid awarded.
        awarded: String,
        /// The tied bid that was not.
        passed_over: String,
        /// Their shared rank.
        rank: u32,
    },
    /// No bid was selected: the tender failed, and why.
    NoneSelected {
        /// Why.
        why: NoSelection,
    },
    /// The award is `negotiated`, but no negotiation record was given (or it was set aside
    /// for a question that changes the ranking): the quantities are modelled as a rank-order
    /// fill of the offers.
    Unnegotiated {
        /// A record was given and set aside.
        set_aside: bool,
    },
    /// A bid's price is abnormally low by a declared check: flagged for explanation, or
    /// excluded.
    AbnormallyLow {
        /// The bid.
        bidder: String,
        /// The check.
        check: String,
        /// Excluded (else flagged).
        excluded: bool,
    },
    /// Every bid scored the same on a criterion: it separates nobody.
    Flat {
        /// The criterion.
        criterion: String,
        /// The points every bid scored.
        points: Points,
    },
}

/// Why a tender selected no bid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoSelection {
    /// Every bid failed a gate.
    AllDisqualified,
    /// No bid that passed the gates met every qualification threshold.
    NoneQualified,
    /// Every ranked bid declined or withdrew in negotiation.
    AllDeclined,
    /// Every ranked bid was excluded as abnormally low (or declined or withdrew).
    AllExcluded,
    /// Bids qualified, but the award had nothing to give: a quantity of 0, every qualified
    /// bid offering 0 of it, or no winner's place.
    NothingToAward,
}

/// One bid's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The bid's place in the evaluated inputs' [`bids`](Inputs::bids).
    pub index: usize,
    /// Bidder id.
    pub bidder: Str,
    /// Bidder name.
    pub name: Str,
    /// Status.
    pub status: BidStatus,
    /// Rank among qualified bids (shared when tied after every tie-break).
    pub rank: Option<u32>,
    /// The total that ranks the bid: the exact sum of its criterion points, or under
    /// differential scoring the sum of its sections as counted (the sum as scored is in
    /// `original`).
    pub total: Points,
    /// Points per section, in the tender's section order (as counted, under differential
    /// scoring).
    pub sections: Vec<(Str, Points)>,
    /// What it was awarded.
    pub award: Awarded,
    /// Gate verdicts, in the tender's order.
    pub gates: Vec<GateVerdict>,
    /// Criterion points, in the order of [`Outcome::criteria`] (the tender's); why each
    /// scored what it did: [`Outcome::criterion`].
    pub points: Vec<Points>,
    /// Qualification verdicts (only for bids that passed the gates).
    pub qualification: Vec<ThresholdVerdict>,
    /// Fields marked `assumed` that a gate, criterion or the award read.
    pub assumed: Vec<Str>,
    /// The abnormally low tender checks' verdicts (bids that passed the gates), in the
    /// tender's order.
    pub low: Vec<LowVerdict>,
    /// How a tie on the total was settled, if there was one.
    pub tie: Option<Tie>,
    /// With differential scoring: the section points and total before the adjustment
    /// (`sections` and `total` are then the adjusted points used for ranking).
    pub original: Option<Original>,
}

/// A bid's points before differential scoring (차등점수제) adjusted its section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Original {
    /// Points per section, in the tender's section order, as scored.
    pub sections: Vec<(Str, Points)>,
    /// The exact sum of criterion points.
    pub total: Points,
    /// The bid's rank on the differential section among the qualified bids (shared when
    /// tied); `None` for a bid that is not qualified, whose points are not adjusted.
    pub section_rank: Option<u32>,
}

impl Standing {
    /// The place of this standing's bid in `inputs`: its own index, unless `inputs` are not
    /// the ones it was evaluated from (a lot's standing, read against the whole tender).
    pub(crate) fn index_in(&self, inputs: &Inputs) -> Option<usize> {
        match inputs.bids.get(self.index) {
            Some(b) if b.id == self.bidder => Some(self.index),
            _ => inputs.bid_index(&self.bidder),
        }
    }

    /// A section's points by id.
    pub fn section(&self, id: &str) -> Option<Points> {
        self.sections.iter().find(|(s, _)| s == id).map(|(_, p)| *p)
    }
}

/// The result of an evaluation: standings in report order (SPEC §5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Ranked qualified bids, then not-qualified, then disqualified.
    pub standings: Vec<Standing>,
    /// The criteria evaluated, by id, in the tender's order (a lot's: its own).
    pub criteria: Vec<String>,
    /// Per criterion, in the tender's order: the best value a `relative` or `kr-price`
    /// criterion was scored against (over the eligible or the qualified bids, as it says);
    /// `None` for other rules, or when no bid in the set has a value.
    pub references: Vec<Option<Decimal>>,
    /// Things a reader should know (unresolved ties, criteria that separate nobody).
    pub warnings: Vec<Warning>,
    /// The negotiation record beside the award, when one was given (SPEC §10.2).
    pub negotiation: Option<NegotiationCheck>,
    /// The reported outcome beside the model, when one was given.
    pub reported: Option<Reconstruction>,
    /// Per lot, in the tender's order: its own ranking and award (the standings' awards and
    /// statuses are then what each bid won over the lots).
    pub lots: Vec<LotOutcome>,
}

impl Outcome {
    /// A bid's standing by bidder id.
    pub fn standing(&self, bidder: &str) -> Option<&Standing> {
        self.standings.iter().find(|s| s.bidder == bidder)
    }

    /// Bidder ids of the selected bids, in rank order.
    pub fn winners(&self) -> Vec<&str> {
        self.standings.iter().filter(|s| s.status == BidStatus::Selected).map(|s| s.bidder.as_str()).collect()
    }

    /// A criterion's place in [`Outcome::criteria`] (and in every standing's points).
    pub fn criterion_index(&self, id: &str) -> Option<usize> {
        self.criteria.iter().position(|c| c == id)
    }

    /// A bid's points on a criterion, by ids.
    pub fn points(&self, bidder: &str, criterion: &str) -> Option<Points> {
        self.standing(bidder)?.points.get(self.criterion_index(criterion)?).copied()
    }

    /// Why the bid of `standing` scored what it did on criterion `j` (its place in
    /// [`Outcome::criteria`]): scored again by its rule, against the reference this
    /// evaluation used, from `inputs` — the inputs it evaluated (or, for a lot, the whole
    /// tender's). `None` when `inputs` lack the bid or the criterion.
    ///
    /// # Examples
    /// ```
    /// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
    /// let outcome = bidscore::evaluate(&inputs);
    /// let coupang = outcome.standing("coupang").unwrap();
    /// let j = outcome.criterion_index("dc-tenure").unwrap();
    /// let c = outcome.criterion(&inputs, coupang, j).unwrap();
    /// assert_eq!(c.points, coupang.points[j]);
    /// assert_eq!(c.value.unwrap().to_string(), "leased");
    /// ```
    pub fn criterion<'a>(&self, inputs: &'a Inputs, standing: &Standing, j: usize) -> Option<CriterionScore<'a>> {
        self.criterion_at(inputs, standing.index_in(inputs)?, j)
    }

    /// Every criterion of `standing`, as [`Outcome::criterion`] makes it, in order.
    pub fn criteria_of<'a, 's>(&'s self, inputs: &'a Inputs, standing: &'s Standing) -> impl Iterator<Item = CriterionScore<'a>> + 's
    where
        'a: 's,
    {
        let columns = self.columns(inputs);
        let i = standing.index_in(inputs);
        (0..columns.len()).filter_map(move |j| Some(columns.get(j)?.as_ref()?.detail(inputs, i?)))
    }

    /// Criterion `j` of bid `i` of `inputs`.
    fn criterion_at<'a>(&self, inputs: &'a Inputs, i: usize, j: usize) -> Option<CriterionScore<'a>> {
        Some(self.column(inputs, j)?.detail(inputs, i))
    }

    /// Every criterion's [`score::Cells`], in order (`None` for one `inputs` lack): what a
    /// report that shows every bid's cells works out once.
    pub(crate) fn columns<'a>(&self, inputs: &'a Inputs) -> Vec<Option<score::Cells<'a>>> {
        (0..self.criteria.len()).map(|j| self.column(inputs, j)).collect()
    }

    /// Criterion `j`'s [`score::Cells`].
    fn column<'a>(&self, inputs: &'a Inputs, j: usize) -> Option<score::Cells<'a>> {
        let t = &inputs.tender;
        let id = self.criteria.get(j)?;
        // The tender's own order, unless this is a lot's outcome (its criteria a subset).
        let k = if t.criteria.get(j).is_some_and(|c| &c.id == id) { j } else { t.criteria.iter().position(|c| &c.id == id)? };
        score::Cells::new(t, k, self.references.get(j).copied().flatten())
    }
}

/// Score, rank and award every bid.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// assert_eq!(outcome.standings.len(), 4);
/// ```
pub fn evaluate(inputs: &Inputs) -> Outcome {
    if inputs.tender.lots.is_empty() {
        return evaluate_capped(inputs, &[]);
    }
    lots::evaluate(inputs)
}

/// [`evaluate`] of a tender without lots, the award walking past the bids marked `capped`
/// (bidders that already won as many lots as one may).
pub(crate) fn evaluate_capped(inputs: &Inputs, capped: &[bool]) -> Outcome {
    let t = &inputs.tender;
    let frame = Frame::new(t);
    let gates: Vec<Vec<GateVerdict>> =
        crate::par::map(&inputs.bids, |i, _| gate_verdicts(&t.gates, (0..t.gates.len()).map(|j| inputs.gate_value(i, j))));
    let mut field = field_of(inputs, gates.iter().map(|v| passes(v)).collect());
    field.capped = capped.to_vec();
    let scorer = score::Official::new(t, &frame.weights, inputs);
    let tally = tally::tally(&frame, &scorer, &field);
    outcome(inputs, &frame, &field, gates, tally)
}

/// Every bid of `inputs` as the tally reads it, given which passed every gate.
pub(crate) fn field_of(inputs: &Inputs, passed: Vec<bool>) -> Field<'_> {
    let n = inputs.bids.len();
    let ids: Vec<&str> = inputs.bids.iter().map(|b| b.id.as_str()).collect();
    Field {
        lottery: tally::lottery_keys(&inputs.tender, &ids),
        ids,
        passed,
        offered: (0..n).map(|i| inputs.offered(i).unwrap_or(0)).collect(),
        prices: (0..n).map(|i| inputs.unit_price(i)).collect(),
        terms: award::Term::all(inputs),
        ties: (0..n).map(|i| inputs.tie_values(i)).collect(),
        low: (0..n).map(|i| inputs.low_values(i)).collect(),
        capped: Vec::new(),
        held: None,
    }
}

/// Every gate's verdict on one bid, given the value it gives each gate (`None`: missing, and
/// the gate fails).
pub(crate) fn gate_verdicts<'a>(gates: &[Gate], values: impl Iterator<Item = Option<&'a Scalar>>) -> Vec<GateVerdict> {
    gates
        .iter()
        .zip(values)
        .map(|(g, value)| GateVerdict { id: g.id.clone(), passed: value.is_some_and(|v| g.require.accepts(v)), value: value.cloned() })
        .collect()
}

/// A bid that fails any gate is disqualified (SPEC §5.1).
pub(crate) fn passes(verdicts: &[GateVerdict]) -> bool {
    verdicts.iter().all(|v| v.passed)
}

/// The tally as the outcome a report shows: standings in report order with their gates,
/// the `assumed` inputs they rest on, ties and warnings.
fn outcome(inputs: &Inputs, frame: &Frame<'_>, field: &Field<'_>, gates: Vec<Vec<GateVerdict>>, tally: Tally<Points, Points>) -> Outcome {
    let t = &inputs.tender;
    let read = t.read_fields();
    let (ties, mut warnings) = tally::ties(frame, field, |c: &Points| c, &tally);
    let references = tally.references.iter().map(|r| r.best).collect();
    let Tally { rows, order, .. } = tally;
    let low = low::verdicts(t, &field.passed, &field.low);
    // Each bid's parts, moved into report order (moves, not copies), then made into standings
    // on every core: a standing of a large tender is most of an evaluation's serial work.
    let mut parts: Vec<Option<Parts>> =
        rows.into_iter().zip(gates).zip(low).zip(ties).map(|(((row, gates), low), tie)| Some((row, gates, low, tie))).collect();
    let ordered: Vec<(usize, &Bid, Parts)> =
        order.iter().filter_map(|&i| Some((i, inputs.bids.get(i)?, parts.get_mut(i)?.take()?))).collect();
    let sections = |sums: &[Points]| -> Vec<(Str, Points)> { t.sections.iter().zip(sums).map(|(s, p)| (s.id.clone(), *p)).collect() };
    let standings: Vec<Standing> = crate::par::map_owned(ordered, |_, (i, b, (row, gates, low, tie))| {
        let qualification = t
            .qualify
            .iter()
            .zip(&row.qualification)
            .map(|(q, v)| ThresholdVerdict { scope: q.scope(), needed: v.needed.clone(), scored: v.scored, met: v.met })
            .collect();
        let counted = row.counted();
        let original = t.differential.as_ref().map(|_| Original {
            sections: sections(&row.scored.sections),
            total: row.scored.total,
            section_rank: row.adjusted.as_ref().map(|a| a.section_rank),
        });
        Standing {
            index: i,
            bidder: b.id.clone(),
            name: b.name.clone(),
            status: row.status,
            rank: row.rank,
            total: counted.total,
            sections: sections(&counted.sections),
            award: row.award,
            gates,
            qualification,
            assumed: assumed_fields(&read, b),
            low,
            tie,
            original,
            points: row.cells,
        }
    });
    for s in &standings {
        for v in s.low.iter().filter(|v| v.low) {
            warnings.push(Warning::AbnormallyLow {
                bidder: s.bidder.to_string(),
                check: v.id.to_string(),
                excluded: v.action == crate::model::LowAction::Exclude,
            });
        }
    }
    warnings.extend(flat_criteria(inputs, &standings));
    if t.award.allocation == crate::model::Allocation::Negotiated && inputs.negotiation.is_none() {
        warnings.insert(0, Warning::Unnegotiated { set_aside: inputs.negotiation_set_aside });
    }
    if let Some(why) = no_selection(&standings) {
        warnings.insert(0, Warning::NoneSelected { why });
    }
    let negotiation = record::negotiation(inputs, &standings);
    let reported = record::reported(inputs, &standings);
    let criteria = t.criteria.iter().map(|c| c.id.clone()).collect();
    Outcome { standings, criteria, references, warnings, negotiation, reported, lots: Vec::new() }
}

/// A bid's row, gate verdicts, abnormally low verdicts and tie, on their way to its standing.
type Parts = (Row<Points, Points>, Vec<GateVerdict>, Vec<LowVerdict>, Option<Tie>);

/// Why no bid was selected, when none was (SPEC §5: a failed tender is said so).
fn no_selection(standings: &[Standing]) -> Option<NoSelection> {
    if standings.is_empty() || standings.iter().any(|s| s.status == BidStatus::Selected) {
        return None;
    }
    Some(if standings.iter().all(|s| s.status == BidStatus::Disqualified) {
        NoSelection::AllDisqualified
    } else if standings.iter().all(|s| s.status.group() > 0) {
        NoSelection::NoneQualified
    } else if standings.iter().filter(|s| s.status.group() == 0).all(|s| matches!(s.status, BidStatus::Declined | BidStatus::Withdrawn)) {
        NoSelection::AllDeclined
    } else if standings
        .iter()
        .filter(|s| s.status.group() == 0)
        .all(|s| matches!(s.status, BidStatus::Declined | BidStatus::Withdrawn | BidStatus::Excluded))
    {
        NoSelection::AllExcluded
    } else {
        NoSelection::NothingToAward
    })
}

fn assumed_fields(read: &[Str], b: &Bid) -> Vec<Str> {
    if b.provenance.is_empty() {
        return Vec::new();
    }
    read.iter().filter(|f| b.provenance.get(f.as_str()).is_some_and(|p| p.status == Status::Assumed)).cloned().collect()
}

/// Criteria on which every bid scored the same: they separate nobody.
fn flat_criteria(inputs: &Inputs, standings: &[Standing]) -> Vec<Warning> {
    if standings.len() < 2 {
        return Vec::new();
    }
    // INVARIANT: every standing lists the criteria in the tender's order. Each criterion
    // reads every standing: on every core for a large tender.
    let criteria = &inputs.tender.criteria;
    crate::par::map_when(standings.len() >= crate::par::FROM, criteria, |j, c| {
        if c.points <= Decimal::ZERO {
            return None;
        }
        let mut pts = standings.iter().filter_map(|s| s.points.get(j).copied());
        let first = pts.next()?;
        pts.all(|p| p == first).then(|| Warning::Flat { criterion: c.id.clone(), points: first })
    })
    .into_iter()
    .flatten()
    .collect()
}
