//! Rule kinds: one file per kind, each holding everything the crate knows about the kind —
//! its parameters and their validation, the checks on a bid's value, the exact score, the
//! TOML form, the breakpoints `path-to-win` searches and the weights at which `stability`
//! must look again. The kinds are listed once, in `kinds!` below: adding a kind is one new
//! file, one line there and one [`Reason`] variant, and the compiler asks for every answer
//! (`RuleKind` has no default methods).
//!
//! A rule turns one bid value (or the panel's marks) into a score `s` in [0, 1] and a
//! reason a person can check; `kr-price` may exceed 1 when its cap is off. Rules never
//! round: the caller rounds `points × s` once.

mod choice;
mod date;
pub(crate) mod fast;
mod flag;
mod kr_price;
mod linear;
mod panel;
mod reason;
mod relative;
mod steps;

use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Span, did_you_mean, one_of_list};
use crate::exact::{Grid, Points, Rat};
use crate::load::node::Table;
use crate::load::reader::{Fields, Sink, as_str};
use crate::value::{Given, Scalar};

pub use choice::Choice;
pub use date::DateRule;
pub use flag::Flag;
pub use kr_price::KrPrice;
pub use linear::Linear;
pub use panel::PanelRule;
pub use reason::Reason;
pub use relative::{Better, Relative};
pub use steps::{Step, StepDirection, Steps};

/// The type of value a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A number.
    Number,
    /// A string.
    Text,
    /// A boolean.
    Bool,
    /// A date.
    Date,
    /// Panel marks (no bid field).
    Marks,
}

impl InputKind {
    /// "a number", … for messages.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Number => "a number",
            InputKind::Text => "a string",
            InputKind::Bool => "a boolean",
            InputKind::Date => "a date",
            InputKind::Marks => "panel marks",
        }
    }
}

/// A rule's verdict on one value.
#[derive(Clone, Debug)]
pub(crate) struct Scored {
    /// The exact score.
    pub(crate) score: Rat,
    /// Why.
    pub(crate) reason: Reason,
}

impl Scored {
    /// What a rule gives an input of another type. Validation resolves every input to the
    /// rule's kind, so evaluation never sees this; it keeps scoring total.
    fn wrong_input() -> Scored {
        Scored { score: Rat::zero(), reason: Reason::Missing { field: None } }
    }
}

/// Which bids set the reference value of a `relative` or `kr-price` rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Among {
    /// The bids that pass every gate (SPEC §3.1; the default).
    #[default]
    Eligible,
    /// The bids that pass every gate and meet every `qualify` threshold: a price envelope
    /// opened only for technically qualified bids (World Bank QCBS, EU *Montte*).
    Qualified,
}

impl Among {
    /// "eligible" or "qualified", for messages and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Among::Eligible => "eligible",
            Among::Qualified => "qualified",
        }
    }

    pub(crate) fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Among> {
        match f.opt_str("among", sink) {
            None => Some(Among::Eligible),
            Some((s, _)) if s == "eligible" => Some(Among::Eligible),
            Some((s, _)) if s == "qualified" => Some(Among::Qualified),
            Some((s, sp)) => {
                sink.push(crate::load::reader::bad_enum("among", &s, sp, &["eligible", "qualified"]));
                None
            }
        }
    }

    pub(crate) fn to_toml(self) -> &'static str {
        match self {
            Among::Eligible => "",
            Among::Qualified => ", among = \"qualified\"",
        }
    }
}

/// A rule whose score depends on the other bids: the best value it compares with, and over
/// which bids that best is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `Higher` takes the maximum, `Lower` the minimum.
    pub better: Better,
    /// Eligible or qualified bids.
    pub among: Among,
}

/// Where a bid's value is, for messages about it.
pub(crate) struct ValueAt<'a> {
    /// The value's text in the bid file.
    pub(crate) span: Span,
    /// The bid field.
    pub(crate) field: &'a str,
    /// The criterion that reads it.
    pub(crate) criterion: &'a str,
}

/// A criterion as written, for checks that need more than the rule's own parameters.
pub(crate) struct CriterionAt<'a> {
    /// "criterion `id`", for messages.
    pub(crate) name: &'a str,
    /// Its points.
    pub(crate) points: Decimal,
    /// Where the points are written.
    pub(crate) points_span: Span,
}

/// What `path-to-win` knows when it asks a rule for better values of one bid.
pub(crate) struct Breakpoints<'a> {
    /// The bid's value now (`None`: missing).
    pub(crate) current: Option<&'a Scalar>,
    /// Its exact score now.
    pub(crate) score: &'a Rat,
    /// The best value in force, for rules with a reference (as the evaluation took it).
    pub(crate) reference: Option<Decimal>,
    /// The criterion's points.
    pub(crate) points: &'a Rat,
    /// The bids ranked ahead of this one with a number on this criterion.
    pub(crate) rivals: &'a [Rival],
}

/// A bid ranked ahead, seen from the bid that wants to pass it on one criterion.
pub(crate) struct Rival {
    /// Its value on the criterion.
    pub(crate) value: Decimal,
    /// By how much this bid's other points plus the criterion's full points exceed the
    /// rival's other points: what this criterion must not give the rival, for this bid to
    /// pass it.
    pub(crate) margin: Rat,
}

/// Everything the crate asks of a rule kind. No method has a default, so a new kind cannot
/// compile until it answers each question, and no analysis can miss it.
pub(crate) trait RuleKind: Sized {
    /// The kind's name in files (`kind = "…"`).
    const NAME: &'static str;
    /// The keys its table may hold.
    const KEYS: &'static [&'static str];
    /// The type of value it reads.
    const INPUT: InputKind;

    /// Read the parameters, reporting every problem.
    fn parse(f: &Fields<'_>, sink: &mut Sink) -> Option<Self>;
    /// Check a bid's value beyond its type (a listed `choice` key, a positive price…).
    fn check_value(&self, value: &Scalar, at: &ValueAt<'_>, sink: &mut Sink);
    /// Check the criterion that uses the rule (a price criterion needs points).
    fn check_criterion(&self, at: &CriterionAt<'_>, sink: &mut Sink);
    /// The reference the score depends on, if any.
    fn reference(&self) -> Option<Reference>;
    /// Score one input. `points` is the criterion's weight; `reference` the best value in
    /// force (`None` when no bid in the reference set has one).
    fn score(&self, given: &Given, points: &Rat, reference: Option<&Rat>) -> Scored;
    /// The official points of one input in integers: what rounding `points × score` gives
    /// (`grid` holds the points and the rounding), without rationals or a reason — the
    /// evaluation's fast path. `None` when the kind has no integer form or its operands
    /// outgrow one: the caller then scores exactly. Property-tested against
    /// [`RuleKind::score`] (`evaluate/score.rs`).
    fn grid(&self, given: &Given, grid: &Grid, reference: Option<&Rat>) -> Option<Points>;
    /// The parameters as TOML, each `, key = value` (after `kind`).
    fn params_toml(&self) -> String;
    /// Values that would score better than the bid's own: where the score steps up or
    /// reaches its maximum, least change first.
    fn breakpoints(&self, at: &Breakpoints<'_>) -> Vec<Scalar>;
    /// The criterion weight at which a bid's points on this rule stop being proportional to
    /// the weight (the `kr-price` cap meeting its band bonus); `None` for rules whose score
    /// does not depend on the weight.
    fn weight_kink(&self, given: &Given, reference: Option<&Rat>) -> Option<Rat>;
    /// The formula in `f64`, for sampling (`robustness`): one of the shapes in `fast.rs`.
    fn fast(&self) -> fast::Fast;
}

/// The kinds, listed once: the enum and every dispatch are generated from this list.
macro_rules! kinds {
    ($($variant:ident($kind:ty): $doc:literal,)+) => {
        /// How a criterion's value becomes a score.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Rule {
            $(#[doc = $doc] $variant($kind),)+
        }

        /// The kind names, for "did you mean".
        pub const KINDS: &[&str] = &[$(<$kind as RuleKind>::NAME,)+];

        impl Rule {
            /// The kind name used in files.
            pub fn kind(&self) -> &'static str {
                match self { $(Rule::$variant(_) => <$kind as RuleKind>::NAME,)+ }
            }

            /// The type of value it reads.
            pub fn input(&self) -> InputKind {
                match self { $(Rule::$variant(_) => <$kind as RuleKind>::INPUT,)+ }
            }

            /// The type of value a kind reads, by its name in files.
            pub(crate) fn input_of(kind: &str) -> Option<InputKind> {
                $(if kind == <$kind as RuleKind>::NAME { return Some(<$kind as RuleKind>::INPUT); })+
                None
            }

            /// Parse the parameters of kind `kind`; `None` for an unknown kind.
            fn parse_kind(kind: &str, t: &Table, at: Span, name: &str, sink: &mut Sink) -> Option<Option<Rule>> {
                $(if kind == <$kind as RuleKind>::NAME {
                    let f = Fields::new(t, at, name, <$kind as RuleKind>::KEYS, sink);
                    return Some(<$kind as RuleKind>::parse(&f, sink).map(Rule::$variant));
                })+
                None
            }

            /// The reference the score depends on, if any.
            pub fn reference(&self) -> Option<Reference> {
                match self { $(Rule::$variant(r) => r.reference(),)+ }
            }

            pub(crate) fn check_value(&self, value: &Scalar, at: &ValueAt<'_>, sink: &mut Sink) {
                match self { $(Rule::$variant(r) => r.check_value(value, at, sink),)+ }
            }

            pub(crate) fn check_criterion(&self, at: &CriterionAt<'_>, sink: &mut Sink) {
                match self { $(Rule::$variant(r) => r.check_criterion(at, sink),)+ }
            }

            pub(crate) fn score(&self, given: &Given, points: &Rat, reference: Option<&Rat>) -> Scored {
                match self { $(Rule::$variant(r) => r.score(given, points, reference),)+ }
            }

            pub(crate) fn grid(&self, given: &Given, grid: &Grid, reference: Option<&Rat>) -> Option<Points> {
                match self { $(Rule::$variant(r) => r.grid(given, grid, reference),)+ }
            }

            pub(crate) fn breakpoints(&self, at: &Breakpoints<'_>) -> Vec<Scalar> {
                match self { $(Rule::$variant(r) => r.breakpoints(at),)+ }
            }

            pub(crate) fn weight_kink(&self, given: &Given, reference: Option<&Rat>) -> Option<Rat> {
                match self { $(Rule::$variant(r) => r.weight_kink(given, reference),)+ }
            }

            pub(crate) fn fast(&self) -> fast::Fast {
                match self { $(Rule::$variant(r) => r.fast(),)+ }
            }

            /// The rule as a TOML inline table.
            pub(crate) fn to_toml(&self) -> String {
                let params = match self { $(Rule::$variant(r) => r.params_toml(),)+ };
                format!("{{ kind = \"{}\"{params} }}", self.kind())
            }
        }
    };
}

kinds! {
    Linear(Linear): "Linear between two points.",
    Steps(Steps): "Thresholds.",
    Choice(Choice): "A score per string value.",
    Flag(Flag): "A score per boolean.",
    Date(DateRule): "Linear in days between two dates.",
    Relative(Relative): "Relative to the best eligible bid.",
    Panel(PanelRule): "The committee's trimmed mean.",
    KrPrice(KrPrice): "Korean negotiated-contract price score.",
}

impl Rule {
    /// Which bids set the reference, for rules that have one.
    pub fn among(&self) -> Option<Among> {
        self.reference().map(|r| r.among)
    }

    /// The panel rule, for the checks and analyses of the committee's marks.
    pub fn panel(&self) -> Option<&PanelRule> {
        match self {
            Rule::Panel(p) => Some(p),
            _ => None,
        }
    }

    /// Read `rule = { kind = …, … }` of criterion `owner`.
    pub(crate) fn parse(t: &Table, at: Span, owner: &str, sink: &mut Sink) -> Option<Rule> {
        let Some(kind_entry) = t.get("kind") else {
            sink.push(
                Diagnostic::error("missing-key", at, format!("missing key `kind` in the rule of criterion `{owner}`"))
                    .with_help(format!("add `kind = \"…\"`: one of {}", one_of_list(KINDS.iter().copied()))),
            );
            return None;
        };
        let (kind, kind_span) = as_str(&kind_entry.node, "kind", sink)?;
        let name = format!("the `{kind}` rule of criterion `{owner}`");
        match Rule::parse_kind(kind, t, at, &name, sink) {
            Some(rule) => rule,
            None => {
                let mut d = Diagnostic::error("unknown-rule-kind", kind_span, format!("unknown rule kind `{kind}`"));
                let kinds = one_of_list(KINDS.iter().copied());
                d = match did_you_mean(kind, KINDS.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`? kinds: {kinds}")),
                    None => d.with_help(format!("kinds: {kinds}")),
                };
                sink.push(d);
                None
            }
        }
    }
}

/// A score in [0, 1] read from a rule parameter.
pub(crate) fn unit_score(f: &Fields<'_>, key: &str, sink: &mut Sink) -> Option<(Decimal, Span)> {
    let (d, sp) = f.opt_number(key, sink)?;
    if d < Decimal::ZERO || d > Decimal::ONE {
        sink.push(
            Diagnostic::error("score-out-of-range", sp, format!("`{key}` is `{d}`, outside [0, 1]"))
                .with_help("scores are fractions of the criterion's points: write a value from 0 to 1"),
        );
        return None;
    }
    Some((d, sp))
}

/// `rhs` as a decimal literal for TOML.
pub(crate) fn num(d: Decimal) -> String {
    d.to_string()
}

/// The number a numeric rule reads, or `None` for any other input.
fn number(given: &Given) -> Option<Decimal> {
    match given {
        Given::Value(Scalar::Number(x)) => Some(*x),
        _ => None,
    }
}

/// The current value as a number, for breakpoints of numeric rules.
fn current_number(at: &Breakpoints<'_>) -> Option<Decimal> {
    match at.current {
        Some(Scalar::Number(x)) => Some(*x),
        _ => None,
    }
}
