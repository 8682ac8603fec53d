#!/usr/bin/env bash
# The README's second command, and what CI runs: installs the tools the tests drive
# (scripts/install-tools.sh), then runs every test tier (unit, in-process protocol, emulator,
# acceptance against every Terraform and OpenTofu found, docs and example checks, air-gap mirror
# install, fuzzing for a bounded time), and ends with a summary: the acceptance runs per binary,
# whether a write-only-capable binary ran the write-only checks, and every tier SKIPPED because a
# tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-tools.sh
# tfplugindocs, for the comparison of our docs with the registry renderer's (tests/tfplugindocs.rs).
scripts/install-tfplugindocs.sh

# Each acceptance test body run on a binary appends a line here (see tests/acceptance/harness.rs).
report=$(mktemp)
export HARBOR_ACC_REPORT=$report
summary() {
  local rc=$?
  echo
  echo "==> summary"
  if [[ -s $report ]]; then
    echo "acceptance runs per binary (test bodies passed / failed):"
    awk -F'\t' '$4 == "passed" || $4 == "failed" { k = $1 " " $2; if ($4 == "passed") p[k]++; else f[k]++; seen[k] = 1 }
      END { for (k in seen) printf "  %-22s %4d passed, %d failed\n", k, p[k], f[k] }' "$report" | sort
    echo "write-only checks ran on:"
    awk -F'\t' '$4 == "write-only" { k = $1 " " $2; n[k]++ } END { for (k in n) printf "  %-22s %4d tests\n", k, n[k] }' "$report" | sort
  else
    echo "acceptance: no runs recorded (the run stopped before the acceptance tier)"
  fi
  if [[ -f .tools/status ]]; then
    while read -r state name why; do
      [[ $state == ok ]] && continue
      case $name in
        tofu-*) tiers="acceptance and migration on OpenTofu" ;;
        terraform-1.0.3) tiers="acceptance on Terraform 1.0.3" ;;
        terraform-*) tiers="acceptance on the newest Terraform" ;;
        goharbor-*) tiers="migration from goharbor/harbor" ;;
        tfplugindocs-*) tiers="the docs comparison with tfplugindocs (tests/tfplugindocs.rs)" ;;
        harbor-swagger) tiers="none (the conformance tier fails without Harbor's swagger spec)" ;;
        slapd) tiers="the LDAP emulator facts and LDAP acceptance test (they fail under CI=true)" ;;
        *) tiers="tests that use $name" ;;
      esac
      echo "SKIPPED: $tiers ($name $state: $why)"
    done < .tools/status
  fi
  rm -f "$report"
  exit "$rc"
}
trap summary EXIT

# A cold clone gains nothing from incremental artefacts, and under CI they cost ~2.3 GB of disk.
if [[ ${CI:-} == true ]]; then
  export CARGO_INCREMENTAL=0
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo test (all tiers; benchmarks are not tests and stay out)"
cargo test --workspace --lib --bins --tests

# The migration tests need goharbor's provider; without it they stay ignored and the summary
# says SKIPPED (from .tools/status).
if grep -q '^ok goharbor-' .tools/status; then
  echo "==> migration from goharbor/harbor (its own doc examples, then ours)"
  cargo test --test acceptance migration -- --ignored
fi

# The acceptance tests fail by themselves when no binary supports write-only attributes; this
# also catches a run where one existed but no write-only check reached it.
if ! awk -F'\t' '$4 == "write-only" { found = 1 } END { exit !found }' "$report"; then
  echo "no write-only-capable binary (Terraform or OpenTofu 1.11+) ran the write-only checks" >&2
  exit 1
fi

echo "==> benchmarks compile (in the debug profile, so a release build stays out of CI; they are not run here: BENCHMARKS.md says how)"
cargo test --workspace --benches --no-run

echo "==> docs are current"
cargo run --quiet --bin harbor-docs -- --check

echo "==> release: signed sums (throwaway GPG key) and the air-gap mirror install"
cargo build --quiet --bin terraform-provider-harbor
# The debug build is packaged: packaging, signing and the mirror install are what this checks, and
# a release build takes ~11 min on 2 cores. The cross-built archives (linux_arm64, windows_amd64)
# are a separate command: scripts/release.sh --cross (see CONTRIBUTING.md).
scripts/release-signing-test.sh --binary target/debug/terraform-provider-harbor
mirror_clis=0
for tf in .tools/terraform-*/terraform .tools/tofu-*/tofu; do
  [[ -x $tf ]] || continue
  scripts/mirror-install-test.sh "$tf"
  mirror_clis=$((mirror_clis + 1))
done
if [[ ${CI:-} == true ]] && { ! ls .tools/tofu-*/tofu >/dev/null 2>&1 || [[ $mirror_clis -lt 2 ]]; }; then
  echo "the mirror install must run on Terraform and on OpenTofu under CI (ran on $mirror_clis)" >&2
  exit 1
fi

echo "==> fuzzing (45 s per target)"
scripts/fuzz.sh 45
