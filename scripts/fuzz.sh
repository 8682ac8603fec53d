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

# A run that manages fewer executions than this per second did not really fuzz (a target
# that hangs, or a fuzzer killed early), so it fails rather than passing quietly.
min_execs_per_sec=${FUZZ_MIN_EXECS_PER_SEC:-10}

for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  # Seed the corpus with the regression inputs so known crashers are retried first.
  [ -d "regressions/$t" ] && cp -n regressions/"$t"/* "corpus/$t/" 2>/dev/null || true
  # The committed minimised corpus is read too (libFuzzer writes new inputs to the first
  # directory only), so each run starts from what earlier runs found, not from nothing.
  dirs=("corpus/$t")
  [ -d "corpus-min/$t" ] && dirs+=("corpus-min/$t")
  echo "==> fuzzing $t for ${secs}s (corpus: ${dirs[*]})"
  log="artifacts/$t.log"
  status=0
  "$bin_dir/$t" "${dirs[@]}" -max_total_time="$secs" -max_len=4096 -timeout=10 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *(INITED|DONE))|ERROR|panicked|SUMMARY' "$log" || true
  if ls "artifacts/$t"/* >/dev/null 2>&1; then
    echo "fuzz target $t found a crash: see fuzz/artifacts/$t/ and $PWD/$log" >&2
    exit 1
  fi
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $t exited with status $status and left no artifact: see $PWD/$log" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    echo "fuzz target $t printed no executed-unit count: it did not run to the end; see $PWD/$log" >&2
    exit 1
  fi
  floor=$((secs * min_execs_per_sec))
  if [ "$execs" -lt "$floor" ]; then
    echo "fuzz target $t executed $execs inputs in ${secs}s, fewer than $floor: it did not really fuzz; see $PWD/$log" >&2
    exit 1
  fi
  echo "    $t: $execs inputs executed"
done
