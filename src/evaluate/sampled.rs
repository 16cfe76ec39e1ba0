//! The tally of SPEC §5 for sampled scenarios (`robustness`): the same steps as `tally.rs`,
//! in the same order — references over the eligible bids, points rounded once per
//! criterion, sections and totals, qualification, references again among the qualified,
//! differential scoring, the ranking with the tie-break chain, the award walk of
//! `award.rs` — with each rule's formula in `f64` (`rules/fast.rs`) and every rounded
//! point held as a whole number of rounding units, so sums, ties and the tie-break chain
//! are exact once each cell is rounded. It allocates nothing per scenario: a sampling
//! analysis runs it a million times.
//!
//! It is a shadow of the tally, never a source of official results: a property test
//! checks that it ranks and awards as the tally does on random tenders, and every answer
//! a sampling analysis certifies is replayed through the tally itself.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::award::{Bidding, Offer, Term, award_into, running_into};
use super::tally::{Frame, Step};
use super::{Awarded, BidStatus};
use crate::exact::RoundingMode;
use crate::model::{Minimum, Tender};
use crate::rules::fast::{Fast, Input, f64_of};

/// Relative slack for comparisons an exact value would make at equality (a rounding half,
/// a threshold met exactly): far above the error of a few `f64` operations, far below one
/// rounding unit for any valid tender (points ≤ 10⁹ with at most 6 places).
const SLACK: f64 = 1e-12;

/// Units are capped here (2^52; a valid tender's points stay below 10^15 units), where every
/// `f64` is a whole number and sums of two stay exact.
const UNITS_CAP: f64 = 4_503_599_627_370_496.0;

/// The sum of whole units in four independent lanes (not one chain of dependent additions).
fn lanes(xs: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut chunks = xs.chunks_exact(4);
    for c in &mut chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    let rest: f64 = chunks.remainder().iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
}

/// The floor of `y` in [0, 2^52], without a libm call on baseline x86-64: adding and
/// subtracting 2^52 rounds to a whole number, and a round up is stepped back.
fn floor(y: f64) -> f64 {
    let r = (y + UNITS_CAP) - UNITS_CAP;
    // Branch-free: whether the rounding went up is a coin toss a branch would mispredict.
    r - f64::from(u8::from(r > y))
}

/// The tender compiled for sampling.
pub(crate) struct Kernel<'t> {
    frame: Frame<'t>,
    fast: Vec<Fast>,
    /// Per criterion with a reference: higher is better, and taken among the qualified.
    refs: Vec<Option<(bool, bool)>>,
    /// Per `qualify` threshold: its scope and its minimum (a share or points).
    minimum: Vec<(Option<usize>, bool, f64)>,
    /// Differential scoring: the section and its step.
    differential: Option<(usize, f64)>,
    scale: f64,
    mode: RoundingMode,
    n: usize,
    m: usize,
    sections: usize,
    /// Per section: its criteria, and their range when they are written together.
    columns: Vec<Vec<usize>>,
    ranges: Vec<Option<std::ops::Range<usize>>>,
}

/// One scenario: weights (points per criterion), every cell's input, the marks the cells
/// point into, which bids pass every gate and what each offers.
pub(crate) struct Case<'a> {
    pub(crate) weights: &'a [f64],
    /// Per cell: its score, for cells whose score is known (0 for the others).
    pub(crate) scores: &'a [f64],
    /// The cells whose points need their formula (numbers against a reference, marks), as
    /// (bid, criterion); every other cell is `weight × score`.
    pub(crate) special: &'a [(usize, usize)],
    pub(crate) cells: &'a [Input],
    pub(crate) marks: &'a [f64],
    pub(crate) passed: &'a [bool],
    pub(crate) offered: &'a [u64],
    /// Per bid: the price of a unit, when the award has a budget.
    pub(crate) prices: &'a [Option<Decimal>],
    /// Per bid: what the negotiation record says of it (`None`: no record).
    pub(crate) terms: Option<&'a [Term]>,
    /// Per bid and tie-break step (bid-major): the value a `Value` step reads, as a number
    /// (a date as its day number; ∞ when missing).
    pub(crate) ties: &'a [f64],
    /// Per bid: its lottery key (empty without a lottery).
    pub(crate) lottery: &'a [u64],
    /// Per bid: excluded as abnormally low (empty without such checks).
    pub(crate) excluded: &'a [bool],
}

/// Buffers reused from one scenario to the next, and the last scenario's result.
#[derive(Default)]
pub(crate) struct Work {
    units: Vec<f64>,
    /// Per bid: sections then total, as scored.
    scored: Vec<f64>,
    /// Per bid: the total that ranks it, and the differential section as counted.
    counted: Vec<f64>,
    counted_section: Vec<f64>,
    status: Vec<BidStatus>,
    rank: Vec<u32>,
    /// Qualified bids in ranking order.
    order: Vec<usize>,
    offers: Vec<Offer>,
    /// The ranked bids the award walks (declined and withdrawn ones left out).
    running: Vec<usize>,
    awards: Vec<Awarded>,
    best: Vec<Option<f64>>,
    marks: Vec<f64>,
    sorted: Vec<f64>,
    section_max: Vec<f64>,
    /// Per criterion: its weight in rounding units, slack included.
    factor: Vec<f64>,
}

impl Work {
    /// Bid `i`'s status.
    pub(crate) fn status(&self, i: usize) -> BidStatus {
        self.status.get(i).copied().unwrap_or(BidStatus::Disqualified)
    }

    /// Bid `i`'s rank (0: not ranked).
    pub(crate) fn rank(&self, i: usize) -> u32 {
        self.rank.get(i).copied().unwrap_or(0)
    }

    /// The total that ranks bid `i`, in rounding units.
    pub(crate) fn total(&self, i: usize) -> f64 {
        self.counted.get(i).copied().unwrap_or(0.0)
    }
}

impl<'t> Kernel<'t> {
    /// Compile `tender` (with `n` bids) for sampling.
    pub(crate) fn new(tender: &'t Tender, n: usize) -> Kernel<'t> {
        let frame = Frame::new(tender);
        let fast = tender.criteria.iter().map(|c| c.rule.fast()).collect();
        let refs = tender
            .criteria
            .iter()
            .map(|c| c.rule.reference().map(|r| (r.better == crate::rules::Better::Higher, r.among == crate::rules::Among::Qualified)))
            .collect();
        let section_index = |id: &str| tender.sections.iter().position(|s| s.id == id);
        let minimum = tender
            .qualify
            .iter()
            .map(|q| {
                let scope = q.section.as_deref().and_then(section_index);
                match q.min {
                    Minimum::Share(s) => (scope, true, f64_of(s)),
                    Minimum::Points(p) => (scope, false, f64_of(p)),
                }
            })
            .collect();
        let differential = tender.differential.as_ref().and_then(|d| section_index(&d.section).map(|k| (k, f64_of(d.step))));
        let scale = 10f64.powi(i32::try_from(tender.rounding.places).unwrap_or(0));
        let mut columns = vec![Vec::new(); tender.sections.len()];
        for (j, k) in frame.section_of.iter().enumerate() {
            if let Some(c) = k.and_then(|k| columns.get_mut(k)) {
                c.push(j);
            }
        }
        let ranges = columns
            .iter()
            .map(|c| {
                let (first, last) = (c.first().copied()?, c.last().copied()?);
                (last.saturating_sub(first).saturating_add(1) == c.len()).then(|| first..last.saturating_add(1))
            })
            .collect();
        Kernel {
            columns,
            ranges,
            frame,
            fast,
            refs,
            minimum,
            differential,
            scale,
            mode: tender.rounding.mode,
            n,
            m: tender.criteria.len(),
            sections: tender.sections.len(),
        }
    }

    /// The criteria's formulas.
    pub(crate) fn fast(&self) -> &[Fast] {
        &self.fast
    }

    /// Points as whole rounding units (a whole number in an `f64`: exact below 2^53, so sums
    /// and comparisons are exact), rounded with the tender's mode. A value within [`SLACK`]
    /// of a rounding half is taken to be on it, as its exact value would be.
    fn units(&self, points: f64) -> f64 {
        let u = (points * self.scale).clamp(0.0, UNITS_CAP);
        let slack = u * SLACK;
        match self.mode {
            RoundingMode::HalfUp => floor(u + 0.5 + slack),
            RoundingMode::Down => floor(u + slack),
            RoundingMode::HalfEven => {
                let f = floor(u);
                let d = u - f;
                let odd = floor(f * 0.5) * 2.0 != f;
                // Up beyond the half, and on it when that reaches the even neighbour.
                f + f64::from(u8::from(d > 0.5 + slack || (d >= 0.5 - slack && odd)))
            }
        }
    }

    fn reference(&self, case: &Case<'_>, j: usize, counts: impl Fn(usize) -> bool) -> Option<f64> {
        let higher = self.refs.get(j).copied().flatten()?.0;
        let mut best: Option<f64> = None;
        for i in (0..self.n).filter(|&i| counts(i)) {
            if let Some(Input::Number(x)) = case.cells.get(i.saturating_mul(self.m).saturating_add(j)) {
                best = Some(match best {
                    None => *x,
                    Some(b) if higher => b.max(*x),
                    Some(b) => b.min(*x),
                });
            }
        }
        best
    }

    fn score_cell(&self, case: &Case<'_>, w: &mut Work, i: usize, j: usize) {
        let at = i.saturating_mul(self.m).saturating_add(j);
        let (Some(fast), Some(&input), Some(&weight)) = (self.fast.get(j), case.cells.get(at), case.weights.get(j)) else { return };
        let reference = w.best.get(j).copied().flatten();
        let points = fast.points(input, weight, reference, &mut w.marks);
        let u = self.units(points);
        if let Some(slot) = w.units.get_mut(at) {
            *slot = u;
        }
    }

    /// Every cell `weight × score`, rounded: one tight loop per row, free of branches.
    fn round_all(&self, case: &Case<'_>, w: &mut Work) {
        let m = self.m.max(1);
        // Per criterion once: its weight in rounding units, with the slack folded in
        // (`u + u × SLACK` is `u × (1 + SLACK)`), so a cell is one multiplication and a floor.
        w.factor.clear();
        w.factor.extend(case.weights.iter().map(|wt| (wt * self.scale).max(0.0) * (1.0 + SLACK)));
        let factor = &w.factor;
        match self.mode {
            RoundingMode::HalfUp | RoundingMode::Down => {
                let half = if self.mode == RoundingMode::HalfUp { 0.5 } else { 0.0 };
                for (units, scores) in w.units.chunks_exact_mut(m).zip(case.scores.chunks_exact(m)) {
                    for ((u, s), f) in units.iter_mut().zip(scores).zip(factor) {
                        *u = floor((f * s + half).min(UNITS_CAP));
                    }
                }
            }
            RoundingMode::HalfEven => {
                for (units, scores) in w.units.chunks_exact_mut(m).zip(case.scores.chunks_exact(m)) {
                    for ((u, s), wt) in units.iter_mut().zip(scores).zip(case.weights) {
                        *u = self.units(wt * s);
                    }
                }
            }
        }
    }

    fn sum(&self, w: &mut Work, i: usize) {
        let stride = self.sections.saturating_add(1);
        let (from, to) = (i.saturating_mul(stride), i.saturating_add(1).saturating_mul(stride));
        let row = i.saturating_mul(self.m)..i.saturating_add(1).saturating_mul(self.m);
        let (Some(units), Some(scored)) = (w.units.get(row), w.scored.get_mut(from..to)) else {
            return;
        };
        // Section by section; a section whose criteria are written together is one slice,
        // summed in four lanes (whole units below 2^53 add exactly in any order).
        let mut total = 0.0;
        for (slot, (cols, range)) in scored.iter_mut().zip(self.columns.iter().zip(&self.ranges)) {
            *slot = match range.as_ref().and_then(|r| units.get(r.clone())) {
                Some(slice) => lanes(slice),
                None => cols.iter().map(|&j| units.get(j).copied().unwrap_or(0.0)).sum(),
            };
            total += *slot;
        }
        // Every criterion belongs to a section: the total is the sections' sum.
        if let Some(slot) = scored.last_mut() {
            *slot = total;
        }
    }

    fn scored(&self, w: &Work, i: usize, k: usize) -> f64 {
        w.scored.get(i.saturating_mul(self.sections.saturating_add(1)).saturating_add(k)).copied().unwrap_or(0.0)
    }

    /// Evaluate one scenario into `w`.
    pub(crate) fn run(&self, case: &Case<'_>, w: &mut Work) {
        let (n, m, s) = (self.n, self.m, self.sections);
        w.units.resize(n.saturating_mul(m), 0.0);
        w.scored.resize(n.saturating_mul(s.saturating_add(1)), 0.0);
        w.counted.resize(n, 0.0);
        w.counted_section.resize(n, 0.0);
        w.status.resize(n, BidStatus::Disqualified);
        w.rank.clear();
        w.rank.resize(n, 0);
        w.best.clear();
        w.best.resize(m, None);
        w.marks.clear();
        w.marks.extend_from_slice(case.marks);
        w.section_max.clear();
        w.section_max.resize(s, 0.0);
        // Section by section, each sum in a register.
        for (slot, cols) in w.section_max.iter_mut().zip(&self.columns) {
            *slot = cols.iter().map(|&j| case.weights.get(j).copied().unwrap_or(0.0)).sum();
        }
        let total_max: f64 = case.weights.iter().sum();
        let passed = |i: usize| case.passed.get(i).copied().unwrap_or(false);
        for j in 0..m {
            let r = self.reference(case, j, passed);
            if let Some(slot) = w.best.get_mut(j) {
                *slot = r;
            }
        }
        self.round_all(case, w);
        for &(i, j) in case.special {
            self.score_cell(case, w, i, j);
        }
        for i in 0..n {
            self.sum(w, i);
            let status = if !passed(i) {
                BidStatus::Disqualified
            } else if self.qualifies(w, i, total_max) {
                BidStatus::Qualified
            } else {
                BidStatus::NotQualified
            };
            if let Some(slot) = w.status.get_mut(i) {
                *slot = status;
            }
        }
        // References taken among the qualified bids (qualification never depends on them).
        if self.refs.iter().any(|r| r.is_some_and(|r| r.1)) {
            let qualified: Vec<bool> = (0..n).map(|i| w.status(i) == BidStatus::Qualified).collect();
            for j in 0..m {
                if !self.refs.get(j).copied().flatten().is_some_and(|r| r.1) {
                    continue;
                }
                let r = self.reference(case, j, |i| qualified.get(i).copied().unwrap_or(false));
                if let Some(slot) = w.best.get_mut(j) {
                    *slot = r;
                }
                for i in 0..n {
                    self.score_cell(case, w, i, j);
                }
            }
            for i in 0..n {
                self.sum(w, i);
            }
        }
        for i in 0..n {
            let t = self.scored(w, i, s);
            if let Some(slot) = w.counted.get_mut(i) {
                *slot = t;
            }
        }
        if let Some((k, step)) = self.differential {
            self.differential(w, k, step);
        }
        self.rank_and_award(case, w);
    }

    fn qualifies(&self, w: &Work, i: usize, total_max: f64) -> bool {
        self.minimum.iter().all(|&(scope, share, min)| {
            let (scored, max) = match scope {
                Some(k) => (self.scored(w, i, k), w.section_max.get(k).copied().unwrap_or(0.0)),
                None => (self.scored(w, i, self.sections), total_max),
            };
            let needed = if share { min * max } else { min } * self.scale;
            scored >= needed - needed.abs() * SLACK
        })
    }

    /// 차등점수제: the section counted as `max − (rank − 1) × step`, not below 0, by the
    /// qualified bids' section points as scored (competition ranking).
    fn differential(&self, w: &mut Work, k: usize, step: f64) {
        let max = w.section_max.get(k).copied().unwrap_or(0.0);
        let mut sorted = std::mem::take(&mut w.sorted);
        sorted.clear();
        sorted.extend((0..self.n).filter(|&i| w.status(i) == BidStatus::Qualified).map(|i| self.scored(w, i, k)));
        sorted.sort_unstable_by(|a, b| b.total_cmp(a));
        for i in 0..self.n {
            if w.status(i) != BidStatus::Qualified {
                continue;
            }
            let mine = self.scored(w, i, k);
            let ahead = sorted.partition_point(|&p| p > mine);
            let counted = self.units((max - step * ahead as f64).max(0.0));
            let total = self.scored(w, i, self.sections) - mine + counted;
            if let (Some(c), Some(t)) = (w.counted_section.get_mut(i), w.counted.get_mut(i)) {
                *c = counted;
                *t = total;
            }
        }
        w.sorted = sorted;
    }

    /// The section that ranks bid `i`: as counted under differential scoring, else as scored.
    fn counted_section(&self, w: &Work, i: usize, k: usize) -> f64 {
        match self.differential {
            Some((d, _)) if d == k && w.status(i) == BidStatus::Qualified => w.counted_section.get(i).copied().unwrap_or(0.0),
            _ => self.scored(w, i, k),
        }
    }

    /// The ranking's comparison (total, then the chain); `Equal`: tied after every step.
    fn ranking(&self, case: &Case<'_>, w: &Work, a: usize, b: usize) -> Ordering {
        let by_total = w.total(b).total_cmp(&w.total(a));
        if by_total != Ordering::Equal {
            return by_total;
        }
        for step in &self.frame.chain {
            let ord = match *step {
                Step::Section(k) => self
                    .counted_section(w, b, k)
                    .total_cmp(&self.counted_section(w, a, k))
                    .then_with(|| self.scored(w, b, k).total_cmp(&self.scored(w, a, k))),
                Step::Criterion(j) => {
                    let u = |i: usize| w.units.get(i.saturating_mul(self.m).saturating_add(j)).copied().unwrap_or(0.0);
                    u(b).total_cmp(&u(a))
                }
                // Bids are sorted by id at validation: the index is the id's order.
                Step::Bidder => a.cmp(&b),
                Step::Value(k, smaller) => {
                    let steps = self.frame.tender.tie_break.len();
                    let v = |i: usize| case.ties.get(i.saturating_mul(steps).saturating_add(k)).copied().unwrap_or(f64::INFINITY);
                    let ord = v(a).total_cmp(&v(b));
                    if smaller { ord } else { ord.reverse() }
                }
                Step::Lottery => case.lottery.get(a).cmp(&case.lottery.get(b)),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }

    fn rank_and_award(&self, case: &Case<'_>, w: &mut Work) {
        let mut order = std::mem::take(&mut w.order);
        order.clear();
        order.extend((0..self.n).filter(|&i| w.status(i) == BidStatus::Qualified));
        order.sort_unstable_by(|&a, &b| self.ranking(case, w, a, b).then(a.cmp(&b)));
        let mut rank = 0u32;
        for pos in 0..order.len() {
            let Some(&i) = order.get(pos) else { continue };
            let tied = pos > 0 && order.get(pos.saturating_sub(1)).is_some_and(|&prev| self.ranking(case, w, prev, i) == Ordering::Equal);
            if !tied {
                rank = u32::try_from(pos.saturating_add(1)).unwrap_or(u32::MAX);
            }
            if let Some(slot) = w.rank.get_mut(i) {
                *slot = rank;
            }
        }
        let rule = &self.frame.tender.award;
        let bidding = Bidding { terms: case.terms, offered: case.offered, prices: case.prices, excluded: case.excluded, capped: &[] };
        let status = &mut w.status;
        running_into(rule, &order, &bidding, &mut w.running, &mut w.offers, |i, s| {
            if let Some(slot) = status.get_mut(i) {
                *slot = s;
            }
        });
        award_into(rule, &w.offers, &mut w.awards);
        for (&i, a) in w.running.iter().zip(&w.awards) {
            if *a != Awarded::No
                && let Some(slot) = w.status.get_mut(i)
            {
                *slot = BidStatus::Selected;
            }
        }
        w.order = order;
    }

    /// The smallest gap, in rounding units, between neighbours in the ranking up to the
    /// first ranked bid that is not selected: how far the scenario is from a change of
    /// winners by the totals alone.
    pub(crate) fn margin(&self, w: &Work) -> i64 {
        let mut gap = i64::MAX;
        for pair in w.order.windows(2) {
            let [a, b] = pair else { continue };
            gap = gap.min((w.total(*a) - w.total(*b)) as i64);
            if w.status(*b) != BidStatus::Selected {
                break;
            }
        }
        gap
    }
}
