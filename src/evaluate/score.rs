//! One cell: a bid's points on a criterion. The rule gives an exact score; the official
//! points are `weight × score` rounded once ([`official`]), the exact ones are not rounded
//! at all ([`exact`]). The scorers hand cells to the tally: [`Official`] for `evaluate`
//! (points only; [`detail`] makes a cell's value and reason again when a report asks);
//! [`Exact`] for the analyses that move a weight continuously.

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

/// Official points at the published weights: what an evaluation keeps of each cell. Why a
/// cell scored what it did is made again only when a report asks ([`detail`]).
pub(crate) struct Official<'a, G> {
    tender: &'a Tender,
    weights: &'a [Rat],
    givens: &'a G,
}

impl<'a, G: Givens> Official<'a, G> {
    pub(crate) fn new(tender: &'a Tender, weights: &'a [Rat], givens: &'a G) -> Official<'a, G> {
        Official { tender, weights, givens }
    }
}

impl<G: Givens> Givens for Official<'_, G> {
    fn given(&self, bid: usize, criterion: usize) -> Option<&Given> {
        self.givens.given(bid, criterion)
    }
}

impl<G: Givens> Scorer for Official<'_, G> {
    const PARALLEL_FROM: usize = 64;
    type Amount = Points;
    type Cell = Points;

    fn amount(cell: &Points) -> &Points {
        cell
    }

    fn score(&self, bid: usize, criterion: usize, reference: &InForce) -> Points {
        let (Some(c), Some(w)) = (self.tender.criteria.get(criterion), self.weights.get(criterion)) else {
            // INVARIANT: the tally asks only for criteria of this tender.
            return Points::default();
        };
        official(self.tender, w, &scored(c, w, self.givens.given(bid, criterion), reference.value.as_ref()).score).0
    }

    fn published_reference(&self, _: usize) -> Option<Option<Decimal>> {
        None
    }
}

/// Everything a report shows of bid `bid`'s cell on criterion `criterion` of `inputs`, scored
/// at the published weight against `reference` (the evaluation's reference in force): the
/// same arithmetic as [`Official`], with the value and the reason kept.
pub(crate) fn detail(inputs: &Inputs, bid: usize, criterion: usize, reference: Option<Decimal>) -> CriterionScore<'_> {
    let t = &inputs.tender;
    let Some(c) = t.criteria.get(criterion) else {
        // INVARIANT: the caller found the criterion in this tender.
        return CriterionScore {
            id: "",
            section: "",
            value: None,
            score: Rat::zero(),
            points: Points::default(),
            max: Decimal::ZERO,
            reason: Reason::ZeroPoints,
            saturated: false,
        };
    };
    let w = Rat::from_decimal(c.points);
    let value = inputs.given(bid, criterion);
    let s = scored(c, &w, value, reference.map(Rat::from_decimal).as_ref());
    let (points, saturated) = official(t, &w, &s.score);
    CriterionScore { id: &c.id, section: &c.section, value, score: s.score, points, max: c.points, reason: s.reason, saturated }
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
