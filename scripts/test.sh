#!/usr/bin/env bash
# The README's second command, and what CI runs: installs the Terraform the acceptance tests
# need, then runs every test tier (unit, in-process protocol, emulator, acceptance against every
# Terraform found, docs and example checks, air-gap mirror install, fuzzing for a bounded time).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-terraform.sh
# tfplugindocs, for the comparison of our docs with the registry renderer's (tests/tfplugindocs.rs).
scripts/install-tfplugindocs.sh

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo test (all tiers; benchmarks are not tests and stay out)"
cargo test --workspace --lib --bins --tests

echo "==> docs are current"
cargo run --quiet --bin harbor-docs -- --check

echo "==> air-gap mirror install"
cargo build --quiet --bin terraform-provider-harbor
scripts/release.sh --binary target/debug/terraform-provider-harbor
for tf in .tools/terraform-1.0.3/terraform $(command -v terraform || true); do
  scripts/mirror-install-test.sh "$tf"
done

echo "==> fuzzing (45 s per target)"
scripts/fuzz.sh 45
