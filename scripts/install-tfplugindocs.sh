#!/usr/bin/env bash
# Installs HashiCorp's tfplugindocs (the registry's docs renderer) into .tools/ from the Go module
# proxy, for tests/tfplugindocs.rs, which renders our schema with it and compares the pages with
# our generator's. Idempotent. Without `go` it says so and exits 0, unless CI=true, where a
# missing tool is a failure.
set -euo pipefail

version=v0.25.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.tools/tfplugindocs-$version"
bin="$dest/tfplugindocs"

if [[ -x "$bin" ]]; then
    echo "tfplugindocs $version already installed at $bin"
    exit 0
fi
if ! command -v go >/dev/null; then
    if [[ ${CI:-} == true ]]; then
        echo "install-tfplugindocs: go is missing; CI needs it for the tfplugindocs comparison" >&2
        exit 1
    fi
    echo "install-tfplugindocs: go not found: the tfplugindocs comparison (tests/tfplugindocs.rs) will be SKIPPED"
    exit 0
fi
mkdir -p "$dest"
# GOTOOLCHAIN=local: build with the installed Go instead of fetching another toolchain.
GOBIN="$dest" GOTOOLCHAIN=local go install "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@$version"
"$bin" --version >/dev/null 2>&1 || "$bin" --help >/dev/null 2>&1 || { echo "install-tfplugindocs: $bin does not run" >&2; exit 1; }
echo "tfplugindocs $version installed at $bin"
