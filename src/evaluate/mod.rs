//! Evaluation: validated inputs in, an [`Outcome`] out. Pure: no I/O, no clock, no
//! randomness, and no failure — everything that could go wrong was ruled out by
//! validation.
//!
//! Order (SPEC §5): gates → references for `relative`/`kr-price` over the bids that pass
//! every gate → criterion points (exact, rounded once) → sections and total (exact sums)
//! → qualification → ranking with the tie-break chain → award.

mod rank;

pub(crate) use rank::award;

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::exact::{Points, Rat};
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::inputs_internal::Resolved;
use crate::model::{Criterion, Gate, Inputs, Minimum, Require, Scalar, Status, Tender};
use crate::rules::{Better, Reason};
use crate::value::Given;

/// Where a bid ends up (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BidStatus {
    /// Awarded.
    Selected,
    /// Qualified, not awarded.
    Qualified,
    /// Passed the gates, missed a qualification threshold.
    NotQualified,
    /// Failed a gate.
    Disqualified,
}

impl BidStatus {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BidStatus::Selected => "selected",
            BidStatus::Qualified => "qualified",
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
    pub id: String,
    /// Passed?
    pub passed: bool,
    /// Why.
    pub reason: String,
}

/// A criterion's points for one bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionScore {
    /// Criterion id.
    pub id: Arc<str>,
    /// Its section.
    pub section: Arc<str>,
    /// The value or marks scored (`None` when missing).
    pub value: Option<Given>,
    /// The exact score (a fraction of the criterion's points).
    pub score: Rat,
    /// The official points: `points × score` rounded once.
    pub points: Points,
    /// The criterion's points.
    pub max: Decimal,
    /// Why, as data; [`CriterionScore::reason_text`] renders it.
    pub reason: Reason,
    /// The exact points were too large for a decimal and are shown saturated.
    pub saturated: bool,
}

impl CriterionScore {
    /// The reason as one line of text.
    pub fn reason_text(&self) -> String {
        let mut s = self.reason.render(self.value.as_ref(), &self.score);
        if self.saturated {
            s.push_str("; too large to represent, shown as the largest decimal");
        }
        s
    }
}

/// A qualification threshold's verdict on one bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdVerdict {
    /// What was measured: `section:<id>` or `total`.
    pub scope: String,
    /// The points needed (exact).
    pub needed: Rat,
    /// The points scored.
    pub scored: Points,
    /// Met?
    pub met: bool,
}

/// One bid's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Bidder id.
    pub bidder: String,
    /// Bidder name.
    pub name: String,
    /// Status.
    pub status: BidStatus,
    /// Rank among qualified bids (shared when tied after every tie-break).
    pub rank: Option<u32>,
    /// Exact sum of criterion points.
    pub total: Points,
    /// Points per section, in the tender's section order.
    pub sections: Vec<(String, Points)>,
    /// What it was awarded.
    pub award: Awarded,
    /// Gate verdicts, in the tender's order.
    pub gates: Vec<GateVerdict>,
    /// Criterion points, in the tender's order.
    pub criteria: Vec<CriterionScore>,
    /// Qualification verdicts (only for bids that passed the gates).
    pub qualification: Vec<ThresholdVerdict>,
    /// Fields marked `assumed` that a gate, criterion or the award read.
    pub assumed: Vec<String>,
    /// How a tie on the total was settled, if there was one.
    pub tie: Option<String>,
    /// With differential scoring: the section points and total before the adjustment
    /// (`sections` and `total` are then the adjusted points used for ranking).
    pub original: Option<Original>,
}

/// A bid's points before differential scoring (차등점수제) adjusted its section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Original {
    /// Points per section, in the tender's section order, as scored.
    pub sections: Vec<(String, Points)>,
    /// The exact sum of criterion points.
    pub total: Points,
    /// The bid's rank on the differential section among the qualified bids (shared when
    /// tied); `None` for a bid that is not qualified, whose points are not adjusted.
    pub section_rank: Option<u32>,
}

impl Standing {
    /// A criterion's result by id.
    pub fn criterion(&self, id: &str) -> Option<&CriterionScore> {
        self.criteria.iter().find(|c| &*c.id == id)
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
    /// Things a reader should know (unresolved ties, criteria that separate nobody).
    pub warnings: Vec<String>,
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
    evaluate_with(inputs, &inputs.resolved, None)
}

/// [`evaluate`] with other per-bid inputs, or without evaluator `without`'s marks on every
/// panel criterion (for the panel analysis: nothing is cloned but the marks themselves).
pub(crate) fn evaluate_with(inputs: &Inputs, resolved: &[Resolved], without: Option<usize>) -> Outcome {
    let t = &inputs.tender;
    let n = inputs.bids.len();
    let gates: Vec<Vec<GateVerdict>> = (0..n)
        .map(|i| {
            t.gates
                .iter()
                .enumerate()
                .map(|(j, g)| gate_verdict(g, resolved.get(i).and_then(|r| r.gates.get(j)).and_then(Option::as_ref)))
                .collect()
        })
        .collect();
    let passed: Vec<bool> = gates.iter().map(|v| v.iter().all(|g| g.passed)).collect();
    // References over the bids that pass every gate; a rule with `among = "qualified"` gets
    // its reference again once qualification is known (validation keeps qualification
    // independent of such criteria).
    let references: Vec<Option<Rat>> = t.criteria.iter().enumerate().map(|(j, c)| reference(c, j, resolved, &passed)).collect();

    let read = read_fields(t);
    let ids: Vec<(Arc<str>, Arc<str>)> = t.criteria.iter().map(|c| (Arc::from(c.id.as_str()), Arc::from(c.section.as_str()))).collect();
    // Bids are scored independently once gates and references are known: in parallel.
    let mut standings: Vec<Standing> = inputs
        .bids
        .par_iter()
        .zip(gates.into_par_iter())
        .enumerate()
        .map(|(i, (b, gates))| {
            let r = resolved.get(i);
            let criteria: Vec<CriterionScore> = t
                .criteria
                .iter()
                .zip(&ids)
                .enumerate()
                .map(|(j, (c, id))| {
                    let given = r.and_then(|r| r.criteria.get(j)).and_then(Option::as_ref);
                    let reduced = match (without, given) {
                        (Some(e), Some(Given::Marks(m))) if e < m.len() => {
                            Some(Given::Marks(m.iter().enumerate().filter(|(k, _)| *k != e).map(|(_, x)| *x).collect()))
                        }
                        _ => None,
                    };
                    score_criterion(t, c, id, reduced.as_ref().or(given), references.get(j).and_then(Option::as_ref))
                })
                .collect();
            let (sections, total) = sums(t, &criteria);
            let mut st = Standing {
                bidder: b.id.clone(),
                name: b.name.clone(),
                status: BidStatus::Disqualified,
                rank: None,
                total,
                sections,
                award: Awarded::No,
                gates,
                criteria,
                qualification: Vec::new(),
                assumed: assumed_fields(&read, b),
                tie: None,
                original: None,
            };
            if passed.get(i).copied().unwrap_or(false) {
                st.qualification = qualification(t, &st);
                st.status = if st.qualification.iter().all(|q| q.met) { BidStatus::Qualified } else { BidStatus::NotQualified };
            }
            st
        })
        .collect();
    rescore_among_qualified(inputs, resolved, &ids, &mut standings);
    if let Some(d) = &t.differential {
        differential(t, d, &mut standings);
    }
    let mut warnings = Vec::new();
    let standings = rank::rank_and_award(t, standings, resolved, &inputs.bids, &mut warnings);
    warnings.extend(flat_criteria(t, &standings));
    Outcome { standings, warnings }
}

/// Section points (in the tender's order) and the total: exact sums of criterion points.
fn sums(t: &Tender, criteria: &[CriterionScore]) -> (Vec<(String, Points)>, Points) {
    let sections = t
        .sections
        .iter()
        .map(|s| (s.id.clone(), Points::sum(criteria.iter().filter(|c| *c.section == *s.id).map(|c| &c.points), t.rounding.places)))
        .collect();
    (sections, Points::sum(criteria.iter().map(|c| &c.points), t.rounding.places))
}

/// Score again, against the qualified bids, every criterion whose reference is taken
/// `among = "qualified"`. `standings` are in input order.
fn rescore_among_qualified(inputs: &Inputs, resolved: &[Resolved], ids: &[(Arc<str>, Arc<str>)], standings: &mut [Standing]) {
    let t = &inputs.tender;
    let late: Vec<usize> =
        t.criteria.iter().enumerate().filter(|(_, c)| c.rule.among() == Some(crate::rules::Among::Qualified)).map(|(j, _)| j).collect();
    if late.is_empty() {
        return;
    }
    let qualified: Vec<bool> = standings.iter().map(|s| s.status == BidStatus::Qualified).collect();
    for j in late {
        let (Some(c), Some(id)) = (t.criteria.get(j), ids.get(j)) else {
            continue;
        };
        let r = reference(c, j, resolved, &qualified);
        for (i, st) in standings.iter_mut().enumerate() {
            let input = resolved.get(i).and_then(|r| r.criteria.get(j)).and_then(Option::as_ref);
            if let Some(slot) = st.criteria.get_mut(j) {
                *slot = score_criterion(t, c, id, input, r.as_ref());
            }
        }
    }
    for st in standings.iter_mut() {
        (st.sections, st.total) = sums(t, &st.criteria);
    }
}

/// Differential scoring (차등점수제): rank the qualified bids by the section's points (ties
/// share a rank) and count the section as `max − (rank − 1) × step`, not below 0.
/// `standings` are in input order; every bid keeps its original points.
fn differential(t: &Tender, d: &crate::model::Differential, standings: &mut [Standing]) {
    let max = t.section_max(&d.section);
    let mut qualified_points: Vec<Points> =
        standings.iter().filter(|s| s.status == BidStatus::Qualified).map(|s| s.section(&d.section).unwrap_or_default()).collect();
    qualified_points.sort_unstable_by(|a, b| b.cmp(a));
    for st in standings.iter_mut() {
        let mut original = Original { sections: st.sections.clone(), total: st.total, section_rank: None };
        if st.status == BidStatus::Qualified {
            let mine = st.section(&d.section).unwrap_or_default();
            // Competition ranking: 1 + the number of qualified bids strictly ahead.
            let ahead = qualified_points.partition_point(|p| *p > mine);
            let rank = u32::try_from(ahead + 1).unwrap_or(u32::MAX);
            let lost = d.step * Decimal::from(ahead as u64);
            let mut adjusted = (max - lost).max(Decimal::ZERO);
            // Shown with the tender's places, like every other figure.
            adjusted.rescale(t.rounding.places);
            for (id, p) in &mut st.sections {
                if *id == d.section {
                    *p = Points::new(adjusted);
                }
            }
            st.total = Points::sum(st.sections.iter().map(|(_, p)| p), t.rounding.places);
            original.section_rank = Some(rank);
        }
        st.original = Some(original);
    }
}

pub(crate) fn resolved_gate(inputs: &Inputs, bid: usize, gate: usize) -> Option<&Scalar> {
    inputs.resolved.get(bid).and_then(|r| r.gates.get(gate)).and_then(Option::as_ref)
}

pub(crate) fn gate_verdict(g: &Gate, v: Option<&Scalar>) -> GateVerdict {
    let Some(v) = v else {
        return GateVerdict {
            id: g.id.clone(),
            passed: false,
            reason: format!("no `{}` given; the gate fails when it is missing", g.field),
        };
    };
    let (passed, how) = match (&g.require, v) {
        (Require::Equals(want), got) => (scalar_eq(want, got), format!("must equal `{want}`")),
        (Require::OneOf(list), got) => {
            let shown: Vec<String> = list.iter().map(|x| format!("`{x}`")).collect();
            (list.iter().any(|w| scalar_eq(w, got)), format!("must be one of {}", shown.join(", ")))
        }
        (Require::AtLeast(min), Scalar::Number(x)) => (x >= min, format!("must be at least `{min}`")),
        (Require::AtMost(max), Scalar::Number(x)) => (x <= max, format!("must be at most `{max}`")),
        (Require::NotAfter(d), Scalar::Date(x)) => (x <= d, format!("must be on or before `{d}`")),
        _ => (false, String::from("has a value of the wrong type")),
    };
    let verdict = if passed { "passes" } else { "fails" };
    GateVerdict { id: g.id.clone(), passed, reason: format!("`{}` = `{v}` {verdict}: {how}", g.field) }
}

fn scalar_eq(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        // Numbers compare by value: 1 equals 1.0.
        (Scalar::Number(x), Scalar::Number(y)) => x == y,
        _ => a == b,
    }
}

/// The best value among bids that pass every gate: the maximum for `higher`, the minimum
/// for `lower` and `kr-price`.
pub(crate) fn reference(c: &Criterion, j: usize, resolved: &[Resolved], passed: &[bool]) -> Option<Rat> {
    let better = c.rule.reference()?.better;
    let mut best: Option<Decimal> = None;
    for (r, ok) in resolved.iter().zip(passed) {
        if !ok {
            continue;
        }
        if let Some(Some(Given::Value(Scalar::Number(x)))) = r.criteria.get(j) {
            best = Some(match (best, better) {
                (None, _) => *x,
                (Some(b), Better::Higher) => b.max(*x),
                (Some(b), Better::Lower) => b.min(*x),
            });
        }
    }
    best.map(Rat::from_decimal)
}

fn score_criterion(t: &Tender, c: &Criterion, id: &(Arc<str>, Arc<str>), input: Option<&Given>, reference: Option<&Rat>) -> CriterionScore {
    let points = Rat::from_decimal(c.points);
    let scored = match input {
        None => crate::rules::Scored { score: Rat::zero(), reason: Reason::Missing { field: c.field.as_ref().map(ToString::to_string) } },
        Some(given) => c.rule.score(given, &points, reference),
    };
    // Validation bounds points (≤ 1e9) and every capped score by 1, so the rounded value
    // fits a decimal. Only an uncapped kr-price for a bid cheaper than every eligible one (a
    // disqualified bid) can grow without bound; it saturates and says so.
    let exact = points.mul(&scored.score);
    let places = t.rounding.places;
    let (rounded, saturated) = match exact.round(places, t.rounding.mode) {
        Some(d) => (d, false),
        None => (Decimal::try_from_i128_with_scale((1i128 << 96) - 1, places).unwrap_or(Decimal::MAX), true),
    };
    CriterionScore {
        id: id.0.clone(),
        section: id.1.clone(),
        value: input.cloned(),
        score: scored.score,
        points: Points::new(rounded),
        max: c.points,
        reason: scored.reason,
        saturated,
    }
}

fn qualification(t: &Tender, st: &Standing) -> Vec<ThresholdVerdict> {
    t.qualify
        .iter()
        .map(|q| {
            let (scope, scored, max) = match &q.section {
                Some(s) => (format!("section:{s}"), st.section(s).unwrap_or_default(), t.section_max(s)),
                None => (String::from("total"), st.total, t.max_points),
            };
            let needed = match q.min {
                Minimum::Share(share) => Rat::from_decimal(share).mul(&Rat::from_decimal(max)),
                Minimum::Points(p) => Rat::from_decimal(p),
            };
            ThresholdVerdict { met: scored.rat() >= needed, scope, needed, scored }
        })
        .collect()
}

/// Every field a gate, criterion or the award reads, sorted and unique.
fn read_fields(t: &Tender) -> Vec<String> {
    let mut read: Vec<String> = t.gates.iter().map(|g| g.field.to_string()).collect();
    read.extend(t.criteria.iter().filter_map(|c| c.field.as_ref().map(ToString::to_string)));
    read.extend(t.award.quantity.iter().map(|q| q.field.to_string()));
    read.sort();
    read.dedup();
    read
}

fn assumed_fields(read: &[String], b: &crate::model::Bid) -> Vec<String> {
    if b.provenance.is_empty() {
        return Vec::new();
    }
    read.iter().filter(|f| b.provenance.get(f.as_str()).is_some_and(|p| p.status == Status::Assumed)).cloned().collect()
}

/// Criteria on which every bid scored the same: they separate nobody.
fn flat_criteria(t: &Tender, standings: &[Standing]) -> Vec<String> {
    if standings.len() < 2 {
        return Vec::new();
    }
    // INVARIANT: every standing lists the criteria in the tender's order.
    t.criteria
        .iter()
        .enumerate()
        .filter(|(_, c)| c.points > Decimal::ZERO)
        .filter_map(|(j, c)| {
            let mut pts = standings.iter().filter_map(|s| s.criteria.get(j).map(|x| x.points));
            let first = pts.next()?;
            pts.all(|p| p == first).then(|| format!("every bid scores {first} on criterion `{}`: it does not separate the bids", c.id))
        })
        .collect()
}

/// Compare two standings by the tie-break chain (after the total). `Less` = `a` first.
pub(crate) fn chain_cmp(t: &Tender, a: &Standing, b: &Standing) -> (Ordering, Option<String>) {
    for step in &t.tie_break {
        let ord = match step {
            crate::model::TieBreak::Section(s) => b.section(s).cmp(&a.section(s)).then_with(|| {
                // Differential scoring can clip two ranks to 0; the points as scored still
                // order them (the adjustment keeps the order, so nothing else changes).
                let before = |x: &Standing| x.original.as_ref().and_then(|o| o.sections.iter().find(|(id, _)| id == s).map(|p| p.1));
                before(b).cmp(&before(a))
            }),
            crate::model::TieBreak::Criterion(c) => b.criterion(c).map(|x| x.points).cmp(&a.criterion(c).map(|x| x.points)),
            crate::model::TieBreak::Bidder => a.bidder.cmp(&b.bidder),
        };
        if ord != Ordering::Equal {
            return (ord, Some(step.to_string()));
        }
    }
    (Ordering::Equal, None)
}
