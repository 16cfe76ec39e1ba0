//! What would it take to win? The smallest sets of bid-field changes (fewest fields, then
//! the least change) that make a bid selected. Candidate values are each rule's and gate's
//! breakpoints (each kind says its own: [`breakpoints`](crate::rules)); every combination is
//! a [`Scenario`] evaluated by the tally (so `relative` and `kr-price` references move as
//! they would), and every path shown is verified by a what-if that validates and scores the
//! changed files from scratch.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::Error;
use super::scenario::{Published, Scenario};
use super::whatif::{Change, whatif};
use crate::evaluate::{BidStatus, Outcome, Standing};
use crate::exact::{Points, Rat};
use crate::load::toml_out::scalar_short;
use crate::model::Inputs;
use crate::rules::{Breakpoints, Rival};
use crate::value::{Given, Scalar};

/// Combinations evaluated together (on every core) before their results are taken.
const BATCH: usize = 256;

/// How far `path-to-win` searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathToWinOptions {
    /// The most fields a path may change.
    pub max_changes: usize,
    /// Stop after this many evaluations, and say so.
    pub max_evaluations: usize,
}

impl PathToWinOptions {
    /// At most 3 changes and 200,000 evaluations.
    pub fn new() -> PathToWinOptions {
        PathToWinOptions { max_changes: 3, max_evaluations: 200_000 }
    }

    /// Allow paths of up to `k` changes.
    pub fn with_max_changes(mut self, k: usize) -> PathToWinOptions {
        self.max_changes = k;
        self
    }

    /// Stop after `n` evaluations.
    pub fn with_max_evaluations(mut self, n: usize) -> PathToWinOptions {
        self.max_evaluations = n;
        self
    }
}

impl Default for PathToWinOptions {
    fn default() -> PathToWinOptions {
        PathToWinOptions::new()
    }
}

/// Show at most this many paths of the smallest size.
const MAX_PATHS: usize = 5;

/// The answer to "what would it take?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathToWin {
    /// The bid.
    pub bidder: String,
    /// The most fields a path may change.
    pub max_changes: usize,
    /// The smallest paths found (all of the same size), least change first; each verified.
    pub paths: Vec<WinPath>,
    /// Why no path is shown, when none is.
    pub reason: Option<NoPath>,
    /// The candidate values searched, per field (least change first).
    pub candidates: Vec<Candidates>,
    /// How many combinations were evaluated.
    pub evaluated: usize,
    /// The search stopped at its limit: smaller or cheaper paths may exist unseen.
    pub truncated: bool,
}

/// Why no path is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoPath {
    /// The bid is selected already.
    AlreadySelected,
    /// A gate it fails cannot pass with any value of its field that passes every other gate
    /// on that field.
    ImpossibleGate {
        /// The gate.
        gate: String,
        /// Its field.
        field: String,
    },
    /// Every rule and gate the bid faces is at its best already.
    NothingToImprove,
    /// The search stopped at its limit of evaluations without a path.
    Stopped {
        /// The evaluations made.
        evaluations: usize,
        /// The best rank and total reached, if any.
        closest: Option<(u32, Points)>,
    },
    /// Combinations that select the bid were found on the published evaluation, but none
    /// was confirmed by re-scoring the changed files (which should not happen: it is said,
    /// not hidden).
    Unverified {
        /// How many were found.
        found: usize,
    },
    /// No combination within the limit of changes selects the bid.
    NotFound {
        /// The limit of changes.
        max_changes: usize,
        /// Candidate values searched.
        values: usize,
        /// Fields they belong to.
        fields: usize,
        /// The best rank and total reached, if any.
        closest: Option<(u32, Points)>,
    },
}

/// One way to win.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WinPath {
    /// The field changes.
    pub changes: Vec<FieldChange>,
    /// The bid's rank once changed.
    pub rank: Option<u32>,
    /// Its total once changed.
    pub total: Points,
}

/// One field's change, as TOML literals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The field path.
    pub field: String,
    /// Its value now (`None`: the bid lacks it).
    pub from: Option<String>,
    /// The value that wins.
    pub to: String,
}

/// The values tried for one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidates {
    /// The field path.
    pub field: String,
    /// Its value now.
    pub current: Option<Scalar>,
    /// Better values from the rules' and gates' breakpoints, least change first.
    pub values: Vec<Scalar>,
}

impl PathToWin {
    /// The changes of a path as what-if [`Change`]s.
    pub fn changes(path: &WinPath) -> Vec<Change> {
        path.changes.iter().map(|c| Change::Set { field: c.field.clone(), literal: c.to.clone() }).collect()
    }
}

/// Search for the smallest sets of field changes (at most `options.max_changes`) that make
/// `bidder` selected.
///
/// # Errors
/// [`Error::UnknownBid`] for an unknown bidder id.
///
/// # Examples
/// ```
/// use bidscore::analysis::{PathToWinOptions, path_to_win};
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// // Coupang needs four changes to be selected: none within three.
/// assert!(path_to_win(&inputs, &outcome, "coupang", PathToWinOptions::new())?.paths.is_empty());
/// let p = path_to_win(&inputs, &outcome, "coupang", PathToWinOptions::new().with_max_changes(4))?;
/// assert!(!p.paths.is_empty());
/// assert!(p.paths.iter().all(|x| x.changes.len() == p.paths[0].changes.len()));
/// # Ok::<(), bidscore::analysis::Error>(())
/// ```
pub fn path_to_win(inputs: &Inputs, outcome: &Outcome, bidder: &str, options: PathToWinOptions) -> Result<PathToWin, Error> {
    path_to_win_with(inputs, outcome, bidder, options, &super::Silent)
}

/// [`path_to_win`], telling `progress` the evaluations made (of the limit) every thousand.
///
/// # Errors
/// As [`path_to_win`].
pub fn path_to_win_with(
    inputs: &Inputs,
    outcome: &Outcome,
    bidder: &str,
    options: PathToWinOptions,
    progress: &dyn super::Progress,
) -> Result<PathToWin, Error> {
    if !inputs.tender.lots.is_empty() {
        return Err(Error::Lots { analysis: "path-to-win" });
    }
    // A counterfactual ranking would have been negotiated differently: ask it of the award
    // before negotiation.
    if let Some(aside) = inputs.without_negotiation() {
        return path_to_win_with(&aside, &crate::evaluate::evaluate(&aside), bidder, options, progress);
    }
    let max_changes = options.max_changes;
    let Some(index) = inputs.bid_index(bidder) else {
        return Err(Error::unknown_bid(bidder, inputs.bids.iter().map(|b| b.id.as_str())));
    };
    let mut result = PathToWin {
        bidder: bidder.to_owned(),
        max_changes,
        paths: Vec::new(),
        reason: None,
        candidates: Vec::new(),
        evaluated: 0,
        truncated: false,
    };
    if outcome.standing(bidder).is_some_and(|s| s.status == BidStatus::Selected) {
        result.reason = Some(NoPath::AlreadySelected);
        return Ok(result);
    }
    result.candidates = candidates(inputs, index, outcome);
    if let Some(why) = impossible_gate(inputs, outcome, bidder, &result.candidates) {
        result.reason = Some(why);
        return Ok(result);
    }
    let fields: Vec<&Candidates> = result.candidates.iter().filter(|c| !c.values.is_empty()).collect();
    if fields.is_empty() {
        result.reason = Some(NoPath::NothingToImprove);
        return Ok(result);
    }

    let published = Published::from_outcome(inputs, outcome);
    // Made here, before the batches run on every core (see `Published::base`).
    let _ = published.base();
    let mut best_miss: Option<(u32, Points)> = None;
    let mut found: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
    let mut truncated = false;
    // The bid's row once `changes` are made, if they can be made.
    let status_with = |changes: &[(&str, &Scalar)]| -> Option<(BidStatus, Option<u32>, Points)> {
        let mut scenario = Scenario::new();
        for (field, value) in changes {
            scenario = scenario.set(bidder, field, (*value).clone());
        }
        scenario.prepare(&published).ok()?.standing(index)
    };
    // Combinations are evaluated in batches on every core, their results taken in the order
    // they were enumerated: the same answer as one at a time.
    let mut batch: Vec<Vec<(usize, usize)>> = Vec::with_capacity(BATCH);
    let take =
        |batch: &mut Vec<Vec<(usize, usize)>>, found: &mut Vec<(usize, Vec<(usize, usize)>)>, best_miss: &mut Option<(u32, Points)>| {
            let one = |chosen: &Vec<(usize, usize)>| {
                let changes: Vec<(&str, &Scalar)> =
                    chosen.iter().filter_map(|&(f, v)| fields.get(f).and_then(|c| Some((c.field.as_str(), c.values.get(v)?)))).collect();
                // Candidates are valid for the rules by construction; one that is not is simply
                // not a path.
                status_with(&changes)
            };
            // A full batch goes to every core; a partial one (a small search, or the end of a
            // size) costs less on this thread than waking the others.
            let results: Vec<Option<(BidStatus, Option<u32>, Points)>> =
                if batch.len() >= BATCH { batch.par_iter().map(one).collect() } else { batch.iter().map(one).collect() };
            for (chosen, r) in batch.drain(..).zip(results) {
                let Some((status, rank, total)) = r else { continue };
                if status == BidStatus::Selected {
                    // Least change: the sum of each value's position in its field's list.
                    let cost = chosen.iter().fold(0usize, |a, (_, v)| a.saturating_add(*v));
                    found.push((cost, chosen));
                } else if let Some(r) = rank
                    && best_miss.as_ref().is_none_or(|(b, t)| r < *b || (r == *b && total > *t))
                {
                    *best_miss = Some((r, total));
                }
            }
        };
    'sizes: for k in 1..=max_changes.min(fields.len()) {
        for combo in super::subsets(fields.len(), k) {
            // Every choice of one value per field in the combination, built one at a time so
            // that the limit is checked before anything is allocated for the next.
            let sizes: Vec<usize> = combo.iter().filter_map(|&f| fields.get(f).map(|c| c.values.len())).collect();
            for picks in super::product(&sizes) {
                if result.evaluated >= options.max_evaluations {
                    truncated = true;
                    break 'sizes;
                }
                result.evaluated = result.evaluated.saturating_add(1);
                if result.evaluated.is_multiple_of(1000) {
                    progress.step(result.evaluated, options.max_evaluations);
                }
                batch.push(combo.iter().copied().zip(picks.iter().copied()).collect());
                if batch.len() >= BATCH {
                    take(&mut batch, &mut found, &mut best_miss);
                }
            }
        }
        take(&mut batch, &mut found, &mut best_miss);
        if !found.is_empty() {
            break;
        }
    }
    take(&mut batch, &mut found, &mut best_miss);
    result.truncated = truncated;
    found.sort();
    // One path per set of fields, the least change: the same fields with a deeper change
    // are not another way to win.
    let mut sets: Vec<Vec<usize>> = Vec::new();
    found.retain(|(_, chosen)| {
        let set: Vec<usize> = chosen.iter().map(|(f, _)| *f).collect();
        let new = !sets.contains(&set);
        if new {
            sets.push(set);
        }
        new
    });
    let found_any = found.len();
    for (_, chosen) in found {
        if result.paths.len() >= MAX_PATHS {
            break;
        }
        let mut values: Vec<(String, Option<Scalar>, Scalar)> = chosen
            .iter()
            .filter_map(|&(f, v)| {
                let c = fields.get(f)?;
                Some((c.field.clone(), c.current.clone(), c.values.get(v)?.clone()))
            })
            .collect();
        // A number or a date is pulled back to the least change that still wins, at the
        // precision of the values (solved by bisection on the exact tally, then verified):
        // a breakpoint can overshoot, as when a `relative` price's bound assumes the bid
        // becomes the reference.
        for i in 0..values.len() {
            let wins = |x: &Scalar, evaluated: &mut usize| {
                *evaluated = evaluated.saturating_add(1);
                let changes: Vec<(&str, &Scalar)> =
                    values.iter().enumerate().map(|(j, (f, _, v))| (f.as_str(), if j == i { x } else { v })).collect();
                status_with(&changes).is_some_and(|(st, _, _)| st == BidStatus::Selected)
            };
            if let Some((_, Some(current), to)) = values.get(i)
                && let Some(least) = least_change(current, to, |x| wins(x, &mut result.evaluated))
                && let Some(slot) = values.get_mut(i)
            {
                slot.2 = least;
            }
        }
        let changes: Vec<FieldChange> = values
            .iter()
            .map(|(field, current, to)| FieldChange {
                field: field.clone(),
                from: current.as_ref().map(scalar_short),
                to: scalar_short(to),
            })
            .collect();
        // Verified through the files, as `bidscore whatif` would run it.
        let as_changes: Vec<Change> = changes.iter().map(|c| Change::Set { field: c.field.clone(), literal: c.to.clone() }).collect();
        if let Ok(w) = whatif(inputs, outcome, bidder, &as_changes)
            && let Some(me) = w.outcome.standing(bidder)
            && me.status == BidStatus::Selected
        {
            result.paths.push(WinPath { changes, rank: me.rank, total: me.total });
        }
    }
    if result.paths.is_empty() {
        let values: usize = fields.iter().map(|c| c.values.len()).sum();
        result.reason = Some(if found_any > 0 {
            NoPath::Unverified { found: found_any }
        } else if truncated {
            NoPath::Stopped { evaluations: options.max_evaluations, closest: best_miss }
        } else {
            NoPath::NotFound { max_changes, values, fields: fields.len(), closest: best_miss }
        });
    }
    Ok(result)
}

/// A gate the bid fails that no value of its field can pass together with every other gate
/// on the same field (say, `at_least = 10` and `at_most = 5`).
fn impossible_gate(inputs: &Inputs, outcome: &Outcome, bidder: &str, candidates: &[Candidates]) -> Option<NoPath> {
    let t = &inputs.tender;
    let me = outcome.standing(bidder)?;
    for (j, g) in t.gates.iter().enumerate() {
        if me.gates.get(j).is_none_or(|v| v.passed) {
            continue;
        }
        let field = g.field.to_string();
        let values = candidates.iter().find(|c| c.field == field).map(|c| c.values.as_slice()).unwrap_or_default();
        let passes_all = |v: &Scalar| t.gates.iter().filter(|h| h.field == g.field).all(|h| h.require.accepts(v));
        if !values.iter().any(passes_all) {
            return Some(NoPath::ImpossibleGate { gate: g.id.to_string(), field });
        }
    }
    None
}

/// Candidate values per field read by a gate or criterion, better than the bid's own.
fn candidates(inputs: &Inputs, index: usize, outcome: &Outcome) -> Vec<Candidates> {
    let t = &inputs.tender;
    let Some(bid) = inputs.bids.get(index) else {
        return Vec::new();
    };
    let me = outcome.standing(&bid.id);
    let mut by_field: BTreeMap<String, (Option<Scalar>, Vec<Scalar>)> = BTreeMap::new();
    for (j, g) in t.gates.iter().enumerate() {
        let current = inputs.gate_value(index, j).cloned();
        let passed = me.and_then(|m| m.gates.get(j)).is_some_and(|v| v.passed);
        let entry = by_field.entry(g.field.to_string()).or_insert_with(|| (current.clone(), Vec::new()));
        if passed {
            continue;
        }
        entry.1.extend(g.require.passing_values());
    }
    for (j, c) in t.criteria.iter().enumerate() {
        let Some(field) = &c.field else {
            continue;
        };
        let current = match inputs.given(index, j) {
            Some(Given::Value(v)) => Some(v.clone()),
            _ => None,
        };
        let score = me.and_then(|m| outcome.criterion(inputs, m, j)).map(|x| x.score);
        if score.as_ref().is_some_and(|s| *s >= Rat::one()) {
            continue;
        }
        let entry = by_field.entry(field.to_string()).or_insert_with(|| (current.clone(), Vec::new()));
        let now = score.unwrap_or_else(Rat::zero);
        // The best value in force, as the evaluation took it.
        let reference = outcome.references.get(j).copied().flatten();
        let rivals = me.map(|me| rivals(inputs, outcome, me, j)).unwrap_or_default();
        let points = Rat::from_decimal(c.points);
        let at = Breakpoints { current: current.as_ref(), score: &now, reference, points: &points, rivals: &rivals };
        entry.1.extend(c.rule.breakpoints(&at));
    }
    by_field
        .into_iter()
        .map(|(field, (current, mut values))| {
            values.retain(|v| Some(v) != current.as_ref());
            // Nearest first; a stable sort keeps the rules' own order (smallest score gain
            // first) among values at the same distance, such as strings.
            values.sort_by_key(|v| distance(current.as_ref(), v));
            let mut unique: Vec<Scalar> = Vec::new();
            for v in values {
                if !unique.contains(&v) {
                    unique.push(v);
                }
            }
            let values = unique;
            Candidates { field, current, values }
        })
        .collect()
}

/// The bids ranked ahead of `me` with a number on criterion `j`, each with the margin by which
/// `me`'s other points plus the criterion's full points exceed the rival's other points (exact,
/// on the points as scored: under differential scoring, before the adjustment, so that the
/// criterion's points and the totals they are taken from agree).
fn rivals(inputs: &Inputs, outcome: &Outcome, me: &Standing, j: usize) -> Vec<Rival> {
    let Some(c) = inputs.tender.criteria.get(j) else {
        return Vec::new();
    };
    let p = Rat::from_decimal(c.points);
    let mine = me.points.get(j).map_or_else(Rat::zero, |x| x.rat());
    let scored = |s: &Standing| s.original.as_ref().map_or(s.total, |o| o.total).rat();
    let o_me = scored(me).sub(&mine);
    let mut out = Vec::new();
    for rival in outcome.standings.iter().filter(|s| s.bidder != me.bidder && s.rank.is_some() && (me.rank.is_none() || s.rank < me.rank)) {
        let Some(Given::Value(Scalar::Number(v))) = inputs.bid_index(&rival.bidder).and_then(|i| inputs.given(i, j)) else {
            continue;
        };
        let theirs = rival.points.get(j).map_or_else(Rat::zero, |x| x.rat());
        let o_r = scored(rival).sub(&theirs);
        out.push(Rival { value: *v, margin: o_me.add(&p).sub(&o_r) });
    }
    out
}

/// How far a candidate is from the current value (for "least change"): numbers and dates
/// by their absolute difference, anything else as one step.
fn distance(current: Option<&Scalar>, v: &Scalar) -> Rat {
    match (current, v) {
        (Some(Scalar::Number(a)), Scalar::Number(b)) => Rat::from_decimal(a.saturating_sub(*b).abs()),
        (Some(Scalar::Date(a)), Scalar::Date(b)) => Rat::from_int(i128::from(a.days().saturating_sub(b.days()).saturating_abs())),
        _ => Rat::one(),
    }
}

/// The value nearest `current` between `current` (which does not win) and `to` (which
/// does) that still wins, on the grid of the finer of the two values' decimals (whole days
/// for dates): a bisection that keeps `to`'s side winning, so what it returns has been
/// seen to win, and one grid step nearer `current` has been seen not to. `None` for other
/// kinds of values.
fn least_change(current: &Scalar, to: &Scalar, mut wins: impl FnMut(&Scalar) -> bool) -> Option<Scalar> {
    let grid = Grid::of(current, to)?;
    // `lose` does not win, `win` does; narrow until they are one step apart. Both ends must
    // be on the grid exactly, or the pull-back is not attempted.
    let (mut lose, mut win) = (grid.index(current)?, grid.index(to)?);
    if grid.value(lose).as_ref() != Some(current) || grid.value(win).as_ref() != Some(to) {
        return None;
    }
    while win.abs_diff(lose) > 1 {
        let mid = lose.checked_add(win.checked_sub(lose)? / 2)?;
        if wins(&grid.value(mid)?) {
            win = mid;
        } else {
            lose = mid;
        }
    }
    grid.value(win)
}

/// The values `least_change` steps through, as integers: numbers in units of their finest
/// decimal place, dates in days.
enum Grid {
    Number(u32),
    Date,
}

impl Grid {
    fn of(current: &Scalar, to: &Scalar) -> Option<Grid> {
        match (current, to) {
            // The places that matter (trailing zeros do not), never finer than the limit on
            // numbers, so every midpoint is a value a file could hold.
            (Scalar::Number(c), Scalar::Number(t)) => {
                let places = c.normalize().scale().max(t.normalize().scale());
                let max = u32::try_from(crate::exact::MAX_FRACTION_DIGITS).unwrap_or(10);
                Some(Grid::Number(places.min(max)))
            }
            (Scalar::Date(_), Scalar::Date(_)) => Some(Grid::Date),
            _ => None,
        }
    }

    fn index(&self, v: &Scalar) -> Option<i128> {
        match (self, v) {
            (Grid::Number(scale), Scalar::Number(d)) => {
                // Exactly on the grid, or not at all (`rescale` would round).
                let m = d.normalize();
                let shift = scale.checked_sub(m.scale())?;
                m.mantissa().checked_mul(10i128.checked_pow(shift)?)
            }
            (Grid::Date, Scalar::Date(d)) => Some(i128::from(d.days())),
            _ => None,
        }
    }

    fn value(&self, i: i128) -> Option<Scalar> {
        match self {
            Grid::Number(scale) => rust_decimal::Decimal::try_from_i128_with_scale(i, *scale).ok().map(Scalar::Number),
            Grid::Date => i64::try_from(i).ok().and_then(crate::value::Date::from_days).map(Scalar::Date),
        }
    }
}
