//! How far can a criterion's weight move before the winners change? For each criterion,
//! the exact interval of its points — the other criteria rescaled in proportion to keep
//! `max_points`, on unrounded points, with qualification recomputed — over which the set
//! of selected bids stays the same, and which bid enters or leaves at each end.
//!
//! Every quantity is piecewise affine in the criterion's points `P` (the rules say where
//! their points stop being proportional to a weight: [`weight_kink`](crate::rules); qualification,
//! differential ranks and references `among = "qualified"` switch only where two affine
//! quantities cross). The walk goes from the published points to the first point where the
//! winners change, one candidate at a time, each checked by the exact tally (at the point and
//! between it and the last); the candidates come from a kinetic sweep: every bid's total is a
//! line, read from the tally at two simple points; only two neighbours in the current order
//! can cross next, so crossings are taken in order from a heap, and the award is walked again
//! only when two bids whose order it can feel trade places. Where qualification only adds
//! bids to the ranking or takes them out (no reference among the qualified, no differential
//! scoring), a bid joining or leaving is an event of the sweep too, and so is a bend of one
//! bid's points (its row alone is read again). Otherwise the sweep runs between the points
//! where that state can change. The sweep compares in exact fractions that are never reduced
//! (`exact::Frac`): its numbers are compared many times and combined once, and reducing big
//! rationals is what exact analyses spend their time on. Cost: two evaluations per sweep,
//! `O((bids + crossings) log bids)` comparisons, an award walk per crossing that matters.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rust_decimal::Decimal;

use super::scenario::{Prepared, Published, Scenario};
use crate::evaluate::award::order_matters;
use crate::evaluate::tally::{Field, Frame, InForce, Ranker, Row, Tally, award_order, state_margins};
use crate::evaluate::{BidStatus, Outcome};
use crate::exact::{Frac, Rat, RoundingMode};
use crate::model::Inputs;

/// How far `stability` walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StabilityOptions {
    /// Stop after this many exact evaluations in all (every criterion, both sides), and
    /// say so: the intervals shown then hold as far as they reach.
    pub max_evaluations: usize,
}

impl StabilityOptions {
    /// At most 50,000 evaluations.
    pub fn new() -> StabilityOptions {
        StabilityOptions { max_evaluations: 50_000 }
    }

    /// Stop after `n` evaluations.
    pub fn with_max_evaluations(mut self, n: usize) -> StabilityOptions {
        self.max_evaluations = n;
        self
    }
}

impl Default for StabilityOptions {
    fn default() -> StabilityOptions {
        StabilityOptions::new()
    }
}

/// The stability of every criterion's weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stability {
    /// The winners as scored, sorted by id.
    pub winners: Vec<String>,
    /// One entry per criterion, in the tender's order.
    pub criteria: Vec<CriterionStability>,
    /// The exact evaluations made.
    pub evaluations: usize,
    /// The limit of evaluations, when the walk reached it (some ends then say `stopped`).
    pub stopped_at: Option<usize>,
}

/// One criterion's interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionStability {
    /// Criterion id.
    pub id: String,
    /// Its points as published.
    pub points: Rat,
    /// The lower end of the interval: the winners are the same for every P above it (and at
    /// it when `lower.inclusive`) up to the published points.
    pub lower: End,
    /// The upper end.
    pub upper: End,
    /// What qualifies the interval, if anything.
    pub note: Option<StabilityNote>,
}

/// What qualifies a criterion's interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StabilityNote {
    /// The other criteria carry no points to rescale: the criterion cannot move.
    NothingToRescale,
    /// On unrounded points the winners differ from the official ones (a knife-edge that
    /// rounding decided); the interval is about the unrounded winners.
    Unrounded {
        /// The winners on unrounded points, sorted.
        unrounded: Vec<String>,
        /// The official winners, sorted.
        official: Vec<String>,
    },
}

/// One end of an interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct End {
    /// The exact point.
    pub at: Rat,
    /// Whether the point itself keeps the original winners.
    pub inclusive: bool,
    /// `None`: the end is the limit of the range (0 or `max_points`), and the winners never
    /// change on this side. Otherwise the winners just beyond this end.
    pub beyond: Option<Vec<String>>,
    /// Bids that would win just beyond this end but do not now.
    pub entering: Vec<String>,
    /// Bids that win now but would not just beyond.
    pub leaving: Vec<String>,
    /// The walk stopped (at its limit of evaluations, or where the next event could only be
    /// told apart with rationals too large to be worth it) before the winners changed: the
    /// interval reaches at least this far, and what lies beyond is not established.
    pub stopped: bool,
    /// The walk stopped because the events ahead crowd together (closer than
    /// [`RESOLUTION`] points, or a thousand in a row closer than 10^-6 points) and were not
    /// told apart, rather than for want of evaluations: the winners are the same up to this
    /// end; beyond it nothing is established.
    pub unresolved: bool,
    /// Where the official scoring (points rounded to the tender's places, the others
    /// rescaled by largest remainder, as `bidscore whatif --points` scores) first changes
    /// the winners beyond the published points on this side, when that is not the first
    /// point of the rounding grid past this exact end: rounding moves the end. `None`
    /// when the official scoring agrees, or the end is a limit.
    pub official: Option<OfficialEnd>,
}

/// Where the official (rounded) scoring puts an end, when rounding moves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfficialEnd {
    /// The official winners differ at every grid point from here to the exact end (as far
    /// as was looked): rounding moves the end inward, at least this far.
    Inside(Decimal),
    /// The official winners first differ at this grid point, which is not the first one
    /// past the exact end: rounding moves the end (inward or outward).
    At(Decimal),
    /// The official winners are still the published ones at every grid point up to here
    /// (as far as was looked).
    Beyond(Decimal),
}

impl End {
    fn limit(at: Rat, stopped: bool) -> End {
        End { at, inclusive: true, beyond: None, entering: Vec::new(), leaving: Vec::new(), stopped, unresolved: false, official: None }
    }

    fn unresolved(at: Rat) -> End {
        End { unresolved: true, ..End::limit(at, true) }
    }
}

/// The stability of each criterion's weight.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/eu-meat.toml", &["bids/eu-meat"]).unwrap();
/// let options = bidscore::analysis::StabilityOptions::new();
/// let s = bidscore::analysis::stability(&inputs, &bidscore::evaluate(&inputs), options);
/// let price = s.criteria.iter().find(|c| c.id == "price").unwrap();
/// assert!(price.lower.at <= price.points && price.points <= price.upper.at);
/// ```
///
/// A tender divided into lots is walked as a whole, on every criterion and without its
/// lots' awards (the CLI refuses it: `Error::Lots`).
pub fn stability(inputs: &Inputs, outcome: &Outcome, options: StabilityOptions) -> Stability {
    stability_with(inputs, outcome, options, &super::Silent)
}

/// [`stability`], telling `progress` each criterion done (of the criteria).
pub fn stability_with(inputs: &Inputs, outcome: &Outcome, options: StabilityOptions, progress: &dyn super::Progress) -> Stability {
    // Other weights give another ranking, which would have been negotiated differently.
    if let Some(aside) = inputs.without_negotiation() {
        return stability_with(&aside, &crate::evaluate::evaluate(&aside), options, progress);
    }
    let mut winners: Vec<String> = outcome.winners().into_iter().map(str::to_owned).collect();
    winners.sort();
    let published = Published::from_outcome(inputs, outcome);
    let Ok(prepared) = Scenario::new().prepare(&published) else {
        // INVARIANT: the published inputs prepare without a change to refuse.
        return Stability { winners, criteria: Vec::new(), evaluations: 0, stopped_at: None };
    };
    let field = prepared.field();
    let budget = Budget {
        used: Cell::new(0),
        limit: options.max_evaluations,
        ran_out: Cell::new(false),
        progress,
        at: Cell::new(0),
        total: inputs.tender.criteria.len(),
        rows_done: Cell::new(0),
        rows: inputs.bids.len(),
    };
    let n = inputs.tender.criteria.len();
    progress.step(0, n);
    let criteria = (0..n)
        .map(|k| {
            let mut c = criterion(&prepared, &field, inputs, k, &winners, &budget);
            for (end, up) in [(&mut c.lower, false), (&mut c.upper, true)] {
                end.official = official_end(inputs, &published, k, end, up, &winners);
            }
            budget.at.set(k.saturating_add(1));
            progress.step(k.saturating_add(1), n);
            c
        })
        .collect();
    let used = budget.used.get();
    Stability { winners, criteria, evaluations: used, stopped_at: budget.ran_out.get().then_some(options.max_evaluations) }
}

/// Evaluations left, shared by every criterion's walk.
struct Budget<'p> {
    /// Evaluations made.
    used: Cell<usize>,
    limit: usize,
    /// A walk stopped for want of evaluations (not merely used the last of them).
    ran_out: Cell<bool>,
    /// Told the criteria done, and reminded every few hundred evaluations (so a long
    /// criterion still shows that the walk is alive).
    progress: &'p dyn super::Progress,
    /// Criteria done, of all.
    at: Cell<usize>,
    total: usize,
    /// Rows evaluated alone since the last whole evaluation counted, of `rows` per evaluation.
    rows_done: Cell<usize>,
    rows: usize,
}

impl Budget<'_> {
    /// Count one evaluation made.
    fn count(&self) {
        let used = self.used.get().saturating_add(1);
        self.used.set(used);
        if used.is_multiple_of(256) {
            self.progress.step(self.at.get(), self.total);
        }
    }

    /// Count one tally row evaluated alone: a whole evaluation per `rows` of them.
    fn count_row(&self) {
        let r = self.rows_done.get().saturating_add(1);
        if r >= self.rows.max(1) {
            self.rows_done.set(0);
            self.count();
        } else {
            self.rows_done.set(r);
        }
    }

    /// Whether `n` more evaluations fit.
    fn allows(&self, n: usize) -> bool {
        self.used.get().saturating_add(n) <= self.limit
    }
}

/// At an exact end, the official scoring: the winners at the grid points (the tender's
/// rounding places) on either side of the end, as `whatif --points` scores them. `None`
/// when they agree with the exact end (the published winners at the last grid point
/// inside, others at the first one past it); otherwise what the official scoring says,
/// looking at most [`OFFICIAL_STEPS`] grid steps past the end.
fn official_end(inputs: &Inputs, published: &Published<'_>, k: usize, end: &End, up: bool, winners: &[String]) -> Option<OfficialEnd> {
    if end.beyond.is_none() || end.stopped {
        return None;
    }
    let t = &inputs.tender;
    let id = &t.criteria.get(k)?.id;
    let places = t.rounding.places;
    let unit = Decimal::new(1, places);
    // The first grid point past the exact end on this side (an inclusive end keeps the
    // winners at the point itself).
    let at = end.at.round(places, RoundingMode::Down)?;
    let on_grid = Rat::from_decimal(at) == end.at;
    let first_beyond = match (up, on_grid, end.inclusive) {
        (true, true, true) => at.checked_add(unit)?,
        (true, true, false) => at,
        (true, false, _) => at.checked_add(unit)?,
        (false, true, true) => at.checked_sub(unit)?,
        (false, true, false) => at,
        (false, false, _) => at,
    };
    let official = |p: Decimal| -> Option<Vec<String>> {
        let mut tender = t.clone();
        super::whatif::rescale(&mut tender, &[(id.clone(), p)]).ok()?;
        let mut scenario = Scenario::new();
        for c in &tender.criteria {
            scenario = scenario.with_points(&c.id, c.points);
        }
        let ranking = scenario.evaluate(published).ok()?;
        let mut w: Vec<String> = ranking.winners().into_iter().map(str::to_owned).collect();
        w.sort();
        Some(w)
    };
    let step = |p: Decimal, n: i64| -> Option<Decimal> {
        let d = unit.checked_mul(Decimal::from(n))?;
        let q = if up { p.checked_add(d)? } else { p.checked_sub(d)? };
        (q >= Decimal::ZERO && q <= t.max_points).then_some(q)
    };
    // The last grid point inside the exact interval: the official winners should be the
    // published ones there.
    let p0 = t.criteria.get(k)?.points;
    let inside = |n: i64| step(first_beyond, n.saturating_neg()).filter(|q| if up { *q >= p0 } else { *q <= p0 });
    if let Some(last) = inside(1)
        && official(last).is_some_and(|w| w != winners)
    {
        // Rounding moves the end inward: walk back to where the official winners agree.
        let mut first_differing = last;
        for n in 2..=OFFICIAL_STEPS {
            let Some(q) = inside(n) else { break };
            if official(q).is_some_and(|w| w == winners) {
                return Some(OfficialEnd::At(first_differing));
            }
            first_differing = q;
        }
        return Some(OfficialEnd::Inside(first_differing));
    }
    // The first grid point past it: they should differ there.
    for n in 0..=OFFICIAL_STEPS {
        let Some(q) = step(first_beyond, n) else { break };
        if official(q).is_some_and(|w| w != winners) {
            return (n > 0).then_some(OfficialEnd::At(q));
        }
    }
    (0..=OFFICIAL_STEPS).rev().find_map(|n| step(first_beyond, n)).map(OfficialEnd::Beyond)
}

/// Grid steps looked at either way of an exact end for the official end.
const OFFICIAL_STEPS: i64 = 8;

/// The weights when criterion `k` is worth `p`: the others scaled by `(M − p) / (M − p_k)`.
fn weights(inputs: &Inputs, k: usize, p: &Rat) -> Vec<Rat> {
    let t = &inputs.tender;
    let m = Rat::from_decimal(t.max_points);
    let pk = t.criteria.get(k).map_or_else(Rat::zero, |c| Rat::from_decimal(c.points));
    let others = m.sub(&pk);
    let factor = if others.is_zero() { Rat::zero() } else { m.sub(p).div(&others) };
    t.criteria.iter().enumerate().map(|(j, c)| if j == k { p.clone() } else { Rat::from_decimal(c.points).mul(&factor) }).collect()
}

/// The points of criterion `k` at which some rule's points stop being proportional to its
/// weight, given the references in force: each rule says where (`weight_kink`), in its own
/// weight `w_j`, which is mapped to `P`.
fn kinks(inputs: &Inputs, k: usize, references: &[InForce]) -> Vec<Rat> {
    owned_kinks(inputs, k, references).into_iter().map(|(p, _)| p).collect()
}

/// [`kinks`], each with the bid (an index into `inputs.bids`) whose points bend there.
fn owned_kinks(inputs: &Inputs, k: usize, references: &[InForce]) -> Vec<(Rat, usize)> {
    let t = &inputs.tender;
    let m = Rat::from_decimal(t.max_points);
    let pk = t.criteria.get(k).map_or_else(Rat::zero, |c| Rat::from_decimal(c.points));
    let others = m.sub(&pk);
    let mut out = Vec::new();
    for (j, c) in t.criteria.iter().enumerate() {
        let reference = references.get(j).and_then(|r| r.value.as_ref());
        for bid in 0..inputs.bids.len() {
            let Some(given) = inputs.given(bid, j) else { continue };
            let Some(w) = c.rule.weight_kink(given, reference) else { continue };
            if j == k {
                out.push((w, bid));
            } else if !others.is_zero() {
                // w_j = p_j (M − P) / O = w  →  P = M − w O / p_j.
                let pj = Rat::from_decimal(c.points);
                if !pj.is_zero() {
                    out.push((m.sub(&w.mul(&others).div(&pj)), bid));
                }
            }
        }
    }
    out
}

/// The root nearest to `u` (towards `v`) of any difference, given each difference at two
/// points `a` and `b` strictly between `u` and `v` where all of them are affine.
fn nearest_root(a: &Rat, da: &[Rat], b: &Rat, db: &[Rat], u: &Rat, v: &Rat) -> Option<Rat> {
    let (lo, hi) = if u < v { (u, v) } else { (v, u) };
    let mut best: Option<Rat> = None;
    for (x, y) in da.iter().zip(db) {
        if x == y {
            continue;
        }
        // d(P) = x + (y − x)(P − a)/(b − a) = 0.
        let root = a.sub(&x.mul(&b.sub(a)).div(&y.sub(x)));
        let nearer = |r: &Rat| if u < v { root < *r } else { root > *r };
        if root > *lo && root < *hi && best.as_ref().is_none_or(nearer) {
            best = Some(root);
        }
    }
    best
}

fn criterion(
    prepared: &Prepared<'_, '_>,
    field: &Field<'_>,
    inputs: &Inputs,
    k: usize,
    official: &[String],
    budget: &Budget<'_>,
) -> CriterionStability {
    let t = &inputs.tender;
    let id = t.criteria.get(k).map(|c| c.id.clone()).unwrap_or_default();
    let m = Rat::from_decimal(t.max_points);
    let p0 = t.criteria.get(k).map_or_else(Rat::zero, |c| Rat::from_decimal(c.points));
    if m.sub(&p0).is_zero() {
        return CriterionStability {
            id,
            points: p0.clone(),
            lower: End::limit(p0.clone(), false),
            upper: End::limit(p0, false),
            note: Some(StabilityNote::NothingToRescale),
        };
    }
    if !budget.allows(1) {
        // Nothing left to look with: the interval is the published points, and no more.
        budget.ran_out.set(true);
        return CriterionStability { id, points: p0.clone(), lower: End::limit(p0.clone(), true), upper: End::limit(p0, true), note: None };
    }
    let frame = Frame::new(t);
    let membership = frame.late.is_empty() && frame.differential.is_none();
    let walk = Walk {
        prepared,
        field,
        inputs,
        k,
        kinks: Vec::new(),
        bends: Vec::new(),
        eligible: Vec::new(),
        winners: Vec::new(),
        winning: Vec::new(),
        membership,
        budget,
    };
    // The quantities scored against eligible bids kink where those references say (they do
    // not depend on the weights).
    let (eligible, here) = walk.eval(&p0);
    let mut kinks: Vec<Rat> = kinks(inputs, k, &eligible).into_iter().filter(|x| *x > Rat::zero() && *x < m).collect();
    kinks.push(Rat::zero());
    kinks.push(m.clone());
    kinks.sort();
    kinks.dedup();
    // The official winners come from rounded points; the interval is about unrounded ones,
    // which can differ at a knife-edge (a tie that rounding decided).
    let note = (here != official).then(|| StabilityNote::Unrounded { unrounded: here.clone(), official: official.to_vec() });
    // Per tally row, where its own points bend (the sweep follows each bid's bends).
    let mut bends: Vec<Vec<Rat>> = vec![Vec::new(); prepared.rows()];
    let row_of: Vec<Option<usize>> = {
        let mut v = vec![None; inputs.bids.len()];
        for row in 0..prepared.rows() {
            if let Some(slot) = prepared.bid(row).and_then(|b| v.get_mut(b)) {
                *slot = Some(row);
            }
        }
        v
    };
    for (p, bid) in owned_kinks(inputs, k, &eligible) {
        if p > Rat::zero()
            && p < m
            && let Some(list) = row_of.get(bid).copied().flatten().and_then(|r| bends.get_mut(r))
        {
            list.push(p);
        }
    }
    for list in &mut bends {
        list.sort();
        list.dedup();
    }
    let winning = (0..prepared.rows()).map(|i| here.iter().any(|w| w == prepared.bidder(i))).collect();
    let walk = Walk { kinks, bends, eligible, winners: here, winning, ..walk };
    let upper = walk.walk(&p0, true);
    let lower = walk.walk(&p0, false);
    CriterionStability { id, points: p0, lower, upper, note }
}

/// Walking from the published points to where the winners change.
struct Walk<'w, 'p, 'a> {
    prepared: &'w Prepared<'p, 'a>,
    /// The bids as the tally reads them (no weight changes them): made once.
    field: &'w Field<'w>,
    inputs: &'w Inputs,
    k: usize,
    kinks: Vec<Rat>,
    /// Per tally row, the kinks of its own points, in order.
    bends: Vec<Vec<Rat>>,
    /// The references over the eligible bids (no weight moves them).
    eligible: Vec<InForce>,
    winners: Vec<String>,
    /// Per tally row: whether it is among `winners` (what the sweep compares the award with).
    winning: Vec<bool>,
    /// Qualification changes nothing but who is ranked (no reference among the qualified
    /// bids, no differential scoring): the sweep follows it.
    membership: bool,
    budget: &'w Budget<'w>,
}

/// An event point larger than this (numerator and denominator bits together) is pulled
/// towards the walk's start onto a dyadic grid, so the rationals stay bounded: the walk then
/// takes a smaller step, never a wrong one (between the start and the true next event the
/// winners cannot change).
const MAX_EVENT_BITS: u64 = 256;
/// The dyadic grid such events are pulled onto: 2^-`SNAP_BITS` (finer than [`RESOLUTION`]).
const SNAP_BITS: u32 = 48;
/// Events closer together than this many points are not told apart (10^-12: far below the
/// finest rounding, 10 places, so no official score can see the difference).
pub const RESOLUTION: Decimal = Decimal::from_parts(1, 0, 0, false, 12);
/// A step shorter than this many points (10^-6) is a tiny one …
const CROWDED_STEP: Decimal = Decimal::from_parts(1, 0, 0, false, 6);
/// … and this many in a row end the walk on that side as unresolved.
const CROWDED_RUN: usize = 1_000;

impl Walk<'_, '_, '_> {
    /// The references as first taken, and the winners (sorted), at `p`.
    fn eval(&self, p: &Rat) -> (Vec<InForce>, Vec<String>) {
        self.budget.count();
        let (_, tally) = self.prepared.exact(weights(self.inputs, self.k, p));
        let mut winners: Vec<String> = tally.winners().map(|i| self.prepared.bidder(i).to_owned()).collect();
        winners.sort();
        (tally.eligible, winners)
    }

    /// What the walk reads at `p`: each asks only for what it needs (the pairwise margins
    /// are many, and in big rationals).
    fn read<T>(&self, p: &Rat, what: impl Fn(&Frame<'_>, &Tally<Rat, Rat>) -> T) -> T {
        self.budget.count();
        let (frame, tally) = self.prepared.exact(weights(self.inputs, self.k, p));
        what(&frame, &tally)
    }

    /// The quantities whose signs decide qualification and the differential clamp.
    fn state(&self, p: &Rat) -> Vec<Rat> {
        self.read(p, |frame, tally| state_margins(frame, &tally.rows))
    }

    /// What the sweep reads of each bid that passed the gates (`None`: one that did not),
    /// and every row in the ranking's order at `p` whatever its status (total, the tie-break
    /// chain, the bidder id): how rows whose totals stay equal are ordered, ranked there or
    /// not.
    fn samples(&self, p: &Rat) -> (Vec<Option<Sample>>, Vec<usize>) {
        let field = self.field;
        self.read(p, |frame, tally| {
            let samples =
                tally.rows.iter().map(|r| (r.qualified() || r.status == BidStatus::NotQualified).then(|| Sample::of(r))).collect();
            fn points(c: &Rat) -> &Rat {
                c
            }
            let ranker = Ranker::over(frame, field, &tally.rows, points);
            // Report order is ranked rows in this order, then the others by total: runs the
            // (adaptive) sort merges.
            let mut order = tally.order.clone();
            order.sort_by(|&x, &y| ranker.order(x, y));
            (samples, order)
        })
    }

    /// The references in force.
    fn references(&self, p: &Rat) -> Vec<InForce> {
        self.read(p, |_, tally| tally.references.clone())
    }

    /// Two points strictly between `u` and `v`, one in each half: the simplest rationals
    /// there, since the exact tally's cost grows with the bits of the point.
    fn inside(u: &Rat, v: &Rat) -> (Rat, Rat) {
        let mid = u.add(v).div(&Rat::from_int(2));
        (u.simplest_between(&mid), mid.simplest_between(v))
    }

    /// The next point beyond `u` (towards the next kink) where anything that decides the
    /// winners can change: between two consecutive events every difference is affine.
    /// The first kink beyond `u`.
    fn next_kink(&self, u: &Rat, up: bool) -> Option<Rat> {
        if up { self.kinks.iter().find(|x| *x > u) } else { self.kinks.iter().rev().find(|x| *x < u) }.cloned()
    }

    fn next_event(&self, u: &Rat, up: bool) -> Rat {
        let Some(limit) = self.next_kink(u, up) else {
            return u.clone();
        };
        // Without references among the qualified bids or differential scoring, qualification
        // only adds bids to the ranking or takes them out, which the sweep follows itself.
        if self.membership {
            // Each bid's own kinks are the sweep's too: it walks to the end of the range.
            let end = if up { self.kinks.last() } else { self.kinks.first() };
            return end.map_or_else(|| u.clone(), |end| self.sweep(u, end, up, true));
        }
        // Qualification and the differential clamp: affine up to the kink.
        let (a, b) = Self::inside(u, &limit);
        let e1 = nearest_root(&a, &self.state(&a), &b, &self.state(&b), u, &limit).unwrap_or(limit);
        // The ranking: affine up to e1, where the discrete state may change, and up to any
        // kink of a rule whose reference comes from the qualified bids of this state.
        let (a, _) = Self::inside(u, &e1);
        let within: Vec<Rat> = kinks(self.inputs, self.k, &self.references(&a))
            .into_iter()
            .filter(|x| if up { x > u && *x < e1 } else { x < u && *x > e1 })
            .collect();
        let e1 = within.into_iter().fold(e1, |best, x| if (up && x < best) || (!up && x > best) { x } else { best });
        self.sweep(u, &e1, up, false)
    }

    /// The first point beyond `u`, up to `e`, at which the award, walked over the ranking
    /// the totals then make, may select other bids than the winners at the start: a kinetic
    /// sweep. Totals are lines in `s` (`P` walking up, `−P` walking down; read from the exact
    /// tally at two points); only two neighbours in the current order can cross next, so crossings
    /// are taken in order from a heap of neighbours' crossing points, and the award is
    /// walked again only when two bids whose order it can feel trade places. With
    /// `membership`, a bid's qualification margins are lines too and a bid joins or leaves
    /// the ranking where one crosses zero (qualification then changes nothing else), and
    /// where a bid's own points bend its lines are read again from its row alone. Without
    /// it, `e` is where the discrete state may change next. `e` when nothing changes the
    /// winners; when the ranking at `u` already selects others, the first event (the walk's
    /// midpoint check then sees them). What it returns is only a candidate: the walk checks
    /// it with the exact tally.
    fn sweep(&self, u: &Rat, e: &Rat, up: bool, membership: bool) -> Rat {
        // Every line is read before the first bend of any bid (each is read again at its own).
        let first = if membership { self.next_kink(u, up).filter(|k| if up { k < e } else { k > e }) } else { None };
        let (a, b) = Self::inside(u, first.as_ref().unwrap_or(e));
        let (sa, order) = self.samples(&a);
        let (sb, _) = self.samples(&b);
        let rows = sa.len();
        let tracks: Vec<Option<Track>> =
            sa.iter().zip(&sb).map(|(x, y)| Some(Track::through(up, (&a, x.as_ref()?), (&b, y.as_ref()?)))).collect();
        let mut tally_pos = vec![usize::MAX; rows];
        reindex(&order, &mut tally_pos, 0);
        // The sweep runs in `s = ±P` (increasing away from `u`): lines keep the small
        // numbers of the points read, whatever the bits of `u`.
        let along = |p: &Rat| if up { Frac::of(p) } else { Frac::of(p).neg() };
        let at = |s: &Frac| if up { s.rat() } else { s.neg().rat() };
        let (zero, span) = (along(u), along(e));
        let mut sw = Sweep { tracks, tally_pos, membership, span: span.clone(), version: vec![0; rows] };
        let mut ord: Vec<usize> = (0..rows).filter(|&i| sw.member_after(i, &zero)).collect();
        ord.sort_by(|&x, &y| sw.cmp(x, y, &zero));
        let inputs = self.inputs;
        let award = &inputs.tender.award;
        let field = self.field;
        let excluded = crate::evaluate::low::excluded(&inputs.tender, &field.passed, &field.low);
        let selected = |ord: &[usize]| -> Vec<bool> {
            let mut sel = vec![false; rows];
            award_order(
                award,
                field,
                &excluded,
                ord,
                |_, _| {},
                |i, _| {
                    if let Some(slot) = sel.get_mut(i) {
                        *slot = true;
                    }
                },
            );
            sel
        };
        let mut heap: BinaryHeap<Reverse<(Frac, Event)>> = BinaryHeap::new();
        for pair in ord.windows(2) {
            if let [x, y] = *pair {
                sw.push_crossing(&mut heap, x, y, &zero);
            }
        }
        for i in 0..rows {
            sw.push_members(&mut heap, i, &zero);
            if membership {
                for p in self.bends.get(i).into_iter().flatten() {
                    let s = along(p);
                    if s > zero && s < span {
                        heap.push(Reverse((s, Event::Bend(i))));
                    }
                }
            }
        }
        let mut sel = selected(&ord);
        if sel != self.winning {
            return heap.peek().map_or_else(|| e.clone(), |Reverse((s, _))| at(s));
        }
        let mut pos = vec![usize::MAX; rows];
        reindex(&ord, &mut pos, 0);
        // An event, with the award walk it may take, costs about one exact cell: one
        // evaluation per criteria-many events (a bend's rows are counted as they are read).
        // The evaluation limit so bounds the events, and the heap, even where the winners
        // never change and n² crossings lie ahead (50,000 × 20 criteria: a million).
        let (mut work, per) = (0usize, inputs.tender.criteria.len().max(1));
        while let Some(Reverse((s, event))) = heap.pop() {
            // Stop where the budget stops, before anything this event may count (one for the
            // event, two row reads for a bend) and the walk's own two checks: nothing
            // changed before this point.
            let need = if matches!(event, Event::Bend(_)) { 5 } else { 3 };
            if !self.budget.allows(need) {
                return at(&s);
            }
            work = work.saturating_add(1);
            if work >= per {
                work = 0;
                self.budget.count();
            }
            let get = |pos: &[usize], i: usize| pos.get(i).copied().unwrap_or(usize::MAX);
            // The neighbours to look at again: (ahead, behind) pairs.
            let mut fresh: Vec<(usize, usize)> = Vec::new();
            let changed = match event {
                Event::Cross(x, y, vx, vy) => {
                    let (px, py) = (get(&pos, x), get(&pos, y));
                    if px == usize::MAX || px.checked_add(1) != Some(py) || !sw.current(x, vx) || !sw.current(y, vy) {
                        continue; // no longer neighbours, or their lines were read again
                    }
                    ord.swap(px, py);
                    pos.swap(x, y);
                    if let Some(&w) = px.checked_sub(1).and_then(|p| ord.get(p)) {
                        fresh.push((w, y));
                    }
                    if let Some(&z) = py.checked_add(1).and_then(|p| ord.get(p)) {
                        fresh.push((x, z));
                    }
                    let wins = |i: usize| sel.get(i).copied().unwrap_or(false);
                    order_matters(award, wins(x), wins(y))
                }
                Event::Member(i, v) => {
                    if !sw.current(i, v) {
                        continue;
                    }
                    sw.rejoin(i, &s, &mut ord, &mut pos, &mut fresh)
                }
                Event::Bend(i) => {
                    // Read the bid's row at two points before its next bend.
                    let next = self.bends.get(i).and_then(|list| list.iter().map(&along).filter(|t| *t > s).min()).filter(|t| *t < span);
                    let (p, q) = Self::inside(&at(&s), &next.map_or_else(|| e.clone(), |t| at(&t)));
                    let (Some(x), Some(y)) = (self.row_sample(&p, i), self.row_sample(&q, i)) else { continue };
                    sw.retrack(i, Track::through(up, (&p, &x), (&q, &y)));
                    sw.push_members(&mut heap, i, &s);
                    let at_pos = get(&pos, i);
                    if at_pos != usize::MAX {
                        around(&ord, at_pos, &mut fresh);
                    }
                    sw.rejoin(i, &s, &mut ord, &mut pos, &mut fresh)
                }
            };
            if changed {
                sel = selected(&ord);
                if sel != self.winning {
                    return at(&s);
                }
            }
            for (x, y) in fresh {
                sw.push_crossing(&mut heap, x, y, &s);
            }
        }
        e.clone()
    }

    /// Tally row `i` alone at `p` (its own points bent): what the sweep reads of it.
    fn row_sample(&self, p: &Rat, i: usize) -> Option<Sample> {
        self.budget.count_row();
        let row = self.prepared.exact_row(weights(self.inputs, self.k, p), self.field, &self.eligible, i);
        (row.qualified() || row.status == BidStatus::NotQualified).then(|| Sample::of(&row))
    }

    fn walk(&self, p0: &Rat, up: bool) -> End {
        let mut u = p0.clone();
        let mut crowded = 0usize;
        // Every event is a root of one of finitely many affine pieces, so the walk ends; the
        // budget keeps a pathological tender from running for hours, and says so. One step
        // costs at most this many evaluations (next_event's five, and two here).
        // A step starts only if all of its evaluations fit, so the limit is never passed.
        while self.budget.allows(EVALUATIONS_PER_STEP) {
            let mut e = self.next_event(&u, up);
            if e == u {
                // Reached 0 or max_points with the same winners.
                return End::limit(u, false);
            }
            if e.bits() > MAX_EVENT_BITS {
                match e.snap_toward(&u, SNAP_BITS) {
                    Some(x) => e = x,
                    // The next event is closer than the grid can tell: stop, and say so.
                    None => return End::unresolved(u),
                }
            }
            // Events crowding towards a point (a crossing the affine pieces only approach)
            // would be walked for ever in ever larger rationals: far below any rounding grid,
            // stop and say so.
            let step = e.sub(&u).abs();
            // (A step onto a kink, 0 or the maximum is no crowding: it is taken.)
            let onto_kink = self.kinks.contains(&e);
            if step < Rat::from_decimal(RESOLUTION) && !onto_kink {
                return End::unresolved(u);
            }
            // Or a long run of tiny steps: the walk would crawl for ever at ~10^-9 a step.
            crowded = if step < Rat::from_decimal(CROWDED_STEP) && !onto_kink { crowded.saturating_add(1) } else { 0 };
            if crowded >= CROWDED_RUN {
                return End::unresolved(u);
            }
            let mid = u.simplest_between(&e);
            let (_, w_mid) = self.eval(&mid);
            if w_mid != self.winners {
                return end_at(u, true, w_mid, &self.winners);
            }
            let (_, w_e) = self.eval(&e);
            if w_e != self.winners {
                return end_at(e, false, w_e, &self.winners);
            }
            u = e;
        }
        self.budget.ran_out.set(true);
        End::limit(u, true)
    }
}

/// A quantity along the sweep: `c + d·s`, where `s` is `P` walking up and `−P` walking down.
#[derive(Clone)]
struct Line {
    c: Frac,
    d: Frac,
}

impl Line {
    /// The line through `(p, x)` and `(q, y)` (points `P`; `up`: the sweep walks towards
    /// larger `P`).
    fn through(up: bool, (p, x): (&Rat, &Rat), (q, y): (&Rat, &Rat)) -> Line {
        let slope = y.sub(x).div(&q.sub(p));
        let c = Frac::of(&x.sub(&slope.mul(p)));
        let d = Frac::of(&slope);
        Line { c, d: if up { d } else { d.neg() } }
    }

    /// At least 0 just past `s` (asked of the root, whose numbers stay small, rather than
    /// of the value at `s`, whose numbers need not).
    fn after(&self, s: &Frac) -> bool {
        match self.root() {
            None => !self.c.is_negative(),
            Some(r) if self.d.is_negative() => *s < r,
            Some(r) => *s >= r,
        }
    }

    /// Where it crosses 0, if it moves.
    fn root(&self) -> Option<Frac> {
        self.c.neg().div(&self.d)
    }
}

/// A bid that passed the gates, at one point: its total, its qualification margins (points
/// scored minus points needed, per threshold), and whether it is ranked there.
struct Sample {
    total: Rat,
    margins: Vec<Rat>,
    ranked: bool,
}

impl Sample {
    fn of(r: &Row<Rat, Rat>) -> Sample {
        Sample {
            total: r.counted().total.clone(),
            margins: r.qualification.iter().map(|v| v.scored.sub(&v.needed)).collect(),
            ranked: r.qualified(),
        }
    }
}

/// A bid along the sweep: its total and margins as lines, and whether it was ranked at the
/// first point read.
struct Track {
    total: Line,
    margins: Vec<Line>,
    ranked: bool,
}

impl Track {
    fn through(up: bool, (p, x): (&Rat, &Sample), (q, y): (&Rat, &Sample)) -> Track {
        Track {
            total: Line::through(up, (p, &x.total), (q, &y.total)),
            margins: x.margins.iter().zip(&y.margins).map(|(a, b)| Line::through(up, (p, a), (q, b))).collect(),
            ranked: x.ranked,
        }
    }
}

/// The lines a sweep follows, and how it orders them.
struct Sweep {
    tracks: Vec<Option<Track>>,
    /// Each row's place in the ranking's order at the first point read (statuses aside).
    tally_pos: Vec<usize>,
    membership: bool,
    span: Frac,
    /// Bumped when a row's lines are read again (events computed before are stale).
    version: Vec<u32>,
}

impl Sweep {
    fn total(&self, i: usize) -> Option<&Line> {
        self.tracks.get(i).and_then(Option::as_ref).map(|t| &t.total)
    }

    fn current(&self, i: usize, v: u32) -> bool {
        self.version.get(i) == Some(&v)
    }

    fn version(&self, i: usize) -> u32 {
        self.version.get(i).copied().unwrap_or(0)
    }

    /// Ranked just past `s`: every margin at least 0 there (without `membership`, as first read).
    fn member_after(&self, i: usize, s: &Frac) -> bool {
        match self.tracks.get(i).and_then(Option::as_ref) {
            Some(t) if self.membership => t.margins.iter().all(|m| m.after(s)),
            Some(t) => t.ranked,
            None => false,
        }
    }

    /// How two rows rank just past `s`: the higher total, then the one rising faster, then
    /// as the tally ordered them (the same line throughout: its chain decides).
    fn cmp(&self, x: usize, y: usize, s: &Frac) -> std::cmp::Ordering {
        use std::cmp::Ordering::{Greater, Less};
        let by_tally = || self.tally_pos.get(x).cmp(&self.tally_pos.get(y));
        let (Some(lx), Some(ly)) = (self.total(x), self.total(y)) else { return by_tally() };
        match lx.d.cmp(&ly.d) {
            std::cmp::Ordering::Equal => ly.c.cmp(&lx.c).then_with(by_tally),
            // x rises faster: ahead from where they meet on.
            Greater => {
                if *s >= meet(lx, ly) {
                    Less
                } else {
                    Greater
                }
            }
            Less => {
                if *s < meet(lx, ly) {
                    Less
                } else {
                    Greater
                }
            }
        }
    }

    /// When `y`, just behind `x`, goes ahead of it: at `from` or later, before the end.
    fn crossing(&self, x: usize, y: usize, from: &Frac) -> Option<Frac> {
        let (lx, ly) = (self.total(x)?, self.total(y)?);
        let s = match ly.d.cmp(&lx.d) {
            // y rises faster: ahead from where they meet (now, if that is behind).
            std::cmp::Ordering::Greater => meet(lx, ly).max(from.clone()),
            // y falls behind from where they meet: out of order now if that is ahead (an
            // event at `from` still pending), else never.
            std::cmp::Ordering::Less => (meet(lx, ly) > *from).then(|| from.clone())?,
            std::cmp::Ordering::Equal => self.cmp(y, x, from).is_lt().then(|| from.clone())?,
        };
        (s < self.span).then_some(s)
    }

    fn push_crossing(&self, heap: &mut BinaryHeap<Reverse<(Frac, Event)>>, x: usize, y: usize, from: &Frac) {
        if let Some(s) = self.crossing(x, y, from) {
            heap.push(Reverse((s, Event::Cross(x, y, self.version(x), self.version(y)))));
        }
    }

    /// Where row `i`'s qualification may change, after `from`.
    fn push_members(&self, heap: &mut BinaryHeap<Reverse<(Frac, Event)>>, i: usize, from: &Frac) {
        if !self.membership {
            return;
        }
        let Some(t) = self.tracks.get(i).and_then(Option::as_ref) else { return };
        for m in &t.margins {
            if let Some(s) = m.root().filter(|s| s > from && *s < self.span) {
                heap.push(Reverse((s, Event::Member(i, self.version(i)))));
            }
        }
    }

    fn retrack(&mut self, i: usize, track: Track) {
        if let Some(slot) = self.tracks.get_mut(i) {
            *slot = Some(track);
        }
        if let Some(v) = self.version.get_mut(i) {
            *v = v.wrapping_add(1);
        }
    }

    /// Row `i` joins the ranking or leaves it just past `s`, if its margins say so; whether
    /// it did. The rows that became neighbours go to `fresh`.
    fn rejoin(&self, i: usize, s: &Frac, ord: &mut Vec<usize>, pos: &mut [usize], fresh: &mut Vec<(usize, usize)>) -> bool {
        let now = pos.get(i).is_some_and(|&p| p != usize::MAX);
        if self.member_after(i, s) == now {
            return false;
        }
        if now {
            let p = pos.get(i).copied().unwrap_or(0);
            ord.remove(p);
            if let Some(slot) = pos.get_mut(i) {
                *slot = usize::MAX;
            }
            reindex(ord, pos, p);
            fresh.retain(|&(x, y)| x != i && y != i);
            if let (Some(&w), Some(&z)) = (p.checked_sub(1).and_then(|q| ord.get(q)), ord.get(p)) {
                fresh.push((w, z));
            }
        } else {
            let p = ord.partition_point(|&w| self.cmp(w, i, s).is_lt());
            ord.insert(p, i);
            reindex(ord, pos, p);
            around(ord, p, fresh);
        }
        true
    }
}

/// Where two lines of different slopes meet.
fn meet(x: &Line, y: &Line) -> Frac {
    // INVARIANT: callers ask only of lines whose slopes differ.
    x.c.sub(&y.c).div(&y.d.sub(&x.d)).unwrap_or_else(|| x.c.sub(&x.c))
}

/// The pairs (ahead, behind) that the row at place `p` of `ord` makes with its neighbours.
fn around(ord: &[usize], p: usize, fresh: &mut Vec<(usize, usize)>) {
    let Some(&i) = ord.get(p) else { return };
    if let Some(&w) = p.checked_sub(1).and_then(|q| ord.get(q)) {
        fresh.push((w, i));
    }
    if let Some(&z) = p.checked_add(1).and_then(|q| ord.get(q)) {
        fresh.push((i, z));
    }
}

/// Each row's place in `ord`, from place `from` on.
fn reindex(ord: &[usize], pos: &mut [usize], from: usize) {
    for (p, &i) in ord.iter().enumerate().skip(from) {
        if let Some(slot) = pos.get_mut(i) {
            *slot = p;
        }
    }
}

/// What the sweep meets, in order of where.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// A bid (behind) may go ahead of its neighbour (ahead); the versions of their lines.
    Cross(usize, usize, u32, u32),
    /// A bid's qualification may change (the version of its lines).
    Member(usize, u32),
    /// A bid's own points bend: its lines are read again.
    Bend(usize),
}

/// Evaluations one step of the walk may make.
const EVALUATIONS_PER_STEP: usize = 7;

fn end_at(at: Rat, inclusive: bool, beyond: Vec<String>, winners: &[String]) -> End {
    let entering = beyond.iter().filter(|b| !winners.contains(b)).cloned().collect();
    let leaving = winners.iter().filter(|w| !beyond.contains(w)).cloned().collect();
    End { at, inclusive, beyond: Some(beyond), entering, leaving, stopped: false, unresolved: false, official: None }
}
