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
pub mod diag;
pub mod evaluate;
pub mod exact;
pub mod load;
pub mod model;
pub mod output;
pub mod report;
pub mod rules;
pub mod value;

pub use diag::{Diagnostic, Diagnostics, Severity, SourceFile, Span};
pub use evaluate::{Awarded, BidStatus, CriterionScore, GateVerdict, Outcome, Standing, ThresholdVerdict, evaluate};
pub use exact::{Points, Rat, RoundingMode};
pub use model::{Bid, Criterion, Gate, Given, Inputs, Panel, Scalar, Tender, load_paths, load_sources};
pub use rules::Reason;
pub use rust_decimal::Decimal;
pub use value::{Date, FieldPath};
