//! The evaluation committee under the microscope: per panel criterion and bid the marks,
//! trimmed mean, median, spread and marks far from the panel; Kendall's W for how far the
//! evaluators agree; and whether dropping any one evaluator would change the winners.
//!
//! Everything is exact (`Rat`): W with tied marks is a rational number like any score.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use rust_decimal::Decimal;

use super::Error;
use super::scenario::{Published, Scenario};
use crate::evaluate::{Outcome, evaluate};
use crate::exact::Rat;
use crate::model::{Criterion, Inputs};
use crate::rules::PanelRule;
use crate::value::Given;

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
    pub note: Option<PanelNote>,
}

/// What the overall agreement and the drop-one check leave out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PanelNote {
    /// The panel gave no marks: no agreement to measure, no evaluator to leave out.
    NoMarks,
    /// The criteria have different numbers of marks, so mark i is not the same evaluator on
    /// every criterion: no overall agreement and no drop-one check.
    Unmatched {
        /// Each panel criterion with its number of marks.
        counts: Vec<(String, usize)>,
    },
    /// Bids left out of the overall agreement: they lack marks on some panel criterion.
    LeftOut {
        /// The bids.
        bidders: Vec<String>,
    },
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
    pub reason: Option<DropOneReason>,
}

/// Why the winners without an evaluator could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropOneReason {
    /// Too few marks would remain on a panel criterion for its trim.
    TooFewMarks {
        /// The criterion.
        criterion: String,
        /// The fewest marks a bid would keep.
        kept: usize,
        /// Marks dropped at each end.
        trim: u32,
    },
}

impl DropOne {
    /// Would the set of winners change?
    pub fn changed(&self) -> bool {
        !self.entering.is_empty() || !self.leaving.is_empty()
    }
}

/// The panel analysis.
///
/// # Errors
/// [`Error::NoPanelCriterion`] when no criterion is scored by the panel.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// let p = bidscore::analysis::panel(&inputs, &outcome)?;
/// assert_eq!(p.evaluators.len(), 5);
/// assert!(p.drop_one.iter().all(|d| d.winners.is_some()));
/// # Ok::<(), bidscore::analysis::Error>(())
/// ```
pub fn panel(inputs: &Inputs, outcome: &Outcome) -> Result<PanelAnalysis, Error> {
    let t = &inputs.tender;
    let panel_criteria: Vec<PanelCrit<'_>> = t.criteria.iter().enumerate().filter_map(|(j, c)| c.rule.panel().map(|r| (j, c, r))).collect();
    if panel_criteria.is_empty() {
        return Err(Error::NoPanelCriterion { tender: t.id.clone() });
    }
    let p = inputs.panel.as_ref();
    let outlier_k = p.map_or(crate::model::Panel::DEFAULT_OUTLIER_K, |p| p.outlier_k);
    // Bids in report order, with their index in `inputs.bids`.
    let index: HashMap<&str, usize> = inputs.bids.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    let order: Vec<usize> = outcome.standings.iter().filter_map(|s| index.get(s.bidder.as_str()).copied()).collect();
    let marks_of = |i: usize, j: usize| -> Option<&[Decimal]> {
        match inputs.given(i, j) {
            Some(Given::Marks(m)) => Some(m.as_slice()),
            _ => None,
        }
    };
    // Marks per criterion (validation makes them equal within a criterion).
    let counts: Vec<usize> =
        panel_criteria.iter().map(|(j, _, _)| order.iter().find_map(|&i| marks_of(i, *j).map(<[Decimal]>::len)).unwrap_or(0)).collect();
    let m = counts.iter().copied().max().unwrap_or(0);
    let evaluators: Vec<String> = (0..m).map(|e| p.map_or_else(|| e.saturating_add(1).to_string(), |p| p.evaluator(e))).collect();

    let winners: Vec<String> = outcome.winners().into_iter().map(str::to_owned).collect();
    // Mark i is the same person on every criterion only if every criterion has as many marks.
    let matched = m > 0 && counts.iter().all(|n| *n == 0 || *n == m);

    // The statistics and the drop-one check read the same marks and nothing of each other:
    // both at once, each on every core.
    let statistics = || {
        let criteria: Vec<PanelCriterion> = panel_criteria
            .iter()
            .zip(&counts)
            .map(|((j, c, rule), &n)| {
                let stats = crate::par::map(&order, |_, &i| {
                    let marks = marks_of(i, *j)?;
                    let bidder = inputs.bids.get(i)?.id.clone();
                    Some(bid_stats(bidder.to_string(), marks, rule, outlier_k))
                });
                let bids: Vec<PanelBid> = stats.into_iter().flatten().collect();
                // Marks rank as their values do: the evaluators' rankings read the decimals.
                let table: Vec<&[Decimal]> = bids.iter().map(|b| b.marks.as_slice()).collect();
                PanelCriterion { id: c.id.clone(), scale: rule.scale, trim: rule.trim, marks: n, kendall_w: kendall_w(&table), bids }
            })
            .collect();
        if !matched {
            return (criteria, None, Vec::new());
        }
        // Each evaluator's own panel points per bid, for the overall agreement; a bid without
        // marks on some criterion (`missing = "zero"`) is left out, and the note says so.
        // Only their order counts: whole numbers in one unit when they fit, else rationals.
        let (w, left_out) = match points_in_one_unit(&panel_criteria, &order, m, &marks_of) {
            Some(rows) => agreement(rows, &order, inputs),
            None => agreement(exact_points(&panel_criteria, &order, m, &marks_of), &order, inputs),
        };
        (criteria, w, left_out)
    };
    let drop_one = || -> Vec<DropOne> {
        if !matched {
            return Vec::new();
        }
        let published = Published::from_outcome(inputs, outcome);
        (0..m).into_par_iter().map(|e| drop_evaluator(&published, e, evaluators.get(e).cloned().unwrap_or_default(), &winners)).collect()
    };
    let ((criteria, overall_w, left_out), drop_one) = rayon::join(statistics, drop_one);

    if !matched {
        let note = if m == 0 {
            PanelNote::NoMarks
        } else {
            PanelNote::Unmatched { counts: criteria.iter().map(|c| (c.id.clone(), c.marks)).collect() }
        };
        return Ok(PanelAnalysis { evaluators, outlier_k, criteria, overall_w: None, winners, drop_one, note: Some(note) });
    }
    let note = (!left_out.is_empty()).then_some(PanelNote::LeftOut { bidders: left_out.iter().map(ToString::to_string).collect() });
    Ok(PanelAnalysis { evaluators, outlier_k, criteria, overall_w, winners, drop_one, note })
}

fn bid_stats(bidder: String, marks: &[Decimal], rule: &PanelRule, k: Decimal) -> PanelBid {
    let (median, mad, outliers) = spread_in_integers(marks, k).unwrap_or_else(|| spread_exactly(marks, k));
    let trimmed_mean = rule.trimmed_mean(marks);
    let hi = marks.iter().copied().max().unwrap_or_default();
    let lo = marks.iter().copied().min().unwrap_or_default();
    PanelBid { bidder, marks: marks.to_vec(), trimmed_mean, median, spread: hi.saturating_sub(lo), mad, outliers }
}

/// Each evaluator's panel points for each bid in `order` (`None`: the bid lacks marks on a
/// panel criterion), in rationals: Σ criterion points × mark / scale.
fn exact_points<'a>(
    panel_criteria: &[PanelCrit<'_>],
    order: &[usize],
    m: usize,
    marks_of: &(impl Fn(usize, usize) -> Option<&'a [Decimal]> + Sync),
) -> Vec<Option<Vec<Rat>>> {
    let weights: Vec<Rat> = panel_criteria.iter().map(|(_, c, _)| Rat::from_decimal(c.points)).collect();
    crate::par::map(order, |_, &i| {
        (0..m)
            .map(|e| {
                panel_criteria.iter().zip(&weights).try_fold(Rat::zero(), |acc, ((j, _, rule), w)| {
                    let mark = marks_of(i, *j)?.get(e)?;
                    Some(acc.add(&rule.points_of_mark(w, *mark)))
                })
            })
            .collect::<Option<Vec<Rat>>>()
    })
}

/// [`exact_points`] in the whole unit of [`in_one_unit`]; `None` when a number does not fit.
fn points_in_one_unit<'a>(
    panel_criteria: &[PanelCrit<'_>],
    order: &[usize],
    m: usize,
    marks_of: &(impl Fn(usize, usize) -> Option<&'a [Decimal]> + Sync),
) -> Option<Vec<Option<Vec<i128>>>> {
    let factors = in_one_unit(panel_criteria, order, marks_of)?;
    // Per bid: `None` when it lacks a mark, `Some(None)` when a sum passes `i128`.
    let rows = crate::par::map(order, |_, &i| {
        (0..m)
            .map(|e| {
                factors.iter().try_fold(Some(0i128), |acc, &(j, factor, scale)| {
                    let mark = marks_of(i, j)?.get(e)?;
                    let whole = mark.mantissa().checked_mul(10i128.checked_pow(scale.saturating_sub(mark.scale()))?);
                    Some(acc.zip(whole).and_then(|(a, x)| a.checked_add(x.checked_mul(factor)?)))
                })
            })
            .collect::<Option<Vec<Option<i128>>>>()
            .map(|r| r.into_iter().collect::<Option<Vec<i128>>>())
    });
    rows.into_iter().map(|r| r.map_or(Some(None), |r| r.map(Some))).collect()
}

/// How to count every evaluator's panel points in one whole unit: per panel criterion its
/// index, the factor its marks are multiplied by and the scale they are brought to, so that
/// Σ factor × mark·10^scale is the points times one positive constant (the same for every
/// bid and evaluator: the order, all Kendall's W reads, is kept). With weights `a/10^P`,
/// scales `b/10^Q` and marks `c/10^R` at common `P`, `Q`, `R`, a mark's points are
/// `a·c/b` times `10^(Q−P−R)`; over `L = lcm(b)` the factor is `a·L/b`. `None` when a
/// number does not fit.
fn in_one_unit<'a>(
    panel_criteria: &[PanelCrit<'_>],
    order: &[usize],
    marks_of: &impl Fn(usize, usize) -> Option<&'a [Decimal]>,
) -> Option<Vec<(usize, i128, u32)>> {
    let up = |d: Decimal, to: u32| d.mantissa().checked_mul(10i128.checked_pow(to.checked_sub(d.scale())?)?);
    let p = panel_criteria.iter().map(|(_, c, _)| c.points.scale()).max()?;
    let q = panel_criteria.iter().map(|(_, _, r)| r.scale.scale()).max()?;
    let r = order
        .iter()
        .flat_map(|&i| panel_criteria.iter().filter_map(move |(j, _, _)| marks_of(i, *j)))
        .flatten()
        .map(|x| x.scale())
        .max()
        .unwrap_or(0);
    let scales: Vec<i128> = panel_criteria.iter().map(|(_, _, rule)| up(rule.scale, q).filter(|b| *b > 0)).collect::<Option<_>>()?;
    let lcm = scales.iter().try_fold(1i128, |l, &b| l.checked_div(num_integer::Integer::gcd(&l, &b))?.checked_mul(b))?;
    panel_criteria.iter().zip(&scales).map(|((j, c, _), &b)| Some((*j, up(c.points, p)?.checked_mul(lcm.checked_div(b)?)?, r))).collect()
}

/// Kendall's W over the rows of the bids with every mark, and the bids left out.
fn agreement<T: Ord>(rows: Vec<Option<Vec<T>>>, order: &[usize], inputs: &Inputs) -> (Option<Rat>, Vec<crate::value::Str>) {
    let mut left_out = Vec::new();
    let mut overall = Vec::with_capacity(rows.len());
    for (row, &i) in rows.into_iter().zip(order) {
        match row {
            Some(r) => overall.push(r),
            None => left_out.extend(inputs.bids.get(i).map(|b| b.id.clone())),
        }
    }
    (kendall_w(&overall), left_out)
}

/// The median of `marks`, their median absolute deviation, and the evaluators whose mark
/// lies more than `k` of those from the median: by the definition, in rationals.
fn spread_exactly(marks: &[Decimal], k: Decimal) -> (Rat, Rat, Vec<usize>) {
    let exact: Vec<Rat> = marks.iter().map(|x| Rat::from_decimal(*x)).collect();
    let mid = median(&exact);
    let deviations: Vec<Rat> = exact.iter().map(|x| x.sub(&mid).abs()).collect();
    let mad = median(&deviations);
    let limit = Rat::from_decimal(k).mul(&mad);
    let outliers = deviations.iter().enumerate().filter(|(_, d)| **d > limit).map(|(e, _)| e).collect();
    (mid, mad, outliers)
}

/// [`spread_exactly`] in integers, as a committee's marks almost always allow: the marks at
/// one scale are whole numbers, twice the median and twice each deviation are too, and four
/// times the MAD; so only the two results are fractions. `None` when there are no marks or
/// a product would overflow (then the rationals do it).
fn spread_in_integers(marks: &[Decimal], k: Decimal) -> Option<(Rat, Rat, Vec<usize>)> {
    // On the stack: a committee is a handful of people (a larger one takes the rationals).
    const MOST: usize = 32;
    let n = marks.len();
    if n > MOST {
        return None;
    }
    let scale = marks.iter().map(|m| m.scale()).max()?;
    let (mut whole, mut sorted, mut dev2) = ([0i128; MOST], [0i128; MOST], [0i128; MOST]);
    for (slot, m) in whole.iter_mut().zip(marks) {
        *slot = m.mantissa().checked_mul(10i128.checked_pow(scale.saturating_sub(m.scale()))?)?;
    }
    let (whole, sorted, dev2) = (whole.get(..n)?, sorted.get_mut(..n)?, dev2.get_mut(..n)?);
    // Twice the median of `v` (sorted in place): the middle value doubled, or the two
    // middle values added.
    let twice_median = |v: &mut [i128]| -> Option<i128> {
        v.sort_unstable();
        let half = v.len() / 2;
        let upper = *v.get(half)?;
        if v.len() % 2 == 1 { upper.checked_mul(2) } else { v.get(half.checked_sub(1)?)?.checked_add(upper) }
    };
    sorted.copy_from_slice(whole);
    let mid2 = twice_median(sorted)?;
    for (d, x) in dev2.iter_mut().zip(whole) {
        *d = x.checked_mul(2)?.checked_sub(mid2)?.checked_abs()?;
    }
    sorted.copy_from_slice(dev2);
    let mad4 = twice_median(sorted)?;
    // |x − median| > k·mad  ⇔  dev2 / 2 > k·mad4 / 4  ⇔  2·dev2·10^s(k) > mantissa(k)·mad4.
    let limit = k.mantissa().checked_mul(mad4)?;
    let two_units = 10i128.checked_pow(k.scale())?.checked_mul(2)?;
    let mut outliers = Vec::new();
    for (e, d) in dev2.iter().enumerate() {
        if d.checked_mul(two_units)? > limit {
            outliers.push(e);
        }
    }
    let unit = 10i128.checked_pow(scale)?;
    Some((Rat::ratio(mid2, unit.checked_mul(2)?), Rat::ratio(mad4, unit.checked_mul(4)?), outliers))
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
    match ((n / 2).checked_sub(1).and_then(|i| v.get(i)), upper) {
        (Some(lo), Some(hi)) => lo.add(hi).div(&Rat::from_int(2)),
        _ => Rat::zero(),
    }
}

/// Twice the ranks of `values` (1 = highest; ties get the mean of the ranks they span, so
/// twice it is a whole number), and the tie correction Σ(t³ − t) over groups of t tied values.
fn doubled_ranks<T: Ord>(values: &[&T]) -> (Vec<i128>, i128) {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_unstable_by(|a, b| values.get(*b).cmp(&values.get(*a)));
    let mut out = vec![0i128; values.len()];
    let mut ties = 0i128;
    let mut start = 0;
    while start < idx.len() {
        let v = idx.get(start).and_then(|&i| values.get(i));
        let len = idx.get(start..).map_or(0, |rest| rest.iter().take_while(|&&i| values.get(i) == v).count()).max(1);
        // Positions start+1 ..= start+len share their mean rank, (2·start + len + 1) / 2.
        // (Counts of bids: far below where i128 products could overflow; saturating regardless.)
        let (s, l) = (start as i128, len as i128);
        let twice = s.saturating_mul(2).saturating_add(l).saturating_add(1);
        for &i in idx.get(start..start.saturating_add(len)).unwrap_or_default() {
            if let Some(slot) = out.get_mut(i) {
                *slot = twice;
            }
        }
        ties = ties.saturating_add(l.saturating_pow(3).saturating_sub(l));
        start = start.saturating_add(len);
    }
    (out, ties)
}

/// Kendall's W for `table[bid][evaluator]` (higher is better), corrected for ties:
/// `W = 12 S / (m²(n³ − n) − m Σ T)`, with S the sum of squared deviations of the rank
/// sums from their mean. `None` with fewer than 2 bids or evaluators, unequal rows, or
/// when every evaluator ties every bid.
///
/// The ranks are counted twice over, as whole numbers, so that nothing but the last
/// division is a fraction.
pub fn kendall_w<T: Ord, R: AsRef<[T]>>(table: &[R]) -> Option<Rat> {
    let n = table.len();
    let m = table.first()?.as_ref().len();
    if n < 2 || m < 2 || table.iter().any(|r| r.as_ref().len() != m) {
        return None;
    }
    let columns: Vec<Vec<&T>> = (0..m).map(|e| table.iter().filter_map(|r| r.as_ref().get(e)).collect()).collect();
    // Twice each bid's rank sum.
    let mut sums = vec![0i128; n];
    let mut ties = 0i128;
    for column in &columns {
        let (r, t) = doubled_ranks(column);
        for (s, x) in sums.iter_mut().zip(&r) {
            *s = s.saturating_add(*x);
        }
        ties = ties.saturating_add(t);
    }
    let (n, m) = (n as i128, m as i128);
    // Twice the mean rank sum, m(n + 1) / 2; then 4 S, the squared deviations of the doubled sums.
    let mean = m.saturating_mul(n.saturating_add(1));
    let four_s = sums
        .iter()
        .try_fold(0i128, |acc, r| r.checked_sub(mean).and_then(|d| d.checked_mul(d)).and_then(|d2| acc.checked_add(d2)))
        .map_or_else(
            || {
                sums.iter().fold(Rat::zero(), |acc, r| {
                    let d = Rat::from_int(*r).sub(&Rat::from_int(mean));
                    acc.add(&d.mul(&d))
                })
            },
            Rat::from_int,
        );
    let denominator = m.saturating_pow(2).saturating_mul(n.saturating_pow(3).saturating_sub(n)).saturating_sub(m.saturating_mul(ties));
    if denominator <= 0 {
        return None;
    }
    // 12 S / D = 3 (4 S) / D.
    Some(Rat::from_int(3).mul(&four_s).div(&Rat::from_int(denominator)))
}

/// The winners without evaluator `e`'s marks: the scenario that leaves them out, through
/// the same tally as the evaluation (only the panel criteria are scored again).
fn drop_evaluator(published: &Published<'_>, e: usize, name: String, winners: &[String]) -> DropOne {
    let prepared = match Scenario::new().without_evaluator(e).prepare(published) {
        Ok(p) => p,
        Err(err) => {
            let reason = match err {
                Error::TooFewMarks { criterion, kept, trim } => Some(DropOneReason::TooFewMarks { criterion, kept, trim }),
                // INVARIANT: the evaluator exists (it is one of the marks) and nothing else changes.
                _ => None,
            };
            return DropOne { evaluator: name, winners: None, entering: Vec::new(), leaving: Vec::new(), reason };
        }
    };
    let tally = prepared.tally();
    let now: Vec<String> = tally.winners().map(|i| prepared.bidder(i).to_owned()).collect();
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

/// The winners without evaluator `e`'s marks, by validating and evaluating a panel file that
/// leaves them out (the independent check of the drop-one scenario); `None` when that file
/// is not valid.
#[doc(hidden)]
pub fn drop_one_winners_full(inputs: &Inputs, e: usize) -> Option<Vec<String>> {
    let mut panel = inputs.panel.clone()?;
    for by_bidder in panel.marks.values_mut() {
        for marks in by_bidder.values_mut() {
            if e < marks.len() {
                marks.remove(e);
            }
        }
    }
    if let Some(names) = panel.evaluators.as_mut()
        && e < names.len()
    {
        names.remove(e);
    }
    let mut sources = inputs.sources.clone();
    let file = sources.get_mut(panel.span.file())?;
    *file = crate::SourceFile::new(file.path.clone(), panel.to_toml());
    let changed = crate::load_sources(sources).ok()?;
    Some(evaluate(&changed).winners().into_iter().map(str::to_owned).collect())
}

type PanelCrit<'a> = (usize, &'a Criterion, &'a PanelRule);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_spread_in_integers_is_the_spread_in_rationals_or_declines() {
        let cases: [&[&str]; 6] = [
            &["7", "10", "2", "5", "7"],
            &["4.5", "7", "10.25", "5"],
            &["3"],
            &["1", "9"],
            &["0.1", "0.10", "9.99", "10", "0"],
            &["5", "5", "5", "5"],
        ];
        for marks in cases {
            let marks: Vec<Decimal> = marks.iter().map(|m| d(m)).collect();
            for k in ["2.5", "0", "1", "0.75"] {
                assert_eq!(spread_in_integers(&marks, d(k)), Some(spread_exactly(&marks, d(k))), "{marks:?}, k = {k}");
            }
        }
        // No marks, or numbers past i128 at one scale: the rationals do it.
        assert_eq!(spread_in_integers(&[], d("2.5")), None);
        let huge = [d("79228162514264337593543950335"), d("0.0000000000000000000000000001")];
        assert_eq!(spread_in_integers(&huge, d("2.5")), None);
        assert_eq!(spread_exactly(&huge, d("2.5")).2, Vec::<usize>::new());
    }
}
