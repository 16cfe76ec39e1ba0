//! `choice`: a score per string value; a value not listed is a validation error.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, num};
use crate::diag::{Diagnostic, did_you_mean, one_of_list};
use crate::exact::{Grid, Points, Rat};
use crate::load::reader::{Fields, Sink, as_number};
use crate::value::{Given, Scalar};

/// A score for each accepted value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Value → score in [0, 1].
    pub scores: BTreeMap<String, Decimal>,
}

impl RuleKind for Choice {
    const NAME: &'static str = "choice";
    const KEYS: &'static [&'static str] = &["kind", "scores"];
    const INPUT: InputKind = InputKind::Text;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Choice> {
        let (t, at) = f.req_table("scores", sink)?;
        if t.entries.is_empty() {
            sink.push(
                Diagnostic::error("choice-empty", at, "`scores` lists no values").with_help("write `scores = { owned = 1, leased = 0.3 }`"),
            );
            return None;
        }
        let mut scores = BTreeMap::new();
        let mut ok = true;
        for e in &t.entries {
            match as_number(&e.node, &e.key, sink) {
                Some((d, sp)) if d < Decimal::ZERO || d > Decimal::ONE => {
                    sink.push(
                        Diagnostic::error("score-out-of-range", sp, format!("the score of `{}` is `{d}`, outside [0, 1]", e.key))
                            .with_help("scores are fractions of the criterion's points: write a value from 0 to 1"),
                    );
                    ok = false;
                }
                Some((d, _)) => {
                    scores.insert(e.key.to_string(), d);
                }
                None => ok = false,
            }
        }
        ok.then_some(Choice { scores })
    }

    fn check_value(&self, value: &Scalar, at: &ValueAt<'_>, sink: &mut Sink) {
        let Scalar::Text(s) = value else { return };
        let (span, field, criterion) = (at.span, at.field, at.criterion);
        if self.scores.contains_key(s) {
            return;
        }
        let keys = self.scores.keys().map(String::as_str);
        let mut d =
            Diagnostic::error("unknown-choice", span, format!("`{s}` is not a value that criterion `{criterion}` scores for `{field}`"));
        d = match did_you_mean(s, keys.clone()) {
            Some(k) => d.with_help(format!("did you mean `{k}`? values: {}", one_of_list(keys))),
            None => d.with_help(format!("values: {}", one_of_list(keys))),
        };
        sink.push(d);
    }

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        None
    }

    fn score(&self, given: &Given, _: &Rat, _: Option<&Rat>) -> Scored {
        let Given::Value(Scalar::Text(x)) = given else { return Scored::wrong_input() };
        let s = self.scores.get(x).copied().unwrap_or(Decimal::ZERO);
        Scored { score: Rat::from_decimal(s), reason: Reason::Choice { score: s } }
    }

    fn grid(&self, given: &Given, grid: &Grid, _: Option<&Rat>) -> Option<Points> {
        let Given::Value(Scalar::Text(x)) = given else { return None };
        grid.decimal(self.scores.get(x).copied().unwrap_or(Decimal::ZERO))
    }

    fn params_toml(&self) -> String {
        let items: Vec<String> = self.scores.iter().map(|(k, v)| format!("{} = {}", crate::load::toml_out::toml_key(k), num(*v))).collect();
        format!(", scores = {{ {} }}", items.join(", "))
    }

    /// The keys that score more than now, the smallest improvement first (the least change).
    fn breakpoints(&self, at: &Breakpoints<'_>) -> Vec<Scalar> {
        let mut better: Vec<(&Decimal, &String)> =
            self.scores.iter().filter(|(_, s)| Rat::from_decimal(**s) > *at.score).map(|(k, s)| (s, k)).collect();
        better.sort();
        better.into_iter().map(|(_, k)| Scalar::Text(k.clone())).collect()
    }

    fn weight_kink(&self, _: &Given, _: Option<&Rat>) -> Option<Rat> {
        None
    }

    fn fast(&self) -> super::fast::Fast {
        super::fast::Fast::Exact
    }
}
