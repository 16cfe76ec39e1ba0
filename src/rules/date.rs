//! `date`: 1 up to `full_by`, 0 from `zero_from`, linear in days between.

use super::{Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt};
use crate::diag::Diagnostic;
use crate::exact::{Grid, Points, Rat};
use crate::load::reader::{Fields, Sink, as_date};
use crate::value::{Date, Given, Scalar};

/// Earlier is better.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateRule {
    /// On or before this date: score 1.
    pub full_by: Date,
    /// On or after this date: score 0.
    pub zero_from: Date,
}

impl RuleKind for DateRule {
    const NAME: &'static str = "date";
    const KEYS: &'static [&'static str] = &["kind", "full_by", "zero_from"];
    const INPUT: InputKind = InputKind::Date;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<DateRule> {
        let full = f.required("full_by", sink).and_then(|n| as_date(n, "full_by", sink));
        let zero = f.required("zero_from", sink).and_then(|n| as_date(n, "zero_from", sink));
        let ((full_by, _), (zero_from, zsp)) = (full?, zero?);
        if full_by >= zero_from {
            sink.push(
                Diagnostic::error("date-backwards", zsp, format!("`zero_from` (`{zero_from}`) is not after `full_by` (`{full_by}`)"))
                    .with_help("`full_by` is the last date that scores full points; `zero_from` must come later"),
            );
            return None;
        }
        Some(DateRule { full_by, zero_from })
    }

    fn check_value(&self, _: &Scalar, _: &ValueAt<'_>, _: &mut Sink) {}

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        None
    }

    fn score(&self, given: &Given, _: &Rat, _: Option<&Rat>) -> Scored {
        let Given::Value(Scalar::Date(d)) = given else { return Scored::wrong_input() };
        let span = self.zero_from.days().saturating_sub(self.full_by.days());
        let left = self.zero_from.days().saturating_sub(d.days()).clamp(0, span);
        let reason = Reason::Date { full_by: self.full_by, zero_from: self.zero_from, left, span };
        Scored { score: Rat::ratio(i128::from(left), i128::from(span)), reason }
    }

    fn grid(&self, given: &Given, grid: &Grid, _: Option<&Rat>) -> Option<Points> {
        let Given::Value(Scalar::Date(d)) = given else { return None };
        let span = self.zero_from.days().saturating_sub(self.full_by.days());
        let left = self.zero_from.days().saturating_sub(d.days()).clamp(0, span);
        grid.ratio(i128::from(left), i128::from(span))
    }

    fn params_toml(&self) -> String {
        format!(", full_by = {}, zero_from = {}", self.full_by, self.zero_from)
    }

    fn breakpoints(&self, _: &Breakpoints<'_>) -> Vec<Scalar> {
        vec![Scalar::Date(self.full_by)]
    }

    fn weight_kink(&self, _: &Given, _: Option<&Rat>) -> Option<Rat> {
        None
    }

    /// Linear in the day number: 0 at `zero_from`, 1 at `full_by`.
    fn fast(&self) -> super::fast::Fast {
        super::fast::Fast::linear(self.zero_from.days() as f64, self.full_by.days() as f64)
    }
}
