//! The award (SPEC §5.4): who is selected, and how much each gets, walking the ranked
//! qualified bids. The knowledge of how an award rule reacts to the ranking lives here too
//! ([`order_matters`]), so an analysis that asks "can this change the winners?" asks the
//! rule rather than assuming one.

use rust_decimal::Decimal;

use super::{Awarded, BidStatus};
use crate::model::{Allocation, Award, Negotiated, NegotiationOutcome};

/// What the award knows of one ranked bid that is still in the running (not declined or
/// withdrawn): how much it takes, at what price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Offer {
    /// The quantity it offers (or agreed in negotiation); without a quantity award, 1 for a
    /// bid that may be awarded and 0 for one that may not (never invited, under `negotiated`).
    pub(crate) quantity: u64,
    /// The price of one unit, when the award has a budget.
    pub(crate) price: Option<Decimal>,
}

/// What the negotiation record says of one bid, as the award reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Term {
    /// Declined or withdrawn: the bid keeps its rank and gets nothing.
    pub(crate) stop: Option<BidStatus>,
    /// Agreed, with the quantity agreed (0 without a quantity award).
    pub(crate) agreed: Option<u64>,
}

impl Term {
    /// The record's entry for a bid (a bid it does not mention was never invited).
    pub(crate) fn of(entry: Option<&Negotiated>) -> Term {
        match entry.map(|e| (e.outcome, e.quantity)) {
            Some((NegotiationOutcome::Agreed, q)) => Term { stop: None, agreed: Some(q.unwrap_or(0)) },
            Some((NegotiationOutcome::Declined, _)) => Term { stop: Some(BidStatus::Declined), agreed: None },
            Some((NegotiationOutcome::Withdrawn, _)) => Term { stop: Some(BidStatus::Withdrawn), agreed: None },
            Some((NegotiationOutcome::NotInvited, _)) | None => Term::default(),
        }
    }

    /// Every bid's term, in `inputs.bids` order; `None` without a record.
    pub(crate) fn all(inputs: &crate::model::Inputs) -> Option<Vec<Term>> {
        let n = inputs.negotiation.as_ref()?;
        Some(inputs.bids.iter().map(|b| Term::of(n.bids.get(b.id.as_str()))).collect())
    }
}

/// A ranked bid's offer to the award, given its term in the record (`None`: no record),
/// what it offers and its unit price; `None` when it declined or withdrew. Under
/// `negotiated` with a record, the quantity is what was agreed (nothing for a bid that was
/// not); without a record, what was offered (the negotiation modelled as a rank-order fill).
fn offer(rule: &Award, term: Option<Term>, offered: u64, price: Option<Decimal>) -> Option<Offer> {
    if term.is_some_and(|t| t.stop.is_some()) {
        return None;
    }
    let quantity = match (rule.allocation, term) {
        (Allocation::Negotiated, Some(t)) => match t.agreed {
            Some(q) if rule.quantity.is_some() => q,
            Some(_) => 1,
            None => 0,
        },
        // Without a quantity award, every bid may be awarded.
        _ if rule.quantity.is_none() => 1,
        _ => offered,
    };
    Some(Offer { quantity, price })
}

/// What the award reads of each bid (indexed like the tally's bids): both tallies fill it
/// from their own buffers.
pub(crate) struct Bidding<'a> {
    pub(crate) terms: Option<&'a [Term]>,
    pub(crate) offered: &'a [u64],
    pub(crate) prices: &'a [Option<Decimal>],
    /// Excluded as abnormally low (empty: none).
    pub(crate) excluded: &'a [bool],
    /// Its bidder already won as many lots as one may (empty: none).
    pub(crate) capped: &'a [bool],
}

/// The ranked bids (`order`) that go on to the award, with their offers, into `running` and
/// `offers`; each bid that does not — excluded, declined or withdrawn — is told to `stop`
/// with its status (a capped bid stays qualified and is passed over in silence).
pub(crate) fn running_into(
    rule: &Award,
    order: &[usize],
    b: &Bidding<'_>,
    running: &mut Vec<usize>,
    offers: &mut Vec<Offer>,
    mut stop: impl FnMut(usize, BidStatus),
) {
    running.clear();
    offers.clear();
    let flag = |v: &[bool], i: usize| v.get(i).copied().unwrap_or(false);
    for &i in order {
        if flag(b.excluded, i) {
            stop(i, BidStatus::Excluded);
            continue;
        }
        if flag(b.capped, i) {
            continue;
        }
        let term = b.terms.map(|t| t.get(i).copied().unwrap_or_default());
        let price = b.prices.get(i).copied().flatten();
        match offer(rule, term, b.offered.get(i).copied().unwrap_or(0), price) {
            Some(o) => {
                running.push(i);
                offers.push(o);
            }
            None => {
                if let Some(status) = term.and_then(|t| t.stop) {
                    stop(i, status);
                }
            }
        }
    }
}

/// The award over the ranked bids still in the running, in report order (SPEC §5.4,
/// §10.1): up to `winners` bids, each getting `min(offered, remaining, cap, what the budget
/// left buys)` of the quantity (the cap from `max_share` and `max_quantity`); a bid that
/// would get nothing is skipped and does not use up a place. One entry per offer.
pub(crate) fn award(rule: &Award, offers: &[Offer]) -> Vec<Awarded> {
    let mut out = Vec::with_capacity(offers.len());
    award_into(rule, offers, &mut out);
    out
}

/// [`award`] into a buffer the caller keeps (the sampling tally awards a million times).
pub(crate) fn award_into(rule: &Award, offers: &[Offer], out: &mut Vec<Awarded>) {
    if rule.allocation == Allocation::Proportional
        && let Some(q) = &rule.quantity
    {
        proportional(rule, q.total, offers, out);
        return;
    }
    let mut remaining = rule.quantity.as_ref().map(|q| q.total);
    let cap = rule.cap().unwrap_or(u64::MAX);
    let mut money = rule.budget.as_ref().map(|b| b.total);
    let mut places = rule.winners;
    out.clear();
    out.resize(offers.len(), Awarded::No);
    for (slot, offer) in out.iter_mut().zip(offers) {
        if places == Some(0) {
            break;
        }
        *slot = match remaining.as_mut() {
            // Without a quantity, a bid that may be awarded (under `negotiated`, one that
            // agreed) takes a place.
            None if offer.quantity == 0 => continue,
            None => Awarded::Yes,
            Some(left) => {
                // SPEC §10.1: no bid gets more than the cap or the budget left buys.
                let give = offer.quantity.min(*left).min(cap).min(affordable(money, offer.price));
                if give == 0 {
                    continue;
                }
                *left = left.saturating_sub(give);
                spend(&mut money, give, offer.price);
                Awarded::Quantity(give)
            }
        };
        places = places.map(|p| p.saturating_sub(1));
    }
}

/// How many units the money left buys at `price` (exactly: `floor(left / price)`); without
/// a budget, no limit.
fn affordable(money: Option<Decimal>, price: Option<Decimal>) -> u64 {
    let Some(left) = money else { return u64::MAX };
    let Some(price) = price.filter(|p| *p > Decimal::ZERO) else { return 0 };
    if left <= Decimal::ZERO {
        return 0;
    }
    // Both on one scale, the quotient of their mantissas is the exact floor. Validated
    // numbers have at most 10 decimals and stay below 10^18, so the mantissas fit an i128.
    let scale = left.scale().max(price.scale());
    let (mut a, mut b) = (left, price);
    a.rescale(scale);
    b.rescale(scale);
    let units = a.mantissa().checked_div(b.mantissa()).unwrap_or(0);
    u64::try_from(units).unwrap_or(if units < 0 { 0 } else { u64::MAX })
}

/// Take `units × price` off the money left.
fn spend(money: &mut Option<Decimal>, units: u64, price: Option<Decimal>) {
    if let (Some(left), Some(price)) = (money.as_mut(), price) {
        *left = price.checked_mul(Decimal::from(units)).and_then(|cost| left.checked_sub(cost)).unwrap_or(Decimal::ZERO);
    }
}

/// SPEC §10.1 `proportional`: the first `winners` bids that offer anything share `total` in
/// proportion to their offers (all of each offer when the offers fit), `floor(total × offered
/// / Σ offered)` each and the units left one at a time to the largest remainders (ties: the
/// better-ranked bid); then the cap, what it holds back going to the others in rank order,
/// up to their offers and the cap.
fn proportional(rule: &Award, total: u64, offers: &[Offer], out: &mut Vec<Awarded>) {
    out.clear();
    out.resize(offers.len(), Awarded::No);
    let places = rule.winners.map_or(usize::MAX, |w| usize::try_from(w).unwrap_or(usize::MAX));
    let sharing: Vec<usize> = offers.iter().enumerate().filter(|(_, o)| o.quantity > 0).map(|(i, _)| i).take(places).collect();
    let offer = |i: usize| u128::from(offers.get(i).map_or(0, |o| o.quantity));
    let sum: u128 = sharing.iter().map(|&i| offer(i)).sum();
    let total128 = u128::from(total);
    let mut give: Vec<u128> = vec![0; offers.len()];
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
    // The budget last, in rank order: what it cannot pay for is not given to anyone.
    let mut money = rule.budget.as_ref().map(|b| b.total);
    for (g, o) in give.iter_mut().zip(offers) {
        if *g > 0 {
            *g = (*g).min(u128::from(affordable(money, o.price)));
            spend(&mut money, u64::try_from(*g).unwrap_or(u64::MAX), o.price);
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
