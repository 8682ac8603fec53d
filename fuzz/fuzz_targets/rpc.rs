//! Fuzz target `rpc`: see `bodies::rpc` for what it checks.
#![no_main]

mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::rpc(data));
