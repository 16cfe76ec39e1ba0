//! The award (SPEC §5.4): who is selected, and how much each gets, walking the ranked
//! qualified bids. The knowledge of how an award rule reacts to the ranking lives here too
//! ([`order_matters`]), so an analysis that asks "can this change the winners?" asks the
//! rule rather than assuming one.

use super::Awarded;
use crate::model::{Allocation, Award};

/// The award over qualified bids in report order, given what each offers: up to `winners`
/// bids, each getting `min(offered, remaining, cap)` of the quantity (the cap from
/// `max_share` and `max_quantity`); a bid that would get nothing is skipped and does not use
/// up a place. One entry per bid.
pub(crate) fn award(rule: &Award, offered: &[u64]) -> Vec<Awarded> {
    let mut out = Vec::with_capacity(offered.len());
    award_into(rule, offered, &mut out);
    out
}

/// [`award`] into a buffer the caller keeps (the sampling tally awards a million times).
pub(crate) fn award_into(rule: &Award, offered: &[u64], out: &mut Vec<Awarded>) {
    if rule.allocation == Allocation::Proportional
        && let Some(q) = &rule.quantity
    {
        proportional(rule, q.total, offered, out);
        return;
    }
    let mut remaining = rule.quantity.as_ref().map(|q| q.total);
    let cap = rule.cap().unwrap_or(u64::MAX);
    let mut places = rule.winners;
    out.clear();
    out.resize(offered.len(), Awarded::No);
    for (slot, &offer) in out.iter_mut().zip(offered) {
        if places == Some(0) {
            break;
        }
        *slot = match remaining.as_mut() {
            None => Awarded::Yes,
            Some(left) => {
                // SPEC §10.1: no bid gets more than the cap.
                let give = offer.min(*left).min(cap);
                if give == 0 {
                    continue;
                }
                *left = left.saturating_sub(give);
                Awarded::Quantity(give)
            }
        };
        places = places.map(|p| p.saturating_sub(1));
    }
}

/// SPEC §10.1 `proportional`: the first `winners` bids that offer anything share `total` in
/// proportion to their offers (all of each offer when the offers fit), `floor(total × offered
/// / Σ offered)` each and the units left one at a time to the largest remainders (ties: the
/// better-ranked bid); then the cap, what it holds back going to the others in rank order,
/// up to their offers and the cap.
fn proportional(rule: &Award, total: u64, offered: &[u64], out: &mut Vec<Awarded>) {
    out.clear();
    out.resize(offered.len(), Awarded::No);
    let places = rule.winners.map_or(usize::MAX, |w| usize::try_from(w).unwrap_or(usize::MAX));
    let sharing: Vec<usize> = offered.iter().enumerate().filter(|(_, o)| **o > 0).map(|(i, _)| i).take(places).collect();
    let offer = |i: usize| u128::from(offered.get(i).copied().unwrap_or(0));
    let sum: u128 = sharing.iter().map(|&i| offer(i)).sum();
    let total128 = u128::from(total);
    let mut give: Vec<u128> = vec![0; offered.len()];
    if sum <= total128 {
        for &i in &sharing {
            if let Some(g) = give.get_mut(i) {
                *g = offer(i);
            }
        }
    } else {
        let mut rest = total128;
        let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(sharing.len());
        for &i in &sharing {
            let x = total128.saturating_mul(offer(i));
            let (q, r) = (x.checked_div(sum).unwrap_or(0), x.checked_rem(sum).unwrap_or(0));
            if let Some(g) = give.get_mut(i) {
                *g = q;
            }
            rest = rest.saturating_sub(q);
            remainders.push((r, i));
        }
        // Largest remainder first; equal remainders to the better-ranked (earlier) bid.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in remainders.iter().take(usize::try_from(rest).unwrap_or(usize::MAX)) {
            if let Some(g) = give.get_mut(i) {
                *g = g.saturating_add(1);
            }
        }
    }
    if let Some(cap) = rule.cap().map(u128::from) {
        let mut held = 0u128;
        for g in &mut give {
            if *g > cap {
                held = held.saturating_add(g.saturating_sub(cap));
                *g = cap;
            }
        }
        // What the cap held back goes on down the ranking, up to each offer and the cap.
        for &i in &sharing {
            if held == 0 {
                break;
            }
            if let Some(g) = give.get_mut(i) {
                let room = offer(i).min(cap).saturating_sub(*g);
                let more = room.min(held);
                *g = g.saturating_add(more);
                held = held.saturating_sub(more);
            }
        }
    }
    for (slot, g) in out.iter_mut().zip(give) {
        if g > 0 {
            *slot = Awarded::Quantity(u64::try_from(g).unwrap_or(u64::MAX));
        }
    }
}

/// Whether two bids trading places in the ranking can change who wins or what each gets,
/// given whether each wins now. Without a quantity only a winner and a loser can; with one,
/// any pair with a winner (the quantities move). Two losers never can: the places or the
/// quantity are used up before them, or they offer nothing.
pub(crate) fn order_matters(rule: &Award, a_wins: bool, b_wins: bool) -> bool {
    (a_wins || b_wins) && (rule.quantity.is_some() || a_wins != b_wins)
}
