//! Arbitrary bytes as the criteria file (see `common::criteria`).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::criteria(data, false));
