//! Arbitrary bytes split into files in a directory (see `common::directory`).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("bidscore-fuzz-{}", std::process::id()));
    common::directory(data, &dir);
});
