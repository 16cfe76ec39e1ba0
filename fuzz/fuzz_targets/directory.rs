//! Arbitrary bytes split into files in a directory (see `common::directory`).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

/// One directory per process, reused by every input; in memory (`/dev/shm`) when there is one.
fn dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        base.join(format!("bidscore-fuzz-{}", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| common::directory(data, dir(), false));
