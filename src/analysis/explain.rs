//! Why a bid scored what it did: every gate and criterion with its reason, the thresholds
//! it missed and by how much, and the points it lost and gained against another bid, with
//! the *decisive* criteria — the smallest set whose points, taken from the other bid, would
//! reverse the pair.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::evaluate::{BidStatus, GateVerdict, Outcome, Standing, ThresholdVerdict};
use crate::exact::{Points, Rat};
use crate::model::Inputs;

/// The explanation of one bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The bid explained.
    pub bidder: String,
    /// Its status.
    pub status: BidStatus,
    /// Its rank (qualified bids only).
    pub rank: Option<u32>,
    /// Its total (the points used for ranking).
    pub total: Points,
    /// Every gate's verdict.
    pub gates: Vec<GateVerdict>,
    /// Every criterion: points, maximum and the reason.
    pub criteria: Vec<CriterionLine>,
    /// Qualification thresholds, with the shortfall of those missed.
    pub thresholds: Vec<ThresholdLine>,
    /// The comparison with another bid, if there is one to compare with.
    pub against: Option<Comparison>,
}

/// One criterion of the explained bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionLine {
    /// Criterion id.
    pub id: String,
    /// Its section.
    pub section: String,
    /// The value scored (or the marks), as text.
    pub value: Option<String>,
    /// Points scored.
    pub points: Points,
    /// Points available.
    pub max: Decimal,
    /// Why.
    pub reason: String,
}

/// A qualification threshold and how far the bid is from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdLine {
    /// The verdict.
    pub verdict: ThresholdVerdict,
    /// Points short of the threshold (exact), when missed.
    pub short_by: Option<Rat>,
}

/// The explained bid against another, criterion by criterion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// The other bid.
    pub other: String,
    /// Why this bid was chosen to compare with.
    pub why: String,
    /// The other bid's status.
    pub other_status: BidStatus,
    /// The other bid's total.
    pub other_total: Points,
    /// Per criterion: this bid's points minus the other's; losses first (most negative).
    pub deltas: Vec<Delta>,
    /// Points the differential adjustment (차등점수제) moved between the two, if any:
    /// (this bid's adjustment) − (the other's). The deltas plus this equal `gap`.
    pub adjustment: Option<Decimal>,
    /// This bid's total minus the other's.
    pub gap: Decimal,
    /// The smallest set of criteria whose points, taken from the other bid, would reverse
    /// the order of the two (largest swings first); empty when no set would.
    pub decisive: Vec<String>,
    /// The gap after taking the decisive criteria's points.
    pub decisive_gap: Option<Decimal>,
}

/// One criterion's difference between the two bids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delta {
    /// Criterion id.
    pub criterion: String,
    /// This bid's points.
    pub mine: Points,
    /// The other bid's points.
    pub theirs: Points,
    /// `mine − theirs`: negative is a loss.
    pub delta: Decimal,
}

/// Explain bid `bidder`, against `against` or by default against the last selected bid
/// (or, for a selected bid, the best bid that was not selected).
///
/// # Errors
/// An unknown bidder id, naming the known ones.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// let e = bidscore::analysis::explain(&inputs, &outcome, "coupang", None).unwrap();
/// let vs = e.against.unwrap();
/// assert_eq!(vs.other, "naver-cloud");
/// let sum: rust_decimal::Decimal = vs.deltas.iter().map(|d| d.delta).sum();
/// assert_eq!(sum + vs.adjustment.unwrap_or_default(), vs.gap);
/// ```
pub fn explain(inputs: &Inputs, outcome: &Outcome, bidder: &str, against: Option<&str>) -> Result<Explanation, String> {
    let me = find(outcome, bidder)?;
    let criteria = me
        .criteria
        .iter()
        .map(|c| CriterionLine {
            id: c.id.to_string(),
            section: c.section.to_string(),
            value: c.value.as_ref().map(ToString::to_string),
            points: c.points,
            max: c.max,
            reason: c.reason_text(),
        })
        .collect();
    let thresholds = me
        .qualification
        .iter()
        .map(|q| ThresholdLine { short_by: (!q.met).then(|| q.needed.sub(&q.scored.rat())), verdict: q.clone() })
        .collect();
    let other = match against {
        Some(id) => {
            let o = find(outcome, id)?;
            if o.bidder == me.bidder {
                return Err(format!("`--against` names the explained bid `{id}` itself"));
            }
            Some((o, String::from("as asked")))
        }
        None => default_other(outcome, me),
    };
    let against = other.map(|(o, why)| compare(inputs, me, o, why));
    Ok(Explanation {
        bidder: me.bidder.clone(),
        status: me.status,
        rank: me.rank,
        total: me.total,
        gates: me.gates.clone(),
        criteria,
        thresholds,
        against,
    })
}

fn find<'a>(outcome: &'a Outcome, id: &str) -> Result<&'a Standing, String> {
    outcome.standing(id).ok_or_else(|| {
        let ids: Vec<String> = outcome.standings.iter().map(|s| format!("`{}`", s.bidder)).collect();
        let hint = crate::diag::did_you_mean(id, outcome.standings.iter().map(|s| s.bidder.as_str()))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        format!("no bid has the id `{id}`; {hint}bids: {}", ids.join(", "))
    })
}

/// The last selected bid for a bid that was not selected; for a selected bid, the best bid
/// that was not (what it beat).
fn default_other<'a>(outcome: &'a Outcome, me: &Standing) -> Option<(&'a Standing, String)> {
    if me.status == BidStatus::Selected {
        outcome.standings.iter().find(|s| s.status != BidStatus::Selected).map(|s| (s, String::from("the best bid that was not selected")))
    } else {
        outcome.standings.iter().rfind(|s| s.status == BidStatus::Selected).map(|s| (s, String::from("the last selected bid")))
    }
}

fn compare(inputs: &Inputs, me: &Standing, other: &Standing, why: String) -> Comparison {
    let mut deltas: Vec<Delta> = me
        .criteria
        .iter()
        .zip(&other.criteria)
        .map(|(a, b)| Delta {
            criterion: a.id.to_string(),
            mine: a.points,
            theirs: b.points,
            delta: a.points.decimal() - b.points.decimal(),
        })
        .collect();
    // Largest loss first; then largest gain last; ties in the tender's order (stable sort).
    deltas.sort_by_key(|d| d.delta);
    let gap = me.total.decimal() - other.total.decimal();
    let summed: Decimal = deltas.iter().map(|d| d.delta).sum();
    let adjustment = (summed != gap).then_some(gap - summed);

    // Decisive: take the other bid's points on the criteria that swing the pair most until
    // the order reverses. The top-k swings give the largest change any k criteria can, so
    // the first k that reverses is the smallest such set.
    let behind = ahead_of(inputs, other, me);
    let mut swings: Vec<&Delta> =
        deltas.iter().filter(|d| if behind { d.delta < Decimal::ZERO } else { d.delta > Decimal::ZERO }).collect();
    swings.sort_by_key(|d| std::cmp::Reverse(d.delta.abs()));
    let mut decisive = Vec::new();
    let mut decisive_gap = None;
    let mut moved = me.clone();
    for d in swings {
        take_points(inputs, &mut moved, &d.criterion, d.theirs);
        decisive.push(d.criterion.clone());
        if ahead_of(inputs, other, &moved) != behind {
            decisive_gap = Some(moved.total.decimal() - other.total.decimal());
            break;
        }
    }
    if decisive_gap.is_none() {
        decisive.clear();
    }
    Comparison {
        other: other.bidder.clone(),
        why,
        other_status: other.status,
        other_total: other.total,
        deltas,
        adjustment,
        gap,
        decisive,
        decisive_gap,
    }
}

/// Whether `a` ranks ahead of `b` by total and then the tie-break chain.
fn ahead_of(inputs: &Inputs, a: &Standing, b: &Standing) -> bool {
    match b.total.cmp(&a.total).then_with(|| crate::evaluate::chain_cmp(&inputs.tender, a, b).0) {
        Ordering::Less => true,
        Ordering::Equal => a.bidder < b.bidder,
        Ordering::Greater => false,
    }
}

/// Give `s` these points on `criterion`, and move its section and total by the difference
/// (any differential adjustment is kept as it is).
fn take_points(inputs: &Inputs, s: &mut Standing, criterion: &str, points: Points) {
    let places = inputs.tender.rounding.places;
    let Some(c) = s.criteria.iter_mut().find(|c| &*c.id == criterion) else {
        return;
    };
    let delta = points.decimal() - c.points.decimal();
    c.points = points;
    let section = c.section.to_string();
    for (id, p) in &mut s.sections {
        if *id == section {
            *p = Points::sum(&[Points::new(p.decimal() + delta)], places);
        }
    }
    s.total = Points::sum(&[Points::new(s.total.decimal() + delta)], places);
}
