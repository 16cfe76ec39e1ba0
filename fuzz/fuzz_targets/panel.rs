//! Arbitrary bytes as the panel file (see `common::panel`).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::panel(data, false));
