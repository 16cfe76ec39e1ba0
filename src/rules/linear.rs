//! `linear`: `clamp((x − zero_at) / (full_at − zero_at), 0, 1)`; lower is better when
//! `full_at < zero_at`.

use rust_decimal::Decimal;

use super::{Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, num, number};
use crate::diag::Diagnostic;
use crate::exact::{Grid, Points, Rat, common_scale};
use crate::load::reader::{Fields, Sink};
use crate::value::{Given, Scalar};

/// Linear between `zero_at` (score 0) and `full_at` (score 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    /// The value that scores 0.
    pub zero_at: Decimal,
    /// The value that scores 1.
    pub full_at: Decimal,
}

impl RuleKind for Linear {
    const NAME: &'static str = "linear";
    const KEYS: &'static [&'static str] = &["kind", "zero_at", "full_at"];
    const INPUT: InputKind = InputKind::Number;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Linear> {
        let zero = f.req_number("zero_at", sink);
        let full = f.req_number("full_at", sink);
        let ((zero_at, _), (full_at, full_span)) = (zero?, full?);
        if zero_at == full_at {
            sink.push(
                Diagnostic::error("linear-equal-ends", full_span, format!("`full_at` equals `zero_at` (`{full_at}`)"))
                    .with_help("give two different values: `full_at` scores 1 and `zero_at` scores 0"),
            );
            return None;
        }
        Some(Linear { zero_at, full_at })
    }

    fn check_value(&self, _: &Scalar, _: &ValueAt<'_>, _: &mut Sink) {}

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        None
    }

    fn score(&self, given: &Given, _: &Rat, _: Option<&Rat>) -> Scored {
        let Some(x) = number(given) else { return Scored::wrong_input() };
        let (z, f, xr) = (Rat::from_decimal(self.zero_at), Rat::from_decimal(self.full_at), Rat::from_decimal(x));
        let raw = xr.sub(&z).div(&f.sub(&z));
        Scored { score: raw.clone().clamp01(), reason: Reason::Linear { zero_at: self.zero_at, full_at: self.full_at, raw } }
    }

    fn grid(&self, given: &Given, grid: &Grid, _: Option<&Rat>) -> Option<Points> {
        let (x, z, f) = common_scale(number(given)?, self.zero_at, self.full_at)?;
        grid.ratio01(x.checked_sub(z)?, f.checked_sub(z)?)
    }

    fn params_toml(&self) -> String {
        format!(", zero_at = {}, full_at = {}", num(self.zero_at), num(self.full_at))
    }

    fn breakpoints(&self, _: &Breakpoints<'_>) -> Vec<Scalar> {
        vec![Scalar::Number(self.full_at)]
    }

    fn weight_kink(&self, _: &Given, _: Option<&Rat>) -> Option<Rat> {
        None
    }

    fn fast(&self) -> super::fast::Fast {
        super::fast::Fast::linear(super::fast::f64_of(self.zero_at), super::fast::f64_of(self.full_at))
    }
}
