//! Ranking (total, then the tie-break chain; ties that survive share a rank) and award
//! (walk the qualified bids in order; fill the quantity; a bid that would get nothing
//! does not use up a winner's place).

use std::cmp::Ordering;

use super::{Awarded, BidStatus, Standing, chain_cmp};
use crate::model::inputs_internal::Resolved;
use crate::model::{Bid, Tender};

pub(super) fn rank_and_award(
    t: &Tender,
    standings: Vec<Standing>,
    resolved: &[Resolved],
    bids: &[Bid],
    warnings: &mut Vec<String>,
) -> Vec<Standing> {
    let by_id: std::collections::HashMap<&str, Option<u64>> = bids.iter().zip(resolved).map(|(b, r)| (b.id.as_str(), r.offered)).collect();
    let offered = |id: &str| -> Option<u64> { by_id.get(id).copied().flatten() };
    let (mut qualified, rest): (Vec<Standing>, Vec<Standing>) = standings.into_iter().partition(|s| s.status == BidStatus::Qualified);
    let full = |a: &Standing, b: &Standing| b.total.cmp(&a.total).then_with(|| chain_cmp(t, a, b).0);
    qualified.sort_by(|a, b| full(a, b).then_with(|| a.bidder.cmp(&b.bidder)));

    // Ranks: competition ranking (1, 2, 2, 4).
    let mut rank = 0u32;
    for i in 0..qualified.len() {
        let tied_with_prev = i > 0 && qualified.get(i - 1).zip(qualified.get(i)).is_some_and(|(p, c)| full(p, c) == Ordering::Equal);
        if !tied_with_prev {
            rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        if let Some(s) = qualified.get_mut(i) {
            s.rank = Some(rank);
        }
    }
    describe_ties(t, &mut qualified, warnings);

    // Award.
    let offers: Vec<u64> = qualified.iter().map(|s| offered(&s.bidder).unwrap_or(0)).collect();
    let mut last_awarded: Option<usize> = None;
    for (i, (s, a)) in qualified.iter_mut().zip(award(&t.award, &offers)).enumerate() {
        if a != Awarded::No {
            s.award = a;
            s.status = BidStatus::Selected;
            last_awarded = Some(i);
        }
    }
    // A tie that the award cuts through is decided by report order (bidder id): say so.
    if let Some(i) = last_awarded
        && let (Some(a), Some(b)) = (qualified.get(i), qualified.get(i + 1))
        && a.rank == b.rank
        && b.status != BidStatus::Selected
    {
        warnings.push(format!(
            "the award separates `{}` and `{}`, which are tied at rank {}: report order (bidder id) decided it",
            a.bidder,
            b.bidder,
            a.rank.unwrap_or(0)
        ));
    }

    let (mut not_qualified, mut disqualified): (Vec<Standing>, Vec<Standing>) =
        rest.into_iter().partition(|s| s.status == BidStatus::NotQualified);
    let by_total = |a: &Standing, b: &Standing| b.total.cmp(&a.total).then_with(|| a.bidder.cmp(&b.bidder));
    not_qualified.sort_by(by_total);
    disqualified.sort_by(by_total);
    qualified.extend(not_qualified);
    qualified.extend(disqualified);
    qualified
}

fn describe_ties(t: &Tender, qualified: &mut [Standing], warnings: &mut Vec<String>) {
    // Sorted by total, so bids tied on the total form runs.
    let mut start = 0;
    while start < qualified.len() {
        let total = qualified.get(start).map(|s| s.total);
        let end = start + qualified.get(start..).map_or(0, |rest| rest.iter().take_while(|s| Some(s.total) == total).count());
        if end - start > 1 {
            describe_run(t, qualified.get_mut(start..end).unwrap_or_default(), warnings);
        }
        start = end.max(start + 1);
    }
}

/// Explain a run of bids tied on the total (computed from borrowed data, then stored).
fn describe_run(t: &Tender, run: &mut [Standing], warnings: &mut Vec<String>) {
    let notes: Vec<String> = run
        .iter()
        .map(|me| {
            let others: Vec<&Standing> = run.iter().filter(|o| o.bidder != me.bidder).collect();
            let mut names: Vec<String> = others.iter().take(5).map(|o| format!("`{}`", o.bidder)).collect();
            if others.len() > 5 {
                names.push(format!("{} more", others.len() - 5));
            }
            let shared: Vec<&str> = others.iter().filter(|o| o.rank == me.rank).map(|o| o.bidder.as_str()).collect();
            let how = if shared.is_empty() {
                let step = others.iter().find_map(|o| chain_cmp(t, me, o).1).unwrap_or_else(|| String::from("bidder"));
                format!("settled by `{step}`")
            } else {
                if shared.iter().all(|o| me.bidder.as_str() < *o) {
                    let mut all = vec![format!("`{}`", me.bidder)];
                    all.extend(shared.iter().map(|s| format!("`{s}`")));
                    warnings.push(format!("{} are tied after every tie-break and share rank {}", all.join(", "), me.rank.unwrap_or(0)));
                }
                String::from("unresolved: the rank is shared")
            };
            format!("tied on total with {}; {how}", names.join(", "))
        })
        .collect();
    for (s, note) in run.iter_mut().zip(notes) {
        s.tie = Some(note);
    }
}

/// The award (SPEC §5.4) over qualified bids in report order, given what each offers: up to
/// `winners` bids, each getting `min(offered, remaining)` of the quantity; a bid that would
/// get nothing is skipped and does not use up a place. One entry per bid.
pub(crate) fn award(rule: &crate::model::Award, offered: &[u64]) -> Vec<Awarded> {
    let mut remaining = rule.quantity.as_ref().map(|q| q.total);
    let mut places = rule.winners;
    let mut out = vec![Awarded::No; offered.len()];
    for (slot, &offer) in out.iter_mut().zip(offered) {
        if places == Some(0) {
            break;
        }
        *slot = match remaining.as_mut() {
            None => Awarded::Yes,
            Some(left) => {
                let give = offer.min(*left);
                if give == 0 {
                    continue;
                }
                *left -= give;
                Awarded::Quantity(give)
            }
        };
        places = places.map(|p| p - 1);
    }
    out
}
