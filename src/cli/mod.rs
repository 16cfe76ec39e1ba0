//! The command line (binary only): the arguments (`args.rs`), one small function per
//! subcommand over one shared loader (`commands.rs`), and where output goes (`out.rs`:
//! stdout or an atomic file, a closed pipe ending quietly, problems on stderr).

mod args;
mod commands;
mod out;

use std::process::{ExitCode, Termination};

use clap::Parser;

/// How the command ended (SPEC §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Success.
    Ok,
    /// Invalid input, or the report could not be written.
    Failed,
    /// The command line or the question was wrong.
    Usage,
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
        })
    }
}

/// Parse the arguments and run the command.
pub(crate) fn run() -> Exit {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` go to stdout, mistakes to stderr; a closed pipe is
            // not a reason to fail either way.
            let _ = e.print();
            return if e.use_stderr() { Exit::Usage } else { Exit::Ok };
        }
    };
    commands::run(cli.command)
}
