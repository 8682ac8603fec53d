//! Fuzz target `json`: see `bodies::json` for what it checks.
#![no_main]

mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::json(data));
