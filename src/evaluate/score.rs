//! One cell: a bid's points on a criterion. The rule gives an exact score; the official
//! points are `weight × score` rounded once ([`official`]), the exact ones are not rounded
//! at all ([`exact`]). The scorers hand cells to the tally: [`Full`] with the reason, for
//! `evaluate`; [`Exact`] for the analyses that move a weight continuously.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::CriterionScore;
pub(crate) use super::tally::Givens;
use super::tally::{InForce, Scorer};
use crate::exact::{Points, Rat};
use crate::model::{Criterion, Inputs, Tender};
use crate::rules::{Reason, Scored};
use crate::value::Given;

impl Givens for Inputs {
    fn given(&self, bid: usize, criterion: usize) -> Option<&Given> {
        Inputs::given(self, bid, criterion)
    }
}

/// The rule's verdict on one input (a missing value scores 0 and says so).
pub(crate) fn scored(c: &Criterion, weight: &Rat, given: Option<&Given>, reference: Option<&Rat>) -> Scored {
    match given {
        None => Scored { score: Rat::zero(), reason: Reason::Missing { field: c.field.as_ref().map(ToString::to_string) } },
        Some(g) => c.rule.score(g, weight, reference),
    }
}

/// Official points: `weight × score` rounded once with the tender's rounding, and whether
/// they saturated.
pub(crate) fn official(t: &Tender, weight: &Rat, score: &Rat) -> (Points, bool) {
    // Validation bounds points (≤ 1e9) and every capped score by 1, so the rounded value
    // fits a decimal. Only an uncapped kr-price for a bid cheaper than every eligible one (a
    // disqualified bid) can grow without bound; it saturates and says so.
    let places = t.rounding.places;
    match weight.mul(score).round(places, t.rounding.mode) {
        Some(d) => (Points::new(d), false),
        None => (Points::new(Decimal::try_from_i128_with_scale((1i128 << 96) - 1, places).unwrap_or(Decimal::MAX)), true),
    }
}

/// Exact points: `weight × score`, unrounded.
pub(crate) fn exact(c: &Criterion, weight: &Rat, given: Option<&Given>, reference: Option<&Rat>) -> Rat {
    weight.mul(&scored(c, weight, given, reference).score)
}

/// Cells with everything a report shows: the value, the exact score, the official points and
/// the reason. Published weights only (a criterion's `max` is its points as written).
pub(crate) struct Full<'a, G> {
    tender: &'a Tender,
    weights: &'a [Rat],
    givens: &'a G,
    ids: Vec<(Arc<str>, Arc<str>)>,
}

impl<'a, G: Givens> Full<'a, G> {
    pub(crate) fn new(tender: &'a Tender, weights: &'a [Rat], givens: &'a G) -> Full<'a, G> {
        let ids = tender.criteria.iter().map(|c| (Arc::from(c.id.as_str()), Arc::from(c.section.as_str()))).collect();
        Full { tender, weights, givens, ids }
    }
}

impl<G: Givens> Givens for Full<'_, G> {
    fn given(&self, bid: usize, criterion: usize) -> Option<&Given> {
        self.givens.given(bid, criterion)
    }
}

impl<G: Givens> Scorer for Full<'_, G> {
    const PARALLEL_FROM: usize = 64;
    type Amount = Points;
    type Cell = CriterionScore;

    fn amount(cell: &CriterionScore) -> &Points {
        &cell.points
    }

    fn score(&self, bid: usize, criterion: usize, reference: &InForce) -> CriterionScore {
        let (Some(c), Some(w), Some((id, section))) =
            (self.tender.criteria.get(criterion), self.weights.get(criterion), self.ids.get(criterion))
        else {
            // INVARIANT: the tally asks only for criteria of this tender.
            return CriterionScore::empty();
        };
        let given = self.givens.given(bid, criterion);
        let s = scored(c, w, given, reference.value.as_ref());
        let (points, saturated) = official(self.tender, w, &s.score);
        CriterionScore {
            id: id.clone(),
            section: section.clone(),
            value: given.cloned(),
            score: s.score,
            points,
            max: c.points,
            reason: s.reason,
            saturated,
        }
    }

    fn published_reference(&self, _: usize) -> Option<Option<Decimal>> {
        None
    }
}

/// Exact, unrounded cells at any weights.
pub(crate) struct Exact<'a, G> {
    tender: &'a Tender,
    weights: &'a [Rat],
    givens: &'a G,
}

impl<'a, G: Givens> Exact<'a, G> {
    pub(crate) fn new(tender: &'a Tender, weights: &'a [Rat], givens: &'a G) -> Exact<'a, G> {
        Exact { tender, weights, givens }
    }
}

impl<G: Givens> Givens for Exact<'_, G> {
    fn given(&self, bid: usize, criterion: usize) -> Option<&Given> {
        self.givens.given(bid, criterion)
    }
}

impl<G: Givens> Scorer for Exact<'_, G> {
    const PARALLEL_FROM: usize = 64;
    type Amount = Rat;
    type Cell = Rat;

    fn amount(cell: &Rat) -> &Rat {
        cell
    }

    fn score(&self, bid: usize, criterion: usize, reference: &InForce) -> Rat {
        match (self.tender.criteria.get(criterion), self.weights.get(criterion)) {
            (Some(c), Some(w)) => exact(c, w, self.givens.given(bid, criterion), reference.value.as_ref()),
            _ => Rat::zero(),
        }
    }

    fn published_reference(&self, _: usize) -> Option<Option<Decimal>> {
        None
    }
}
