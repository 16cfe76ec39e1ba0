//! The command line's arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Score procurement bids against a tender's published criteria, exactly.
#[derive(Parser)]
#[command(name = "bidscore", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Score, rank and award the bids.
    Score {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Validate the inputs only: every problem at once.
    Check {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The evaluation panel: marks, trimmed means, outlying marks, agreement (Kendall's W),
    /// and whether any one evaluator decides the winners.
    Panel {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Why a bid scored what it did, and what decided it against another bid.
    Explain {
        #[command(flatten)]
        inputs: InputArgs,
        /// The bid to explain (its bidder id).
        #[arg(long)]
        bid: String,
        /// Compare with this bid (default: the last selected bid, or for a selected bid the
        /// best bid that was not selected).
        #[arg(long)]
        against: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Re-score with changed bid values and/or criterion points; show what moves.
    Whatif {
        #[command(flatten)]
        inputs: InputArgs,
        /// The bid whose values change.
        #[arg(long)]
        bid: String,
        /// FIELD=VALUE, VALUE a TOML literal: `3`, `"owned"`, `2025-11-30`, `true`; or
        /// BID:FIELD=VALUE to change another bid.
        #[arg(long = "set", value_name = "[BID:]FIELD=VALUE")]
        sets: Vec<String>,
        /// CRITERION=P: the criterion is worth P points, the others scaled in proportion.
        #[arg(long = "points", value_name = "CRITERION=P")]
        points: Vec<String>,
        /// The committee resampled: evaluator indices from 0, in mark order, repeats allowed
        /// (as `robustness --marks bootstrap` prints them).
        #[arg(long, value_name = "E,E,…", value_delimiter = ',')]
        committee: Option<Vec<usize>>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The smallest sets of field changes that make a bid selected.
    PathToWin {
        #[command(flatten)]
        inputs: InputArgs,
        /// The bid.
        #[arg(long)]
        bid: String,
        /// The most fields a path may change.
        #[arg(long, default_value_t = 3)]
        max_changes: usize,
        /// Stop after this many evaluated combinations, and say so.
        #[arg(long, default_value_t = 200_000)]
        max_evaluations: usize,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// How likely each bid is to rank and win across what nobody published: a seeded
    /// Monte-Carlo (SMAA-2) over weights, assumed values and the committee, flips replayed
    /// exactly, and a rank-reversal audit.
    Robustness {
        #[command(flatten)]
        inputs: InputArgs,
        /// Samples to draw.
        #[arg(long, default_value_t = 100_000)]
        samples: u64,
        /// The seed: the same seed gives the same report, byte for byte, on any number of threads.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// How the weights vary: `published`, `uniform`, `around=P%` or `declared` (the
        /// criteria's `points_range` and `weight_order`).
        #[arg(long, value_name = "MODE", default_value = "published", value_parser = parse_weights)]
        weights: bidscore::analysis::WeightMode,
        /// Whether assumed values vary: `ranges` draws each from its `range` or `alternatives`.
        #[arg(long = "inputs", value_name = "MODE", value_enum, default_value_t = Vary::Ranges)]
        vary_inputs: Vary,
        /// Whether the committee varies: `bootstrap` resamples the evaluators with replacement.
        #[arg(long, value_name = "MODE", value_enum, default_value_t = Marks::Fixed)]
        marks: Marks,
        /// Replay this many of the most frequent other winner sets exactly.
        #[arg(long, default_value_t = 5)]
        certify: usize,
        /// Withdraw and copy this many bids (in report order) for the rank-reversal audit.
        #[arg(long, default_value_t = 50)]
        audit: usize,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// For each criterion, the interval of its points over which the winners stay the same.
    Stability {
        #[command(flatten)]
        inputs: InputArgs,
        /// Stop after this many exact evaluations, and say how far each interval reaches.
        #[arg(long, default_value_t = 50_000)]
        max_evaluations: usize,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// The files to read.
#[derive(Args)]
pub(crate) struct InputArgs {
    /// The criteria file (with `[tender]`).
    pub(crate) criteria: PathBuf,
    /// Bid files, the panel file, or directories of them.
    #[arg(required = true)]
    pub(crate) bids: Vec<PathBuf>,
    /// How to print problems with the inputs.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(crate) error_format: ErrorFormat,
    /// The most all input files together may hold, in bytes (each file may hold 16 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    pub(crate) max_input_bytes: u64,
}

impl InputArgs {
    /// The arguments as the user gave them, for commands a report shows.
    pub(crate) fn words(&self) -> Vec<String> {
        let mut words = vec![self.criteria.display().to_string()];
        words.extend(self.bids.iter().map(|b| b.display().to_string()));
        words
    }
}

/// Where the report goes, and in what format.
#[derive(Args)]
pub(crate) struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Write the report to this file (atomically; never over an input).
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
}

impl OutputArgs {
    /// Whether the report carries the panel analysis (the JSON report does).
    pub(crate) fn carries_panel(&self) -> bool {
        matches!(self.format, Format::Json)
    }
}

/// An output format.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// A table for people.
    Table,
    /// JSON for programs.
    Json,
    /// The report's tables as CSV, for spreadsheets.
    Csv,
    /// Markdown, for documents and issue trackers.
    Markdown,
}

impl From<Format> for bidscore::report::Format {
    fn from(f: Format) -> bidscore::report::Format {
        match f {
            Format::Table => bidscore::report::Format::Table,
            Format::Json => bidscore::report::Format::Json,
            Format::Csv => bidscore::report::Format::Csv,
            Format::Markdown => bidscore::report::Format::Markdown,
        }
    }
}

fn parse_weights(s: &str) -> Result<bidscore::analysis::WeightMode, String> {
    bidscore::analysis::WeightMode::parse(s)
}

/// Whether assumed values vary.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Vary {
    /// As the files give them.
    Fixed,
    /// Drawn from their ranges or alternatives.
    Ranges,
}

/// Whether the committee varies.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Marks {
    /// As given.
    Fixed,
    /// Resampled with replacement.
    Bootstrap,
}

/// How to print problems with the inputs.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ErrorFormat {
    /// Rendered with the source line and a caret.
    Human,
    /// A JSON array for programs.
    Json,
}
