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

use crate::evaluate::{Outcome, evaluate, gate_verdict, reference, resolved_gate};
use crate::exact::Rat;
use crate::model::{Given, Inputs, Minimum, TieBreak};
use crate::rules::{Among, Input, Reason, Rule};

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
}

/// The whole pipeline on unrounded points at the given weights; returns the rows and the
/// winners (sorted).
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
    let mut winners = Vec::new();
    let mut remaining = t.award.quantity.as_ref().map(|q| q.total);
    let mut places = t.award.winners;
    for i in order {
        if places == Some(0) {
            break;
        }
        if let Some(left) = remaining.as_mut() {
            let give = inputs.resolved.get(i).and_then(|r| r.offered).unwrap_or(0).min(*left);
            if give == 0 {
                continue;
            }
            *left -= give;
        }
        if let Some(r) = rows.get(i) {
            winners.push(r.bidder.clone());
        }
        places = places.map(|p| p - 1);
    }
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
        Some(Given::Value(v)) => c.rule.score(Input::Value(v), weight, reference),
        Some(Given::Marks(m)) => c.rule.score(Input::Marks(m), weight, reference),
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
    };
    resum(inputs, &mut r);
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
fn kinks(inputs: &Inputs, outcome: &Outcome, k: usize) -> Vec<Rat> {
    let t = &inputs.tender;
    let m = Rat::from_decimal(t.max_points);
    let pk = t.criteria.get(k).map_or_else(Rat::zero, |c| Rat::from_decimal(c.points));
    let others = m.sub(&pk);
    let mut out = Vec::new();
    for s in &outcome.standings {
        for (j, (c, cs)) in t.criteria.iter().zip(&s.criteria).enumerate() {
            let (Rule::KrPrice(kp), Reason::KrPrice { lowest: Some(l), band: Some(b), .. }) = (&c.rule, &cs.reason) else {
                continue;
            };
            if !kp.cap {
                continue;
            }
            // Below 80% of E the result is w × a + b with a = L / 0.8E; it reaches the cap w
            // at w* = b / (1 − a) when a < 1.
            let e80 = Rat::from_decimal(kp.estimated).mul(&Rat::ratio(4, 5));
            let a = l.div(&e80);
            if a >= Rat::one() {
                continue;
            }
            let wstar = b.div(&Rat::one().sub(&a));
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

/// Roots in the open interval (u, v) of the difference of any two quantities of one group,
/// given their values at two interior points `a` < `b` of a piece where all are affine.
fn crossings(a: &Rat, ga: &[Vec<Rat>], b: &Rat, gb: &[Vec<Rat>], u: &Rat, v: &Rat, out: &mut Vec<Rat>) {
    for (fa, fb) in ga.iter().zip(gb) {
        for x in 0..fa.len() {
            for y in x + 1..fa.len() {
                let (Some(xa), Some(ya), Some(xb), Some(yb)) = (fa.get(x), fa.get(y), fb.get(x), fb.get(y)) else { continue };
                let da = xa.sub(ya);
                let db = xb.sub(yb);
                if da == db {
                    continue;
                }
                // d(P) = da + (db − da)(P − a)/(b − a) = 0.
                let root = a.sub(&da.mul(&b.sub(a)).div(&db.sub(&da)));
                if root > *u && root < *v {
                    out.push(root);
                }
            }
        }
    }
}

/// The groups of quantities whose crossings can change the winners, at weights `w`: the
/// final totals (ranking); each section's final sums (tie-breaks) and its sums before the
/// differential with its thresholds (qualification, differential ranks); the totals before
/// the differential with the total thresholds; each tie-break criterion's points.
fn quantities(inputs: &Inputs, rows: &[Row], w: &[Rat]) -> Vec<Vec<Rat>> {
    let t = &inputs.tender;
    let needed = |min: Minimum, max: &Rat| match min {
        Minimum::Share(x) => Rat::from_decimal(x).mul(max),
        Minimum::Points(p) => Rat::from_decimal(p),
    };
    let mut groups = vec![rows.iter().map(|r| r.total.clone()).collect::<Vec<_>>()];
    for (k, s) in t.sections.iter().enumerate() {
        let max = t.criteria.iter().zip(w).filter(|(c, _)| c.section == s.id).fold(Rat::zero(), |a, (_, x)| a.add(x));
        groups.push(rows.iter().filter_map(|r| r.sections.get(k).cloned()).collect());
        let mut base: Vec<Rat> = rows.iter().filter_map(|r| r.base_sections.get(k).cloned()).collect();
        base.extend(t.qualify.iter().filter(|th| th.section.as_deref() == Some(s.id.as_str())).map(|th| needed(th.min, &max)));
        groups.push(base);
    }
    // Differential scoring clamps `max − (rank − 1) × step` at 0: a kink where the section's
    // maximum meets a multiple of the step.
    if let Some(d) = &t.differential {
        let max = t.criteria.iter().zip(w).filter(|(c, _)| c.section == d.section).fold(Rat::zero(), |a, (_, x)| a.add(x));
        let step = Rat::from_decimal(d.step);
        let mut g = vec![max];
        g.extend((1..rows.len()).map(|r| step.mul(&Rat::from_int(r as i128))));
        groups.push(g);
    }
    let total_max = w.iter().fold(Rat::zero(), |a, x| a.add(x));
    let mut base: Vec<Rat> = rows.iter().map(|r| r.base_total.clone()).collect();
    base.extend(t.qualify.iter().filter(|th| th.section.is_none()).map(|th| needed(th.min, &total_max)));
    groups.push(base);
    for step in &t.tie_break {
        if let TieBreak::Criterion(c) = step
            && let Some(j) = t.criteria.iter().position(|x| x.id == *c)
        {
            groups.push(rows.iter().filter_map(|r| r.points.get(j).cloned()).collect());
        }
    }
    groups
}

fn one(inputs: &Inputs, fixed: &Fixed, k: usize, id: &str, winners: &[String]) -> CriterionStability {
    let t = &inputs.tender;
    let m = Rat::from_decimal(t.max_points);
    let p0 = t.criteria.get(k).map_or_else(Rat::zero, |c| Rat::from_decimal(c.points));
    let whole = |at: Rat| End { at, inclusive: true, beyond: None, entering: Vec::new(), leaving: Vec::new() };
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

    // Candidate points: the ends, the published points, the kinks, then crossings.
    let outcome = evaluate(inputs);
    let mut cands: Vec<Rat> = vec![Rat::zero(), m.clone(), p0.clone()];
    cands.extend(kinks(inputs, &outcome, k).into_iter().filter(|x| *x > Rat::zero() && *x < m));
    for _round in 0..3 {
        cands.sort();
        cands.dedup();
        let mut more = Vec::new();
        for pair in cands.windows(2) {
            let [u, v] = pair else { continue };
            // Two interior points: the quantities are affine between consecutive candidates.
            let third = v.sub(u).div(&Rat::from_int(3));
            let (a, b) = (u.add(&third), v.sub(&third));
            let (ra, _) = eval(&a);
            let (rb, _) = eval(&b);
            let qa = quantities(inputs, &ra, &weights(inputs, k, &a));
            let qb = quantities(inputs, &rb, &weights(inputs, k, &b));
            if qa.len() == qb.len() {
                crossings(&a, &qa, &b, &qb, u, v, &mut more);
            }
        }
        more.retain(|x| cands.binary_search(x).is_err());
        if more.is_empty() {
            break;
        }
        cands.extend(more);
    }
    cands.sort();
    cands.dedup();

    // The official winners come from rounded points; the interval is about unrounded ones,
    // which can differ at a knife-edge (a tie that rounding decided).
    let here = eval(&p0).1;
    let note = (here != winners).then(|| {
        format!("on unrounded points the winners are {} here, not the official {}; the interval is for them", list(&here), list(winners))
    });
    let same = |p: &Rat| eval(p).1 == here;
    let pos = cands.iter().position(|c| *c == p0).unwrap_or(0);
    let upper = walk(&cands, pos, true, &same, &eval, &here);
    let lower = walk(&cands, pos, false, &same, &eval, &here);
    CriterionStability { id: id.to_owned(), points: p0, lower, upper, note }
}

/// The pipeline at a point: the rows and the winners.
type Eval<'a> = dyn Fn(&Rat) -> (Vec<Row>, Vec<String>) + 'a;

/// Walk from candidate `pos` up (or down) until the winners differ.
fn walk(cands: &[Rat], pos: usize, up: bool, same: &dyn Fn(&Rat) -> bool, eval: &Eval<'_>, winners: &[String]) -> End {
    let mut last = pos;
    loop {
        let next = if up { last + 1 } else { last.wrapping_sub(1) };
        let (Some(prev), Some(c)) = (cands.get(last), cands.get(next)) else {
            // Reached 0 or max_points with the same winners.
            return End {
                at: cands.get(last).cloned().unwrap_or_else(Rat::zero),
                inclusive: true,
                beyond: None,
                entering: Vec::new(),
                leaving: Vec::new(),
            };
        };
        let mid = prev.add(c).div(&Rat::from_int(2));
        if !same(&mid) {
            return end_at(prev.clone(), true, eval(&mid).1, winners);
        }
        if !same(c) {
            return end_at(c.clone(), false, eval(c).1, winners);
        }
        last = next;
    }
}

fn end_at(at: Rat, inclusive: bool, beyond: Vec<String>, winners: &[String]) -> End {
    let entering = beyond.iter().filter(|b| !winners.contains(b)).cloned().collect();
    let leaving = winners.iter().filter(|w| !beyond.contains(w)).cloned().collect();
    End { at, inclusive, beyond: Some(beyond), entering, leaving }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() { String::from("none") } else { ids.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ") }
}
