//! The `bidscore` command: clap → library → render → exit code. The only place that prints.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where output happens")]

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use bidscore::report::{TableOptions, json, table};
use bidscore::{Diagnostics, evaluate, load_paths};

/// Score procurement bids against a tender's published criteria, exactly.
#[derive(Parser)]
#[command(name = "bidscore", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score, rank and award the bids.
    Score {
        #[command(flatten)]
        inputs: InputArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write the report to this file (atomically; never over an input).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// The evaluation panel: marks, trimmed means, outlying marks, agreement (Kendall's W),
    /// and whether any one evaluator decides the winners.
    Panel {
        #[command(flatten)]
        inputs: InputArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
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
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Re-score with changed bid values and/or criterion points; show what moves.
    Whatif {
        #[command(flatten)]
        inputs: InputArgs,
        /// The bid whose values change.
        #[arg(long)]
        bid: String,
        /// FIELD=VALUE, VALUE a TOML literal: `3`, `"owned"`, `2025-11-30`, `true`.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        sets: Vec<String>,
        /// CRITERION=P: the criterion is worth P points, the others scaled in proportion.
        #[arg(long = "points", value_name = "CRITERION=P")]
        points: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
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
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// For each criterion, the interval of its points over which the winners stay the same.
    Stability {
        #[command(flatten)]
        inputs: InputArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Validate the inputs only: every problem at once.
    Check {
        #[command(flatten)]
        inputs: InputArgs,
    },
}

#[derive(clap::Args)]
struct InputArgs {
    /// The criteria file (with `[tender]`).
    criteria: PathBuf,
    /// Bid files, the panel file, or directories of them.
    #[arg(required = true)]
    bids: Vec<PathBuf>,
    /// How to print problems with the inputs.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A table for people.
    Table,
    /// The JSON report.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ErrorFormat {
    /// Rendered with the source line and a caret.
    Human,
    /// A JSON array for programs.
    Json,
}

/// Warnings beyond this many are counted, not shown (errors are always all shown).
const MAX_WARNINGS_SHOWN: usize = 10;

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn print_diagnostics(d: &Diagnostics, format: ErrorFormat) {
    let mut err = std::io::stderr().lock();
    let _ = match format {
        ErrorFormat::Human => writeln!(err, "{}{}", d.render_human_limited(color(), MAX_WARNINGS_SHOWN), d.summary()),
        ErrorFormat::Json => writeln!(err, "{}", d.render_json()),
    };
}

fn load(args: &InputArgs) -> Result<bidscore::Inputs, ExitCode> {
    load_paths(&args.criteria, &args.bids).map_err(|d| {
        print_diagnostics(&d, args.error_format);
        ExitCode::from(1)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { inputs: args } => {
            let inputs = match load(&args) {
                Ok(i) => i,
                Err(code) => return code,
            };
            let w = inputs.warnings_report();
            if !w.items.is_empty() {
                print_diagnostics(&w, args.error_format);
            }
            // Scoring is cheap: run it so `check` also reports what only scores reveal.
            for w in evaluate(&inputs).warnings {
                eprintln!("warning: {w}");
            }
            println!("ok: tender `{}` with {} bid{}", inputs.tender.id, inputs.bids.len(), if inputs.bids.len() == 1 { "" } else { "s" });
            ExitCode::SUCCESS
        }
        Command::Explain { inputs: args, bid, against, format } => {
            let (inputs, outcome) = match scored(&args) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let e = match bidscore::analysis::explain(&inputs, &outcome, &bid, against.as_deref()) {
                Ok(e) => e,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    return ExitCode::from(2);
                }
            };
            let text = match format {
                Format::Table => bidscore::report::explain_table(&e, TableOptions::default().with_width(width(None))),
                Format::Json => bidscore::report::explain_json(&e),
            };
            print_out(&text)
        }
        Command::Whatif { inputs: args, bid, sets, points, format } => {
            let changes = match parse_changes(&sets, &points) {
                Ok(c) => c,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    return ExitCode::from(2);
                }
            };
            let (inputs, _) = match scored(&args) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let w = match bidscore::analysis::whatif(&inputs, &bid, &changes) {
                Ok(w) => w,
                Err(bidscore::analysis::WhatIfError::Usage(msg)) => {
                    eprintln!("error: {msg}");
                    return ExitCode::from(2);
                }
                Err(bidscore::analysis::WhatIfError::Invalid(d)) => {
                    eprintln!("the changed tender is not valid:");
                    print_diagnostics(&d, args.error_format);
                    return ExitCode::from(1);
                }
            };
            let text = match format {
                Format::Table => bidscore::report::whatif_table(&w, TableOptions::default().with_width(width(None))),
                Format::Json => bidscore::report::whatif_json(&w),
            };
            print_out(&text)
        }
        Command::PathToWin { inputs: args, bid, max_changes, format } => {
            let (inputs, _) = match scored(&args) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let p = match bidscore::analysis::path_to_win(&inputs, &bid, max_changes) {
                Ok(p) => p,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    return ExitCode::from(2);
                }
            };
            let mut words = vec![args.criteria.display().to_string()];
            words.extend(args.bids.iter().map(|b| b.display().to_string()));
            let text = match format {
                Format::Table => bidscore::report::path_to_win_table(&p, &words),
                Format::Json => bidscore::report::path_to_win_json(&p, &words),
            };
            print_out(&text)
        }
        Command::Stability { inputs: args, format } => {
            let (inputs, _) = match scored(&args) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let s = bidscore::analysis::stability(&inputs);
            let text = match format {
                Format::Table => bidscore::report::stability_table(&s, TableOptions::default().with_width(width(None))),
                Format::Json => bidscore::report::stability_json(&s),
            };
            print_out(&text)
        }
        Command::Panel { inputs: args, format } => {
            let inputs = match load(&args) {
                Ok(i) => i,
                Err(code) => return code,
            };
            let w = inputs.warnings_report();
            if !w.items.is_empty() {
                print_diagnostics(&w, args.error_format);
            }
            let outcome = evaluate(&inputs);
            let Some(p) = bidscore::analysis::panel(&inputs, &outcome) else {
                eprintln!("error: tender `{}` has no criterion scored by the panel (`kind = \"panel\"`)", inputs.tender.id);
                return ExitCode::from(1);
            };
            let text = match format {
                Format::Table => {
                    let width = if std::io::stdout().is_terminal() { terminal_width() } else { 120 };
                    bidscore::report::panel_table(&p, TableOptions::default().with_width(width))
                }
                Format::Json => bidscore::report::panel_json(&p),
            };
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Command::Score { inputs: args, format, output } => {
            let inputs = match load(&args) {
                Ok(i) => i,
                Err(code) => return code,
            };
            let w = inputs.warnings_report();
            if !w.items.is_empty() {
                print_diagnostics(&w, args.error_format);
            }
            let outcome = evaluate(&inputs);
            let text = match format {
                Format::Table => {
                    let width = if output.is_none() && std::io::stdout().is_terminal() { terminal_width() } else { 120 };
                    table(&inputs, &outcome, TableOptions::default().with_width(width))
                }
                Format::Json => json(&inputs, &outcome),
            };
            match output {
                None => {
                    let _ = std::io::stdout().lock().write_all(text.as_bytes());
                    ExitCode::SUCCESS
                }
                Some(path) => {
                    let mut all = vec![args.criteria.clone()];
                    all.extend(inputs.sources.iter().map(|s| PathBuf::from(&s.path)));
                    match bidscore::output::write_atomic(&path, text.as_bytes(), &all) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => {
                            eprintln!("error: {e}");
                            ExitCode::from(1)
                        }
                    }
                }
            }
        }
    }
}

/// `--set FIELD=VALUE` and `--points CRITERION=P` as changes.
fn parse_changes(sets: &[String], points: &[String]) -> Result<Vec<bidscore::analysis::Change>, String> {
    if sets.is_empty() && points.is_empty() {
        return Err(String::from("nothing to change: give `--set FIELD=VALUE` or `--points CRITERION=P`"));
    }
    let mut out = Vec::new();
    for s in sets {
        let (field, literal) =
            s.split_once('=').ok_or_else(|| format!("`--set {s}`: write FIELD=VALUE, such as `datacenter.tenure=\"owned\"`"))?;
        out.push(bidscore::analysis::Change::Set { field: field.trim().to_owned(), literal: literal.trim().to_owned() });
    }
    for p in points {
        let (criterion, value) = p.split_once('=').ok_or_else(|| format!("`--points {p}`: write CRITERION=P, such as `dc-tenure=12`"))?;
        let points =
            value.trim().parse::<rust_decimal::Decimal>().map_err(|_| format!("`--points {p}`: `{}` is not a number", value.trim()))?;
        out.push(bidscore::analysis::Change::Points { criterion: criterion.trim().to_owned(), points });
    }
    Ok(out)
}

/// Load (printing problems and warnings) and score.
fn scored(args: &InputArgs) -> Result<(bidscore::Inputs, bidscore::Outcome), ExitCode> {
    let inputs = load(args)?;
    let w = inputs.warnings_report();
    if !w.items.is_empty() {
        print_diagnostics(&w, args.error_format);
    }
    let outcome = evaluate(&inputs);
    Ok((inputs, outcome))
}

/// The table width: the terminal's when printing to one, else 120.
fn width(output: Option<&PathBuf>) -> u16 {
    if output.is_none() && std::io::stdout().is_terminal() { terminal_width() } else { 120 }
}

fn print_out(text: &str) -> ExitCode {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn terminal_width() -> u16 {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(120)
}
