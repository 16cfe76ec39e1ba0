#![doc = include_str!("../README.md")]
//!
//! # Library map
//!
//! - [`load_paths`] / [`load_sources`]: read and validate a tender with its bids and panel
//!   into [`Inputs`], or every problem at once as [`Diagnostics`].
//! - [`evaluate()`]: score, rank and award, returning an [`Outcome`] with the reason for
//!   every criterion's points and every gate's verdict.
//! - [`report`]: render an outcome as a table or as the JSON report.
//! - [`analysis`]: questions asked of a result (the evaluation panel's agreement, …).

pub mod analysis;
mod diag;
mod evaluate;
mod exact;
mod load;
pub mod model;
pub mod output;
pub mod report;
pub mod rules;
mod value;

pub use analysis::{Published, Ranking, Scenario};
pub use diag::{Diagnostic, Diagnostics, FileId, Label, Severity, SourceFile, Span};
pub use evaluate::{
    Awarded, BidStatus, CriterionScore, GateVerdict, Original, Outcome, Scope, Standing, ThresholdVerdict, Tie, Warning, evaluate,
};
pub use exact::{Points, Rat, RoundingMode};
pub use model::{Bid, Criterion, Gate, Inputs, Panel, Tender, load_paths, load_sources};
pub use rules::Reason;
pub use rust_decimal::Decimal;
pub use value::{Date, FieldPath, Given, Scalar};

/// A source from raw bytes (checked for UTF-8, BOM stripped, hashed), for the fuzz targets.
#[doc(hidden)]
pub use load::source_from_bytes;
