//! Reports: every subject — the score, the panel, an explanation, a what-if, a path to win,
//! the stability of the weights, a check — is a view ([`View`]) that says once, as a
//! [`Doc`], what a person reads, and as a serde mirror what a program reads (JSON). One
//! writer per format renders any view: [`render`].
//!
//! INVARIANT: renderers never score or analyse. A view is built from an outcome or an
//! analysis the caller computed; nothing here prints.

mod doc;
mod format;
pub mod prose;
mod view;

pub use doc::{Align, Block, Cell, Column, Doc, Table};
pub use view::{
    CheckReport, ExplainReport, PanelReport, PathToWinReport, RobustnessReport, ScoreReport, StabilityReport, WhatIfReport, whatif_command,
    witness_command,
};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Text with tables, for a terminal.
    Table,
    /// JSON for programs (the SPEC §8 report for `score`).
    Json,
    /// CSV: the report's tables, for spreadsheets.
    Csv,
    /// Markdown, for documents and issue trackers.
    Markdown,
}

/// How to lay out a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Wrap tables to this many columns (the `table` format).
    pub width: u16,
}

impl Options {
    /// Tables 120 columns wide.
    pub fn new() -> Options {
        Options { width: 120 }
    }

    /// Set the width.
    pub fn with_width(mut self, width: u16) -> Options {
        self.width = width;
        self
    }
}

impl Default for Options {
    fn default() -> Options {
        Options::new()
    }
}

/// A subject as a report.
pub trait View {
    /// What the report says, for people and spreadsheets.
    fn doc(&self) -> Doc;
    /// The report as pretty JSON, ending in a newline.
    fn json(&self) -> String;
    /// [`View::json`] streamed to `w`, the same bytes (a large report is never held whole).
    ///
    /// # Errors
    /// What writing to `w` returns.
    fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(self.json().as_bytes())
    }
}

/// Render a view in a format.
///
/// # Examples
/// ```
/// use bidscore::report::{Format, Options, ScoreReport, render};
/// let inputs = bidscore::load_paths("criteria/msit-2025-gpu.toml", &["bids/msit-2025"]).unwrap();
/// let outcome = bidscore::evaluate(&inputs);
/// let report = ScoreReport::new(&inputs, &outcome, None);
/// assert!(render(&report, Format::Table, Options::new()).contains("Coupang"));
/// assert!(render(&report, Format::Markdown, Options::new()).starts_with("# AI computing resources"));
/// let csv = render(&report, Format::Csv, Options::new());
/// assert!(csv.lines().any(|l| l.starts_with("ranking,1,nhn-cloud,")));
/// let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json, Options::new())).unwrap();
/// assert_eq!(json["tender"]["max_points"], "100");
/// ```
pub fn render(view: &dyn View, format: Format, options: Options) -> String {
    render_text(view, format, options)
}

/// [`render`] streamed to `w`: the same bytes, JSON written as it is serialised.
///
/// # Errors
/// What writing to `w` returns.
pub fn render_to(view: &dyn View, format: Format, options: Options, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => view.write_json(w),
        _ => w.write_all(render_text(view, format, options).as_bytes()),
    }
}

fn render_text(view: &dyn View, format: Format, options: Options) -> String {
    match format {
        Format::Json => view.json(),
        Format::Table => format::text::render(&view.doc(), options.width),
        Format::Markdown => format::markdown::render(&view.doc()),
        Format::Csv => format::csv::render(&view.doc()),
    }
}
