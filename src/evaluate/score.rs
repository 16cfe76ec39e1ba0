//! One cell: a bid's points on a criterion. The rule gives an exact score; the official
//! points are `weight × score` rounded once ([`official`]), the exact ones are not rounded
//! at all ([`exact`]). The scorers hand cells to the tally: [`Official`] for `evaluate`
//! (points only; [`detail`] makes a cell's value and reason again when a report asks);
//! [`Exact`] for the analyses that move a weight continuously.

use rust_decimal::Decimal;

use super::CriterionScore;
pub(crate) use super::tally::Givens;
use super::tally::{InForce, Scorer};
use crate::exact::{Grid, Points, Rat};
use crate::model::{Criterion, Inputs, Rounding, Tender};
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
pub(crate) fn official(rounding: Rounding, weight: &Rat, score: &Rat) -> (Points, bool) {
    // Validation bounds points (≤ 1e9) and every capped score by 1, so the rounded value
    // fits a decimal. Only an uncapped kr-price for a bid cheaper than every eligible one (a
    // disqualified bid) can grow without bound; it saturates and says so.
    let places = rounding.places;
    match weight.mul(score).round(places, rounding.mode) {
        Some(d) => (Points::new(d), false),
        None => (Points::new(Decimal::try_from_i128_with_scale((1i128 << 96) - 1, places).unwrap_or(Decimal::MAX)), true),
    }
}

/// A cell's official points, as [`official`] rounds the rule's exact score, by the rule's
/// integer form when it has one (`RuleKind::grid`: most cells, no rationals and no reason
/// made), else exactly.
pub(crate) fn points(rounding: Rounding, c: &Criterion, weight: &Rat, given: Option<&Given>, reference: Option<&Rat>) -> Points {
    let fast = Grid::new(weight, rounding.places, rounding.mode).and_then(|g| match given {
        None => g.zero(),
        Some(v) => c.rule.grid(v, &g, reference),
    });
    fast.unwrap_or_else(|| official(rounding, weight, &scored(c, weight, given, reference).score).0)
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
        points(self.tender.rounding, c, w, self.givens.given(bid, criterion), reference.value.as_ref())
    }

    fn published_reference(&self, _: usize) -> Option<Option<Decimal>> {
        None
    }
}

/// One criterion's cells as a report shows them ([`Cells::detail`]), with what is the same
/// for every bid worked out once: a report of many bids makes every cell again.
pub(crate) struct Cells<'a> {
    rounding: Rounding,
    criterion: &'a Criterion,
    /// Its place in the tender.
    k: usize,
    /// Its published weight.
    weight: Rat,
    /// The evaluation's reference in force.
    reference: Option<Rat>,
    max: crate::exact::DecimalText,
    /// Its points can saturate (an uncapped `kr-price`), so kept points do not say whether
    /// they did: they are rounded again from the exact score.
    may_saturate: bool,
}

impl<'a> Cells<'a> {
    /// Criterion `k` of tender `t`, scored against `reference`; `None` when there is none.
    pub(crate) fn new(t: &'a Tender, k: usize, reference: Option<Decimal>) -> Option<Cells<'a>> {
        let c = t.criteria.get(k)?;
        Some(Cells {
            rounding: t.rounding,
            criterion: c,
            k,
            weight: Rat::from_decimal(c.points),
            reference: reference.map(Rat::from_decimal),
            max: crate::exact::DecimalText::new(c.points),
            may_saturate: matches!(&c.rule, crate::rules::Rule::KrPrice(k) if !k.cap),
        })
    }

    /// The criterion's points as text (what [`CriterionScore::max`] displays).
    pub(crate) fn max_text(&self) -> &str {
        self.max.as_str()
    }

    /// Everything a report shows of bid `bid`'s cell, from `inputs` (the inputs of the
    /// column's tender): the same arithmetic as [`Official`], with the value and the reason
    /// kept, and the points rounded from the exact score.
    pub(crate) fn detail(&self, inputs: &'a Inputs, bid: usize) -> CriterionScore<'a> {
        self.made(inputs, bid, None)
    }

    /// [`Cells::detail`] with the points the evaluation kept for the cell, `kept`, instead of
    /// rounding them again (the same points: property-tested through `Outcome::criteria_of`),
    /// unless they may have saturated.
    pub(crate) fn detail_kept(&self, inputs: &'a Inputs, bid: usize, kept: Points) -> CriterionScore<'a> {
        self.made(inputs, bid, (!self.may_saturate).then_some(kept))
    }

    /// The cell, its points `kept` or else rounded from the exact score.
    fn made(&self, inputs: &'a Inputs, bid: usize, kept: Option<Points>) -> CriterionScore<'a> {
        let c = self.criterion;
        let value = inputs.given(bid, self.k);
        let s = scored(c, &self.weight, value, self.reference.as_ref());
        let (points, saturated) = kept.map_or_else(|| official(self.rounding, &self.weight, &s.score), |p| (p, false));
        CriterionScore { id: &c.id, section: &c.section, value, score: s.score, points, max: c.points, reason: s.reason, saturated }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::official;
    use crate::exact::{Grid, Rat, RoundingMode};
    use crate::model::Rounding;
    use crate::rules::{Among, Better, Choice, DateRule, Flag, KrPrice, Linear, PanelRule, Relative, Rule, Step, StepDirection, Steps};
    use crate::value::{Date, Given, Scalar};

    fn dec() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            Just(Decimal::ZERO),
            (-3i64..=3).prop_map(Decimal::from),
            (-2_000i64..2_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            (-10_000_000_000i64..10_000_000_000, 0u32..11).prop_map(|(m, s)| Decimal::new(m, s)),
            (any::<i64>(), 0u32..11).prop_map(|(m, s)| Decimal::new(m, s)),
        ]
    }

    fn score() -> impl Strategy<Value = Decimal> {
        (0i64..=1000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s).min(Decimal::ONE))
    }

    fn date() -> impl Strategy<Value = Date> {
        (2020i32..2030, 1u8..13, 1u8..29).prop_filter_map("a valid date", |(y, m, d)| Date::new(y, m, d))
    }

    /// A rule of every kind with an integer form, and an input of its type.
    fn rule_and_input() -> impl Strategy<Value = (Rule, Given)> {
        prop_oneof![
            (dec(), dec(), dec()).prop_map(|(zero_at, full_at, x)| (Rule::Linear(Linear { zero_at, full_at }), number(x))),
            (prop::collection::vec((dec(), score()), 0..4), score(), any::<bool>(), dec()).prop_map(|(mut steps, otherwise, up, x)| {
                steps.sort_by_key(|s| s.0);
                let steps = steps.into_iter().map(|(threshold, score)| Step { threshold, score }).collect();
                let direction = if up { StepDirection::AtLeast } else { StepDirection::AtMost };
                (Rule::Steps(Steps { direction, steps, otherwise }), number(x))
            }),
            (prop::collection::btree_map("[a-c]", score(), 0..3), "[a-d]").prop_map(|(scores, x): (BTreeMap<String, Decimal>, String)| {
                (Rule::Choice(Choice { scores }), Given::Value(Scalar::Text(x)))
            }),
            (score(), score(), any::<bool>())
                .prop_map(|(if_true, if_false, x)| (Rule::Flag(Flag { if_true, if_false }), Given::Value(Scalar::Bool(x)))),
            (date(), date(), date()).prop_map(|(a, b, x)| {
                let (full_by, zero_from) = (a.min(b), a.max(b));
                (Rule::Date(DateRule { full_by, zero_from }), Given::Value(Scalar::Date(x)))
            }),
            (any::<bool>(), dec()).prop_map(|(higher, x)| {
                let better = if higher { Better::Higher } else { Better::Lower };
                (Rule::Relative(Relative { better, among: Among::Eligible }), number(x))
            }),
            // Prices anywhere, and across the band (0.6E, 0.8E and either side).
            ((1i64..10_000_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)), any::<bool>(), dec(), prop::option::of(0i64..1500))
                .prop_map(|(estimated, cap, x, share)| {
                    let x = share.map_or(x, |k| estimated.saturating_mul(Decimal::new(k, 3)).round_dp(4));
                    (Rule::KrPrice(KrPrice { estimated, cap, among: Among::Eligible }), number(x))
                }),
            (prop::collection::vec((0i64..=100, 0u32..2).prop_map(|(m, s)| Decimal::new(m, s)), 0..8), 0u32..3, 1i64..=100).prop_map(
                |(marks, trim, scale)| (Rule::Panel(PanelRule { scale: Decimal::new(scale, 1), trim, trim_at: None }), Given::Marks(marks))
            ),
        ]
    }

    fn number(x: Decimal) -> Given {
        Given::Value(Scalar::Number(x))
    }

    fn mode() -> impl Strategy<Value = RoundingMode> {
        prop_oneof![Just(RoundingMode::HalfUp), Just(RoundingMode::HalfEven), Just(RoundingMode::Down)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// A rule's integer form gives the points its exact score rounds to, for any weight,
        /// rounding, value and reference (and it has one for every ordinary input).
        #[test]
        fn the_integer_form_gives_the_exact_scores_rounded_points(
            (rule, given) in rule_and_input(),
            weight in (0i64..1_000_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s)),
            places in 0u32..7,
            mode in mode(),
            reference in prop::option::of(dec()),
        ) {
            let rounding = Rounding { places, mode };
            let w = Rat::from_decimal(weight);
            let r = reference.map(Rat::from_decimal);
            let grid = Grid::new(&w, places, mode);
            prop_assert!(grid.is_some());
            let fast = grid.and_then(|g| rule.grid(&given, &g, r.as_ref()));
            let exact = official(rounding, &w, &rule.score(&given, &w, r.as_ref()).score).0;
            if let Some(fast) = fast {
                // The same decimal, scale included: reports print it.
                prop_assert_eq!(fast.decimal().scale(), exact.decimal().scale());
                prop_assert_eq!(fast, exact);
            }
            // Only operands past an i128 (or a rule's degenerate ends) take the exact path.
            let small = |d: &Decimal| d.mantissa().unsigned_abs() < 1 << 40;
            let ordinary = match (&rule, &given) {
                (Rule::Linear(l), Given::Value(Scalar::Number(x))) => l.zero_at != l.full_at && small(x) && small(&l.zero_at) && small(&l.full_at),
                (Rule::Relative(_), Given::Value(Scalar::Number(x))) => small(x) && reference.is_none_or(|r| small(&r)),
                (Rule::Date(d), _) => d.full_by != d.zero_from,
                (Rule::KrPrice(_), Given::Value(Scalar::Number(x))) => *x != Decimal::ZERO && small(x) && reference.is_none_or(|r| small(&r)),
                _ => true,
            };
            if ordinary {
                prop_assert!(fast.is_some(), "no integer form for {rule:?} on {given:?}");
            }
        }
    }
}
