#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time (default 60 s each), with libFuzzer and
# coverage instrumentation but no sanitizer, so it needs neither nightly Rust nor cargo-fuzz.
# (With cargo-fuzz installed, `cargo fuzz run <target>` works on the same targets.)
# Crashes land in fuzz/artifacts/<target>/; copy them into fuzz/regressions/<target>/, where
# `cargo test --test fuzz_regressions` replays them forever.
# Usage: scripts/fuzz.sh [seconds-per-target] [target ...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(msgpack json rpc)

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps RUSTFLAGS off build scripts and proc macros, as cargo-fuzz does.
host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --quiet --bins --target "$host"
bin_dir=$CARGO_TARGET_DIR/$host/release

for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  # Seed the corpus with the regression inputs so known crashers are retried first.
  [ -d "regressions/$t" ] && cp -n regressions/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "==> fuzzing $t for ${secs}s"
  "$bin_dir/$t" "corpus/$t" -max_total_time="$secs" -max_len=4096 -timeout=10 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 2>&1 | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)|ERROR|panicked|SUMMARY' || true
  if ls "artifacts/$t"/* >/dev/null 2>&1; then
    echo "fuzz target $t found a crash: see fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
