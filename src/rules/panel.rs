//! `panel`: the committee's marks, the `trim` highest and lowest dropped, averaged and
//! divided by `scale`. The marks themselves live in the panel file.

use rust_decimal::Decimal;

use super::{Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, num};
use crate::diag::Diagnostic;
use crate::exact::Rat;
use crate::load::reader::{Fields, Sink, as_count};
use crate::value::{Given, Scalar};

/// Panel marks aggregated by a trimmed mean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelRule {
    /// The top mark.
    pub scale: Decimal,
    /// How many highest and how many lowest marks are dropped (default 1).
    pub trim: u32,
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
                    Ok(t) if t <= 100 => Some(t),
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
            None => Some(1),
        };
        let (scale, sp) = scale?;
        if scale <= Decimal::ZERO {
            sink.push(
                Diagnostic::error("bad-scale", sp, format!("`scale` is `{scale}`; it must be above 0"))
                    .with_help("`scale` is the top mark an evaluator can give, such as `10`"),
            );
            return None;
        }
        Some(PanelRule { scale, trim: trim? })
    }

    fn check_value(&self, _: &Scalar, _: &ValueAt<'_>, _: &mut Sink) {}

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        None
    }

    fn score(&self, given: &Given, _: &Rat, _: Option<&Rat>) -> Scored {
        let Given::Marks(marks) = given else { return Scored::wrong_input() };
        let kept = self.kept(marks);
        if kept.is_empty() {
            return Scored { score: Rat::zero(), reason: Reason::Panel { trim: self.trim, mean: None, scale: self.scale } };
        }
        let sum = kept.iter().fold(Rat::zero(), |acc, m| acc.add(&Rat::from_decimal(*m)));
        let mean = sum.div(&Rat::from_int(kept.len() as i128));
        let score = mean.div(&Rat::from_decimal(self.scale));
        Scored { score, reason: Reason::Panel { trim: self.trim, mean: Some(mean), scale: self.scale } }
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
}

impl PanelRule {
    /// The marks kept after trimming, sorted.
    pub fn kept(&self, marks: &[Decimal]) -> Vec<Decimal> {
        let mut sorted = marks.to_vec();
        sorted.sort();
        let t = self.trim as usize;
        if sorted.len() <= 2 * t {
            return Vec::new();
        }
        sorted.get(t..sorted.len() - t).map(<[Decimal]>::to_vec).unwrap_or_default()
    }

    /// What one evaluator's mark alone is worth on a criterion of `points`: `points × mark /
    /// scale` (for the agreement of each evaluator's own panel points).
    pub fn points_of_mark(&self, points: &Rat, mark: Decimal) -> Rat {
        points.mul(&Rat::from_decimal(mark)).div(&Rat::from_decimal(self.scale))
    }

    /// Marks needed so that trimming leaves at least one.
    pub fn marks_needed(&self) -> usize {
        2 * self.trim as usize + 1
    }
}
