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
    /// When the statuses differ, the points do not order the pair: why.
    pub decided_by: Option<String>,
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
    let against = other.map(|(o, why)| compare(inputs, outcome, me, o, why));
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

fn compare(inputs: &Inputs, outcome: &Outcome, me: &Standing, other: &Standing, why: String) -> Comparison {
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
    let mut cmp = Comparison {
        other: other.bidder.clone(),
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
    let class = |s: &Standing| match s.status {
        BidStatus::Selected | BidStatus::Qualified => 0,
        BidStatus::NotQualified => 1,
        BidStatus::Disqualified => 2,
    };
    if class(me) != class(other) {
        let (worse, better) = if class(me) > class(other) { (me, other) } else { (other, me) };
        cmp.decided_by = Some(format!(
            "`{}` is {} and `{}` is {}: the status orders the two, not the points ({})",
            worse.bidder,
            worse.status.as_str(),
            better.bidder,
            better.status.as_str(),
            why_status(worse)
        ));
        return cmp;
    }

    // Decisive: the smallest set of criteria whose points, taken from the other bid, reverse
    // the pair, judged as the ranking judges it (totals, then the tie-break chain; under
    // differential scoring both bids' ranks are recomputed). Exhaustive by size for up to 12
    // criteria that swing the right way; beyond that, the largest swings first.
    let behind = ahead_of(inputs, other, me);
    let mut swings: Vec<&Delta> =
        cmp.deltas.iter().filter(|d| if behind { d.delta < Decimal::ZERO } else { d.delta > Decimal::ZERO }).collect();
    swings.sort_by_key(|d| std::cmp::Reverse(d.delta.abs()));
    let reversal = |set: &[&Delta]| -> Option<Decimal> {
        let (m, o) = moved(inputs, outcome, me, other, set);
        (ahead_of(inputs, &o, &m) != behind).then(|| m.total.decimal() - o.total.decimal())
    };
    let found = if swings.len() <= 12 {
        (1..=swings.len()).find_map(|k| {
            super::subsets(swings.len(), k).into_iter().find_map(|idx| {
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

/// What a bid that is not qualified failed.
fn why_status(s: &Standing) -> String {
    let gates: Vec<String> = s.gates.iter().filter(|g| !g.passed).map(|g| format!("gate `{}`", g.id)).collect();
    let missed: Vec<String> = s
        .qualification
        .iter()
        .filter(|q| !q.met)
        .map(|q| format!("{} short by {}", q.scope, q.needed.sub(&q.scored.rat()).display(4)))
        .collect();
    let all: Vec<String> = gates.into_iter().chain(missed).collect();
    if all.is_empty() { String::from("see its gates and thresholds") } else { all.join("; ") }
}

/// Both bids after `me` takes the other's points on `set`: criterion points moved, sections
/// and totals summed again, and under differential scoring both bids' ranks and adjusted
/// sections recomputed among the qualified bids.
fn moved(inputs: &Inputs, outcome: &Outcome, me: &Standing, other: &Standing, set: &[&Delta]) -> (Standing, Standing) {
    let t = &inputs.tender;
    let places = t.rounding.places;
    let mut m = me.clone();
    for d in set {
        if let Some(c) = m.criteria.iter_mut().find(|c| *c.id == d.criterion) {
            c.points = d.theirs;
        }
    }
    let mut o = other.clone();
    let resum = |s: &mut Standing| {
        for (id, p) in &mut s.sections {
            *p = Points::sum(s.criteria.iter().filter(|c| *c.section == **id).map(|c| &c.points), places);
        }
        s.total = Points::sum(s.sections.iter().map(|(_, p)| p), places);
    };
    resum(&mut m);
    resum(&mut o);
    if let Some(d) = &t.differential
        && m.status != BidStatus::NotQualified
        && m.status != BidStatus::Disqualified
    {
        let max = t.section_max(&d.section);
        let original = |s: &Standing| s.section(&d.section).unwrap_or_default();
        // The qualified bids' sections as scored, with the two bids' new ones.
        let field: Vec<Points> = outcome
            .standings
            .iter()
            .filter(|s| matches!(s.status, BidStatus::Selected | BidStatus::Qualified) && s.bidder != m.bidder && s.bidder != o.bidder)
            .map(|s| s.original.as_ref().and_then(|x| x.sections.iter().find(|(id, _)| *id == d.section).map(|p| p.1)).unwrap_or_default())
            .chain([original(&m), original(&o)])
            .collect();
        for s in [&mut m, &mut o] {
            let mine = original(s);
            let ahead = field.iter().filter(|p| **p > mine).count();
            let mut adjusted = (max - d.step * Decimal::from(ahead as u64)).max(Decimal::ZERO);
            adjusted.rescale(places);
            s.original =
                Some(crate::evaluate::Original { sections: s.sections.clone(), total: s.total, section_rank: Some(ahead as u32 + 1) });
            for (id, p) in &mut s.sections {
                if *id == d.section {
                    *p = Points::new(adjusted);
                }
            }
            s.total = Points::sum(s.sections.iter().map(|(_, p)| p), places);
        }
    }
    (m, o)
}

/// Whether `a` ranks ahead of `b` by total and then the tie-break chain.
fn ahead_of(inputs: &Inputs, a: &Standing, b: &Standing) -> bool {
    match b.total.cmp(&a.total).then_with(|| crate::evaluate::chain_cmp(&inputs.tender, a, b).0) {
        Ordering::Less => true,
        Ordering::Equal => a.bidder < b.bidder,
        Ordering::Greater => false,
    }
}
