//! One function per subcommand, each over the shared loader: read and validate the inputs
//! (every problem printed, exit 1), score them, ask the library, render in the format asked,
//! write where asked.

use std::mem::ManuallyDrop;
use std::path::PathBuf;

use bidscore::analysis::{self, Change, InputMode, MarkMode, PathToWinOptions, RobustnessOptions, StabilityOptions};
use bidscore::report::{
    self, CheckReport, ExplainReport, Options, PanelReport, PathToWinReport, RobustnessReport, ScoreReport, StabilityReport, View,
    WhatIfReport,
};
use bidscore::{Inputs, Outcome, ReadLimits, evaluate, load_paths_with};

use super::Exit;
use super::args::{Command, InputArgs, Marks, OutputArgs, Vary};
use super::out;

/// Run one subcommand.
pub(crate) fn run(command: Command) -> Exit {
    match command {
        Command::Score { inputs, output } => score(&inputs, &output),
        Command::Check { inputs, output } => check(&inputs, &output),
        Command::Panel { inputs, output } => panel(&inputs, &output),
        Command::Explain { inputs, bid, against, output } => explain(&inputs, &bid, against.as_deref(), &output),
        Command::Whatif { inputs, bid, sets, points, committee, output } => whatif(&inputs, &bid, &sets, &points, committee, &output),
        Command::PathToWin { inputs, bid, max_changes, max_evaluations, output } => {
            let options = PathToWinOptions::new().with_max_changes(max_changes).with_max_evaluations(max_evaluations);
            path_to_win(&inputs, &bid, options, &output)
        }
        Command::Robustness { inputs, samples, seed, weights, vary_inputs, marks, certify, audit, quiet, output } => {
            let options = RobustnessOptions {
                samples,
                seed,
                weights,
                inputs: match vary_inputs {
                    Vary::Fixed => InputMode::Fixed,
                    Vary::Ranges => InputMode::Ranges,
                },
                marks: match marks {
                    Marks::Fixed => MarkMode::Fixed,
                    Marks::Bootstrap => MarkMode::Bootstrap,
                },
                certify,
                audit,
            };
            robustness(&inputs, &options, quiet, &output)
        }
        Command::Stability { inputs, max_evaluations, output } => {
            stability(&inputs, StabilityOptions::new().with_max_evaluations(max_evaluations), &output)
        }
    }
}

/// The inputs, validated and scored. The process ends once its report is written, so the
/// inputs and the outcome are never dropped: freeing a large tender's hundreds of thousands
/// of allocations one by one only delays the exit (5 % of scoring 10,000 files).
struct Session {
    inputs: ManuallyDrop<Inputs>,
    outcome: ManuallyDrop<Outcome>,
    /// Every file read, so that no report is written over one.
    read: Vec<PathBuf>,
}

impl Session {
    /// Load and score; problems and warnings go to stderr.
    fn load(args: &InputArgs) -> Result<Session, Exit> {
        Session::load_as(args, false)
    }

    /// Load and score for a question that changes the ranking: the negotiation record will
    /// be set aside, so its departures from the published ranking stop nothing.
    fn load_counterfactual(args: &InputArgs) -> Result<Session, Exit> {
        Session::load_as(args, true)
    }

    fn load_as(args: &InputArgs, counterfactual: bool) -> Result<Session, Exit> {
        let limits = ReadLimits { max_total_bytes: args.max_input_bytes, ..ReadLimits::default() };
        let mut inputs = load_paths_with(&args.criteria, &args.bids, limits).map_err(|d| {
            out::diagnostics(&d, args.error_format);
            Exit::Failed
        })?;
        let outcome = evaluate(&inputs);
        // The negotiation record is checked against the ranking: its departures are errors
        // or warnings, as the tender declares, reported with the inputs' warnings as one list
        // (and, as for any error, without the warnings when one is an error).
        let mut departures = Vec::new();
        if !counterfactual {
            let found = bidscore::departures(&inputs, &outcome);
            if found.has_errors() {
                out::diagnostics(&found, args.error_format);
                return Err(Exit::Failed);
            }
            departures = found.items;
        }
        // The inputs' warnings are lent to the list, and given back, unless departures join
        // them (then they are copied): a large tender has one for every bid.
        let lent = departures.is_empty();
        let items = if lent { std::mem::take(&mut inputs.warnings) } else { inputs.warnings.iter().cloned().chain(departures).collect() };
        if !items.is_empty() {
            // One list, in the usual order (by file and place), printed against the inputs'
            // own files, lent for the while: 10,000 bids' texts were copied to show ten warnings.
            // (The inputs' warnings are in that order already: lent, they come back as they were.)
            let report = bidscore::Diagnostics::new(std::mem::take(&mut inputs.sources), items);
            out::diagnostics(&report, args.error_format);
            inputs.sources = report.sources;
            if lent {
                inputs.warnings = report.items;
            }
        }
        let mut read = vec![args.criteria.clone()];
        read.extend(inputs.sources.iter().map(|s| PathBuf::from(&s.path)));
        Ok(Session { inputs: ManuallyDrop::new(inputs), outcome: ManuallyDrop::new(outcome), read })
    }

    /// A question that changes the ranking sets the negotiation record aside: say so.
    fn counterfactual(&self) {
        if self.inputs.negotiation.is_some() {
            out::note(
                "the negotiation record is set aside: it was agreed on the published ranking, and another ranking would have been negotiated differently; the award is modelled as the tender's allocation before negotiation",
            );
        }
    }

    /// Render `view` as asked and write it where asked.
    fn emit(&self, view: &dyn View, output: &OutputArgs) -> Exit {
        let options = Options::new().with_width(out::width(output.output.as_deref()));
        let format: report::Format = output.format.into();
        // CSV is data, kept exact in a file or a pipe; on a terminal it is read by a person,
        // so control characters are escaped there as in every human format.
        let on_terminal = output.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
        let render = |w: &mut dyn std::io::Write| {
            if on_terminal && format == report::Format::Csv {
                let text = report::render(view, format, options);
                w.write_all(bidscore::escape_for_terminal(&text).as_bytes())
            } else {
                report::render_to(view, format, options, w)
            }
        };
        out::emit(render, output.output.as_deref(), &self.read)
    }
}

/// A question the library could not answer: a usage error (2), or invalid input (1).
fn refused(e: &analysis::Error) -> Exit {
    out::error(e);
    if e.is_usage() { Exit::Usage } else { Exit::Failed }
}

fn score(args: &InputArgs, output: &OutputArgs) -> Exit {
    let s = match Session::load(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    // Only the JSON report carries the panel analysis: no other format pays for it.
    let panel = output.carries_panel().then(|| analysis::panel(&s.inputs, &s.outcome).ok()).flatten();
    s.emit(&ScoreReport::new(&s.inputs, &s.outcome, panel.as_ref()), output)
}

fn check(args: &InputArgs, output: &OutputArgs) -> Exit {
    let s = match Session::load(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    // Scoring is cheap: it reveals what validation alone cannot (ties, flat criteria).
    for w in &s.outcome.warnings {
        out::warning(report::prose::warning(w));
    }
    s.emit(&CheckReport { inputs: &s.inputs, outcome: &s.outcome }, output)
}

fn panel(args: &InputArgs, output: &OutputArgs) -> Exit {
    let s = match Session::load(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    match analysis::panel(&s.inputs, &s.outcome) {
        Ok(p) => s.emit(&PanelReport(&p), output),
        Err(e) => refused(&e),
    }
}

fn explain(args: &InputArgs, bid: &str, against: Option<&str>, output: &OutputArgs) -> Exit {
    let s = match Session::load(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    match analysis::explain(&s.inputs, &s.outcome, bid, against) {
        Ok(e) => s.emit(&ExplainReport { explanation: &e, inputs: &s.inputs }, output),
        Err(e) => refused(&e),
    }
}

fn whatif(args: &InputArgs, bid: &str, sets: &[String], points: &[String], committee: Option<Vec<usize>>, output: &OutputArgs) -> Exit {
    let changes = match parse_changes(sets, points, committee) {
        Ok(c) => c,
        Err(msg) => {
            out::error(msg);
            return Exit::Usage;
        }
    };
    let s = match Session::load_counterfactual(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    s.counterfactual();
    match analysis::whatif(&s.inputs, &s.outcome, bid, &changes) {
        Ok(w) => {
            let panel = output.carries_panel().then(|| analysis::panel(&w.inputs, &w.outcome).ok()).flatten();
            s.emit(&WhatIfReport { whatif: &w, panel: panel.as_ref() }, output)
        }
        Err(analysis::Error::Invalid(d)) => {
            out::note("the changed tender is not valid:");
            out::diagnostics(&d, args.error_format);
            Exit::Failed
        }
        Err(e) => refused(&e),
    }
}

fn path_to_win(args: &InputArgs, bid: &str, options: PathToWinOptions, output: &OutputArgs) -> Exit {
    let s = match Session::load_counterfactual(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    s.counterfactual();
    let bar = out::Bar::new("path-to-win: combinations");
    let result = analysis::path_to_win_with(&s.inputs, &s.outcome, bid, options, &bar);
    drop(bar);
    match result {
        Ok(p) => s.emit(&PathToWinReport { result: &p, arguments: &args.words() }, output),
        Err(e) => refused(&e),
    }
}

fn robustness(args: &InputArgs, options: &RobustnessOptions, quiet: bool, output: &OutputArgs) -> Exit {
    let s = match Session::load_counterfactual(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    s.counterfactual();
    let bar = if quiet { out::Bar::none() } else { out::Bar::new("robustness: samples ×1024") };
    let result = analysis::robustness_with(&s.inputs, &s.outcome, options, &bar);
    drop(bar);
    match result {
        Ok(r) => s.emit(&RobustnessReport { result: &r, inputs: &s.inputs, arguments: &args.words() }, output),
        Err(e) => refused(&e),
    }
}

fn stability(args: &InputArgs, options: StabilityOptions, output: &OutputArgs) -> Exit {
    let s = match Session::load_counterfactual(args) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    s.counterfactual();
    // The event walk varies the whole tender's weights; lots are not walked yet.
    if !s.inputs.tender.lots.is_empty() {
        return refused(&analysis::Error::Lots { analysis: "stability" });
    }
    let bar = out::Bar::new("stability: criteria");
    let result = analysis::stability_with(&s.inputs, &s.outcome, options, &bar);
    drop(bar);
    s.emit(&StabilityReport(&result), output)
}

/// `--set [BID:]FIELD=VALUE`, `--points CRITERION=P` and `--committee` as changes.
fn parse_changes(sets: &[String], points: &[String], committee: Option<Vec<usize>>) -> Result<Vec<Change>, String> {
    if sets.is_empty() && points.is_empty() && committee.is_none() {
        return Err(String::from("nothing to change: give `--set FIELD=VALUE`, `--points CRITERION=P` or `--committee E,E,…`"));
    }
    let mut out = Vec::new();
    for s in sets {
        let (target, literal) =
            s.split_once('=').ok_or_else(|| format!("`--set {s}`: write FIELD=VALUE, such as `datacenter.tenure=\"owned\"`"))?;
        let literal = literal.trim().to_owned();
        match target.split_once(':') {
            Some((bidder, field)) => out.push(Change::SetOf { bidder: bidder.trim().to_owned(), field: field.trim().to_owned(), literal }),
            None => out.push(Change::Set { field: target.trim().to_owned(), literal }),
        }
    }
    if let Some(c) = committee {
        out.push(Change::Committee(c));
    }
    for p in points {
        let (criterion, value) = p.split_once('=').ok_or_else(|| format!("`--points {p}`: write CRITERION=P, such as `dc-tenure=12`"))?;
        let points = bidscore::parse_decimal(value).map_err(|e| format!("`--points {p}`: {e}"))?;
        out.push(Change::Points { criterion: criterion.trim().to_owned(), points });
    }
    Ok(out)
}
