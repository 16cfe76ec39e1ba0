//! How far can a criterion's weight move before the winners change? For each criterion,
//! the exact interval of its points — the other criteria rescaled in proportion to keep
//! `max_points`, on unrounded points, with qualification recomputed — over which the set
//! of selected bids stays the same, and which bid enters or leaves at each end.
//!
//! Every quantity is piecewise affine in the criterion's points `P` (the `kr-price` cap adds
//! kinks; qualification, differential ranks and references `among = "qualified"` switch only
//! where two affine quantities cross). So the breakpoints are found exactly: the kinks, then
//! every crossing of totals, section sums and thresholds between consecutive kinks, then
//! every crossing of the final totals where the discrete state is constant. Between two
//! consecutive candidate points the winners cannot change.

use std::cmp::Ordering;

use crate::evaluate::{evaluate, gate_verdict, reference, resolved_gate};
use crate::exact::Rat;
use crate::model::{Inputs, Minimum, TieBreak};
use crate::rules::Among;

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
    /// Why the criterion could not be analysed, if it could not (the other criteria carry no
    /// points to rescale).
    pub note: Option<String>,
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

/// The stability of each criterion's weight.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/eu-meat.toml", &["bids/eu-meat"]).unwrap();
/// let s = bidscore::analysis::stability(&inputs);
/// let price = s.criteria.iter().find(|c| c.id == "price").unwrap();
/// assert!(price.lower.at <= price.points && price.points <= price.upper.at);
/// ```
pub fn stability(inputs: &Inputs) -> Stability {
    let outcome = evaluate(inputs);
    let winners = sorted(outcome.winners().into_iter().map(str::to_owned).collect());
    let fixed = Fixed::new(inputs);
    let criteria = inputs.tender.criteria.iter().enumerate().map(|(k, c)| one(inputs, &fixed, k, &c.id, &winners)).collect();
    Stability { winners, criteria }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// What does not depend on the weights: gate results.
struct Fixed {
    passed: Vec<bool>,
}

impl Fixed {
    fn new(inputs: &Inputs) -> Fixed {
        let t = &inputs.tender;
        let passed = (0..inputs.bids.len())
            .map(|i| t.gates.iter().enumerate().all(|(j, g)| gate_verdict(g, resolved_gate(inputs, i, j)).passed))
            .collect();
        Fixed { passed }
    }
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

/// One bid's unrounded result at some weights.
#[derive(Clone, Debug)]
struct Row {
    bidder: String,
    qualified: bool,
    /// Section sums in the tender's order (after any differential adjustment).
    sections: Vec<Rat>,
    /// Criterion points, unrounded.
    points: Vec<Rat>,
    /// The total used for ranking.
    total: Rat,
    /// The total before any differential adjustment.
    base_total: Rat,
    /// Section sums before any differential adjustment.
    base_sections: Vec<Rat>,
    /// Section sums and total as first scored (references over eligible bids): affine in
    /// the weight between kinks, whatever qualification does.
    pre_sections: Vec<Rat>,
    pre_total: Rat,
}

/// The whole pipeline on unrounded points at the given weights; returns the rows and the
/// winners (sorted).
/// The references in force at these rows: over eligible bids, or over the qualified ones for
/// `among = "qualified"`.
fn refs_in_force(inputs: &Inputs, fixed: &Fixed, rows: &[Row]) -> Vec<Option<Rat>> {
    let mask: Vec<bool> = rows.iter().map(|r| r.qualified).collect();
    inputs
        .tender
        .criteria
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let m = if c.rule.among() == Some(Among::Qualified) { &mask } else { &fixed.passed };
            reference(c, j, &inputs.resolved, m)
        })
        .collect()
}

fn run(inputs: &Inputs, fixed: &Fixed, w: &[Rat]) -> (Vec<Row>, Vec<String>) {
    let t = &inputs.tender;
    let refs: Vec<Option<Rat>> = t.criteria.iter().enumerate().map(|(j, c)| reference(c, j, &inputs.resolved, &fixed.passed)).collect();
    let mut rows: Vec<Row> = (0..inputs.bids.len()).map(|i| row(inputs, i, w, &refs)).collect();
    let section_max: Vec<Rat> = t
        .sections
        .iter()
        .map(|s| t.criteria.iter().zip(w).filter(|(c, _)| c.section == s.id).fold(Rat::zero(), |a, (_, x)| a.add(x)))
        .collect();
    let total_max = w.iter().fold(Rat::zero(), |a, x| a.add(x));
    let qualifies = |r: &Row| {
        t.qualify.iter().all(|q| {
            let (scored, max) = match &q.section {
                Some(s) => {
                    let k = t.sections.iter().position(|x| x.id == *s);
                    (
                        k.and_then(|k| r.sections.get(k)).cloned().unwrap_or_else(Rat::zero),
                        k.and_then(|k| section_max.get(k)).cloned().unwrap_or_else(Rat::zero),
                    )
                }
                None => (r.total.clone(), total_max.clone()),
            };
            let needed = match q.min {
                Minimum::Share(s) => Rat::from_decimal(s).mul(&max),
                Minimum::Points(p) => Rat::from_decimal(p),
            };
            scored >= needed
        })
    };
    for (r, ok) in rows.iter_mut().zip(&fixed.passed) {
        r.qualified = *ok && qualifies(r);
    }
    // References among the qualified bids, then those criteria again.
    let late: Vec<usize> =
        t.criteria.iter().enumerate().filter(|(_, c)| c.rule.among() == Some(Among::Qualified)).map(|(j, _)| j).collect();
    if !late.is_empty() {
        let mask: Vec<bool> = rows.iter().map(|r| r.qualified).collect();
        for j in late {
            let Some(c) = t.criteria.get(j) else { continue };
            let r = reference(c, j, &inputs.resolved, &mask);
            for (i, row) in rows.iter_mut().enumerate() {
                if let Some(slot) = row.points.get_mut(j) {
                    *slot = points(inputs, i, j, w, r.as_ref());
                }
            }
        }
        for row in &mut rows {
            resum(inputs, row);
        }
    }
    // Differential scoring on the qualified bids.
    if let Some(d) = &t.differential
        && let Some(k) = t.sections.iter().position(|s| s.id == d.section)
    {
        let max = section_max.get(k).cloned().unwrap_or_else(Rat::zero);
        let step = Rat::from_decimal(d.step);
        let scores: Vec<Rat> = rows.iter().filter(|r| r.qualified).filter_map(|r| r.base_sections.get(k).cloned()).collect();
        for r in rows.iter_mut().filter(|r| r.qualified) {
            let mine = r.base_sections.get(k).cloned().unwrap_or_else(Rat::zero);
            let ahead = scores.iter().filter(|x| **x > mine).count();
            let adjusted = max.sub(&step.mul(&Rat::from_int(ahead as i128))).max(Rat::zero());
            if let Some(s) = r.sections.get_mut(k) {
                *s = adjusted;
            }
            r.total = r.sections.iter().fold(Rat::zero(), |a, x| a.add(x));
        }
    }
    // Rank the qualified and award.
    let mut order: Vec<usize> = (0..rows.len()).filter(|&i| rows.get(i).is_some_and(|r| r.qualified)).collect();
    order.sort_by(|&a, &b| match (rows.get(a), rows.get(b)) {
        (Some(x), Some(y)) => cmp_rows(inputs, x, y),
        _ => Ordering::Equal,
    });
    let offers: Vec<u64> = order.iter().map(|&i| inputs.resolved.get(i).and_then(|r| r.offered).unwrap_or(0)).collect();
    let winners: Vec<String> = order
        .iter()
        .zip(crate::evaluate::award(&t.award, &offers))
        .filter(|(_, a)| *a != crate::evaluate::Awarded::No)
        .filter_map(|(&i, _)| rows.get(i).map(|r| r.bidder.clone()))
        .collect();
    (rows, sorted(winners))
}

fn cmp_rows(inputs: &Inputs, a: &Row, b: &Row) -> Ordering {
    let t = &inputs.tender;
    b.total.cmp(&a.total).then_with(|| {
        for step in &t.tie_break {
            let o = match step {
                TieBreak::Section(s) => {
                    let k = t.sections.iter().position(|x| x.id == *s);
                    let get = |r: &Row| k.and_then(|k| r.sections.get(k)).cloned();
                    let base = |r: &Row| k.and_then(|k| r.base_sections.get(k)).cloned();
                    get(b).cmp(&get(a)).then_with(|| base(b).cmp(&base(a)))
                }
                TieBreak::Criterion(c) => {
                    let k = t.criteria.iter().position(|x| x.id == *c);
                    let get = |r: &Row| k.and_then(|k| r.points.get(k)).cloned();
                    get(b).cmp(&get(a))
                }
                TieBreak::Bidder => a.bidder.cmp(&b.bidder),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.bidder.cmp(&b.bidder)
    })
}

fn points(inputs: &Inputs, i: usize, j: usize, w: &[Rat], reference: Option<&Rat>) -> Rat {
    let (Some(c), Some(weight)) = (inputs.tender.criteria.get(j), w.get(j)) else {
        return Rat::zero();
    };
    if weight.is_zero() {
        return Rat::zero();
    }
    let scored = match inputs.resolved.get(i).and_then(|r| r.criteria.get(j)).and_then(Option::as_ref) {
        None => return Rat::zero(),
        Some(given) => c.rule.score(given, weight, reference),
    };
    weight.mul(&scored.score)
}

fn row(inputs: &Inputs, i: usize, w: &[Rat], refs: &[Option<Rat>]) -> Row {
    let bidder = inputs.bids.get(i).map(|b| b.id.clone()).unwrap_or_default();
    let pts: Vec<Rat> = (0..inputs.tender.criteria.len()).map(|j| points(inputs, i, j, w, refs.get(j).and_then(Option::as_ref))).collect();
    let mut r = Row {
        bidder,
        qualified: false,
        sections: Vec::new(),
        points: pts,
        total: Rat::zero(),
        base_total: Rat::zero(),
        base_sections: Vec::new(),
        pre_sections: Vec::new(),
        pre_total: Rat::zero(),
    };
    resum(inputs, &mut r);
    r.pre_sections = r.sections.clone();
    r.pre_total = r.total.clone();
    r
}

fn resum(inputs: &Inputs, r: &mut Row) {
    let t = &inputs.tender;
    r.sections = t
        .sections
        .iter()
        .map(|s| t.criteria.iter().zip(&r.points).filter(|(c, _)| c.section == s.id).fold(Rat::zero(), |a, (_, p)| a.add(p)))
        .collect();
    r.total = r.points.iter().fold(Rat::zero(), |a, p| a.add(p));
    r.base_sections = r.sections.clone();
    r.base_total = r.total.clone();
}

/// The `kr-price` kinks in P for criterion k's range: where a capped result meets the cap.
/// The `kr-price` kinks in P for criterion k's range, given the lowest price `L` in force per
/// criterion (`refs`): where a capped result below 80% of E meets the cap. Below 80% of E the
/// result is `w × a + b` with `a = L / 0.8E` and the band bonus `b`; it reaches `w` at
/// `w* = b / (1 − a)` when a < 1.
fn kinks(inputs: &Inputs, k: usize, refs: &[Option<Rat>]) -> Vec<Rat> {
    let t = &inputs.tender;
    let m = Rat::from_decimal(t.max_points);
    let pk = t.criteria.get(k).map_or_else(Rat::zero, |c| Rat::from_decimal(c.points));
    let others = m.sub(&pk);
    let mut out = Vec::new();
    for (j, c) in t.criteria.iter().enumerate() {
        let reference = refs.get(j).and_then(Option::as_ref);
        for r in &inputs.resolved {
            let Some(Some(given)) = r.criteria.get(j) else {
                continue;
            };
            let Some(wstar) = c.rule.weight_kink(given, reference) else {
                continue;
            };
            if j == k {
                out.push(wstar);
            } else if !others.is_zero() {
                // w_j = p_j (M − P) / O = w*  →  P = M − w* O / p_j.
                let pj = Rat::from_decimal(c.points);
                if !pj.is_zero() {
                    out.push(m.sub(&wstar.mul(&others).div(&pj)));
                }
            }
        }
    }
    out
}

/// Differences that are affine in P between the weight kinks, whatever qualification does:
/// each bid's section sums and total as first scored against each qualification threshold,
/// and the differential section's maximum against each multiple of the step (the clamp at 0).
fn pre_differences(inputs: &Inputs, rows: &[Row], w: &[Rat]) -> Vec<Rat> {
    let t = &inputs.tender;
    let needed = |min: Minimum, max: &Rat| match min {
        Minimum::Share(x) => Rat::from_decimal(x).mul(max),
        Minimum::Points(p) => Rat::from_decimal(p),
    };
    let section_max = |id: &str| t.criteria.iter().zip(w).filter(|(c, _)| c.section == id).fold(Rat::zero(), |a, (_, x)| a.add(x));
    let total_max = w.iter().fold(Rat::zero(), |a, x| a.add(x));
    let mut out = Vec::new();
    for q in &t.qualify {
        let (need, k) = match &q.section {
            Some(s) => (needed(q.min, &section_max(s)), t.sections.iter().position(|x| x.id == *s)),
            None => (needed(q.min, &total_max), None),
        };
        for r in rows {
            let v = match k {
                Some(k) => r.pre_sections.get(k).cloned().unwrap_or_else(Rat::zero),
                None => r.pre_total.clone(),
            };
            out.push(v.sub(&need));
        }
    }
    if let Some(d) = &t.differential {
        let max = section_max(&d.section);
        let step = Rat::from_decimal(d.step);
        out.extend((1..rows.len()).map(|r| max.sub(&step.mul(&Rat::from_int(r as i128)))));
    }
    out
}

/// Differences that are affine while qualification, references and differential ranks are
/// constant, and whose sign decides the winners: each current winner's total against every
/// other qualified bid's (two bids that both lose, or both win without a quantity, cannot
/// change the set by trading places); under differential scoring, every pair of section
/// sums of the ranked section (the ranks).
fn post_differences(inputs: &Inputs, rows: &[Row], winners: &[String]) -> Vec<Rat> {
    let t = &inputs.tender;
    let quantity = t.award.quantity.is_some();
    let mut out = Vec::new();
    for (x, a) in rows.iter().enumerate() {
        for b in rows.iter().skip(x + 1) {
            let (wa, wb) = (winners.contains(&a.bidder), winners.contains(&b.bidder));
            if (wa || wb) && (quantity || wa != wb) {
                out.push(a.total.sub(&b.total));
            }
        }
    }
    if let Some(d) = &t.differential
        && let Some(k) = t.sections.iter().position(|s| s.id == d.section)
    {
        for (x, a) in rows.iter().enumerate() {
            for b in rows.iter().skip(x + 1) {
                if let (Some(sa), Some(sb)) = (a.base_sections.get(k), b.base_sections.get(k)) {
                    out.push(sa.sub(sb));
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

fn one(inputs: &Inputs, fixed: &Fixed, k: usize, id: &str, winners: &[String]) -> CriterionStability {
    let t = &inputs.tender;
    let m = Rat::from_decimal(t.max_points);
    let p0 = t.criteria.get(k).map_or_else(Rat::zero, |c| Rat::from_decimal(c.points));
    let whole = |at: Rat| End { at, inclusive: true, beyond: None, entering: Vec::new(), leaving: Vec::new(), stopped: false };
    if m.sub(&p0).is_zero() {
        return CriterionStability {
            id: id.to_owned(),
            points: p0.clone(),
            lower: whole(p0.clone()),
            upper: whole(p0),
            note: Some(String::from("the other criteria carry no points to rescale")),
        };
    }
    let eval = |p: &Rat| run(inputs, fixed, &weights(inputs, k, p));
    // The quantities scored against eligible bids kink where those references say.
    let eligible: Vec<Option<Rat>> = t.criteria.iter().enumerate().map(|(j, c)| reference(c, j, &inputs.resolved, &fixed.passed)).collect();
    let mut kinks: Vec<Rat> = kinks(inputs, k, &eligible).into_iter().filter(|x| *x > Rat::zero() && *x < m).collect();
    kinks.push(Rat::zero());
    kinks.push(m.clone());
    kinks.sort();
    kinks.dedup();

    // The official winners come from rounded points; the interval is about unrounded ones,
    // which can differ at a knife-edge (a tie that rounding decided).
    let here = eval(&p0).1;
    let note = (here != winners).then(|| {
        format!("on unrounded points the winners are {} here, not the official {}; the interval is for them", list(&here), list(winners))
    });
    let ctx = Walk { inputs, fixed, k, kinks: &kinks, winners: &here };
    let upper = ctx.walk(&p0, true);
    let lower = ctx.walk(&p0, false);
    CriterionStability { id: id.to_owned(), points: p0, lower, upper, note }
}

/// Walking from the published points to where the winners change.
struct Walk<'a> {
    inputs: &'a Inputs,
    fixed: &'a Fixed,
    k: usize,
    kinks: &'a [Rat],
    winners: &'a [String],
}

impl Walk<'_> {
    fn eval(&self, p: &Rat) -> (Vec<Row>, Vec<String>) {
        run(self.inputs, self.fixed, &weights(self.inputs, self.k, p))
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
        let wa = weights(self.inputs, self.k, &a);
        let wb = weights(self.inputs, self.k, &b);
        let (ra, _) = self.eval(&a);
        let (rb, _) = self.eval(&b);
        let e1 = nearest_root(&a, &pre_differences(self.inputs, &ra, &wa), &b, &pre_differences(self.inputs, &rb, &wb), u, &limit)
            .unwrap_or(limit);
        // The ranking: affine up to e1, where the discrete state may change, and up to any
        // kink of a `kr-price` whose L comes from the qualified bids of this state.
        let (a, _) = Self::inside(u, &e1);
        let (state, _) = self.eval(&a);
        let refs = refs_in_force(self.inputs, self.fixed, &state);
        let within: Vec<Rat> =
            kinks(self.inputs, self.k, &refs).into_iter().filter(|x| if up { x > u && *x < e1 } else { x < u && *x > e1 }).collect();
        let e1 = within.into_iter().fold(e1, |best, x| if (up && x < best) || (!up && x > best) { x } else { best });
        let (a, b) = Self::inside(u, &e1);
        let (ra, _) = self.eval(&a);
        let (rb, _) = self.eval(&b);
        nearest_root(&a, &post_differences(self.inputs, &ra, self.winners), &b, &post_differences(self.inputs, &rb, self.winners), u, &e1)
            .unwrap_or(e1)
    }

    fn walk(&self, p0: &Rat, up: bool) -> End {
        let mut u = p0.clone();
        // Every event is a root of one of finitely many affine pieces, so the walk ends; the
        // bound only keeps a pathological tender from running for hours.
        for _ in 0..MAX_EVENTS {
            let e = self.next_event(&u, up);
            if e == u {
                // Reached 0 or max_points with the same winners.
                return End { at: u, inclusive: true, beyond: None, entering: Vec::new(), leaving: Vec::new(), stopped: false };
            }
            let mid = u.add(&e).div(&Rat::from_int(2));
            let (_, w_mid) = self.eval(&mid);
            if w_mid != self.winners {
                return end_at(u, true, w_mid, self.winners);
            }
            let (_, w_e) = self.eval(&e);
            if w_e != self.winners {
                return end_at(e, false, w_e, self.winners);
            }
            u = e;
        }
        End { at: u, inclusive: true, beyond: None, entering: Vec::new(), leaving: Vec::new(), stopped: true }
    }
}

/// Events walked past on one side before giving up (and saying so).
const MAX_EVENTS: usize = 2_000;

fn end_at(at: Rat, inclusive: bool, beyond: Vec<String>, winners: &[String]) -> End {
    let entering = beyond.iter().filter(|b| !winners.contains(b)).cloned().collect();
    let leaving = winners.iter().filter(|w| !beyond.contains(w)).cloned().collect();
    End { at, inclusive, beyond: Some(beyond), entering, leaving, stopped: false }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() { String::from("none") } else { ids.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ") }
}
