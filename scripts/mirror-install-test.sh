#!/usr/bin/env bash
# Installs openova/harbor from dist/mirror (made by scripts/release.sh) the way an air-gapped
# machine would, with only a filesystem mirror and no network for this provider, then checks it:
#   1. `terraform init` installs the pinned version and writes .terraform.lock.hcl with the h1:
#      hash release.sh computed; a second init, from the lock entry release.sh wrote (h1: and zh:,
#      as a registry install records them), accepts the mirror's zip and keeps both hashes;
#   2. `terraform validate` starts the provider and validates a configuration against its schema;
#   3. `terraform providers schema -json` returns the provider's schema.
# Exits non-zero naming the first step that fails.
#
# Usage: scripts/mirror-install-test.sh <terraform-or-tofu-binary> [--init-only]
#   --init-only  stop after step 1 (for a build whose binary does not serve the protocol yet)
# Environment: MIRROR_DIR (default dist/mirror), KEEP_TMP=1 keeps the work directory.
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
tf=$1
shift
init_only=0
for arg in "$@"; do
  case "$arg" in
    --init-only) init_only=1 ;;
    *) usage ;;
  esac
done
command -v "$tf" >/dev/null || [[ -x $tf ]] || { echo "mirror-install-test: $tf is not executable" >&2; exit 2; }
tf=$(cd "$(dirname "$(command -v "$tf" || echo "$tf")")" && pwd)/$(basename "$tf")

root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${MIRROR_DIR:-$root/dist/mirror}
mirror=$(cd "$mirror" 2>/dev/null && pwd) || { echo "mirror-install-test: no mirror at ${MIRROR_DIR:-dist/mirror}; run scripts/release.sh" >&2; exit 1; }
version=$(awk '
  /^\[/ { in_pkg = ($0 == "[package]") }
  in_pkg && /^version *= *"/ { gsub(/^version *= *"|".*$/, ""); print; exit }
' "$root/Cargo.toml")

work=$(mktemp -d)
if [[ ${KEEP_TMP:-0} == 1 ]]; then
  echo "mirror-install-test: keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi

# OpenTofu resolves the short source address to registry.opentofu.org; Terraform to registry.terraform.io.
host=registry.terraform.io
# (The output is read whole first: under pipefail, `head` closing the pipe early made the CLI
# die of SIGPIPE and OpenTofu pass for Terraform.)
tf_version=$("$tf" version 2>/dev/null || true)
if grep -qi '^opentofu' <<<"$tf_version"; then
  host=registry.opentofu.org
fi

cat > "$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["$host/openova/harbor"]
  }
  direct {
    exclude = ["$host/openova/harbor"]
  }
}
CFG

mkdir -p "$work/config"
cat > "$work/config/main.tf" <<CFG
terraform {
  required_providers {
    harbor = {
      source  = "openova/harbor"
      version = "= $version"
    }
  }
}

provider "harbor" {
  url      = "https://harbor.example.com"
  username = "admin"
  password = "not-used-by-validate"
}

resource "harbor_project" "mirror_test" {
  name          = "mirror-test"
  storage_quota = 10
}
CFG

# Only this CLI configuration, no plugin cache, no checkpoint calls: what an air-gapped host sees.
# OpenTofu reads TF_CLI_CONFIG_FILE too; TOFU_CLI_CONFIG_FILE, when set, wins there, so both are set.
export TF_CLI_CONFIG_FILE=$work/cli.tfrc TOFU_CLI_CONFIG_FILE=$work/cli.tfrc
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR
cd "$work/config"

step() { echo "== $*"; }
fail() { echo "mirror-install-test: FAILED: $*" >&2; exit 1; }

# The first line of the output read whole above: `version | head -1` under pipefail died of
# SIGPIPE (exit 141) once, when OpenTofu was still writing as head closed the pipe.
echo "${tf_version%%$'\n'*}"
step "init (from $mirror)"
"$tf" init -input=false -no-color || fail "terraform init"
lock=.terraform.lock.hcl
[[ -f $lock ]] || fail "init wrote no $lock"
grep -q "provider \"$host/openova/harbor\"" "$lock" || fail "$lock has no entry for $host/openova/harbor"
grep -q "version *= *\"$version\"" "$lock" || fail "$lock does not pin $version"
grep -q '"h1:' "$lock" || fail "$lock has no h1: hash"
cat "$lock"
# The lock entry release.sh wrote beside the mirror: its h1: must be the one Terraform computed.
published=$(dirname "$mirror")/terraform-provider-harbor_${version}.terraform.lock.hcl
if [[ -f $published ]]; then
  h1=$(grep -o '"h1:[^"]*"' "$lock" | head -1)
  grep -qF "$h1" "$published" || fail "Terraform's hash $h1 is not in $(basename "$published")"
  step "init again, from the published lock entry (h1: and zh:)"
  rm -rf .terraform
  sed "s|registry.terraform.io/openova/harbor|$host/openova/harbor|" "$published" > "$lock"
  "$tf" init -input=false -no-color >/dev/null || fail "terraform init with the published lock file"
  grep -q '"zh:' "$lock" || fail "init dropped the zh: hash from $lock"
  # The zip Terraform installed: this machine's platform (the mirror may hold others too).
  case "$(uname -m)" in aarch64|arm64) arch=arm64 ;; *) arch=amd64 ;; esac
  zip=$(ls "$mirror/$host/openova/harbor/"*_"$(uname -s | tr '[:upper:]' '[:lower:]')_$arch.zip")
  sum=$(sha256sum "$zip" | cut -d' ' -f1)
  grep -q "\"zh:$sum\"" "$lock" || fail "$lock's zh: hash is not the SHA-256 of $(basename "$zip")"
  cat "$lock"
else
  echo "(no $published: run scripts/release.sh to check the published lock entry too)"
fi

if [[ $init_only == 1 ]]; then
  echo "mirror-install-test: init OK (validate and schema skipped: --init-only)"
  exit 0
fi

step "validate"
"$tf" validate -no-color || fail "terraform validate (the provider must start and serve its schema)"

step "providers schema -json"
"$tf" providers schema -json > schema.json || fail "terraform providers schema -json"
python3 - "$host" <<'PY' || fail "the schema lacks openova/harbor or harbor_project"
import json, sys
host = sys.argv[1]
doc = json.load(open("schema.json"))
p = doc["provider_schemas"][f"{host}/openova/harbor"]
assert "harbor_project" in p["resource_schemas"], "no harbor_project"
print("provider schema OK:", len(p.get("resource_schemas", {})), "resources,",
      len(p.get("data_source_schemas", {})), "data sources")
PY
echo "mirror-install-test: OK"
