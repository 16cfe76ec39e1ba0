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

/// Errors beyond this many are counted by code, not shown (in the human format; JSON has
/// every one).
const MAX_ERRORS_SHOWN: usize = 20;

/// Warnings beyond this many are counted by code, not shown (in the human format).
const MAX_WARNINGS_SHOWN: usize = 10;

/// The width of tables: the terminal's when printing to one, else 120.
pub(crate) fn width(output: Option<&Path>) -> u16 {
    if output.is_none() && std::io::stdout().is_terminal() {
        std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(120)
    } else {
        120
    }
}

/// Render the report and write it to `output`, or to stdout. `inputs` are every file read:
/// the report is never written over one of them. A file destination is checked (and its
/// temporary file made) before the report is rendered, so a refused `--output` costs
/// nothing.
pub(crate) fn emit(render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>, output: Option<&Path>, inputs: &[PathBuf]) -> Exit {
    match output {
        Some(path) => match write_file(path, render, inputs) {
            Ok(()) => Exit::Ok,
            Err(e) => {
                error(e);
                Exit::Failed
            }
        },
        None => {
            // Streamed through a buffer: a large JSON report is never held whole.
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match render(&mut stdout).and_then(|()| stdout.flush()) {
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

/// Write the report file atomically; interrupted (SIGINT, SIGTERM, SIGHUP, SIGQUIT) while it is being
/// written, the process removes the temporary file before it dies, so the old report stays
/// whole and nothing is left beside it.
fn write_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    inputs: &[PathBuf],
) -> Result<(), bidscore::output::OutputError> {
    // The handler is in place before the temporary file exists.
    interrupt::start_handler();
    let mut file = interrupt::create(|| bidscore::output::PendingFile::create(path, inputs))?;
    let written = {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file.writer());
        render(&mut w).and_then(|()| w.flush())
    };
    let result = written.map_err(|e| file.error(e));
    // The rename and the signal handler's removal never overlap: whichever comes first wins.
    interrupt::commit(file, result)
}

mod interrupt {
    use std::path::PathBuf;
    use std::sync::{Mutex, Once};

    /// The temporary file to remove if a signal ends the process.
    static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);
    static HANDLER: Once = Once::new();

    /// Start the handler (once).
    pub(super) fn start_handler() {
        HANDLER.call_once(start);
    }

    /// Create the temporary file with `make` and set it as the file a signal removes, holding
    /// the lock the handler takes: a signal that comes as the file appears waits until the
    /// handler knows its name, and removes it.
    pub(super) fn create(
        make: impl FnOnce() -> Result<bidscore::output::PendingFile, bidscore::output::OutputError>,
    ) -> Result<bidscore::output::PendingFile, bidscore::output::OutputError> {
        let mut pending = PENDING.lock().ok();
        let file = make()?;
        if let Some(p) = pending.as_mut() {
            **p = Some(file.temp_path().to_path_buf());
        }
        Ok(file)
    }

    /// Commit `file` (if `written` is fine) holding the lock the handler takes, then forget it.
    pub(super) fn commit(
        file: bidscore::output::PendingFile,
        written: Result<(), bidscore::output::OutputError>,
    ) -> Result<(), bidscore::output::OutputError> {
        let mut pending = PENDING.lock().ok();
        let result = written.and_then(|()| file.commit());
        if let Some(p) = pending.as_mut() {
            **p = None;
        }
        result
    }

    #[cfg(unix)]
    fn start() {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT]) else {
            return;
        };
        let _ = std::thread::Builder::new().name(String::from("signals")).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Hold the lock until exit, so the writer cannot commit in between.
                let pending = PENDING.lock();
                if let Ok(p) = &pending
                    && let Some(path) = p.as_ref()
                {
                    let _ = std::fs::remove_file(path);
                }
                // Die of the signal, as the shell expects (a loop stops on a Ctrl-C'd child).
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(signal.saturating_add(128));
            }
        });
    }

    #[cfg(not(unix))]
    fn start() {}
}

/// Progress of a long analysis, drawn on stderr when it is a terminal (and only after the
/// first second, so quick runs print nothing); cleared when dropped.
pub(crate) struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// No bar (`--quiet`).
    pub(crate) fn none() -> Bar {
        Bar(None)
    }

    pub(crate) fn new(what: &'static str) -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::hidden();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(what);
        Bar(Some(bar))
    }
}

impl bidscore::analysis::Progress for Bar {
    fn step(&self, done: usize, total: usize) {
        if let Some(bar) = &self.0 {
            if bar.is_hidden() && bar.elapsed() > std::time::Duration::from_secs(1) {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// `error: …` on stderr.
/// (Messages quote what the user gave — paths, `--set` values — so control characters in
/// them are escaped, as in every report.)
pub(crate) fn error(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "error: {}", bidscore::escape_for_terminal(&message.to_string()));
}

/// `warning: …` on stderr.
pub(crate) fn warning(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {}", bidscore::escape_for_terminal(&message.to_string()));
}

/// A line on stderr.
pub(crate) fn note(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{}", bidscore::escape_for_terminal(&message.to_string()));
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Problems with the inputs, on stderr, for people or programs.
pub(crate) fn diagnostics(d: &Diagnostics, format: ErrorFormat) {
    let text = match format {
        ErrorFormat::Human => format!("{}{}", d.render_human_limited(color(), MAX_ERRORS_SHOWN, MAX_WARNINGS_SHOWN), d.summary()),
        ErrorFormat::Json => d.render_json(),
    };
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
