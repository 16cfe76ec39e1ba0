//! Why a bid scored what it did: every gate and criterion with its reason, the thresholds
//! it missed and by how much, and the points it lost and gained against another bid, with
//! the *decisive* criteria — the smallest set whose points, taken from the other bid, would
//! reverse the pair.

use rust_decimal::Decimal;

use super::Error;
use super::scenario::{Published, Scenario};
use crate::evaluate::{BidStatus, CriterionScore, GateVerdict, Outcome, Scope, Standing, ThresholdVerdict};
use crate::exact::{Points, Rat};
use crate::model::Inputs;

/// The explanation of one bid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation<'a> {
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
    /// Every criterion: the value, points, maximum and the reason.
    pub criteria: Vec<CriterionScore<'a>>,
    /// Qualification thresholds, with the shortfall of those missed.
    pub thresholds: Vec<ThresholdLine>,
    /// The comparison with another bid, if there is one to compare with.
    pub against: Option<Comparison>,
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
    pub why: Why,
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
    /// When the statuses differ, the points do not order the pair: why.
    pub decided_by: Option<DecidedBy>,
}

/// Why the other bid was chosen to compare with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// It was asked for (`--against`).
    Asked,
    /// The last selected bid, for a bid that was not selected.
    LastSelected,
    /// The best bid that was not selected, for a selected bid.
    BestNotSelected,
}

/// Two bids of different statuses: the status orders them, not the points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecidedBy {
    /// The bid behind by status.
    pub worse: String,
    /// Its status.
    pub worse_status: BidStatus,
    /// The bid ahead by status.
    pub better: String,
    /// Its status.
    pub better_status: BidStatus,
    /// What the bid behind failed.
    pub failed: Vec<Failed>,
}

/// A gate or threshold a bid failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failed {
    /// A gate, by id.
    Gate(String),
    /// A qualification threshold, and by how much (exact).
    Threshold {
        /// What it measures.
        scope: Scope,
        /// Points short.
        short_by: Rat,
    },
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
/// [`Error::UnknownBid`] for an unknown bidder id (naming the known ones);
/// [`Error::AgainstItself`] when `against` is the explained bid.
///
/// # Examples
/// ```
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// let e = bidscore::analysis::explain(&inputs, &outcome, "coupang", None).unwrap();
/// let vs = e.against.unwrap();
/// assert_eq!(vs.other, "kakao"); // the last selected bid, awarded in negotiation
/// let sum: rust_decimal::Decimal = vs.deltas.iter().map(|d| d.delta).sum();
/// assert_eq!(sum + vs.adjustment.unwrap_or_default(), vs.gap);
/// ```
pub fn explain<'a>(inputs: &'a Inputs, outcome: &Outcome, bidder: &str, against: Option<&str>) -> Result<Explanation<'a>, Error> {
    let me = find(outcome, bidder)?;
    let criteria = outcome.criteria_of(inputs, me).collect();
    let thresholds = me
        .qualification
        .iter()
        .map(|q| ThresholdLine { short_by: (!q.met).then(|| q.needed.sub(&q.scored.rat())), verdict: q.clone() })
        .collect();
    let other = match against {
        Some(id) => {
            let o = find(outcome, id)?;
            if o.bidder == me.bidder {
                return Err(Error::AgainstItself { id: id.to_owned() });
            }
            Some((o, Why::Asked))
        }
        None => default_other(outcome, me),
    };
    let against = other.map(|(o, why)| compare(inputs, outcome, me, o, why));
    Ok(Explanation {
        bidder: me.bidder.to_string(),
        status: me.status,
        rank: me.rank,
        total: me.total,
        gates: me.gates.clone(),
        criteria,
        thresholds,
        against,
    })
}

fn find<'a>(outcome: &'a Outcome, id: &str) -> Result<&'a Standing, Error> {
    outcome.standing(id).ok_or_else(|| Error::unknown_bid(id, outcome.standings.iter().map(|s| s.bidder.as_str())))
}

/// The last selected bid for a bid that was not selected; for a selected bid, the best bid
/// that was not (what it beat).
fn default_other<'a>(outcome: &'a Outcome, me: &Standing) -> Option<(&'a Standing, Why)> {
    if me.status == BidStatus::Selected {
        outcome.standings.iter().find(|s| s.status != BidStatus::Selected).map(|s| (s, Why::BestNotSelected))
    } else {
        outcome.standings.iter().rfind(|s| s.status == BidStatus::Selected).map(|s| (s, Why::LastSelected))
    }
}

fn compare(inputs: &Inputs, outcome: &Outcome, me: &Standing, other: &Standing, why: Why) -> Comparison {
    let mut deltas: Vec<Delta> = outcome
        .criteria
        .iter()
        .zip(me.points.iter().zip(&other.points))
        .map(|(id, (a, b))| Delta {
            criterion: id.clone(),
            mine: *a,
            theirs: *b,
            // Points are at most `max_points` (≤ 10^9): differences cannot overflow.
            delta: a.decimal().saturating_sub(b.decimal()),
        })
        .collect();
    // Largest loss first; then largest gain last; ties in the tender's order (stable sort).
    deltas.sort_by_key(|d| d.delta);
    let gap = me.total.decimal().saturating_sub(other.total.decimal());
    let summed: Decimal = deltas.iter().map(|d| d.delta).sum();
    let adjustment = (summed != gap).then_some(gap.saturating_sub(summed));
    let mut cmp = Comparison {
        other: other.bidder.to_string(),
        why,
        other_status: other.status,
        other_total: other.total,
        deltas,
        adjustment,
        gap,
        decisive: Vec::new(),
        decisive_gap: None,
        decided_by: None,
    };

    // Status orders the pair before points do: a bid that failed a gate or a threshold is
    // behind every qualified bid whatever its total.
    if me.status.group() != other.status.group() {
        let (worse, better) = if me.status.group() > other.status.group() { (me, other) } else { (other, me) };
        cmp.decided_by = Some(DecidedBy {
            worse: worse.bidder.to_string(),
            worse_status: worse.status,
            better: better.bidder.to_string(),
            better_status: better.status,
            failed: failed(worse),
        });
        return cmp;
    }

    // Decisive: the smallest set of criteria whose points, taken from the other bid, reverse
    // the pair, judged by the tally as the ranking judges it (totals, then the tie-break
    // chain; under differential scoring every qualified bid's rank is recomputed). The
    // question is about points: statuses stay as scored. Exhaustive by size for up to 12
    // criteria that swing the right way; beyond that, the largest swings first.
    let published = Published::from_outcome(inputs, outcome);
    let (Some(mine), Some(theirs)) = (inputs.bid_index(&me.bidder), inputs.bid_index(&other.bidder)) else {
        return cmp;
    };
    let order = |set: &[&Delta]| -> Option<(bool, Decimal)> {
        let mut scenario = Scenario::new().holding_statuses();
        for d in set {
            let j = inputs.tender.criteria.iter().position(|c| c.id == d.criterion)?;
            scenario = scenario.fix_points(mine, j, d.theirs);
        }
        let prepared = scenario.prepare(&published).ok()?;
        let tally = prepared.tally();
        let total = |i: usize| tally.rows.get(i).map(|r| r.counted().total.decimal());
        Some((prepared.ahead(&tally, theirs, mine), total(mine)?.saturating_sub(total(theirs)?)))
    };
    let Some((behind, _)) = order(&[]) else {
        return cmp;
    };
    let mut swings: Vec<&Delta> =
        cmp.deltas.iter().filter(|d| if behind { d.delta < Decimal::ZERO } else { d.delta > Decimal::ZERO }).collect();
    swings.sort_by_key(|d| std::cmp::Reverse(d.delta.abs()));
    let reversal = |set: &[&Delta]| -> Option<Decimal> { order(set).and_then(|(b, gap)| (b != behind).then_some(gap)) };
    let found = if swings.len() <= 12 {
        (1..=swings.len()).find_map(|k| {
            super::subsets(swings.len(), k).find_map(|idx| {
                let set: Vec<&Delta> = idx.iter().filter_map(|&i| swings.get(i).copied()).collect();
                reversal(&set).map(|g| (set, g))
            })
        })
    } else {
        (1..=swings.len()).find_map(|k| {
            let set: Vec<&Delta> = swings.iter().take(k).copied().collect();
            reversal(&set).map(|g| (set, g))
        })
    };
    if let Some((set, g)) = found {
        cmp.decisive = set.iter().map(|d| d.criterion.clone()).collect();
        cmp.decisive_gap = Some(g);
    }
    cmp
}

/// The gates and thresholds a bid failed.
fn failed(s: &Standing) -> Vec<Failed> {
    let gates = s.gates.iter().filter(|g| !g.passed).map(|g| Failed::Gate(g.id.to_string()));
    let missed = s
        .qualification
        .iter()
        .filter(|q| !q.met)
        .map(|q| Failed::Threshold { scope: q.scope.clone(), short_by: q.needed.sub(&q.scored.rat()) });
    gates.chain(missed).collect()
}
