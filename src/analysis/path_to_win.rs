//! What would it take to win? The smallest sets of bid-field changes (fewest fields, then
//! the least change) that make a bid selected. Candidate values are each rule's and gate's
//! breakpoints; every combination is re-evaluated in full (so `relative` and `kr-price`
//! references move as they would), and every path shown is verified by a what-if that
//! validates and scores the changed files from scratch.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::evaluate::{BidStatus, evaluate};
use crate::exact::Rat;
use crate::model::{Given, Inputs, Require, Scalar};
use crate::rules::{Better, Breakpoints, Rival};

use super::whatif::{Change, whatif};
use crate::load::toml_out::scalar_short as scalar_literal;

/// Stop searching after this many evaluations and say so.
const MAX_EVALUATIONS: usize = 200_000;
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
    pub reason: Option<String>,
    /// The candidate values searched, per field (least change first).
    pub candidates: Vec<Candidates>,
    /// How many combinations were evaluated.
    pub evaluated: usize,
    /// The search stopped at its limit: smaller or cheaper paths may exist unseen.
    pub truncated: bool,
}

/// One way to win.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WinPath {
    /// The field changes.
    pub changes: Vec<FieldChange>,
    /// The bid's rank and total once changed.
    pub rank: Option<u32>,
    /// Its total once changed.
    pub total: String,
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

/// Search for the smallest sets of at most `max_changes` field changes that make `bidder`
/// selected.
///
/// # Errors
/// An unknown bidder id.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// // Coupang needs four changes to be selected: none within three.
/// assert!(bidscore::analysis::path_to_win(&inputs, "coupang", 3).unwrap().paths.is_empty());
/// let p = bidscore::analysis::path_to_win(&inputs, "coupang", 4).unwrap();
/// assert!(!p.paths.is_empty());
/// assert!(p.paths.iter().all(|x| x.changes.len() == p.paths[0].changes.len()));
/// ```
pub fn path_to_win(inputs: &Inputs, bidder: &str, max_changes: usize) -> Result<PathToWin, String> {
    let Some(index) = inputs.bids.iter().position(|b| b.id == bidder) else {
        let ids: Vec<String> = inputs.bids.iter().map(|b| format!("`{}`", b.id)).collect();
        return Err(format!("no bid has the id `{bidder}`; bids: {}", ids.join(", ")));
    };
    let outcome = evaluate(inputs);
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
        result.reason = Some(format!("`{bidder}` is already selected"));
        return Ok(result);
    }
    result.candidates = candidates(inputs, index, &outcome);
    if let Some(why) = impossible_gate(inputs, index, &outcome, &result.candidates) {
        result.reason = Some(why);
        return Ok(result);
    }
    let fields: Vec<&Candidates> = result.candidates.iter().filter(|c| !c.values.is_empty()).collect();
    if fields.is_empty() {
        result.reason = Some(format!("no field of `{bidder}` can improve its score: every rule and gate it faces is already at its best"));
        return Ok(result);
    }

    let mut best_miss: Option<(u32, crate::exact::Points)> = None;
    let mut found: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
    let mut truncated = false;
    'sizes: for k in 1..=max_changes.min(fields.len()) {
        for combo in super::subsets(fields.len(), k) {
            // Every choice of one value per field in the combination.
            let sizes: Vec<usize> = combo.iter().filter_map(|&f| fields.get(f).map(|c| c.values.len())).collect();
            for picks in product(&sizes) {
                if result.evaluated >= MAX_EVALUATIONS {
                    truncated = true;
                    break 'sizes;
                }
                result.evaluated += 1;
                let chosen: Vec<(usize, usize)> = combo.iter().copied().zip(picks.iter().copied()).collect();
                let changed = apply(inputs, index, &chosen, &fields);
                let o = evaluate(&changed);
                let Some(me) = o.standing(bidder) else {
                    continue;
                };
                if me.status == BidStatus::Selected {
                    // Least change: the sum of each value's position in its field's list.
                    let cost = picks.iter().sum();
                    found.push((cost, chosen));
                } else if let Some(r) = me.rank
                    && best_miss.as_ref().is_none_or(|(b, t)| r < *b || (r == *b && me.total > *t))
                {
                    best_miss = Some((r, me.total));
                }
            }
        }
        if !found.is_empty() {
            break;
        }
    }
    result.truncated = truncated;
    found.sort();
    for (_, chosen) in found {
        if result.paths.len() >= MAX_PATHS {
            break;
        }
        let changes: Vec<FieldChange> = chosen
            .iter()
            .filter_map(|&(f, v)| {
                let c = fields.get(f)?;
                Some(FieldChange {
                    field: c.field.clone(),
                    from: c.current.as_ref().map(scalar_literal),
                    to: scalar_literal(c.values.get(v)?),
                })
            })
            .collect();
        // Verified through the files, as `bidscore whatif` would run it.
        let as_changes: Vec<Change> = changes.iter().map(|c| Change::Set { field: c.field.clone(), literal: c.to.clone() }).collect();
        if let Ok(w) = whatif(inputs, bidder, &as_changes)
            && let Some(me) = w.outcome.standing(bidder)
            && me.status == BidStatus::Selected
        {
            result.paths.push(WinPath { changes, rank: me.rank, total: me.total.to_string() });
        }
    }
    if result.paths.is_empty() {
        let n: usize = fields.iter().map(|c| c.values.len()).sum();
        let closest = best_miss.map(|(r, t)| format!("; the closest it came was rank {r} with {t} points")).unwrap_or_default();
        result.reason = Some(if truncated {
            format!("the search stopped after {MAX_EVALUATIONS} combinations without a path{closest}")
        } else {
            format!(
                "no combination of at most {max_changes} changes among {n} candidate values of {} fields makes `{bidder}` selected{closest}",
                fields.len()
            )
        });
    }
    Ok(result)
}

/// A gate the bid fails that no value of its field can pass together with every other gate
/// on the same field (say, `at_least = 10` and `at_most = 5`).
fn impossible_gate(inputs: &Inputs, index: usize, outcome: &crate::evaluate::Outcome, candidates: &[Candidates]) -> Option<String> {
    let t = &inputs.tender;
    let me = outcome.standing(&inputs.bids.get(index)?.id)?;
    for (j, g) in t.gates.iter().enumerate() {
        if me.gates.get(j).is_none_or(|v| v.passed) {
            continue;
        }
        let field = g.field.to_string();
        let values = candidates.iter().find(|c| c.field == field).map(|c| c.values.as_slice()).unwrap_or_default();
        let passes_all =
            |v: &Scalar| t.gates.iter().filter(|h| h.field.to_string() == field).all(|h| crate::evaluate::gate_verdict(h, Some(v)).passed);
        if !values.iter().any(passes_all) {
            return Some(format!(
                "gate `{}` fails, and no value of `{field}` passes it together with every other gate on that field",
                g.id
            ));
        }
    }
    None
}

/// Candidate values per field read by a gate or criterion, better than the bid's own.
fn candidates(inputs: &Inputs, index: usize, outcome: &crate::evaluate::Outcome) -> Vec<Candidates> {
    let t = &inputs.tender;
    let Some(bid) = inputs.bids.get(index) else {
        return Vec::new();
    };
    let resolved = inputs.resolved.get(index);
    let me = outcome.standing(&bid.id);
    let mut by_field: BTreeMap<String, (Option<Scalar>, Vec<Scalar>)> = BTreeMap::new();
    for (j, g) in t.gates.iter().enumerate() {
        let current = resolved.and_then(|r| r.gates.get(j)).cloned().flatten();
        let passed = me.and_then(|m| m.gates.get(j)).is_some_and(|v| v.passed);
        let entry = by_field.entry(g.field.to_string()).or_insert_with(|| (current.clone(), Vec::new()));
        if passed {
            continue;
        }
        match &g.require {
            Require::Equals(v) => entry.1.push(v.clone()),
            Require::OneOf(vs) => entry.1.extend(vs.iter().cloned()),
            Require::AtLeast(x) | Require::AtMost(x) => entry.1.push(Scalar::Number(*x)),
            Require::NotAfter(d) => entry.1.push(Scalar::Date(*d)),
        }
    }
    for (j, c) in t.criteria.iter().enumerate() {
        let Some(field) = &c.field else {
            continue;
        };
        let current = match resolved.and_then(|r| r.criteria.get(j)) {
            Some(Some(Given::Value(v))) => Some(v.clone()),
            _ => None,
        };
        let score = me.and_then(|m| m.criteria.get(j)).map(|x| x.score.clone());
        if score.as_ref().is_some_and(|s| *s >= Rat::one()) {
            continue;
        }
        let entry = by_field.entry(field.to_string()).or_insert_with(|| (current.clone(), Vec::new()));
        let now = score.unwrap_or_else(Rat::zero);
        let reference = c.rule.reference().and_then(|r| best_value(inputs, outcome, j, r.better, r.among));
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

/// The best value criterion `j` is compared with: over the bids that pass every gate, or
/// with `among = "qualified"` over the qualified ones, as `evaluate` takes it.
fn best_value(
    inputs: &Inputs,
    outcome: &crate::evaluate::Outcome,
    j: usize,
    better: Better,
    among: crate::rules::Among,
) -> Option<Decimal> {
    let counts = |id: &str| {
        outcome.standing(id).is_some_and(|s| match among {
            crate::rules::Among::Eligible => s.gates.iter().all(|g| g.passed),
            crate::rules::Among::Qualified => matches!(s.status, BidStatus::Selected | BidStatus::Qualified),
        })
    };
    let values = inputs.bids.iter().zip(&inputs.resolved).filter(|(b, _)| counts(&b.id)).filter_map(|(_, r)| match r.criteria.get(j) {
        Some(Some(Given::Value(Scalar::Number(x)))) => Some(*x),
        _ => None,
    });
    match better {
        Better::Higher => values.max(),
        Better::Lower => values.min(),
    }
}

/// The bids ranked ahead of `me` with a number on criterion `j`, each with the margin by which
/// `me`'s other points plus the criterion's full points exceed the rival's other points (exact,
/// on the points as scored).
fn rivals(inputs: &Inputs, outcome: &crate::evaluate::Outcome, me: &crate::evaluate::Standing, j: usize) -> Vec<Rival> {
    let Some(c) = inputs.tender.criteria.get(j) else {
        return Vec::new();
    };
    let p = Rat::from_decimal(c.points);
    let mine = me.criteria.get(j).map_or_else(Rat::zero, |x| x.points.rat());
    let o_me = me.total.rat().sub(&mine);
    let index: std::collections::HashMap<&str, usize> = inputs.bids.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    let mut out = Vec::new();
    for rival in outcome.standings.iter().filter(|s| s.bidder != me.bidder && s.rank.is_some() && (me.rank.is_none() || s.rank < me.rank)) {
        let Some(Some(Given::Value(Scalar::Number(v)))) =
            index.get(rival.bidder.as_str()).and_then(|&i| inputs.resolved.get(i)).and_then(|r| r.criteria.get(j))
        else {
            continue;
        };
        let theirs = rival.criteria.get(j).map_or_else(Rat::zero, |x| x.points.rat());
        let o_r = rival.total.rat().sub(&theirs);
        out.push(Rival { value: *v, margin: o_me.add(&p).sub(&o_r) });
    }
    out
}

/// How far a candidate is from the current value (for "least change"): numbers and dates
/// by their absolute difference, anything else as one step.
fn distance(current: Option<&Scalar>, v: &Scalar) -> Rat {
    match (current, v) {
        (Some(Scalar::Number(a)), Scalar::Number(b)) => Rat::from_decimal((*a - *b).abs()),
        (Some(Scalar::Date(a)), Scalar::Date(b)) => Rat::from_int(i128::from((a.days() - b.days()).abs())),
        _ => Rat::one(),
    }
}

/// `inputs` with the chosen values written into the bid's resolved inputs (every gate and
/// criterion that reads the field, and the offered quantity). The candidates are valid for
/// the rules by construction; the shown paths are re-checked through the files.
fn apply(inputs: &Inputs, index: usize, chosen: &[(usize, usize)], fields: &[&Candidates]) -> Inputs {
    let mut changed = inputs.clone();
    let t = &inputs.tender;
    let Some(r) = changed.resolved.get_mut(index) else {
        return changed;
    };
    for &(f, v) in chosen {
        let (Some(c), Some(value)) = (fields.get(f), fields.get(f).and_then(|c| c.values.get(v))) else {
            continue;
        };
        for (j, g) in t.gates.iter().enumerate() {
            if g.field.to_string() == c.field
                && let Some(slot) = r.gates.get_mut(j)
            {
                *slot = Some(value.clone());
            }
        }
        for (j, cr) in t.criteria.iter().enumerate() {
            if cr.field.as_ref().is_some_and(|p| p.to_string() == c.field)
                && let Some(slot) = r.criteria.get_mut(j)
            {
                *slot = Some(Given::Value(value.clone()));
            }
        }
        if let (Some(q), Scalar::Number(n)) = (&t.award.quantity, value)
            && q.field.to_string() == c.field
        {
            r.offered = rust_decimal::prelude::ToPrimitive::to_u64(n);
        }
    }
    changed
}

/// Every tuple with element i in 0..sizes[i], the first position varying slowest.
fn product(sizes: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for &s in sizes {
        out = out.into_iter().flat_map(|prefix| (0..s).map(move |i| [prefix.clone(), vec![i]].concat())).collect();
    }
    out
}
