//! The award (SPEC §5.4): who is selected, and how much each gets, walking the ranked
//! qualified bids. The knowledge of how an award rule reacts to the ranking lives here too
//! ([`order_matters`]), so an analysis that asks "can this change the winners?" asks the
//! rule rather than assuming one.

use super::Awarded;
use crate::model::Award;

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

/// Whether two bids trading places in the ranking can change who wins or what each gets,
/// given whether each wins now. Without a quantity only a winner and a loser can; with one,
/// any pair with a winner (the quantities move). Two losers never can: the places or the
/// quantity are used up before them, or they offer nothing.
pub(crate) fn order_matters(rule: &Award, a_wins: bool, b_wins: bool) -> bool {
    (a_wins || b_wins) && (rule.quantity.is_some() || a_wins != b_wins)
}
