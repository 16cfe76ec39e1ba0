//! A tender divided into lots (issue 12): each lot is evaluated on its own — among the bids
//! that bid for it, on its criteria, with its quantity and winners — by the one tally, and
//! the lots are awarded in the order the criteria file lists them, the award of a lot
//! walking past a bidder that already won `max_lots_per_bidder` lots. The tender's own
//! standings (every bid on every criterion) then carry what each bid won over the lots.

use rust_decimal::Decimal;

use super::{Awarded, BidStatus, Outcome, evaluate_capped};
use crate::model::{Inputs, Lot, TieBreak};

/// One lot's evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotOutcome {
    /// The lot's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its sections with their points, in the tender's order (only its criteria count).
    pub sections: Vec<(String, Decimal)>,
    /// Its points in all.
    pub max_points: Decimal,
    /// The criteria it is evaluated on.
    pub criteria: Vec<String>,
    /// Its quantity, when the award shares one.
    pub quantity: Option<u64>,
    /// Its winners (`None`: no limit).
    pub winners: Option<u32>,
    /// The bids that bid for it, ranked and awarded.
    pub outcome: Outcome,
    /// Bidders the award walked past because they had already won as many lots as one may.
    pub passed_over: Vec<String>,
}

/// Evaluate every lot in order, then the tender's standings with the lots' awards.
pub(super) fn evaluate(inputs: &Inputs) -> Outcome {
    let t = &inputs.tender;
    let mut won: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    let mut lots = Vec::with_capacity(t.lots.len());
    for lot in &t.lots {
        let sub = lot_inputs(inputs, lot);
        let capped: Vec<bool> =
            sub.bids.iter().map(|b| t.award.max_lots.is_some_and(|m| won.get(b.id.as_str()).copied().unwrap_or(0) >= m)).collect();
        let outcome = evaluate_capped(&sub, &capped);
        for w in outcome.winners() {
            let n = won.entry(w.to_owned()).or_insert(0);
            *n = n.saturating_add(1);
        }
        // Passed over: capped and ranked ahead of the last winner (one below it would not have
        // won anyway), or anywhere when nobody won.
        let last = outcome.standings.iter().rposition(|s| s.status == BidStatus::Selected);
        let passed_over = outcome
            .standings
            .iter()
            .enumerate()
            .filter(|(k, s)| s.rank.is_some() && last.is_none_or(|l| *k < l))
            .filter(|(_, s)| sub.bids.iter().zip(&capped).any(|(b, c)| *c && b.id == s.bidder))
            .map(|(_, s)| s.bidder.to_string())
            .collect();
        let st = &sub.tender;
        lots.push(LotOutcome {
            id: lot.id.clone(),
            title: lot.title.clone(),
            sections: st.sections.iter().map(|s| (s.id.to_string(), st.section_max(&s.id))).collect(),
            max_points: st.max_points,
            criteria: st.criteria.iter().map(|c| c.id.clone()).collect(),
            quantity: st.award.quantity.as_ref().map(|q| q.total),
            winners: st.award.winners,
            outcome,
            passed_over,
        });
    }
    // The tender as a whole: every bid on every criterion; what it won is the lots' awards.
    let mut whole = evaluate_capped(inputs, &[]);
    for s in &mut whole.standings {
        let awards: Vec<Awarded> =
            lots.iter().filter_map(|l| l.outcome.standing(&s.bidder)).map(|x| x.award).filter(|a| *a != Awarded::No).collect();
        s.award = match (awards.is_empty(), t.award.quantity.is_some()) {
            (true, _) => Awarded::No,
            (false, false) => Awarded::Yes,
            (false, true) => Awarded::Quantity(awards.iter().map(|a| super::record::quantity_of(*a)).sum()),
        };
        if s.award != Awarded::No {
            s.status = BidStatus::Selected;
        } else if s.status == BidStatus::Selected {
            s.status = BidStatus::Qualified;
        }
    }
    // The whole tender's own award is not made: its warnings about one go, and a tender
    // whose lots selected nobody says so.
    whole.warnings.retain(|w| !matches!(w, super::Warning::NoneSelected { .. } | super::Warning::AwardSplitsTie { .. }));
    if let Some(why) = super::no_selection(&whole.standings) {
        whole.warnings.insert(0, super::Warning::NoneSelected { why });
    }
    whole.lots = lots;
    whole
}

/// The inputs of one lot: its bids, its criteria (their points its maximum), its quantity and
/// winners; tie-break steps on criteria it leaves out dropped.
fn lot_inputs(inputs: &Inputs, lot: &Lot) -> Inputs {
    let t = &inputs.tender;
    let keep: Vec<usize> = match &lot.criteria {
        None => (0..t.criteria.len()).collect(),
        Some(ids) => t.criteria.iter().enumerate().filter(|(_, c)| ids.contains(&c.id)).map(|(j, _)| j).collect(),
    };
    let mut tender = t.clone();
    tender.criteria = keep.iter().filter_map(|&j| t.criteria.get(j).cloned()).collect();
    tender.max_points = tender.criteria.iter().map(|c| c.points).sum();
    tender.lots = Vec::new();
    tender.award.max_lots = None;
    if let Some(w) = lot.winners {
        tender.award.winners = w;
    }
    if let (Some(q), Some(total)) = (tender.award.quantity.as_mut(), lot.quantity) {
        q.total = total;
    }
    let kept = |c: &str| tender.criteria.iter().any(|x| x.id == c);
    let steps: Vec<(usize, TieBreak)> =
        t.tie_break.iter().cloned().enumerate().filter(|(_, s)| !matches!(s, TieBreak::Criterion(c) if !kept(c))).collect();
    tender.tie_break = steps.iter().map(|(_, s)| s.clone()).collect();
    tender.weight_order.retain(|c| kept(c));
    let bidding: Vec<usize> =
        inputs.bids.iter().enumerate().filter(|(_, b)| b.lots.as_ref().is_none_or(|l| l.contains(&lot.id))).map(|(i, _)| i).collect();
    let mut sub = inputs.clone();
    sub.tender = tender;
    sub.bids = bidding.iter().filter_map(|&i| inputs.bids.get(i).cloned()).collect();
    sub.resolved = crate::model::Columns::with_capacity(crate::model::Columns::widths(&sub.tender), bidding.len());
    for r in bidding.iter().filter_map(|&i| inputs.resolved_row(i)) {
        sub.resolved.push(crate::model::Resolved {
            criteria: keep.iter().map(|&j| r.criteria.get(j).cloned().flatten()).collect(),
            ties: steps.iter().map(|(k, _)| r.ties.get(*k).cloned().flatten()).collect(),
            ..r
        });
    }
    sub.negotiation = None;
    sub.reported = None;
    sub.warnings = Vec::new();
    sub
}
