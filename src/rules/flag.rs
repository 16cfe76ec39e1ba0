//! `flag`: a score for `true` and one for `false`.

use rust_decimal::Decimal;

use super::{Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, num, unit_score};
use crate::exact::{Grid, Points, Rat};
use crate::load::reader::{Fields, Sink};
use crate::value::{Given, Scalar};

/// Scores by a boolean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Score when true (default 1).
    pub if_true: Decimal,
    /// Score when false (default 0).
    pub if_false: Decimal,
}

impl Flag {
    fn of(&self, x: bool) -> Decimal {
        if x { self.if_true } else { self.if_false }
    }
}

impl RuleKind for Flag {
    const NAME: &'static str = "flag";
    const KEYS: &'static [&'static str] = &["kind", "if_true", "if_false"];
    const INPUT: InputKind = InputKind::Bool;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Flag> {
        let t = unit_score(f, "if_true", sink);
        let fl = unit_score(f, "if_false", sink);
        if (f.get("if_true").is_some() && t.is_none()) || (f.get("if_false").is_some() && fl.is_none()) {
            return None;
        }
        Some(Flag { if_true: t.map_or(Decimal::ONE, |x| x.0), if_false: fl.map_or(Decimal::ZERO, |x| x.0) })
    }

    fn check_value(&self, _: &Scalar, _: &ValueAt<'_>, _: &mut Sink) {}

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        None
    }

    fn score(&self, given: &Given, _: &Rat, _: Option<&Rat>) -> Scored {
        let Given::Value(Scalar::Bool(x)) = given else { return Scored::wrong_input() };
        let s = self.of(*x);
        Scored { score: Rat::from_decimal(s), reason: Reason::Flag { score: s } }
    }

    fn grid(&self, given: &Given, grid: &Grid, _: Option<&Rat>) -> Option<Points> {
        let Given::Value(Scalar::Bool(x)) = given else { return None };
        grid.decimal(self.of(*x))
    }

    fn params_toml(&self) -> String {
        format!(", if_true = {}, if_false = {}", num(self.if_true), num(self.if_false))
    }

    fn breakpoints(&self, at: &Breakpoints<'_>) -> Vec<Scalar> {
        [true, false].into_iter().filter(|b| Rat::from_decimal(self.of(*b)) > *at.score).map(Scalar::Bool).collect()
    }

    fn weight_kink(&self, _: &Given, _: Option<&Rat>) -> Option<Rat> {
        None
    }

    fn fast(&self) -> super::fast::Fast {
        super::fast::Fast::Exact
    }
}
