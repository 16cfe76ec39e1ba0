//! The tally: the one place in `src/` where the rules of SPEC §5 are written (with the award
//! walk in `award.rs`, which only the tally calls). From each bid's criterion points it sums
//! sections and totals, decides qualification, re-scores the criteria whose reference is
//! taken among the qualified bids, applies differential scoring (차등점수제), ranks with the
//! tie-break chain, awards, and gives an account of its ties.
//!
//! It is generic over the number it adds ([`Amount`]): official [`Points`], rounded once per
//! criterion, for `evaluate` and every scenario; exact [`Rat`] for the analyses that move a
//! weight continuously (`stability`). And over what it keeps per cell ([`Scorer::Cell`]): a
//! criterion's full result with its reason for `evaluate`, a bare number for scenarios.
//!
//! INVARIANT: `evaluate`, the scenarios (and through them `explain`, `path-to-win`, the
//! panel's drop-one check and `stability`) all rank and award here. `tests/it/reference.rs`
//! is the one deliberate copy, written without reading this file.

use std::cmp::Ordering;

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::award::{Bidding, Term, award, running_into};
use super::{Awarded, BidStatus, Tie, Warning};
use crate::exact::{Points, Rat, Sum};
use crate::model::{Minimum, Rounding, Tender, TieBreak};
use crate::rules::{Among, Better, Rule};
use crate::value::{Given, Scalar};

/// A number the tally adds and compares: official points or exact rationals.
pub(crate) trait Amount: Clone + Ord + Send + Sync {
    /// Zero.
    fn zero() -> Self;
    /// The exact sum of two.
    fn plus(&self, other: &Self) -> Self;
    /// A finished sum as it is shown (official points carry the tender's places).
    fn finish(self, places: u32) -> Self;
    /// The exact value.
    fn rat(&self) -> Rat;
    /// Whether it is at least `needed` (exact; without building a rational when it is one).
    fn reaches(&self, needed: &Rat) -> bool {
        self.rat() >= *needed
    }
    /// The sections' sums and the total of `amounts` (one per criterion, in order), finished,
    /// when there is a faster exact way than adding them one by one (`None`: there is not).
    fn fast_sums<'x>(_frame: &Frame<'_>, _amounts: impl Iterator<Item = &'x Self>) -> Option<Sums<Self>>
    where
        Self: 'x,
    {
        None
    }
    /// An exact value as this kind of number: official points round it with the tender's
    /// rounding (exact for every value a valid tender produces: sums and steps of points on
    /// the rounding grid).
    fn from_rat(value: &Rat, rounding: Rounding) -> Self;
    /// The value as a whole number of units of `places` decimals, when it is one: official
    /// points sort by it on integers (`None`: compare the values themselves).
    fn units(&self, _places: u32) -> Option<i128> {
        None
    }
}

impl Amount for Points {
    fn zero() -> Points {
        Points::default()
    }

    fn plus(&self, other: &Points) -> Points {
        // INVARIANT: validation caps max_points so sums of points cannot overflow.
        Points::new(self.decimal().checked_add(other.decimal()).unwrap_or(Decimal::MAX))
    }

    fn finish(self, places: u32) -> Points {
        let mut d = self.decimal();
        d.rescale(places);
        Points::new(d)
    }

    fn rat(&self) -> Rat {
        Points::rat(*self)
    }

    /// Official points lie on the rounding grid: their mantissas at the tender's places are
    /// integers, added as such (exactly the decimal sum, finished at those places). `None`
    /// for a value off the grid or a sum beyond an `i128`, which no valid tender gives.
    fn fast_sums<'x>(frame: &Frame<'_>, amounts: impl Iterator<Item = &'x Points>) -> Option<Sums<Points>> {
        let places = frame.tender.rounding.places;
        let mut sections = vec![0i128; frame.section_max.len()];
        let mut total = 0i128;
        for (p, k) in amounts.zip(&frame.section_of) {
            let units = p.units(places)?;
            if let Some(slot) = k.and_then(|k| sections.get_mut(k)) {
                *slot = slot.checked_add(units)?;
            }
            total = total.checked_add(units)?;
        }
        let finished = |u: i128| Points::from_units(u, places);
        Some(Sums { sections: sections.into_iter().map(finished).collect::<Option<Vec<_>>>()?, total: finished(total)? })
    }

    fn from_rat(value: &Rat, rounding: Rounding) -> Points {
        Points::new(value.round(rounding.places, rounding.mode).unwrap_or(Decimal::MAX))
    }

    fn units(&self, places: u32) -> Option<i128> {
        Points::units(*self, places)
    }
}

impl Amount for Rat {
    fn zero() -> Rat {
        Rat::zero()
    }

    fn plus(&self, other: &Rat) -> Rat {
        self.add(other)
    }

    fn finish(self, _: u32) -> Rat {
        self
    }

    fn rat(&self) -> Rat {
        self.clone()
    }

    fn reaches(&self, needed: &Rat) -> bool {
        self >= needed
    }

    /// Each sum built on the fast path while it fits, and reduced once (`Sum`).
    fn fast_sums<'x>(frame: &Frame<'_>, amounts: impl Iterator<Item = &'x Rat>) -> Option<Sums<Rat>> {
        let mut sections = vec![Sum::zero(); frame.section_max.len()];
        let mut total = Sum::zero();
        for (p, k) in amounts.zip(&frame.section_of) {
            if let Some(slot) = k.and_then(|k| sections.get_mut(k)) {
                slot.add(p);
            }
            total.add(p);
        }
        Some(Sums { sections: sections.into_iter().map(Sum::finish).collect(), total: total.finish() })
    }

    fn from_rat(value: &Rat, _: Rounding) -> Rat {
        value.clone()
    }
}

/// The reference a criterion is scored against: the best value among the eligible bids or,
/// for `among = "qualified"` once qualification is known, among the qualified ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InForce {
    /// The best value (`None`: the criterion has no reference, or no bid in the set has a value).
    pub(crate) best: Option<Decimal>,
    /// The same, exactly, as the rules take it.
    pub(crate) value: Option<Rat>,
    /// Whether this is the reference of the published evaluation (a scorer may then reuse
    /// published cells).
    pub(crate) as_published: bool,
}

/// What each bid gives each criterion: the inputs as validated, or a scenario's variation
/// (the tally reads it for references).
pub(crate) trait Givens: Sync {
    /// The value or marks (`None`: missing).
    fn given(&self, bid: usize, criterion: usize) -> Option<&Given>;
}

/// What the tally needs to know about a bid's points on each criterion.
pub(crate) trait Scorer: Givens {
    /// Below this many bids the first pass runs on one thread: scenarios are evaluated by
    /// the thousand, and for few bids, or cells that cost little, a thread pool costs more
    /// than it saves.
    const PARALLEL_FROM: usize;
    /// The number the points are in.
    type Amount: Amount;
    /// What is kept per bid and criterion.
    type Cell: Send;
    /// A cell's points.
    fn amount(cell: &Self::Cell) -> &Self::Amount;
    /// The cell of bid `bid` on criterion `criterion` against `reference`.
    fn score(&self, bid: usize, criterion: usize, reference: &InForce) -> Self::Cell;
    /// The best value criterion `criterion` had in the published evaluation, when this
    /// scorer reuses published cells (`None`: it does not).
    fn published_reference(&self, criterion: usize) -> Option<Option<Decimal>>;
}

/// The tender as the tally reads it, with the weights in force: every id resolved to an
/// index once, so the tally itself never searches by name.
#[derive(Clone, Debug)]
pub(crate) struct Frame<'t> {
    pub(crate) tender: &'t Tender,
    /// Each criterion's points.
    pub(crate) weights: Vec<Rat>,
    /// Each criterion's section (an index into `tender.sections`).
    pub(crate) section_of: Vec<Option<usize>>,
    /// The points available per section.
    pub(crate) section_max: Vec<Rat>,
    /// The `qualify` thresholds: scope and the exact points needed.
    pub(crate) thresholds: Vec<(Option<usize>, Rat)>,
    /// The tie-break chain, resolved.
    pub(crate) chain: Vec<Step>,
    /// Differential scoring: the section and the step.
    pub(crate) differential: Option<(usize, Rat)>,
    /// Criteria scored again among the qualified bids.
    pub(crate) late: Vec<usize>,
}

/// One step of the tie-break chain, resolved to an index.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    /// Higher section points first.
    Section(usize),
    /// Higher criterion points first.
    Criterion(usize),
    /// Lower bidder id first.
    Bidder,
    /// A bid field (the tie-break's index in the chain): the smaller value first when `true`.
    Value(usize, bool),
    /// The lottery: the lower key first.
    Lottery,
}

impl<'t> Frame<'t> {
    /// The tender with its published points.
    pub(crate) fn new(tender: &'t Tender) -> Frame<'t> {
        Frame::with_weights(tender, tender.criteria.iter().map(|c| Rat::from_decimal(c.points)).collect())
    }

    /// The tender with other points per criterion (in the tender's order).
    pub(crate) fn with_weights(tender: &'t Tender, weights: Vec<Rat>) -> Frame<'t> {
        let section_index = |id: &str| tender.sections.iter().position(|s| s.id == id);
        let section_of: Vec<Option<usize>> = tender.criteria.iter().map(|c| section_index(&c.section)).collect();
        let mut section_max = vec![Rat::zero(); tender.sections.len()];
        for (w, k) in weights.iter().zip(&section_of) {
            if let Some(slot) = k.and_then(|k| section_max.get_mut(k)) {
                *slot = slot.add(w);
            }
        }
        let total_max = weights.iter().fold(Rat::zero(), |a, w| a.add(w));
        let thresholds = tender
            .qualify
            .iter()
            .map(|q| {
                let scope = q.section.as_deref().and_then(section_index);
                let max = match scope {
                    Some(k) => section_max.get(k).cloned().unwrap_or_else(Rat::zero),
                    None => total_max.clone(),
                };
                let needed = match q.min {
                    Minimum::Share(share) => Rat::from_decimal(share).mul(&max),
                    Minimum::Points(p) => Rat::from_decimal(p),
                };
                (scope, needed)
            })
            .collect();
        let chain = tender
            .tie_break
            .iter()
            .enumerate()
            .filter_map(|(k, t)| match t {
                TieBreak::Section(s) => section_index(s).map(Step::Section),
                TieBreak::Criterion(c) => tender.criteria.iter().position(|x| x.id == *c).map(Step::Criterion),
                TieBreak::Bidder => Some(Step::Bidder),
                TieBreak::Value { order, .. } => Some(Step::Value(k, order.smaller_wins())),
                TieBreak::Lottery { .. } => Some(Step::Lottery),
            })
            .collect();
        let differential = tender.differential.as_ref().and_then(|d| section_index(&d.section).map(|k| (k, Rat::from_decimal(d.step))));
        let late = tender.criteria.iter().enumerate().filter(|(_, c)| c.rule.among() == Some(Among::Qualified)).map(|(j, _)| j).collect();
        Frame { tender, weights, section_of, section_max, thresholds, chain, differential, late }
    }
}

/// The bids in the tally: ids (for the tie-break and report order), which passed every
/// gate, and what each offers.
#[derive(Clone, Debug)]
pub(crate) struct Field<'a> {
    pub(crate) ids: Vec<&'a str>,
    pub(crate) passed: Vec<bool>,
    pub(crate) offered: Vec<u64>,
    /// What one unit costs, when the award has a budget.
    pub(crate) prices: Vec<Option<Decimal>>,
    /// What the negotiation record says of each bid (`None`: no record).
    pub(crate) terms: Option<Vec<Term>>,
    /// Per bid, per tie-break step: the value a `Value` step reads (`None` for other steps).
    pub(crate) ties: Vec<&'a [Option<Scalar>]>,
    /// Per bid: its lottery key, when the chain ends in a lottery (empty otherwise).
    pub(crate) lottery: Vec<u64>,
    /// Per bid, per abnormally low tender check: the price it reads.
    pub(crate) low: Vec<&'a [Option<Decimal>]>,
    /// Per bid: its bidder already won as many lots as one may, so the award walks past it
    /// (empty: none).
    pub(crate) capped: Vec<bool>,
    /// Statuses decided elsewhere: qualification is not recomputed (for `explain`'s question
    /// about points alone).
    pub(crate) held: Option<Vec<BidStatus>>,
}

/// Section points and the total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sums<N> {
    pub(crate) sections: Vec<N>,
    pub(crate) total: N,
}

/// A qualification threshold's verdict.
#[derive(Clone, Debug)]
pub(crate) struct Verdict<N> {
    pub(crate) needed: Rat,
    pub(crate) scored: N,
    pub(crate) met: bool,
}

/// Differential scoring's result for a qualified bid.
#[derive(Clone, Debug)]
pub(crate) struct Adjusted<N> {
    /// The sections as counted (the differential section replaced) and their total.
    pub(crate) sums: Sums<N>,
    /// The bid's rank on the section among the qualified bids (shared when tied).
    pub(crate) section_rank: u32,
}

/// One bid's result, in the tally's bid order.
pub(crate) struct Row<C, N> {
    pub(crate) cells: Vec<C>,
    pub(crate) status: BidStatus,
    /// The sums as first scored, when criteria were scored again among the qualified bids.
    pub(crate) first: Option<Sums<N>>,
    /// The sums of the criterion points.
    pub(crate) scored: Sums<N>,
    /// Differential scoring, for qualified bids of a tender that uses it.
    pub(crate) adjusted: Option<Adjusted<N>>,
    /// Qualification verdicts (bids that passed the gates).
    pub(crate) qualification: Vec<Verdict<N>>,
    pub(crate) rank: Option<u32>,
    pub(crate) award: Awarded,
}

impl<C, N> Row<C, N> {
    /// The sums that rank the bid: adjusted by differential scoring, or as scored.
    pub(crate) fn counted(&self) -> &Sums<N> {
        self.adjusted.as_ref().map_or(&self.scored, |a| &a.sums)
    }

    /// The sums as first scored (before any re-scoring among the qualified bids).
    pub(crate) fn first(&self) -> &Sums<N> {
        self.first.as_ref().unwrap_or(&self.scored)
    }

    /// Qualified or selected.
    pub(crate) fn qualified(&self) -> bool {
        self.status.group() == 0
    }
}

/// The result of a tally.
pub(crate) struct Tally<C, N> {
    /// One row per bid, in the order the bids were given.
    pub(crate) rows: Vec<Row<C, N>>,
    /// Report order (SPEC §5.3): ranked qualified bids, then not qualified, then disqualified.
    pub(crate) order: Vec<usize>,
    /// Each criterion's reference as first taken, over the eligible bids.
    pub(crate) eligible: Vec<InForce>,
    /// Each criterion's reference in force at the end.
    pub(crate) references: Vec<InForce>,
}

impl<C, N> Tally<C, N> {
    /// The selected bids in rank order (indices into `rows`).
    pub(crate) fn winners(&self) -> impl Iterator<Item = usize> + '_ {
        self.order.iter().copied().filter(|&i| self.rows.get(i).is_some_and(|r| r.status == BidStatus::Selected))
    }
}

/// The best value of a rule with a reference among `values`: the maximum for `higher`, the
/// minimum for `lower` (and `kr-price`).
pub(crate) fn best<'a>(rule: &Rule, values: impl Iterator<Item = Option<&'a Given>>) -> Option<Decimal> {
    let better = rule.reference()?.better;
    values
        .filter_map(|g| match g {
            Some(Given::Value(Scalar::Number(x))) => Some(*x),
            _ => None,
        })
        .reduce(|a, b| better_of(better, a, b))
}

/// The reference's fold: `max` or `min` (of two equal values, `max` keeps the second and `min`
/// the first, so the reference's decimal scale is the one those give).
fn better_of(better: Better, a: Decimal, b: Decimal) -> Decimal {
    match better {
        Better::Higher => a.max(b),
        Better::Lower => a.min(b),
    }
}

/// The reference of criterion `j` over the bids for which `counts` holds.
pub(crate) fn reference<S: Scorer>(frame: &Frame<'_>, scorer: &S, j: usize, n: usize, counts: impl Fn(usize) -> bool) -> InForce {
    let best = frame.tender.criteria.get(j).and_then(|c| best(&c.rule, (0..n).filter(|&i| counts(i)).map(|i| scorer.given(i, j))));
    InForce::new(best, scorer.published_reference(j))
}

impl InForce {
    /// The reference `best`, which is the published one when `published` (the scorer's
    /// [`published_reference`](Scorer::published_reference)) says it was the same.
    pub(crate) fn new(best: Option<Decimal>, published: Option<Option<Decimal>>) -> InForce {
        InForce { value: best.map(Rat::from_decimal), best, as_published: published.is_some_and(|p| p == best) }
    }
}

fn sums<S: Scorer>(frame: &Frame<'_>, cells: &[S::Cell]) -> Sums<S::Amount> {
    if let Some(sums) = S::Amount::fast_sums(frame, cells.iter().map(S::amount)) {
        return sums;
    }
    let places = frame.tender.rounding.places;
    let mut sections = vec![S::Amount::zero(); frame.section_max.len()];
    let mut total = S::Amount::zero();
    for (cell, k) in cells.iter().zip(&frame.section_of) {
        let p = S::amount(cell);
        if let Some(slot) = k.and_then(|k| sections.get_mut(k)) {
            *slot = slot.plus(p);
        }
        total = total.plus(p);
    }
    Sums { sections: sections.into_iter().map(|s| s.finish(places)).collect(), total: total.finish(places) }
}

/// Official `sums` with the points of some criteria changed (each `(criterion, old, new)`),
/// on the rounding grid as [`Amount::fast_sums`] adds them. `None` off the grid, which no
/// valid tender gives.
pub(crate) fn resum(frame: &Frame<'_>, sums: &Sums<Points>, changes: &[(usize, Points, Points)]) -> Option<Sums<Points>> {
    let places = frame.tender.rounding.places;
    let mut sections = sums.sections.iter().map(|p| p.units(places)).collect::<Option<Vec<i128>>>()?;
    let mut total = sums.total.units(places)?;
    for &(j, old, new) in changes {
        let change = new.units(places)?.checked_sub(old.units(places)?)?;
        total = total.checked_add(change)?;
        if let Some(slot) = frame.section_of.get(j).copied().flatten().and_then(|k| sections.get_mut(k)) {
            *slot = slot.checked_add(change)?;
        }
    }
    let finished = |u: i128| Points::from_units(u, places);
    Some(Sums { sections: sections.into_iter().map(finished).collect::<Option<Vec<_>>>()?, total: finished(total)? })
}

/// Each qualification threshold's verdict on `sums`.
pub(crate) fn qualification<N: Amount>(frame: &Frame<'_>, sums: &Sums<N>) -> Vec<Verdict<N>> {
    frame
        .thresholds
        .iter()
        .map(|(scope, needed)| {
            let scored = match scope {
                Some(k) => sums.sections.get(*k).cloned().unwrap_or_else(N::zero),
                None => sums.total.clone(),
            };
            Verdict { met: scored.reaches(needed), needed: needed.clone(), scored }
        })
        .collect()
}

/// Tally the bids of `field`, scored by `scorer`, under `frame`.
pub(crate) fn tally<S: Scorer>(frame: &Frame<'_>, scorer: &S, field: &Field<'_>) -> Tally<S::Cell, S::Amount> {
    tally_with(frame, scorer, field, eligible(frame, scorer, field))
}

/// Each criterion's reference over the bids that pass every gate (a rule with `among =
/// "qualified"` gets its reference again in the tally once qualification is known;
/// validation keeps qualification independent of such criteria).
pub(crate) fn eligible<S: Scorer>(frame: &Frame<'_>, scorer: &S, field: &Field<'_>) -> Vec<InForce> {
    // Every reference in one pass over the bids, as `best` takes each (the same fold in the
    // same order): a bid's values are read together, not once per criterion.
    let criteria = &frame.tender.criteria;
    let wanted: Vec<(usize, Better)> = criteria.iter().enumerate().filter_map(|(j, c)| Some((j, c.rule.reference()?.better))).collect();
    if wanted.is_empty() {
        return (0..criteria.len()).map(|j| InForce::new(None, scorer.published_reference(j))).collect();
    }
    let none = || vec![None; criteria.len()];
    let fold = |mut bests: Vec<Option<Decimal>>, i: usize| {
        if field.passed.get(i).copied().unwrap_or(false) {
            for &(j, better) in &wanted {
                if let (Some(Given::Value(Scalar::Number(x))), Some(slot)) = (scorer.given(i, j), bests.get_mut(j)) {
                    *slot = Some(slot.map_or(*x, |a| better_of(better, a, *x)));
                }
            }
        }
        bests
    };
    // The fold keeps, of equal values, the later for `max` and the earlier for `min`: both
    // associative, so halves folded on two cores and joined in order give the same decimal.
    let join = |a: Vec<Option<Decimal>>, b: Vec<Option<Decimal>>| {
        a.into_iter()
            .zip(b)
            .zip(criteria)
            .map(|((x, y), c)| match (x, y, c.rule.reference()) {
                (Some(x), Some(y), Some(r)) => Some(better_of(r.better, x, y)),
                (x, y, _) => y.or(x),
            })
            .collect()
    };
    let n = field.ids.len();
    let bests = if n >= S::PARALLEL_FROM { (0..n).into_par_iter().fold(none, fold).reduce(none, join) } else { (0..n).fold(none(), fold) };
    bests.into_iter().enumerate().map(|(j, best)| InForce::new(best, scorer.published_reference(j))).collect()
}

/// [`tally`], given the references over the eligible bids ([`eligible`]) already taken.
pub(crate) fn tally_with<S: Scorer>(frame: &Frame<'_>, scorer: &S, field: &Field<'_>, eligible: Vec<InForce>) -> Tally<S::Cell, S::Amount> {
    let n = field.ids.len();
    let first_pass = |i: usize| first_row(frame, scorer, field, &eligible, i);
    let mut rows: Vec<Row<S::Cell, S::Amount>> =
        if n >= S::PARALLEL_FROM { (0..n).into_par_iter().map(first_pass).collect() } else { (0..n).map(first_pass).collect() };

    let mut references = eligible.clone();
    if !frame.late.is_empty() {
        let qualified: Vec<bool> = rows.iter().map(Row::qualified).collect();
        for &j in &frame.late {
            let r = reference(frame, scorer, j, n, |i| qualified.get(i).copied().unwrap_or(false));
            for (i, row) in rows.iter_mut().enumerate() {
                if let Some(slot) = row.cells.get_mut(j) {
                    *slot = scorer.score(i, j, &r);
                }
            }
            if let Some(slot) = references.get_mut(j) {
                *slot = r;
            }
        }
        for row in &mut rows {
            let scored = sums::<S>(frame, &row.cells);
            row.first = Some(std::mem::replace(&mut row.scored, scored));
        }
    }
    if let Some((k, step)) = &frame.differential {
        differential(frame, *k, step, &mut rows);
    }
    let order = rank_and_award(frame, field, S::amount, &mut rows);
    Tally { rows, order, eligible, references }
}

/// Row `i` as first scored, against the references over the eligible bids: its cells, sums
/// and qualification (the first pass of [`tally`], which `stability` also asks of one bid
/// whose points stopped being proportional to a weight).
pub(crate) fn first_row<S: Scorer>(
    frame: &Frame<'_>,
    scorer: &S,
    field: &Field<'_>,
    eligible: &[InForce],
    i: usize,
) -> Row<S::Cell, S::Amount> {
    let cells: Vec<S::Cell> = eligible.iter().enumerate().map(|(j, r)| scorer.score(i, j, r)).collect();
    let scored = sums::<S>(frame, &cells);
    let (status, qualification) = if field.passed.get(i).copied().unwrap_or(false) {
        let verdicts = qualification(frame, &scored);
        let met = verdicts.iter().all(|v| v.met);
        (if met { BidStatus::Qualified } else { BidStatus::NotQualified }, verdicts)
    } else {
        (BidStatus::Disqualified, Vec::new())
    };
    let status = field.held.as_ref().and_then(|h| h.get(i)).map_or(status, |held| match held {
        held if held.group() == 0 => BidStatus::Qualified,
        other => *other,
    });
    Row { cells, status, first: None, scored, adjusted: None, qualification, rank: None, award: Awarded::No }
}

/// Differential scoring (차등점수제): rank the qualified bids by the section's points (ties
/// share a rank) and count the section as `max − (rank − 1) × step`, not below 0. Criterion
/// points and the sums as scored are kept.
fn differential<C, N: Amount>(frame: &Frame<'_>, k: usize, step: &Rat, rows: &mut [Row<C, N>]) {
    let max = frame.section_max.get(k).cloned().unwrap_or_else(Rat::zero);
    let mut points: Vec<N> = rows.iter().filter(|r| r.qualified()).filter_map(|r| r.scored.sections.get(k).cloned()).collect();
    points.sort_unstable_by(|a, b| b.cmp(a));
    let places = frame.tender.rounding.places;
    for row in rows.iter_mut().filter(|r| r.qualified()) {
        let Some(mine) = row.scored.sections.get(k) else { continue };
        // Competition ranking: 1 + the number of qualified bids strictly ahead.
        let ahead = points.partition_point(|p| p > mine);
        let counted = max.sub(&step.mul(&Rat::from_int(ahead as i128))).max(Rat::zero());
        let mut sections = row.scored.sections.clone();
        if let Some(slot) = sections.get_mut(k) {
            *slot = N::from_rat(&counted, frame.tender.rounding);
        }
        let total = sections.iter().fold(N::zero(), |a, s| a.plus(s)).finish(places);
        let section_rank = u32::try_from(ahead.saturating_add(1)).unwrap_or(u32::MAX);
        row.adjusted = Some(Adjusted { sums: Sums { sections, total }, section_rank });
    }
}

/// What the ranking reads of each row: its total and sections as counted, its sections as
/// scored (which order two sections differential scoring clipped alike) and its criterion
/// points.
pub(crate) trait Standings {
    /// The number the points are in.
    type N: Amount;
    /// Row `i`'s total as counted.
    fn total(&self, i: usize) -> Option<&Self::N>;
    /// Row `i`'s section `k` as counted.
    fn section(&self, i: usize, k: usize) -> Option<&Self::N>;
    /// Row `i`'s section `k` as scored.
    fn scored_section(&self, i: usize, k: usize) -> Option<&Self::N>;
    /// Row `i`'s points on criterion `j`.
    fn cell(&self, i: usize, j: usize) -> Option<&Self::N>;
}

/// A tally's rows as the ranking reads them: `amount` reads a cell's points.
pub(crate) struct Rows<'r, C, N, A> {
    rows: &'r [Row<C, N>],
    amount: A,
}

impl<C, N: Amount, A: Fn(&C) -> &N> Standings for Rows<'_, C, N, A> {
    type N = N;

    fn total(&self, i: usize) -> Option<&N> {
        self.rows.get(i).map(|r| &r.counted().total)
    }

    fn section(&self, i: usize, k: usize) -> Option<&N> {
        self.rows.get(i)?.counted().sections.get(k)
    }

    fn scored_section(&self, i: usize, k: usize) -> Option<&N> {
        self.rows.get(i)?.scored.sections.get(k)
    }

    fn cell(&self, i: usize, j: usize) -> Option<&N> {
        self.rows.get(i)?.cells.get(j).map(&self.amount)
    }
}

/// The ranking's comparisons over one tally's rows (`ids`, the bidder ids, are the last step
/// of the chain and of report order).
pub(crate) struct Ranker<'r, R> {
    pub(crate) frame: &'r Frame<'r>,
    pub(crate) field: &'r Field<'r>,
    pub(crate) rows: R,
}

impl<'r, C, N: Amount, A: Fn(&C) -> &N> Ranker<'r, Rows<'r, C, N, A>> {
    /// The ranking over a tally's `rows`.
    pub(crate) fn over(frame: &'r Frame<'r>, field: &'r Field<'r>, rows: &'r [Row<C, N>], amount: A) -> Self {
        Ranker { frame, field, rows: Rows { rows, amount } }
    }
}

impl<R: Standings> Ranker<'_, R> {
    fn id(&self, i: usize) -> &str {
        self.field.ids.get(i).copied().unwrap_or_default()
    }

    /// The tie-break chain between two rows (after the total): the order and the index of
    /// the step in `tender.tie_break` that decided it. `Less`: `a` first.
    pub(crate) fn chain(&self, a: usize, b: usize) -> (Ordering, Option<usize>) {
        self.chain_from(a, b, 0)
    }

    /// [`Ranker::chain`] from step `from` on (the steps before it known to be equal).
    fn chain_from(&self, a: usize, b: usize, from: usize) -> (Ordering, Option<usize>) {
        let rows = &self.rows;
        for (s, step) in self.frame.chain.iter().enumerate().skip(from) {
            let ord = match *step {
                Step::Section(k) => rows.section(b, k).cmp(&rows.section(a, k)).then_with(|| {
                    // Differential scoring can clip two ranks to 0; the points as scored still
                    // order them (the adjustment keeps the order, so nothing else changes).
                    rows.scored_section(b, k).cmp(&rows.scored_section(a, k))
                }),
                Step::Criterion(j) => rows.cell(b, j).cmp(&rows.cell(a, j)),
                Step::Bidder => self.id(a).cmp(self.id(b)),
                Step::Value(k, smaller) => {
                    let v = |i: usize| self.field.ties.get(i).and_then(|t| t.get(k)).and_then(Option::as_ref);
                    let ord = tie_value_cmp(v(a), v(b));
                    if smaller { ord } else { ord.reverse() }
                }
                Step::Lottery => self.field.lottery.get(a).cmp(&self.field.lottery.get(b)),
            };
            if ord != Ordering::Equal {
                return (ord, Some(s));
            }
        }
        (Ordering::Equal, None)
    }

    /// How the ranking orders two rows: total, then the chain (`Equal`: tied after every step).
    pub(crate) fn ranking(&self, a: usize, b: usize) -> Ordering {
        self.rows.total(b).cmp(&self.rows.total(a)).then_with(|| self.chain(a, b).0)
    }

    /// The ranking's order, ties after every step broken by bidder id (report order).
    pub(crate) fn order(&self, a: usize, b: usize) -> Ordering {
        self.ranking(a, b).then_with(|| self.id(a).cmp(self.id(b)))
    }

    /// The chain's leading steps that compare points (sections and criteria) which
    /// [`Ranker::sort`] keys as integers beside the total: as many as two more integers hold
    /// (a section takes two, as counted and as scored; a criterion one).
    fn leading(&self) -> &[Step] {
        let mut room = KEY.saturating_sub(1);
        let n = self
            .frame
            .chain
            .iter()
            .take_while(|s| {
                let need = match s {
                    Step::Section(_) => 2,
                    Step::Criterion(_) => 1,
                    _ => return false,
                };
                let fits = need <= room;
                room = room.saturating_sub(need);
                fits
            })
            .count();
        self.frame.chain.get(..n).unwrap_or_default()
    }

    /// Whether two rows with equal keys ([`Ranker::sort`]: the same total and the same points
    /// on the chain's leading steps) tie after every step.
    pub(crate) fn tied_after_keys(&self, a: usize, b: usize) -> bool {
        self.chain_from(a, b, self.leading().len()).0 == Ordering::Equal
    }

    /// Sort `rows` into the ranking's order (`sort_by` with [`Ranker::order`], stable): by
    /// integer keys on the rounding grid first — the total, then the section and criterion
    /// points the chain starts with — cache-friendly and without decimal comparisons, then
    /// each run of equal keys by the rest of the chain and the bidder id. Returns, per place,
    /// whether its keys equal the previous place's (when the points are off the grid and the
    /// order itself sorted them: whether it ties with it): only such neighbours can tie.
    pub(crate) fn sort(&self, rows: &mut [usize]) -> Vec<bool> {
        let places = self.frame.tender.rounding.places;
        // As integers, higher first: the total; a section as counted, then as scored; a
        // criterion (unused places 0).
        let leading = self.leading();
        let after = leading.len();
        let key = |i: usize| -> Option<[i128; KEY]> {
            let mut key = [0i128; KEY];
            let mut slots = key.iter_mut();
            *slots.next()? = self.rows.total(i)?.units(places)?;
            for step in leading {
                let points = match *step {
                    Step::Section(k) => [self.rows.section(i, k), self.rows.scored_section(i, k)],
                    Step::Criterion(j) => [self.rows.cell(i, j), None],
                    _ => [None, None],
                };
                let wanted = if matches!(step, Step::Section(_)) { 2 } else { 1 };
                for p in points.into_iter().take(wanted) {
                    *slots.next()? = p?.units(places)?;
                }
            }
            Some(key)
        };
        let keyed: Option<Vec<([i128; KEY], usize)>> = rows.iter().map(|&i| Some((key(i)?, i))).collect();
        let Some(mut keyed) = keyed else {
            // A point off the grid (none in a valid tender): sort by the order itself.
            rows.sort_by(|&a, &b| self.order(a, b));
            let mut same = vec![false];
            same.extend(rows.windows(2).map(|w| matches!(w, [a, b] if self.ranking(*a, *b) == Ordering::Equal)));
            same.truncate(rows.len());
            return same;
        };
        // Higher keys first; within equal keys, the rest of the chain and the bidder id.
        keyed.sort_unstable_by_key(|x| std::cmp::Reverse(x.0));
        for run in keyed.chunk_by_mut(|x, y| x.0 == y.0).filter(|run| run.len() > 1) {
            run.sort_by(|x, y| self.chain_from(x.1, y.1, after).0.then_with(|| self.id(x.1).cmp(self.id(y.1))));
        }
        for (slot, k) in rows.iter_mut().zip(&keyed) {
            *slot = k.1;
        }
        let mut same = Vec::with_capacity(keyed.len());
        same.push(false);
        same.extend(keyed.windows(2).map(|w| matches!(w, [x, y] if x.0 == y.0)));
        same.truncate(keyed.len());
        same
    }

    /// Whether row `a` comes before row `b` in the ranking's order, whatever their statuses.
    pub(crate) fn precedes(&self, a: usize, b: usize) -> bool {
        self.order(a, b) == Ordering::Less
    }
}

/// The integers [`Ranker::sort`] keys a row by: its total and up to two more.
const KEY: usize = 3;

/// Rank the qualified rows (competition ranking: 1, 2, 2, 4), award in that order, and
/// return the report order.
fn rank_and_award<C, N: Amount>(
    frame: &Frame<'_>,
    field: &Field<'_>,
    amount: impl Fn(&C) -> &N + Copy,
    rows: &mut [Row<C, N>],
) -> Vec<usize> {
    let ids = &field.ids;
    let id = |i: usize| ids.get(i).copied().unwrap_or_default();
    // The report's groups, decided before the award (which keeps every ranked bid ranked).
    let groups: Vec<u8> = rows.iter().map(|r| r.status.group()).collect();
    let group = |i: usize| groups.get(i).copied().unwrap_or(u8::MAX);
    let (mut qualified, rest): (Vec<usize>, Vec<usize>) = (0..rows.len()).partition(|&i| group(i) == 0);
    let ranks: Vec<u32> = {
        let ranker = Ranker::over(frame, field, &*rows, amount);
        let same = ranker.sort(&mut qualified);
        let mut rank = 0u32;
        qualified
            .iter()
            .enumerate()
            .map(|(pos, &i)| {
                let tied = same.get(pos).copied().unwrap_or(false)
                    && qualified.get(pos.saturating_sub(1)).is_some_and(|&prev| ranker.tied_after_keys(prev, i));
                if !tied {
                    rank = u32::try_from(pos.saturating_add(1)).unwrap_or(u32::MAX);
                }
                rank
            })
            .collect()
    };
    for (&i, rank) in qualified.iter().zip(ranks) {
        if let Some(r) = rows.get_mut(i) {
            r.rank = Some(rank);
        }
    }
    // Excluded (abnormally low), declined and withdrawn bids keep their rank and get nothing;
    // the others go on to the award in rank order.
    let excluded = super::low::excluded(frame.tender, &field.passed, &field.low);
    let mut stops = Vec::new();
    award_order(
        &frame.tender.award,
        field,
        &excluded,
        &qualified,
        |i, status| stops.push((i, status)),
        |i, a| {
            if let Some(r) = rows.get_mut(i) {
                r.award = a;
                r.status = BidStatus::Selected;
            }
        },
    );
    for (i, status) in stops {
        if let Some(r) = rows.get_mut(i) {
            r.status = status;
        }
    }
    let (mut not_qualified, mut disqualified): (Vec<usize>, Vec<usize>) = rest.into_iter().partition(|&i| group(i) == 1);
    // Higher totals first, then the bidder id: the totals as integers on the grid when they
    // are there (every valid tender's), the ids read only for equal totals.
    let places = frame.tender.rounding.places;
    let by_total = |list: &mut Vec<usize>| {
        let keyed: Option<Vec<(i128, usize)>> = list.iter().map(|&i| Some((rows.get(i)?.counted().total.units(places)?, i))).collect();
        match keyed {
            Some(mut keyed) => {
                keyed.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| id(x.1).cmp(id(y.1))));
                *list = keyed.into_iter().map(|(_, i)| i).collect();
            }
            None => list.sort_by(|a, b| {
                let total = |i: usize| rows.get(i).map(|r| &r.counted().total);
                total(*b).cmp(&total(*a)).then_with(|| id(*a).cmp(id(*b)))
            }),
        }
    };
    by_total(&mut not_qualified);
    by_total(&mut disqualified);
    qualified.extend(not_qualified);
    qualified.extend(disqualified);
    qualified
}

/// The award over the ranked rows standing in `order` (best first): `give` hears each row it
/// selects and what it gets; `stop`, each row it walks past with a status (excluded,
/// declined, withdrawn; `excluded` from [`low::excluded`](super::low::excluded)). The one
/// place a ranking meets the award: the tally, and `stability`'s sweep of orders.
pub(crate) fn award_order(
    rule: &crate::model::Award,
    field: &Field<'_>,
    excluded: &[bool],
    order: &[usize],
    stop: impl FnMut(usize, BidStatus),
    mut give: impl FnMut(usize, Awarded),
) {
    let bidding =
        Bidding { terms: field.terms.as_deref(), offered: &field.offered, prices: &field.prices, excluded, capped: &field.capped };
    let (mut running, mut offers) = (Vec::with_capacity(order.len()), Vec::with_capacity(order.len()));
    running_into(rule, order, &bidding, &mut running, &mut offers, stop);
    for (&i, a) in running.iter().zip(award(rule, &offers)) {
        if a != Awarded::No {
            give(i, a);
        }
    }
}

/// How each bid tied on its total was settled (indexed like the rows), with a warning for
/// each group that shares a rank and for an award that splits a tie.
pub(crate) fn ties<C: Sync, N: Amount>(
    frame: &Frame<'_>,
    field: &Field<'_>,
    amount: impl Fn(&C) -> &N + Copy + Sync,
    tally: &Tally<C, N>,
) -> (Vec<Option<Tie>>, Vec<Warning>) {
    let rows = &tally.rows;
    let ranker = Ranker::over(frame, field, rows, amount);
    let id = |i: usize| field.ids.get(i).copied().unwrap_or_default().to_owned();
    let qualified: Vec<usize> = tally.order.iter().copied().filter(|&i| rows.get(i).is_some_and(Row::qualified)).collect();
    let total = |i: usize| rows.get(i).map(|r| &r.counted().total);
    // Ranked by total first, so bids tied on the total form runs; each run is settled on its
    // own (on every core for a large tender: a tie's account is read from the rows).
    let runs: Vec<&[usize]> = qualified.chunk_by(|&a, &b| total(a) == total(b)).filter(|run| run.len() > 1).collect();
    let settle = |_: usize, run: &&[usize]| {
        let mut ties = Vec::with_capacity(run.len());
        let mut warnings = Vec::new();
        for &me in *run {
            let others: Vec<usize> = run.iter().copied().filter(|&o| o != me).collect();
            let rank = rows.get(me).and_then(|r| r.rank);
            let shared: Vec<usize> = others.iter().copied().filter(|&o| rows.get(o).and_then(|r| r.rank) == rank).collect();
            let settled_by = if shared.is_empty() {
                let step = others.iter().find_map(|&o| ranker.chain(me, o).1);
                Some(step.and_then(|s| frame.tender.tie_break.get(s).cloned()).unwrap_or(TieBreak::Bidder))
            } else {
                if shared.iter().all(|&o| id(me) < id(o)) {
                    let mut bidders = vec![id(me)];
                    bidders.extend(shared.iter().map(|&o| id(o)));
                    warnings.push(Warning::Unresolved { bidders, rank: rank.unwrap_or(0) });
                }
                None
            };
            ties.push((me, Tie { with: others.iter().map(|&o| id(o)).collect(), settled_by }));
        }
        (ties, warnings)
    };
    let settled = crate::par::map(&runs, settle);
    let mut out: Vec<Option<Tie>> = vec![None; rows.len()];
    let mut warnings = Vec::new();
    for (ties, w) in settled {
        for (me, tie) in ties {
            if let Some(slot) = out.get_mut(me) {
                *slot = Some(tie);
            }
        }
        warnings.extend(w);
    }
    // A tie that the award cuts through is decided by report order (bidder id): say so.
    let last = qualified.iter().rposition(|&i| rows.get(i).is_some_and(|r| r.status == BidStatus::Selected));
    if let Some(pos) = last
        && let (Some(&a), Some(&b)) = (qualified.get(pos), qualified.get(pos.saturating_add(1)))
        && let (Some(ra), Some(rb)) = (rows.get(a), rows.get(b))
        && ra.rank == rb.rank
        && rb.status != BidStatus::Selected
    {
        warnings.push(Warning::AwardSplitsTie { awarded: id(a), passed_over: id(b), rank: ra.rank.unwrap_or(0) });
    }
    (out, warnings)
}

/// Quantities whose sign decides the discrete state, for `stability`: qualification (each
/// bid's scope points as first scored minus each threshold's need), and under differential
/// scoring the clamp (the section's maximum minus each multiple of the step) and the ranks
/// (every pair of the ranked section's points as scored). Affine in a weight wherever the
/// points are; between two of their roots every total is affine, which the walk relies on
/// (a rank change left among the totals once made it crawl towards a kink it could not see).
pub(crate) fn state_margins<C>(frame: &Frame<'_>, rows: &[Row<C, Rat>]) -> Vec<Rat> {
    let mut out = Vec::new();
    for (scope, needed) in &frame.thresholds {
        for row in rows {
            let first = row.first();
            let v = match scope {
                Some(k) => first.sections.get(*k).cloned().unwrap_or_else(Rat::zero),
                None => first.total.clone(),
            };
            out.push(v.sub(needed));
        }
    }
    if let Some((k, step)) = &frame.differential {
        let max = frame.section_max.get(*k).cloned().unwrap_or_else(Rat::zero);
        out.extend((1..rows.len()).map(|r| max.sub(&step.mul(&Rat::from_int(r as i128)))));
        for (x, a) in rows.iter().enumerate() {
            for b in rows.iter().skip(x.saturating_add(1)) {
                if let (Some(sa), Some(sb)) = (a.scored.sections.get(*k), b.scored.sections.get(*k)) {
                    out.push(sa.sub(sb));
                }
            }
        }
    }
    out
}

/// Two values a `Value` tie-break reads, smaller first: numbers by value, dates by day; a
/// missing value (validation allows none) after any present one.
pub(crate) fn tie_value_cmp(a: Option<&Scalar>, b: Option<&Scalar>) -> Ordering {
    match (a, b) {
        (Some(Scalar::Number(x)), Some(Scalar::Number(y))) => x.cmp(y),
        (Some(Scalar::Date(x)), Some(Scalar::Date(y))) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// Every bid's lottery key when the chain ends in a lottery (empty otherwise).
pub(crate) fn lottery_keys(tender: &Tender, ids: &[&str]) -> Vec<u64> {
    match tender.tie_break.last() {
        Some(TieBreak::Lottery { seed }) => ids.iter().map(|id| TieBreak::lottery_key(*seed, id)).collect(),
        _ => Vec::new(),
    }
}
