//! Arbitrary bytes as the bid file (see `common::bid`).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::bid(data, false));
