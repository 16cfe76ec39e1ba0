//! `panel`: the committee's marks, the `trim` highest and lowest dropped, averaged and
//! divided by `scale`. The marks themselves live in the panel file.

use rust_decimal::Decimal;

use super::{Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, num};
use crate::diag::{Diagnostic, Span, plural};
use crate::exact::{Grid, Points, Rat, pow10};
use crate::load::reader::{Fields, Sink, as_count};
use crate::value::{Given, Scalar};

/// Panel marks aggregated by a trimmed mean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelRule {
    /// The top mark.
    pub scale: Decimal,
    /// How many highest and how many lowest marks are dropped (default 1).
    pub trim: u32,
    /// Where `trim` is written, if it is.
    pub trim_at: Option<Span>,
}

impl RuleKind for PanelRule {
    const NAME: &'static str = "panel";
    const KEYS: &'static [&'static str] = &["kind", "scale", "trim"];
    const INPUT: InputKind = InputKind::Marks;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<PanelRule> {
        let scale = f.req_number("scale", sink);
        let trim = match f.get("trim") {
            Some(n) => match as_count(n, "trim", sink) {
                Some((t, sp)) => match u32::try_from(t) {
                    Ok(t) if t <= 100 => Some((t, Some(sp))),
                    _ => {
                        sink.push(
                            Diagnostic::error("bad-trim", sp, format!("`trim` is `{t}`; at most 100 marks can be dropped"))
                                .with_help("panels drop one highest and one lowest mark: `trim = 1`"),
                        );
                        None
                    }
                },
                None => None,
            },
            None => Some((1, None)),
        };
        let (scale, sp) = scale?;
        if scale <= Decimal::ZERO {
            sink.push(
                Diagnostic::error("bad-scale", sp, format!("`scale` is `{scale}`; it must be above 0"))
                    .with_help("`scale` is the top mark an evaluator can give, such as `10`"),
            );
            return None;
        }
        let (trim, trim_at) = trim?;
        Some(PanelRule { scale, trim, trim_at })
    }

    fn check_value(&self, _: &Scalar, _: &ValueAt<'_>, _: &mut Sink) {}

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        None
    }

    fn score(&self, given: &Given, _: &Rat, _: Option<&Rat>) -> Scored {
        let Given::Marks(marks) = given else { return Scored::wrong_input() };
        let Some(mean) = self.trimmed_mean(marks) else {
            return Scored { score: Rat::zero(), reason: Reason::Panel { trim: self.trim, mean: None, scale: self.scale } };
        };
        let score = mean.div(&Rat::from_decimal(self.scale));
        Scored { score, reason: Reason::Panel { trim: self.trim, mean: Some(mean), scale: self.scale } }
    }

    fn grid(&self, given: &Given, grid: &Grid, _: Option<&Rat>) -> Option<Points> {
        let Given::Marks(marks) = given else { return None };
        let Some(mean) = self.trimmed_mean(marks) else { return grid.zero() };
        // mean / scale
        let (n, d) = mean.small_parts()?;
        grid.ratio(n.checked_mul(pow10(self.scale.scale())?)?, d.checked_mul(self.scale.mantissa())?)
    }

    fn params_toml(&self) -> String {
        format!(", scale = {}, trim = {}", num(self.scale), self.trim)
    }

    /// Marks are the committee's, not the bidder's to change.
    fn breakpoints(&self, _: &Breakpoints<'_>) -> Vec<Scalar> {
        Vec::new()
    }

    fn weight_kink(&self, _: &Given, _: Option<&Rat>) -> Option<Rat> {
        None
    }

    fn fast(&self) -> super::fast::Fast {
        super::fast::Fast::Panel { trim: self.trim as usize, scale: super::fast::f64_of(self.scale) }
    }
}

impl PanelRule {
    /// The marks kept after trimming, sorted.
    pub fn kept(&self, marks: &[Decimal]) -> Vec<Decimal> {
        let mut sorted = marks.to_vec();
        sorted.sort();
        let t = self.trim as usize;
        if sorted.len() < self.marks_needed() {
            return Vec::new();
        }
        sorted.get(t..sorted.len().saturating_sub(t)).map(<[Decimal]>::to_vec).unwrap_or_default()
    }

    /// The exact mean of the marks kept after trimming (`None`: too few marks to keep one).
    /// Scored for every bid on every panel criterion, by the evaluation and by each of the
    /// panel analysis's drop-one tallies: without trimming nothing is sorted, and a committee's
    /// marks are sorted on the stack.
    pub fn trimmed_mean(&self, marks: &[Decimal]) -> Option<Rat> {
        if marks.len() < self.marks_needed() {
            return None;
        }
        let mean = |kept: &[Decimal]| {
            let count = i128::try_from(kept.len()).unwrap_or(i128::MAX);
            // A committee writes its marks to one scale: their mantissas, brought to the
            // largest scale, sum exactly as integers, and the mean is one fraction.
            let scale = kept.iter().map(|m| m.scale()).max().unwrap_or(0);
            let whole = kept.iter().try_fold(0i128, |acc, m| {
                let up = 10i128.checked_pow(scale.saturating_sub(m.scale()))?;
                acc.checked_add(m.mantissa().checked_mul(up)?)
            });
            match (whole, 10i128.checked_pow(scale).and_then(|d| d.checked_mul(count))) {
                (Some(sum), Some(d)) if d > 0 => Rat::ratio(sum, d),
                _ => kept.iter().fold(Rat::zero(), |acc, m| acc.add(&Rat::from_decimal(*m))).div(&Rat::from_int(count)),
            }
        };
        let t = self.trim as usize;
        if t == 0 {
            return Some(mean(marks));
        }
        let keep = |sorted: &[Decimal]| sorted.get(t..sorted.len().saturating_sub(t)).map(mean);
        // A committee is seldom more than 16; a larger one sorts on the heap.
        const ON_STACK: usize = 16;
        if marks.len() <= ON_STACK {
            let mut buf = [Decimal::ZERO; ON_STACK];
            let sorted = buf.get_mut(..marks.len())?;
            sorted.copy_from_slice(marks);
            // Marks of one scale (a committee's, nearly always) order as their mantissas, and
            // equal mantissas are the same decimal: integers compare many times faster.
            let scale = marks.first().map(Decimal::scale);
            if marks.iter().all(|m| Some(m.scale()) == scale) {
                sorted.sort_unstable_by_key(|m| m.mantissa());
            } else {
                sorted.sort_unstable();
            }
            keep(sorted)
        } else {
            let mut sorted = marks.to_vec();
            sorted.sort_unstable();
            keep(&sorted)
        }
    }

    /// What one evaluator's mark alone is worth on a criterion of `points`: `points × mark /
    /// scale` (for the agreement of each evaluator's own panel points).
    pub fn points_of_mark(&self, points: &Rat, mark: Decimal) -> Rat {
        points.mul(&Rat::from_decimal(mark)).div(&Rat::from_decimal(self.scale))
    }

    /// Marks needed so that trimming leaves at least one.
    pub fn marks_needed(&self) -> usize {
        (self.trim as usize).saturating_mul(2).saturating_add(1)
    }

    /// The panel's marks on criterion `criterion` against `trim`: when the fewest any bid
    /// has (`fewest`, bid `who`, its marks written at `marks_at`) leave nothing after
    /// trimming, one error at `trim` (or, when `trim` is not written, at the criterion,
    /// `criterion_at`), however many bids are short: the fix is one change there or more
    /// marks for all. `uniform`: every bid has `fewest` marks.
    pub(crate) fn check_mark_count(&self, criterion: (&str, Span), fewest: (usize, &str, Span), uniform: bool, sink: &mut Sink) {
        let need = self.marks_needed();
        let (n, who, marks_at) = fewest;
        if n >= need {
            return;
        }
        let (cid, criterion_at) = criterion;
        let t = self.trim;
        let gives = if uniform { format!("the panel gives {n}") } else { format!("the panel gives bid `{who}` only {n}") };
        let (at, message) = match self.trim_at {
            Some(at) => (
                at,
                format!(
                    "`trim = {t}` drops the {t} highest and {t} lowest marks: that needs at least {need} per bid, but {gives} on `{cid}`"
                ),
            ),
            None => (
                criterion_at,
                format!(
                    "criterion `{cid}` drops the highest and the lowest mark (`trim` is 1 unless set): that needs at least {need} marks per bid, but {gives}"
                ),
            ),
        };
        let help = match n.saturating_sub(1) / 2 {
            _ if n == 0 => format!("give every bid at least {need} marks on `{cid}`, one per evaluator"),
            0 => format!(
                "with {} per bid no mark can be dropped: set `trim = 0`, or give every bid at least {need} marks",
                plural(n, "mark")
            ),
            most => format!(
                "with {n} marks per bid, `trim` can be at most {most}: set `trim = {most}`, or give every bid at least {need} marks"
            ),
        };
        sink.push(
            Diagnostic::error("too-few-marks", at, message)
                .with_secondary(marks_at, format!("`{who}` has {} on `{cid}`", plural(n, "mark")))
                .with_help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::PanelRule;
    use crate::exact::Rat;

    proptest! {
        /// The mean kept after trimming, however the marks are written (mixed scales, and
        /// mantissas too large to bring to one scale), is the sorted, trimmed marks' mean.
        #[test]
        fn the_trimmed_mean_is_the_mean_of_the_sorted_kept_marks(
            marks in proptest::collection::vec(prop_oneof![
                (-1_000_000i64..1_000_000, 0u32..7).prop_map(|(m, s)| Decimal::new(m, s)),
                (any::<i64>(), 0u32..29).prop_map(|(m, s)| Decimal::from_i128_with_scale(i128::from(m).saturating_mul(1_000_000_000), s)),
            ], 0..40),
            trim in 0u32..4,
        ) {
            let rule = PanelRule { scale: Decimal::TEN, trim, trim_at: None };
            let mut sorted = marks.clone();
            sorted.sort();
            let t = trim as usize;
            let expected = sorted.get(t..sorted.len().saturating_sub(t)).filter(|k| !k.is_empty()).map(|kept| {
                kept.iter().fold(Rat::zero(), |a, m| a.add(&Rat::from_decimal(*m))).div(&Rat::from_int(kept.len() as i128))
            });
            prop_assert_eq!(rule.trimmed_mean(&marks), expected);
        }
    }
}
