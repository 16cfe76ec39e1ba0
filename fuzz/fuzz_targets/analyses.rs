//! A small valid tender chosen by the bytes, run through every analysis (see
//! `common::analyses`).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::analyses(data, false));
