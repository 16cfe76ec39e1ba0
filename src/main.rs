//! The `bidscore` command: arguments → library → report → exit code. The only place that
//! prints; everything it does is in `cli/`.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where output happens")]

mod cli;

fn main() -> cli::Exit {
    cli::run()
}
