//! Where output goes: the report to stdout or to a file written atomically (never over an
//! input); problems to stderr. Nothing here panics on a closed pipe or a full disk: a reader
//! that stops early (`bidscore check … | head -1`) ends the command quietly, any other
//! failure to write is said on stderr with exit code 1.

use std::fmt::Display;
use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};

use bidscore::Diagnostics;

use super::Exit;
use super::args::ErrorFormat;

/// Warnings beyond this many are counted, not shown (errors are always all shown).
const MAX_WARNINGS_SHOWN: usize = 10;

/// The width of tables: the terminal's when printing to one, else 120.
pub(crate) fn width(output: Option<&Path>) -> u16 {
    if output.is_none() && std::io::stdout().is_terminal() {
        std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(120)
    } else {
        120
    }
}

/// Write the report to `output`, or to stdout. `inputs` are every file read: the report is
/// never written over one of them.
pub(crate) fn emit(text: &str, output: Option<&Path>, inputs: &[PathBuf]) -> Exit {
    match output {
        Some(path) => match bidscore::output::write_atomic(path, text.as_bytes(), inputs) {
            Ok(()) => Exit::Ok,
            Err(e) => {
                error(e);
                Exit::Failed
            }
        },
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => Exit::Ok,
                // The reader has what it wanted and left: not a failure.
                Err(e) if e.kind() == ErrorKind::BrokenPipe => Exit::Ok,
                Err(e) => {
                    error(format!("cannot write the report: {e}"));
                    Exit::Failed
                }
            }
        }
    }
}

/// `error: …` on stderr.
pub(crate) fn error(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}

/// `warning: …` on stderr.
pub(crate) fn warning(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
}

/// A line on stderr.
pub(crate) fn note(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Problems with the inputs, on stderr, for people or programs.
pub(crate) fn diagnostics(d: &Diagnostics, format: ErrorFormat) {
    let text = match format {
        ErrorFormat::Human => format!("{}{}", d.render_human_limited(color(), MAX_WARNINGS_SHOWN), d.summary()),
        ErrorFormat::Json => d.render_json(),
    };
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
