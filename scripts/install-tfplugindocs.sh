#!/usr/bin/env bash
# Installs HashiCorp's tfplugindocs (the registry's docs renderer) into .tools/ from the Go module
# proxy, for tests/tfplugindocs.rs, which renders our schema with it and compares the pages with
# our generator's. Idempotent. Without `go` it says so and exits 0, unless CI=true, where a
# missing tool is a failure. Records the outcome in .tools/status (as scripts/install-tools.sh
# does), so the test command's summary lists the comparison as SKIPPED.
set -euo pipefail

version=v0.25.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.tools/tfplugindocs-$version"
bin="$dest/tfplugindocs"
status_file="$root/.tools/status"
record() {
    mkdir -p "$root/.tools"
    touch "$status_file"
    grep -v " tfplugindocs-$version " "$status_file" > "$status_file.tmp" || true
    printf '%s %s %s\n' "$1" "tfplugindocs-$version" "$2" >> "$status_file.tmp"
    mv "$status_file.tmp" "$status_file"
}

if [[ -x "$bin" ]]; then
    echo "tfplugindocs $version already installed at $bin"
    record ok "$bin"
    exit 0
fi
if ! command -v go >/dev/null; then
    if [[ ${CI:-} == true ]]; then
        echo "install-tfplugindocs: go is missing; CI needs it for the tfplugindocs comparison" >&2
        record failed "go not found"
        exit 1
    fi
    echo "install-tfplugindocs: go not found: the tfplugindocs comparison (tests/tfplugindocs.rs) will be SKIPPED"
    record skipped "go not found"
    exit 0
fi
mkdir -p "$dest"
# GOTOOLCHAIN=local: build with the installed Go instead of fetching another toolchain.
GOBIN="$dest" GOTOOLCHAIN=local go install "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@$version"
"$bin" --version >/dev/null 2>&1 || "$bin" --help >/dev/null 2>&1 || { echo "install-tfplugindocs: $bin does not run" >&2; exit 1; }
record ok "$bin"
echo "tfplugindocs $version installed at $bin"
