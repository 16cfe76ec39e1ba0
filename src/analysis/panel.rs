//! The evaluation committee under the microscope: per panel criterion and bid the marks,
//! trimmed mean, median, spread and marks far from the panel; Kendall's W for how far the
//! evaluators agree; and whether dropping any one evaluator would change the winners.
//!
//! Everything is exact (`Rat`): W with tied marks is a rational number like any score.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use rust_decimal::Decimal;

use crate::evaluate::{Outcome, evaluate_with};
use crate::exact::Rat;
use crate::model::{Given, Inputs};
use crate::rules::Rule;

/// The panel analysis of a tender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelAnalysis {
    /// Evaluator names (declared, or `1`, `2`, …), in mark order.
    pub evaluators: Vec<String>,
    /// A mark further than this many median absolute deviations from the median is flagged.
    pub outlier_k: Decimal,
    /// One entry per panel criterion, in the tender's order.
    pub criteria: Vec<PanelCriterion>,
    /// Kendall's W over each evaluator's ranking of the bids by their own panel points
    /// (Σ criterion points × mark / scale); `None` when undefined.
    pub overall_w: Option<Rat>,
    /// The winners as scored.
    pub winners: Vec<String>,
    /// For each evaluator: the winners without their marks (empty when the evaluators
    /// cannot be matched across criteria; see `note`).
    pub drop_one: Vec<DropOne>,
    /// What the overall agreement and the drop-one check leave out, and why.
    pub note: Option<String>,
}

/// One panel criterion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelCriterion {
    /// Criterion id.
    pub id: String,
    /// The top mark.
    pub scale: Decimal,
    /// Marks dropped at each end.
    pub trim: u32,
    /// How many marks each bid has here (the evaluators who marked this criterion).
    pub marks: usize,
    /// One entry per bid with marks, in report order.
    pub bids: Vec<PanelBid>,
    /// Kendall's coefficient of concordance of the evaluators' rankings of the bids on this
    /// criterion (tie-corrected), in [0, 1]; `None` with fewer than 2 evaluators or bids, or
    /// when every evaluator ties every bid.
    pub kendall_w: Option<Rat>,
}

/// One bid's marks on one criterion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelBid {
    /// Bidder id.
    pub bidder: String,
    /// The marks, in evaluator order.
    pub marks: Vec<Decimal>,
    /// The mean after trimming (`None`: nothing left).
    pub trimmed_mean: Option<Rat>,
    /// The median of all marks.
    pub median: Rat,
    /// Highest minus lowest mark.
    pub spread: Decimal,
    /// Median absolute deviation from the median.
    pub mad: Rat,
    /// Evaluator indices whose mark lies more than `outlier_k × mad` from the median.
    pub outliers: Vec<usize>,
}

/// What the winners would be without one evaluator's marks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropOne {
    /// The evaluator left out.
    pub evaluator: String,
    /// The winners without them, in rank order (`None`: too few marks would remain).
    pub winners: Option<Vec<String>>,
    /// Bids that would win only without them.
    pub entering: Vec<String>,
    /// Bids that win only with them.
    pub leaving: Vec<String>,
    /// Why it could not be computed, if it could not.
    pub reason: Option<String>,
}

impl DropOne {
    /// Would the set of winners change?
    pub fn changed(&self) -> bool {
        !self.entering.is_empty() || !self.leaving.is_empty()
    }
}

/// The panel analysis, or `None` when no criterion is scored by the panel.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// let p = bidscore::analysis::panel(&inputs, &outcome).unwrap();
/// assert_eq!(p.evaluators.len(), 5);
/// assert!(p.drop_one.iter().all(|d| d.winners.is_some()));
/// ```
pub fn panel(inputs: &Inputs, outcome: &Outcome) -> Option<PanelAnalysis> {
    let t = &inputs.tender;
    let panel_criteria: Vec<(usize, &crate::model::Criterion, &crate::rules::PanelRule)> =
        t.criteria.iter().enumerate().filter_map(|(j, c)| if let Rule::Panel(r) = &c.rule { Some((j, c, r)) } else { None }).collect();
    if panel_criteria.is_empty() {
        return None;
    }
    let p = inputs.panel.as_ref();
    let outlier_k = p.map_or(crate::model::Panel::DEFAULT_OUTLIER_K, |p| p.outlier_k);
    // Bids in report order, with their index in `inputs.bids`.
    let index: HashMap<&str, usize> = inputs.bids.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    let order: Vec<usize> = outcome.standings.iter().filter_map(|s| index.get(s.bidder.as_str()).copied()).collect();
    let marks_of = |i: usize, j: usize| -> Option<&[Decimal]> {
        match inputs.resolved.get(i).and_then(|r| r.criteria.get(j)) {
            Some(Some(Given::Marks(m))) => Some(m.as_slice()),
            _ => None,
        }
    };
    // Marks per criterion (validation makes them equal within a criterion).
    let counts: Vec<usize> =
        panel_criteria.iter().map(|(j, _, _)| order.iter().find_map(|&i| marks_of(i, *j).map(<[Decimal]>::len)).unwrap_or(0)).collect();
    let m = counts.iter().copied().max().unwrap_or(0);
    let evaluators: Vec<String> = (0..m).map(|e| p.map_or_else(|| (e + 1).to_string(), |p| p.evaluator(e))).collect();

    let k = Rat::from_decimal(outlier_k);
    let criteria: Vec<PanelCriterion> = panel_criteria
        .iter()
        .zip(&counts)
        .map(|((j, c, rule), &n)| {
            let bids: Vec<PanelBid> = order
                .iter()
                .filter_map(|&i| {
                    let marks = marks_of(i, *j)?;
                    let bidder = inputs.bids.get(i)?.id.clone();
                    Some(bid_stats(bidder, marks, rule, &k))
                })
                .collect();
            let table: Vec<Vec<Rat>> = bids.iter().map(|b| b.marks.iter().map(|x| Rat::from_decimal(*x)).collect()).collect();
            PanelCriterion { id: c.id.clone(), scale: rule.scale, trim: rule.trim, marks: n, kendall_w: kendall_w(&table), bids }
        })
        .collect();
    let winners: Vec<String> = outcome.winners().into_iter().map(str::to_owned).collect();

    // Mark i is the same person on every criterion only if every criterion has as many marks.
    let with_marks: Vec<usize> = counts.iter().copied().filter(|n| *n > 0).collect();
    if m == 0 || with_marks.iter().any(|n| *n != m) {
        let note = if m == 0 {
            String::from("the panel gave no marks, so there is no agreement to measure and no evaluator to leave out")
        } else {
            let shown: Vec<String> = criteria.iter().map(|c| format!("`{}` {}", c.id, c.marks)).collect();
            format!(
                "the criteria have different numbers of marks ({}), so mark i is not the same evaluator on every criterion: \
                 no overall agreement and no drop-one check; name the evaluators (`evaluators = [...]`) to match them",
                shown.join(", ")
            )
        };
        return Some(PanelAnalysis { evaluators, outlier_k, criteria, overall_w: None, winners, drop_one: Vec::new(), note: Some(note) });
    }

    // Each evaluator's own panel points per bid, for the overall agreement; a bid without
    // marks on some criterion (`missing = "zero"`) is left out, and the note says so.
    let mut left_out = Vec::new();
    let overall: Vec<Vec<Rat>> = order
        .iter()
        .filter_map(|&i| {
            let row = (0..m)
                .map(|e| {
                    panel_criteria.iter().try_fold(Rat::zero(), |acc, (j, c, rule)| {
                        let mark = marks_of(i, *j)?.get(e)?;
                        Some(acc.add(&Rat::from_decimal(c.points).mul(&Rat::from_decimal(*mark)).div(&Rat::from_decimal(rule.scale))))
                    })
                })
                .collect::<Option<Vec<Rat>>>();
            if row.is_none() {
                left_out.extend(inputs.bids.get(i).map(|b| format!("`{}`", b.id)));
            }
            row
        })
        .collect();
    let note = (!left_out.is_empty())
        .then(|| format!("{} left out of the overall agreement: no marks on every panel criterion", left_out.join(", ")));

    let drop_one = (0..m)
        .into_par_iter()
        .map(|e| drop_evaluator(inputs, outcome, &panel_criteria, e, evaluators.get(e).cloned().unwrap_or_default(), &winners))
        .collect();
    Some(PanelAnalysis { evaluators, outlier_k, criteria, overall_w: kendall_w(&overall), winners, drop_one, note })
}

fn bid_stats(bidder: String, marks: &[Decimal], rule: &crate::rules::PanelRule, k: &Rat) -> PanelBid {
    let exact: Vec<Rat> = marks.iter().map(|x| Rat::from_decimal(*x)).collect();
    let mid = median(&exact);
    let deviations: Vec<Rat> = exact.iter().map(|x| abs(&x.sub(&mid))).collect();
    let mad = median(&deviations);
    let limit = k.mul(&mad);
    let outliers = deviations.iter().enumerate().filter(|(_, d)| **d > limit).map(|(e, _)| e).collect();
    let kept = rule.kept(marks);
    let trimmed_mean = (!kept.is_empty())
        .then(|| kept.iter().fold(Rat::zero(), |a, x| a.add(&Rat::from_decimal(*x))).div(&Rat::from_int(kept.len() as i128)));
    let hi = marks.iter().copied().max().unwrap_or_default();
    let lo = marks.iter().copied().min().unwrap_or_default();
    PanelBid { bidder, marks: marks.to_vec(), trimmed_mean, median: mid, spread: hi - lo, mad, outliers }
}

fn abs(x: &Rat) -> Rat {
    if x.is_negative() { Rat::zero().sub(x) } else { x.clone() }
}

/// The median: the middle value, or the mean of the two middle values (0 when empty).
pub fn median(values: &[Rat]) -> Rat {
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    let upper = v.get(n / 2);
    if n % 2 == 1 {
        return upper.cloned().unwrap_or_else(Rat::zero);
    }
    match (n.checked_sub(1).and_then(|_| v.get(n / 2 - 1)), upper) {
        (Some(lo), Some(hi)) => lo.add(hi).div(&Rat::from_int(2)),
        _ => Rat::zero(),
    }
}

/// Ranks of `values` (1 = highest; ties get the mean of the ranks they span), and the tie
/// correction Σ(t³ − t) over groups of t tied values.
fn ranks(values: &[Rat]) -> (Vec<Rat>, i128) {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|a, b| values.get(*b).cmp(&values.get(*a)));
    let mut out = vec![Rat::zero(); values.len()];
    let mut ties = 0i128;
    let mut start = 0;
    while start < idx.len() {
        let v = idx.get(start).and_then(|&i| values.get(i));
        let len = idx.get(start..).map_or(0, |rest| rest.iter().take_while(|&&i| values.get(i) == v).count()).max(1);
        // Positions start+1 ..= start+len share their mean rank.
        let mean = Rat::ratio(2 * start as i128 + len as i128 + 1, 2);
        for &i in idx.get(start..start + len).unwrap_or_default() {
            if let Some(slot) = out.get_mut(i) {
                *slot = mean.clone();
            }
        }
        let t = len as i128;
        ties += t * t * t - t;
        start += len;
    }
    (out, ties)
}

/// Kendall's W for `table[bid][evaluator]` (higher is better), corrected for ties:
/// `W = 12 S / (m²(n³ − n) − m Σ T)`, with S the sum of squared deviations of the rank
/// sums from their mean. `None` with fewer than 2 bids or evaluators, unequal rows, or
/// when every evaluator ties every bid.
pub fn kendall_w(table: &[Vec<Rat>]) -> Option<Rat> {
    let n = table.len();
    let m = table.first()?.len();
    if n < 2 || m < 2 || table.iter().any(|r| r.len() != m) {
        return None;
    }
    let mut sums = vec![Rat::zero(); n];
    let mut ties = 0i128;
    for e in 0..m {
        let column: Vec<Rat> = table.iter().filter_map(|r| r.get(e).cloned()).collect();
        let (r, t) = ranks(&column);
        for (s, x) in sums.iter_mut().zip(&r) {
            *s = s.add(x);
        }
        ties += t;
    }
    let (n, m) = (n as i128, m as i128);
    let mean = Rat::ratio(m * (n + 1), 2);
    let s = sums.iter().fold(Rat::zero(), |acc, r| {
        let d = r.sub(&mean);
        acc.add(&d.mul(&d))
    });
    let denominator = m * m * (n * n * n - n) - m * ties;
    if denominator <= 0 {
        return None;
    }
    Some(Rat::from_int(12).mul(&s).div(&Rat::from_int(denominator)))
}

fn drop_evaluator(
    inputs: &Inputs,
    outcome: &Outcome,
    panel_criteria: &[PanelCrit<'_>],
    e: usize,
    name: String,
    winners: &[String],
) -> DropOne {
    // Enough marks must remain on every panel criterion for its trim.
    for (j, c, rule) in panel_criteria {
        let kept = inputs
            .resolved
            .iter()
            .filter_map(|r| match r.criteria.get(*j) {
                Some(Some(Given::Marks(m))) => Some(m.len().saturating_sub(usize::from(e < m.len()))),
                _ => None,
            })
            .min();
        let need = 2 * rule.trim as usize + 1;
        if let Some(kept) = kept.filter(|k| *k < need) {
            return DropOne {
                evaluator: name,
                winners: None,
                entering: Vec::new(),
                leaving: Vec::new(),
                reason: Some(format!(
                    "without them `{}` keeps {} and `trim = {}` needs at least {need}",
                    c.id,
                    crate::diag::plural(kept, "mark"),
                    rule.trim
                )),
            };
        }
    }
    let now = winners_without(inputs, outcome, panel_criteria, e);
    let before: BTreeSet<&String> = winners.iter().collect();
    let after: BTreeSet<&String> = now.iter().collect();
    DropOne {
        evaluator: name,
        entering: after.difference(&before).map(|s| (*s).clone()).collect(),
        leaving: before.difference(&after).map(|s| (*s).clone()).collect(),
        winners: Some(now),
        reason: None,
    }
}

/// The winners without evaluator `e`'s marks, by the full evaluation.
#[doc(hidden)]
pub fn drop_one_winners_full(inputs: &Inputs, e: usize) -> Vec<String> {
    evaluate_with(inputs, &inputs.resolved, Some(e)).winners().into_iter().map(str::to_owned).collect()
}

/// The winners without evaluator `e`'s marks. Only the panel criteria's points change, so
/// unless the tender re-scores by rank or among the qualified (differential scoring,
/// `among = "qualified"`), which need the full evaluation, the base outcome is patched:
/// new panel points, then qualification, ranking and award on the patched figures — the
/// same rules as `evaluate`, on a few numbers per bid instead of every criterion's reason.
fn winners_without(inputs: &Inputs, outcome: &Outcome, panel_criteria: &[PanelCrit<'_>], e: usize) -> Vec<String> {
    let t = &inputs.tender;
    if t.differential.is_some() || t.criteria.iter().any(|c| c.rule.among() == Some(crate::rules::Among::Qualified)) {
        return drop_one_winners_full(inputs, e);
    }
    let index: HashMap<&str, usize> = inputs.bids.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    let places = t.rounding.places;
    struct Lean<'a> {
        bidder: &'a str,
        passed: bool,
        sections: Vec<Decimal>,
        total: Decimal,
        points: Vec<Decimal>,
        offered: u64,
    }
    let mut rows: Vec<Lean<'_>> = outcome
        .standings
        .iter()
        .map(|s| {
            let i = index.get(s.bidder.as_str()).copied();
            let resolved = i.and_then(|i| inputs.resolved.get(i));
            let mut points: Vec<Decimal> = s.criteria.iter().map(|c| c.points.decimal()).collect();
            for (j, c, _) in panel_criteria {
                if let (Some(Some(Given::Marks(m))), Some(slot)) = (resolved.and_then(|r| r.criteria.get(*j)), points.get_mut(*j)) {
                    let kept: Vec<Decimal> = m.iter().enumerate().filter(|(k, _)| *k != e).map(|(_, x)| *x).collect();
                    let pts = Rat::from_decimal(c.points);
                    let scored = c.rule.score(&Given::Marks(kept), &pts, None);
                    *slot = pts.mul(&scored.score).round(places, t.rounding.mode).unwrap_or(*slot);
                }
            }
            let sections = t
                .sections
                .iter()
                .map(|sec| t.criteria.iter().zip(&points).filter(|(c, _)| c.section == sec.id).map(|(_, p)| *p).sum())
                .collect();
            let total = points.iter().copied().sum();
            Lean {
                bidder: s.bidder.as_str(),
                passed: s.gates.iter().all(|g| g.passed),
                sections,
                total,
                points,
                offered: resolved.and_then(|r| r.offered).unwrap_or(0),
            }
        })
        .collect();
    let section = |r: &Lean<'_>, id: &str| t.sections.iter().position(|x| x.id == id).and_then(|k| r.sections.get(k)).copied();
    rows.retain(|r| {
        r.passed
            && t.qualify.iter().all(|q| {
                let (scored, max) = match &q.section {
                    Some(sec) => (section(r, sec).unwrap_or_default(), t.section_max(sec)),
                    None => (r.total, t.max_points),
                };
                let needed = match q.min {
                    crate::model::Minimum::Share(x) => Rat::from_decimal(x).mul(&Rat::from_decimal(max)),
                    crate::model::Minimum::Points(p) => Rat::from_decimal(p),
                };
                Rat::from_decimal(scored) >= needed
            })
    });
    rows.sort_by(|a, b| {
        b.total.cmp(&a.total).then_with(|| {
            for step in &t.tie_break {
                let o = match step {
                    crate::model::TieBreak::Section(sec) => section(b, sec).cmp(&section(a, sec)),
                    crate::model::TieBreak::Criterion(c) => {
                        let k = t.criteria.iter().position(|x| x.id == *c);
                        k.and_then(|k| b.points.get(k)).cmp(&k.and_then(|k| a.points.get(k)))
                    }
                    crate::model::TieBreak::Bidder => a.bidder.cmp(b.bidder),
                };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            a.bidder.cmp(b.bidder)
        })
    });
    let offers: Vec<u64> = rows.iter().map(|r| r.offered).collect();
    rows.iter()
        .zip(crate::evaluate::award(&t.award, &offers))
        .filter(|(_, a)| *a != crate::evaluate::Awarded::No)
        .map(|(r, _)| r.bidder.to_owned())
        .collect()
}

type PanelCrit<'a> = (usize, &'a crate::model::Criterion, &'a crate::rules::PanelRule);
