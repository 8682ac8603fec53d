//! `harbor-emulator`: serves the emulated Harbor API until SIGTERM or SIGINT.
fn main() {}
