//! Why a question could not be answered. One enum for every analysis and scenario: each
//! variant carries data, and the message is written here once.

use std::fmt;

use rust_decimal::Decimal;

use crate::diag::{Diagnostics, did_you_mean};
use crate::evaluate::Scope;

/// Why an analysis or a scenario could not be answered.
#[derive(Clone, Debug)]
pub enum Error {
    /// No bid has this id.
    UnknownBid {
        /// The id asked for.
        id: String,
        /// The bids there are.
        known: Vec<String>,
    },
    /// No criterion has this id.
    UnknownCriterion {
        /// The id asked for.
        id: String,
        /// The criteria there are.
        known: Vec<String>,
    },
    /// The tender is divided into lots, which this analysis does not vary yet.
    Lots {
        /// The analysis.
        analysis: &'static str,
    },
    /// A bid is compared with itself.
    AgainstItself {
        /// The bid.
        id: String,
    },
    /// A field is not a dotted path.
    NotAFieldPath {
        /// What was given.
        field: String,
    },
    /// No gate, criterion or award reads the field, so changing it changes nothing.
    FieldNotRead {
        /// The field.
        field: String,
        /// The fields the tender reads.
        read: Vec<String>,
    },
    /// A literal is not one TOML value.
    NotAValue {
        /// What was given.
        literal: String,
        /// What the TOML parser said, if anything.
        why: Option<String>,
    },
    /// A field path runs through a value that is not a table.
    ThroughAValue {
        /// The field.
        field: String,
        /// The bid.
        bid: String,
    },
    /// A criterion is given points twice.
    PointsTwice {
        /// The criterion.
        criterion: String,
    },
    /// Points that no criteria file could hold.
    BadPoints(PointsProblem),
    /// A literal whose number is beyond the one limit on numbers (as in the files).
    LiteralBeyondLimit {
        /// What was given.
        literal: String,
        /// What is wrong with its number.
        problem: &'static str,
    },
    /// A number beyond the one limit on numbers (the same as in the files).
    BeyondLimit {
        /// What it is: ``criterion `speed`'s points``, ``bid `a`: `offer.gpus` ``.
        what: String,
        /// The number.
        value: Decimal,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A value of the wrong type for a rule that reads the field.
    WrongType {
        /// The bid.
        bid: String,
        /// The field.
        field: String,
        /// What the rule reads ("a number", …).
        expected: &'static str,
        /// What was given.
        found: &'static str,
    },
    /// A value a rule refuses (a `choice` key it does not list, a price of 0…).
    BadValue {
        /// The bid.
        bid: String,
        /// The field.
        field: String,
        /// The rule's objection.
        message: String,
    },
    /// Leaving evaluators out would leave a panel criterion too few marks for its trim.
    TooFewMarks {
        /// The criterion.
        criterion: String,
        /// The fewest marks a bid would keep.
        kept: usize,
        /// Marks dropped at each end.
        trim: u32,
    },
    /// A scenario withdraws every bid.
    NoBidsLeft,
    /// There is no such evaluator.
    NoSuchEvaluator {
        /// The evaluator's index (from 0).
        evaluator: usize,
        /// How many there are.
        count: usize,
    },
    /// The tender has no criterion scored by the panel.
    NoPanelCriterion {
        /// The tender.
        tender: String,
    },
    /// The changed inputs fail validation: every problem, located in the changed files.
    Invalid(Diagnostics),
    /// Too few or too many samples asked for.
    Samples {
        /// Asked.
        samples: u64,
        /// The most one run may draw.
        max: u64,
    },
    /// `--weights declared`, but the criteria file declares neither a `points_range` nor a
    /// `weight_order`.
    NothingDeclared {
        /// The tender.
        tender: String,
    },
    /// Rejection found no weights in the declared set in a pilot of this many draws.
    WeightsTooNarrow {
        /// Draws tried.
        tried: u32,
    },
    /// A bootstrap over evaluators needs one mark per evaluator on every panel criterion.
    UnevenCommittee {
        /// A criterion whose bids have a different number of marks.
        criterion: String,
    },
}

/// Why points given to criteria cannot be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PointsProblem {
    /// Beyond the one limit on numbers.
    BeyondLimit {
        /// The criterion.
        criterion: String,
        /// The points.
        points: Decimal,
        /// What is wrong with them.
        problem: &'static str,
    },
    /// Below zero.
    Negative {
        /// The criterion.
        criterion: String,
        /// The points.
        points: Decimal,
    },
    /// More decimals than the rounding keeps.
    TooFine {
        /// The points.
        points: Decimal,
        /// The places kept.
        places: u32,
    },
    /// The points given add up to more than the tender's maximum.
    OverMaximum {
        /// Their sum.
        sum: Decimal,
        /// The maximum.
        max: Decimal,
    },
    /// The other criteria have no points to scale.
    NothingToScale {
        /// The points left for them.
        left: Decimal,
    },
    /// All the points together must be above 0 and at most 10⁹.
    Total {
        /// Their sum.
        sum: Decimal,
    },
    /// The criterion's rule refuses the points (a price criterion needs some).
    Refused {
        /// The criterion.
        criterion: String,
        /// The rule's objection.
        message: String,
    },
    /// A `min_points` threshold no bid could reach with these points.
    Unreachable {
        /// What the threshold measures.
        scope: Scope,
        /// The points it needs.
        needed: Decimal,
        /// The most that can be scored there.
        max: Decimal,
    },
}

impl Error {
    /// Whether the question itself is wrong (a usage error, exit code 2), rather than the
    /// inputs (exit code 1).
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            Error::Invalid(_)
                | Error::NoPanelCriterion { .. }
                | Error::WeightsTooNarrow { .. }
                | Error::UnevenCommittee { .. }
                | Error::Lots { .. }
        )
    }

    /// An unknown bid, naming the known ones.
    pub(crate) fn unknown_bid<'a>(id: &str, known: impl IntoIterator<Item = &'a str>) -> Error {
        Error::UnknownBid { id: id.to_owned(), known: known.into_iter().map(str::to_owned).collect() }
    }

    /// An unknown criterion, naming the known ones.
    pub(crate) fn unknown_criterion<'a>(id: &str, known: impl IntoIterator<Item = &'a str>) -> Error {
        Error::UnknownCriterion { id: id.to_owned(), known: known.into_iter().map(str::to_owned).collect() }
    }
}

fn ticked(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

fn hint(given: &str, known: &[String]) -> String {
    did_you_mean(given, known.iter().map(String::as_str)).map(|s| format!("did you mean `{s}`? ")).unwrap_or_default()
}

const TOML_VALUE: &str = "write a TOML value: `3`, `2.5`, `\"owned\"`, `2025-11-30` or `true`";
const POINTS_HELP: &str = "give points from 0 to `max_points` in all, with no more decimals than the rounding keeps";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownBid { id, known } => write!(f, "no bid has the id `{id}`; {}bids: {}", hint(id, known), ticked(known)),
            Error::UnknownCriterion { id, known } => {
                write!(f, "no criterion has the id `{id}`; {}criteria: {}", hint(id, known), ticked(known))
            }
            Error::AgainstItself { id } => write!(f, "`--against` names the explained bid `{id}` itself"),
            Error::NotAFieldPath { field } => write!(f, "`{field}` is not a field path; write a dotted path such as `offer.gpus`"),
            Error::FieldNotRead { field, read } => write!(
                f,
                "no gate, criterion or award reads `{field}`, so changing it changes nothing; {}fields read: {}",
                hint(field, read),
                ticked(read)
            ),
            Error::NotAValue { literal, why: Some(why) } => write!(f, "`{literal}` is not a TOML value ({why}); {TOML_VALUE}"),
            Error::NotAValue { literal, why: None } => write!(f, "`{literal}` is not one TOML value; {TOML_VALUE}"),
            Error::ThroughAValue { field, bid } => {
                write!(f, "`{field}` runs through a value that is not a table in bid `{bid}`; change the field itself")
            }
            Error::PointsTwice { criterion } => {
                write!(f, "criterion `{criterion}` is given points twice; give each criterion's points once")
            }
            Error::BadPoints(p) => {
                match p {
                    PointsProblem::BeyondLimit { criterion, points, problem } => {
                        write!(f, "criterion `{criterion}`: `{points}` {problem}; {}", crate::exact::NUMBER_LIMIT)
                    }
                    PointsProblem::Negative { criterion, points } => write!(f, "criterion `{criterion}` cannot have `{points}` points"),
                    PointsProblem::TooFine { points, places } => {
                        write!(f, "`{points}` points are finer than the {places} decimal places the tender keeps")
                    }
                    PointsProblem::OverMaximum { sum, max } => {
                        write!(f, "the points given add up to `{sum}`, more than the tender's `{max}`")
                    }
                    PointsProblem::NothingToScale { left } => write!(f, "the other criteria have no points to scale up to `{left}`"),
                    PointsProblem::Total { sum } => write!(
                        f,
                        "the criteria's points would add up to `{sum}`; a tender needs more than 0 and at most {}",
                        crate::model::MAX_POINTS_LIMIT
                    ),
                    PointsProblem::Refused { message, .. } => f.write_str(message),
                    PointsProblem::Unreachable { scope, needed, max } => {
                        write!(f, "the threshold on {scope} needs `{needed}` points, but at most `{max}` could be scored there")
                    }
                }?;
                write!(f, "; {POINTS_HELP}")
            }
            Error::LiteralBeyondLimit { literal, problem } => {
                write!(f, "`{literal}` {problem}; {}", crate::exact::NUMBER_LIMIT)
            }
            Error::BeyondLimit { what, value, problem } => {
                write!(f, "{what}: `{value}` {problem}; {}", crate::exact::NUMBER_LIMIT)
            }
            Error::WrongType { bid, field, expected, found } => {
                write!(f, "bid `{bid}`: `{field}` is read as {expected}, but the value given is {found}")
            }
            Error::BadValue { bid, field, message } => write!(f, "bid `{bid}`: `{field}`: {message}"),
            Error::TooFewMarks { criterion, kept, trim } => write!(
                f,
                "without them `{criterion}` keeps {} and `trim = {trim}` needs at least {}",
                crate::diag::plural(*kept, "mark"),
                (*trim as usize).saturating_mul(2).saturating_add(1)
            ),
            Error::NoBidsLeft => f.write_str("the scenario withdraws every bid; leave at least one to score"),
            Error::NoSuchEvaluator { evaluator, count } => write!(
                f,
                "there is no evaluator with index {evaluator}: the panel has {}, with indices from 0",
                crate::diag::plural(*count, "evaluator")
            ),
            Error::NoPanelCriterion { tender } => {
                write!(f, "tender `{tender}` has no criterion scored by the panel (`kind = \"panel\"`)")
            }
            Error::Invalid(d) => f.write_str(&d.render_short()),
            Error::Samples { samples, max } => write!(f, "{samples} samples asked for; give from 1 to {max}"),
            Error::Lots { analysis } => write!(
                f,
                "the tender is divided into lots, and `{analysis}` does not analyse lots yet: ask it of each lot's criteria and bids as a tender of its own, or use `whatif`, which scores the lots"
            ),
            Error::NothingDeclared { tender } => write!(
                f,
                "tender `{tender}` declares no weights to sample: give criteria a `points_range = [low, high]`, or list `weight_order` in `[evaluation]`"
            ),
            Error::WeightsTooNarrow { tried } => write!(
                f,
                "the declared weights leave almost no room: none of {tried} draws met every `points_range` and the `weight_order`; widen the ranges"
            ),
            Error::UnevenCommittee { criterion } => write!(
                f,
                "the committee cannot be resampled: the bids have different numbers of marks on `{criterion}` (one per evaluator is needed)"
            ),
        }
    }
}

impl std::error::Error for Error {}
