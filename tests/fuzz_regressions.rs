//! Replays the fuzz corpus (`fuzz/corpus-min/<target>/`, minimised and committed) and every crash
//! a fuzzer ever found (`fuzz/regressions/<target>/`) through the fuzz targets' own bodies, so a
//! fixed crash stays fixed without libFuzzer in the loop.

#[path = "../fuzz/fuzz_targets/bodies.rs"]
mod bodies;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus-min", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let data = std::fs::read(e.path()).unwrap();
            let r = std::panic::catch_unwind(|| body(&data));
            assert!(r.is_ok(), "{target}: {} panics", e.path().display());
            n += 1;
        }
    }
    n
}

#[test]
fn msgpack_corpus_and_crashes_replay_cleanly() {
    assert!(
        replay("msgpack", bodies::msgpack) > 0,
        "no msgpack corpus committed"
    );
}

#[test]
fn json_corpus_and_crashes_replay_cleanly() {
    assert!(replay("json", bodies::json) > 0, "no json corpus committed");
}

#[test]
fn rpc_corpus_and_crashes_replay_cleanly() {
    assert!(replay("rpc", bodies::rpc) > 0, "no rpc corpus committed");
}
