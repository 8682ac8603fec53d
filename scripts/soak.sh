#!/usr/bin/env bash
# Soak: the fault scenario of tests/acceptance/faults.rs over many seeds, outside CI.
#
# Each seed applies a small fleet (6 projects, 5 robots, 2 registries, 3 replication policies)
# through the real terraform while the emulator answers 20% of API requests with 503/429 and
# drops 5% of connections (half after processing), with the seed's provider settings
# (seed % 4: max_retries 0 or default, request_timeout 1 s or default). Checks: the apply
# succeeds or fails clearly, Harbor holds no orphan or duplicate, the next clean apply converges.
#
# Usage: scripts/soak.sh [FIRST-LAST]    (default 1-100)
# Prints one line per seed and a summary; the full log is kept in target/soak/.
set -euo pipefail
cd "$(dirname "$0")/.."

seeds="${1:-1-100}"
out=target/soak
mkdir -p "$out"
log="$out/soak-${seeds}.log"

scripts/install-terraform.sh >/dev/null
echo "==> fault seeds $seeds (log: $log)"
status=0
FAULT_SEEDS="$seeds" cargo test -j 2 --test acceptance \
    faults::fault_seeds_leave_no_orphan_and_a_clean_apply_converges -- --nocapture \
    >"$log" 2>&1 || status=$?

grep '^fault-seed ' "$log" || true
lines=$(grep -c '^fault-seed ' "$log" || true)
echo "==> summary"
awk '
/^fault-seed / {
    n++
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    faults += v["faults"]; orphans += v["orphans"]; duplicates += v["duplicates"]
    if (v["apply"] == "ok") ok++; else failed++
    if (v["converged"] == "true") converged++
    unsettled += v["unsettled"]
}
END {
    printf "seeds run: %d\napplies under faults: %d succeeded, %d failed\nfaults injected: %d\n", n, ok, failed, faults
    printf "creates left unsettled (kept tainted): %d\norphans: %d\nduplicates: %d\nclean applies converged: %d of %d\n", unsettled, orphans, duplicates, converged, n
}' "$log"
if [[ $status -ne 0 ]]; then
    echo "==> FAILED (cargo test exit $status): see $log" >&2
    grep -A3 '^seed [0-9]* (' "$log" >&2 || tail -n 40 "$log" >&2
    exit "$status"
fi
if [[ "$lines" -eq 0 ]]; then
    echo "==> no seed ran: see $log" >&2
    exit 1
fi
