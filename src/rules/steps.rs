//! `steps`: the score of the most demanding threshold met, else `otherwise`.
//! Validation makes it monotone: a more demanding step never scores lower.

use rust_decimal::Decimal;

use super::{Breakpoints, CriterionAt, InputKind, Reason, Reference, RuleKind, Scored, ValueAt, current_number, num, number, unit_score};
use crate::diag::Diagnostic;
use crate::exact::{Grid, Points, Rat};
use crate::load::reader::{Fields, Sink, as_array, as_table};
use crate::value::{Given, Scalar};

const STEP_KEYS: &[&str] = &["at_least", "at_most", "score"];

/// Whether steps are minimums or maximums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepDirection {
    /// `at_least`: higher is better.
    AtLeast,
    /// `at_most`: lower is better.
    AtMost,
}

/// One threshold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The threshold.
    pub threshold: Decimal,
    /// Its score in [0, 1].
    pub score: Decimal,
}

/// Thresholds, sorted from least to most demanding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Steps {
    /// Minimums or maximums.
    pub direction: StepDirection,
    /// Sorted least demanding first.
    pub steps: Vec<Step>,
    /// The score when no step is met.
    pub otherwise: Decimal,
}

impl RuleKind for Steps {
    const NAME: &'static str = "steps";
    const KEYS: &'static [&'static str] = &["kind", "steps", "otherwise"];
    const INPUT: InputKind = InputKind::Number;

    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Steps> {
        let otherwise = unit_score(f, "otherwise", sink);
        let bad_otherwise = f.get("otherwise").is_some() && otherwise.is_none();
        let node = f.required("steps", sink)?;
        let items = as_array(node, "steps", sink)?;
        if items.is_empty() {
            sink.push(
                Diagnostic::error("steps-empty", node.span, "`steps` is empty")
                    .with_help("give at least one `{ at_least = …, score = … }`"),
            );
            return None;
        }
        let mut direction = None;
        let mut steps: Vec<(Step, crate::diag::Span)> = Vec::new();
        let mut ok = !bad_otherwise;
        for item in items {
            let Some((t, at)) = as_table(item, "steps", sink) else {
                ok = false;
                continue;
            };
            let sf = Fields::new(t, at, "a step", STEP_KEYS, sink);
            let (dir, key) = match (sf.get("at_least").is_some(), sf.get("at_most").is_some()) {
                (true, false) => (StepDirection::AtLeast, "at_least"),
                (false, true) => (StepDirection::AtMost, "at_most"),
                _ => {
                    sink.push(
                        Diagnostic::error("step-threshold", at, "a step needs exactly one of `at_least` and `at_most`")
                            .with_help("write `{ at_least = 3, score = 1 }` (or `at_most` for lower-is-better)"),
                    );
                    ok = false;
                    continue;
                }
            };
            match direction {
                None => direction = Some(dir),
                Some(d) if d != dir => {
                    sink.push(
                        Diagnostic::error("steps-mixed", at, "steps mix `at_least` and `at_most`")
                            .with_help("use `at_least` for every step (higher is better) or `at_most` for every step"),
                    );
                    ok = false;
                }
                Some(_) => {}
            }
            let threshold = sf.req_number(key, sink);
            let score = match sf.get("score") {
                Some(_) => unit_score(&sf, "score", sink),
                None => {
                    sf.required("score", sink);
                    None
                }
            };
            match (threshold, score) {
                (Some((threshold, sp)), Some((score, _))) => steps.push((Step { threshold, score }, sp)),
                _ => ok = false,
            }
        }
        let direction = direction?;
        // Least demanding first: ascending minimums, descending maximums.
        steps.sort_by(|a, b| match direction {
            StepDirection::AtLeast => a.0.threshold.cmp(&b.0.threshold),
            StepDirection::AtMost => b.0.threshold.cmp(&a.0.threshold),
        });
        for pair in steps.windows(2) {
            let [(a, _), (b, sb)] = pair else { continue };
            if a.threshold == b.threshold {
                sink.push(
                    Diagnostic::error("steps-duplicate-threshold", *sb, format!("two steps share the threshold `{}`", b.threshold))
                        .with_help("give each step its own threshold"),
                );
                ok = false;
            } else if b.score < a.score {
                sink.push(
                    Diagnostic::error(
                        "steps-not-monotone",
                        *sb,
                        format!(
                            "the step at `{}` scores `{}`, less than the easier step at `{}` (`{}`)",
                            b.threshold, b.score, a.threshold, a.score
                        ),
                    )
                    .with_help("a more demanding step must score at least as much as an easier one"),
                );
                ok = false;
            }
        }
        let otherwise = otherwise.map_or(Decimal::ZERO, |o| o.0);
        if let (Some((first, _)), Some(sp)) = (steps.first(), f.get("otherwise").map(|n| n.span))
            && otherwise > first.score
        {
            sink.push(
                Diagnostic::error(
                    "steps-not-monotone",
                    sp,
                    format!("`otherwise` scores `{otherwise}`, more than the easiest step (`{}`)", first.score),
                )
                .with_help("meeting no step must not score more than meeting one"),
            );
            ok = false;
        }
        ok.then(|| Steps { direction, steps: steps.into_iter().map(|(s, _)| s).collect(), otherwise })
    }

    fn check_value(&self, _: &Scalar, _: &ValueAt<'_>, _: &mut Sink) {}

    fn check_criterion(&self, _: &CriterionAt<'_>, _: &mut Sink) {}

    fn reference(&self) -> Option<Reference> {
        None
    }

    fn score(&self, given: &Given, _: &Rat, _: Option<&Rat>) -> Scored {
        let Some(x) = number(given) else { return Scored::wrong_input() };
        let at_least = self.direction == StepDirection::AtLeast;
        let met = self.steps.iter().rev().find(|s| if at_least { x >= s.threshold } else { x <= s.threshold });
        let (threshold, score) = met.map_or((None, self.otherwise), |s| (Some(s.threshold), s.score));
        Scored { score: Rat::from_decimal(score), reason: Reason::Step { threshold, at_least, score } }
    }

    fn grid(&self, given: &Given, grid: &Grid, _: Option<&Rat>) -> Option<Points> {
        let x = number(given)?;
        let at_least = self.direction == StepDirection::AtLeast;
        let met = self.steps.iter().rev().find(|s| if at_least { x >= s.threshold } else { x <= s.threshold });
        grid.decimal(met.map_or(self.otherwise, |s| s.score))
    }

    fn params_toml(&self) -> String {
        let key = if self.direction == StepDirection::AtLeast { "at_least" } else { "at_most" };
        let steps: Vec<String> =
            self.steps.iter().map(|s| format!("{{ {key} = {}, score = {} }}", num(s.threshold), num(s.score))).collect();
        format!(", steps = [{}], otherwise = {}", steps.join(", "), num(self.otherwise))
    }

    /// The thresholds of the steps that score more than now, beyond the current value.
    fn breakpoints(&self, at: &Breakpoints<'_>) -> Vec<Scalar> {
        let x = current_number(at);
        self.steps
            .iter()
            .filter(|st| Rat::from_decimal(st.score) > *at.score)
            .filter(|st| match (self.direction, x) {
                (StepDirection::AtLeast, Some(x)) => st.threshold > x,
                (StepDirection::AtMost, Some(x)) => st.threshold < x,
                (_, None) => true,
            })
            .map(|st| Scalar::Number(st.threshold))
            .collect()
    }

    fn weight_kink(&self, _: &Given, _: Option<&Rat>) -> Option<Rat> {
        None
    }

    fn fast(&self) -> super::fast::Fast {
        use super::fast::f64_of;
        super::fast::Fast::Steps {
            at_least: self.direction == StepDirection::AtLeast,
            steps: self.steps.iter().map(|s| (f64_of(s.threshold), f64_of(s.score))).collect(),
            otherwise: f64_of(self.otherwise),
        }
    }
}
