//! Rule kinds: one file per kind, each with its parameters, their validation, its exact
//! score and its TOML form. Adding a kind touches one new file and one arm per match here.
//!
//! A rule turns one bid value (or the panel's marks) into a score `s` in [0, 1] and a
//! reason a person can check; `kr-price` may exceed 1 when its cap is off. Rules never
//! round: the caller rounds `points × s` once.

mod choice;
mod date;
mod flag;
mod kr_price;
mod linear;
mod panel;
mod reason;
mod relative;
mod steps;

use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Span, did_you_mean, one_of_list};
use crate::exact::Rat;
use crate::load::node::Table;
use crate::load::reader::{Fields, Sink, as_str};
use crate::model::Scalar;

pub use choice::Choice;
pub use date::DateRule;
pub use flag::Flag;
pub use kr_price::KrPrice;
pub use linear::Linear;
pub use panel::PanelRule;
pub use reason::Reason;
pub use relative::{Better, Relative};
pub use steps::{Step, StepDirection, Steps};

/// How a criterion's value becomes a score.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// Linear between two points.
    Linear(Linear),
    /// Thresholds.
    Steps(Steps),
    /// A score per string value.
    Choice(Choice),
    /// A score per boolean.
    Flag(Flag),
    /// Linear in days between two dates.
    Date(DateRule),
    /// Relative to the best eligible bid.
    Relative(Relative),
    /// The committee's trimmed mean.
    Panel(PanelRule),
    /// Korean negotiated-contract price score.
    KrPrice(KrPrice),
}

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

/// What a rule is given for one bid.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// The bid's value.
    Value(&'a Scalar),
    /// The panel's marks for the bid.
    Marks(&'a [Decimal]),
}

/// A rule's verdict on one value.
#[derive(Clone, Debug)]
pub struct Scored {
    /// The exact score.
    pub score: Rat,
    /// Why.
    pub reason: Reason,
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
                sink.push(crate::model::tender::bad_enum("among", &s, sp, &["eligible", "qualified"]));
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

/// The kind names, for "did you mean".
pub const KINDS: [&str; 8] = ["linear", "steps", "choice", "flag", "date", "relative", "panel", "kr-price"];

impl Rule {
    /// The kind name used in files.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Linear(_) => "linear",
            Rule::Steps(_) => "steps",
            Rule::Choice(_) => "choice",
            Rule::Flag(_) => "flag",
            Rule::Date(_) => "date",
            Rule::Relative(_) => "relative",
            Rule::Panel(_) => "panel",
            Rule::KrPrice(_) => "kr-price",
        }
    }

    /// The type of value it reads.
    pub fn input(&self) -> InputKind {
        match self {
            Rule::Linear(_) | Rule::Steps(_) | Rule::Relative(_) | Rule::KrPrice(_) => InputKind::Number,
            Rule::Choice(_) => InputKind::Text,
            Rule::Flag(_) => InputKind::Bool,
            Rule::Date(_) => InputKind::Date,
            Rule::Panel(_) => InputKind::Marks,
        }
    }

    /// Whether the score depends on other bids' values, and which extreme it needs:
    /// `Higher` needs the maximum, `Lower` the minimum over eligible bids.
    pub fn reference(&self) -> Option<Better> {
        match self {
            Rule::Relative(r) => Some(r.better),
            Rule::KrPrice(_) => Some(Better::Lower),
            _ => None,
        }
    }

    /// Which bids set the reference, for rules that have one.
    pub fn among(&self) -> Option<Among> {
        match self {
            Rule::Relative(r) => Some(r.among),
            Rule::KrPrice(k) => Some(k.among),
            _ => None,
        }
    }

    /// Read `rule = { kind = …, … }` of criterion `owner`.
    pub(crate) fn parse(t: &Table, at: Span, owner: &str, sink: &mut Sink) -> Option<Rule> {
        let Some(kind_entry) = t.get("kind") else {
            sink.push(
                Diagnostic::error("missing-key", at, format!("missing key `kind` in the rule of criterion `{owner}`"))
                    .with_help(format!("add `kind = \"…\"`: one of {}", one_of_list(KINDS))),
            );
            return None;
        };
        let (kind, kind_span) = as_str(&kind_entry.node, "kind", sink)?;
        let name = format!("the `{kind}` rule of criterion `{owner}`");
        macro_rules! fields {
            ($allowed:expr) => {
                Fields::new(t, at, name.clone(), $allowed, sink)
            };
        }
        match kind {
            "linear" => linear::Linear::parse(&fields!(linear::KEYS), sink).map(Rule::Linear),
            "steps" => steps::Steps::parse(&fields!(steps::KEYS), sink).map(Rule::Steps),
            "choice" => choice::Choice::parse(&fields!(choice::KEYS), sink).map(Rule::Choice),
            "flag" => flag::Flag::parse(&fields!(flag::KEYS), sink).map(Rule::Flag),
            "date" => date::DateRule::parse(&fields!(date::KEYS), sink).map(Rule::Date),
            "relative" => relative::Relative::parse(&fields!(relative::KEYS), sink).map(Rule::Relative),
            "panel" => panel::PanelRule::parse(&fields!(panel::KEYS), sink).map(Rule::Panel),
            "kr-price" => kr_price::KrPrice::parse(&fields!(kr_price::KEYS), sink).map(Rule::KrPrice),
            other => {
                let mut d = Diagnostic::error("unknown-rule-kind", kind_span, format!("unknown rule kind `{other}`"));
                d = match did_you_mean(other, KINDS) {
                    Some(s) => d.with_help(format!("did you mean `{s}`? kinds: {}", one_of_list(KINDS))),
                    None => d.with_help(format!("kinds: {}", one_of_list(KINDS))),
                };
                sink.push(d);
                None
            }
        }
    }

    /// Check a bid's value beyond its type (a listed `choice` key, a positive price…).
    /// `field` names the bid field, `criterion` the criterion, for messages.
    pub(crate) fn check_value(&self, v: &Scalar, span: Span, field: &str, criterion: &str, sink: &mut Sink) {
        match (self, v) {
            (Rule::Choice(c), Scalar::Text(s)) => c.check(s, span, field, criterion, sink),
            (Rule::Relative(r), Scalar::Number(x)) => r.check(*x, span, field, criterion, sink),
            (Rule::KrPrice(k), Scalar::Number(x)) => k.check(*x, span, field, criterion, sink),
            _ => {}
        }
    }

    /// Score one input. `points` is the criterion's weight; `reference` the best eligible
    /// value for rules that need one (`None` when no eligible bid has a value).
    pub(crate) fn score(&self, input: Input<'_>, points: &Rat, reference: Option<&Rat>) -> Scored {
        match (self, input) {
            (Rule::Linear(r), Input::Value(Scalar::Number(x))) => r.score(*x),
            (Rule::Steps(r), Input::Value(Scalar::Number(x))) => r.score(*x),
            (Rule::Choice(r), Input::Value(Scalar::Text(x))) => r.score(x),
            (Rule::Flag(r), Input::Value(Scalar::Bool(x))) => r.score(*x),
            (Rule::Date(r), Input::Value(Scalar::Date(x))) => r.score(*x),
            (Rule::Relative(r), Input::Value(Scalar::Number(x))) => r.score(*x, reference),
            (Rule::Panel(r), Input::Marks(m)) => r.score(m),
            (Rule::KrPrice(r), Input::Value(Scalar::Number(x))) => r.score(*x, points, reference),
            // INVARIANT: validation resolves every input to the rule's kind.
            _ => Scored { score: Rat::zero(), reason: Reason::Missing { field: None } },
        }
    }

    /// The rule as a TOML inline table.
    pub(crate) fn to_toml(&self) -> String {
        let params = match self {
            Rule::Linear(r) => r.to_toml(),
            Rule::Steps(r) => r.to_toml(),
            Rule::Choice(r) => r.to_toml(),
            Rule::Flag(r) => r.to_toml(),
            Rule::Date(r) => r.to_toml(),
            Rule::Relative(r) => r.to_toml(),
            Rule::Panel(r) => r.to_toml(),
            Rule::KrPrice(r) => r.to_toml(),
        };
        format!("{{ kind = \"{}\"{params} }}", self.kind())
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
