#![doc = include_str!("../README.md")]
//!
//! # Library map
//!
//! - [`load_paths`] / [`load_sources`]: read and validate a tender with its bids and panel
//!   into [`Inputs`], or every problem at once as [`Diagnostics`].
//! - [`evaluate()`]: score, rank and award, returning an [`Outcome`]: every gate's verdict,
//!   every criterion's exact score, points and [`Reason`], ties and warnings — as data.
//! - [`analysis`]: questions asked of an outcome — [`analysis::explain`],
//!   [`analysis::whatif`], [`analysis::path_to_win`], [`analysis::stability`],
//!   [`analysis::panel`] — and [`Scenario`], a variation of the inputs evaluated on the
//!   [`Published`] evaluation by the same tally as [`evaluate()`], without re-reading files
//!   ([`analysis::whatif`] goes through the files, to show the changed TOML).
//! - [`report`]: every subject as a view ([`report::ScoreReport`], …), rendered by
//!   [`report::render`] as a table, JSON (SPEC §8), CSV or Markdown; [`report::prose`] holds
//!   the sentences made from data.
//! - [`output::write_atomic`]: write a report file atomically, never over an input.

pub mod analysis;
mod diag;
mod evaluate;
mod exact;
mod load;
pub mod model;
pub mod output;
mod par;
pub mod report;
pub mod rules;
mod value;

pub use analysis::{Published, Ranked, Ranking, Scenario};
pub use diag::{Diagnostic, Diagnostics, FileId, Label, Severity, SourceFile, Span, escape_for_terminal};
pub use evaluate::{
    Awarded, BidStatus, CriterionScore, Departure, GateVerdict, LotOutcome, LowVerdict, NegotiationCheck, NegotiationRow, NoSelection,
    Original, Outcome, Reconstruction, ReportedRow, Scope, Standing, ThresholdVerdict, Tie, Warning, departures, evaluate,
};
pub use exact::{Points, Rat, RoundingMode, parse_decimal};
pub use load::ReadLimits;
pub use model::{
    Bid, Criterion, Gate, Inputs, Lot, LowAction, LowCheck, LowRule, Negotiated, Negotiation, NegotiationOutcome, Panel, Reported,
    ReportedBid, ReportedStatus, Tender, TieBreak, ValueOrder, load_paths, load_paths_with, load_sources,
};
pub use rules::Reason;
pub use rust_decimal::Decimal;
pub use value::{Date, FieldPath, Given, Scalar, Str};

/// A source from raw bytes (checked for UTF-8, BOM stripped, hashed), for the fuzz targets.
#[doc(hidden)]
pub use load::source_from_bytes;
