//! Fuzz target `msgpack`: see `bodies::msgpack` for what it checks.
#![no_main]

mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::msgpack(data));
