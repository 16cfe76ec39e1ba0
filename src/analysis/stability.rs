//! How far can a criterion's weight move before the winners change? For each criterion,
//! the exact interval of its points — the other criteria rescaled in proportion to keep
//! `max_points`, on unrounded points, with qualification recomputed — over which the set
//! of selected bids stays the same, and which bid enters or leaves at each end.
//!
//! Every quantity is piecewise affine in the criterion's points `P` (the rules say where
//! their points stop being proportional to a weight: [`weight_kink`](crate::rules); qualification,
//! differential ranks and references `among = "qualified"` switch only where two affine
//! quantities cross). So the breakpoints are found exactly: the kinks, then every crossing
//! of the quantities that decide qualification and the differential clamp between
//! consecutive kinks, then every crossing that decides the winners (as the award rule says)
//! where the discrete state is constant. Between two consecutive candidate points the
//! winners cannot change. Every point is evaluated by the exact tally.

use super::scenario::{Prepared, Published, Scenario};
use crate::evaluate::Outcome;
use crate::evaluate::tally::{Frame, InForce, Tally, order_margins, state_margins};
use crate::exact::Rat;
use crate::model::Inputs;

/// The stability of every criterion's weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stability {
    /// The winners as scored, sorted by id.
    pub winners: Vec<String>,
    /// One entry per criterion, in the tender's order.
    pub criteria: Vec<CriterionStability>,
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
    /// The walk stopped at its limit of events before the winners changed: the interval
    /// reaches at least this far.
    pub stopped: bool,
}

impl End {
    fn limit(at: Rat, stopped: bool) -> End {
        End { at, inclusive: true, beyond: None, entering: Vec::new(), leaving: Vec::new(), stopped }
    }
}

/// The stability of each criterion's weight.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/eu-meat.toml", &["bids/eu-meat"]).unwrap();
/// let s = bidscore::analysis::stability(&inputs, &bidscore::evaluate(&inputs));
/// let price = s.criteria.iter().find(|c| c.id == "price").unwrap();
/// assert!(price.lower.at <= price.points && price.points <= price.upper.at);
/// ```
pub fn stability(inputs: &Inputs, outcome: &Outcome) -> Stability {
    let mut winners: Vec<String> = outcome.winners().into_iter().map(str::to_owned).collect();
    winners.sort();
    let published = Published::from_outcome(inputs, outcome);
    let Ok(prepared) = Scenario::new().prepare(&published) else {
        // INVARIANT: the published inputs prepare without a change to refuse.
        return Stability { winners, criteria: Vec::new() };
    };
    let criteria = (0..inputs.tender.criteria.len()).map(|k| criterion(&prepared, inputs, k, &winners)).collect();
    Stability { winners, criteria }
}

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
                out.push(w);
            } else if !others.is_zero() {
                // w_j = p_j (M − P) / O = w  →  P = M − w O / p_j.
                let pj = Rat::from_decimal(c.points);
                if !pj.is_zero() {
                    out.push(m.sub(&w.mul(&others).div(&pj)));
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

fn criterion(prepared: &Prepared<'_, '_>, inputs: &Inputs, k: usize, official: &[String]) -> CriterionStability {
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
    let walk = Walk { prepared, inputs, k, kinks: Vec::new(), winners: Vec::new() };
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
    let walk = Walk { kinks, winners: here, ..walk };
    let upper = walk.walk(&p0, true);
    let lower = walk.walk(&p0, false);
    CriterionStability { id, points: p0, lower, upper, note }
}

/// Walking from the published points to where the winners change.
struct Walk<'w, 'p, 'a> {
    prepared: &'w Prepared<'p, 'a>,
    inputs: &'w Inputs,
    k: usize,
    kinks: Vec<Rat>,
    winners: Vec<String>,
}

impl Walk<'_, '_, '_> {
    /// The references as first taken, and the winners (sorted), at `p`.
    fn eval(&self, p: &Rat) -> (Vec<InForce>, Vec<String>) {
        let (_, tally) = self.prepared.exact(weights(self.inputs, self.k, p));
        let mut winners: Vec<String> = tally.winners().map(|i| self.prepared.bidder(i).to_owned()).collect();
        winners.sort();
        (tally.eligible, winners)
    }

    /// What the walk reads at `p`: each asks only for what it needs (the pairwise margins
    /// are many, and in big rationals).
    fn read<T>(&self, p: &Rat, what: impl Fn(&Frame<'_>, &Tally<Rat, Rat>) -> T) -> T {
        let (frame, tally) = self.prepared.exact(weights(self.inputs, self.k, p));
        what(&frame, &tally)
    }

    /// The quantities whose signs decide qualification and the differential clamp.
    fn state(&self, p: &Rat) -> Vec<Rat> {
        self.read(p, |frame, tally| state_margins(frame, &tally.rows))
    }

    /// The quantities whose signs decide the winners, judged against the winners at the start.
    fn order(&self, p: &Rat) -> Vec<Rat> {
        self.read(p, |frame, tally| {
            let wins: Vec<bool> = (0..tally.rows.len()).map(|i| self.winners.iter().any(|w| w == self.prepared.bidder(i))).collect();
            order_margins(frame, &tally.rows, &wins)
        })
    }

    /// The references in force.
    fn references(&self, p: &Rat) -> Vec<InForce> {
        self.read(p, |_, tally| tally.references.clone())
    }

    /// Two points strictly between `u` and `v`, at a third and two thirds.
    fn inside(u: &Rat, v: &Rat) -> (Rat, Rat) {
        let third = v.sub(u).div(&Rat::from_int(3));
        (u.add(&third), v.sub(&third))
    }

    /// The next point beyond `u` (towards the next kink) where anything that decides the
    /// winners can change: between two consecutive events every difference is affine.
    fn next_event(&self, u: &Rat, up: bool) -> Rat {
        let limit = if up { self.kinks.iter().find(|x| *x > u) } else { self.kinks.iter().rev().find(|x| *x < u) };
        let Some(limit) = limit.cloned() else {
            return u.clone();
        };
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
        let (a, b) = Self::inside(u, &e1);
        nearest_root(&a, &self.order(&a), &b, &self.order(&b), u, &e1).unwrap_or(e1)
    }

    fn walk(&self, p0: &Rat, up: bool) -> End {
        let mut u = p0.clone();
        // Every event is a root of one of finitely many affine pieces, so the walk ends; the
        // bound only keeps a pathological tender from running for hours.
        for _ in 0..MAX_EVENTS {
            let e = self.next_event(&u, up);
            if e == u {
                // Reached 0 or max_points with the same winners.
                return End::limit(u, false);
            }
            let mid = u.add(&e).div(&Rat::from_int(2));
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
        End::limit(u, true)
    }
}

/// Events walked past on one side before giving up (and saying so).
const MAX_EVENTS: usize = 2_000;

fn end_at(at: Rat, inclusive: bool, beyond: Vec<String>, winners: &[String]) -> End {
    let entering = beyond.iter().filter(|b| !winners.contains(b)).cloned().collect();
    let leaving = winners.iter().filter(|w| !beyond.contains(w)).cloned().collect();
    End { at, inclusive, beyond: Some(beyond), entering, leaving, stopped: false }
}
