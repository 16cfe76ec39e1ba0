//! The `bidscore` command: arguments → library → report → exit code. The only place that
//! prints; everything it does is in `cli/`.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where output happens")]

mod cli;

// A run over many files makes and frees millions of small values on both cores; glibc's
// allocator grows each thread's arena a page at a time (an `mprotect` for each: 18,000 for
// 10,000 files). jemalloc made the 10,000-file run 15 % faster at the same peak memory
// (mimalloc was as fast, with 28 % more). The library leaves the choice to whoever links it.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> cli::Exit {
    cli::run()
}
