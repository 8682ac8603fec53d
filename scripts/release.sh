#!/usr/bin/env bash
# Builds the release binary and the air-gap artifacts under dist/:
#   terraform-provider-harbor_<version>_<os>_<arch>.zip   (holds terraform-provider-harbor_v<version>)
#   terraform-provider-harbor_<version>_SHA256SUMS         (the zip and the manifest, sha256sum format)
#   terraform-registry-manifest.json                       (plugin protocol 6.0, as the registry reads it)
#   terraform-provider-harbor_<version>_manifest.json      (the same, under the name a registry release uses)
#   mirror/<host>/openova/harbor/<zip>                     (packed filesystem-mirror layout, for
#                                                          registry.terraform.io and registry.opentofu.org)
#   terraform-provider-harbor_<version>.terraform.lock.hcl (the lock entry, with the h1: hash Terraform
#                                                          computes and the zh: hash, the zip's SHA-256)
# Copy dist/mirror to the air-gapped machine and point `provider_installation { filesystem_mirror }`
# at it; scripts/mirror-install-test.sh shows the CLI configuration and checks that it installs.
#
# Usage: scripts/release.sh [--no-build] [--binary PATH]
#   --no-build     package target/release/terraform-provider-harbor as it is
#   --binary PATH  package this binary instead (CI packages its debug build: the packaging and the
#                  mirror install are what it checks, and a release build takes minutes on 2 cores)
# Environment: CARGO_BUILD_JOBS (default 2); RELEASE_PYTHON_ZIP=1 zips with python3 even when `zip` exists.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
build=1
bin=target/release/terraform-provider-harbor
while [[ $# -gt 0 ]]; do
  arg=$1
  shift
  case "$arg" in
    --no-build) build=0 ;;
    --binary) build=0; bin=$1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "release.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# The version of the root package: the first `version = "..."` in its [package] table.
version=$(awk '
  /^\[/ { in_pkg = ($0 == "[package]") }
  in_pkg && /^version *= *"/ { gsub(/^version *= *"|".*$/, ""); print; exit }
' Cargo.toml)
if [[ -z "$version" ]]; then
  echo "release.sh: no version in Cargo.toml [package]" >&2
  exit 1
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "release.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "release.sh: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

if [[ $build == 1 ]]; then
  cargo build --release --locked -j "${CARGO_BUILD_JOBS:-2}" --bin terraform-provider-harbor
fi
[[ -x $bin ]] || { echo "release.sh: $bin is missing; run without --no-build" >&2; exit 1; }

name=terraform-provider-harbor
zip_name=${name}_${version}_${os}_${arch}.zip
dist=$root/dist
rm -rf "$dist"
mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

cp "$bin" "$stage/${name}_v${version}"
chmod 0755 "$stage/${name}_v${version}"
# A fixed timestamp keeps the zip, and so its zh: hash, the same for the same binary.
touch -d '1980-01-02 00:00:00 UTC' "$stage/${name}_v${version}" 2>/dev/null || true
if [[ -z ${RELEASE_PYTHON_ZIP:-} ]] && command -v zip >/dev/null; then
  (cd "$stage" && zip -q -X -9 "$dist/$zip_name" "${name}_v${version}")
else
  python3 - "$stage/${name}_v${version}" "$dist/$zip_name" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo(os.path.basename(src), date_time=(1980, 1, 2, 0, 0, 0))
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
PY
fi

printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' > "$dist/terraform-registry-manifest.json"
cp "$dist/terraform-registry-manifest.json" "$dist/${name}_${version}_manifest.json"

(cd "$dist" && sha256sum "$zip_name" "${name}_${version}_manifest.json" > "${name}_${version}_SHA256SUMS")

# Installing from a filesystem mirror records only an h1: hash (of the files in the zip); a
# registry install also records zh: (the zip's SHA-256, from SHA256SUMS). This entry has both,
# so an air-gapped configuration can commit the lock file a connected one would write.
python3 - "$dist/$zip_name" "$version" > "$dist/${name}_${version}.terraform.lock.hcl" <<'PY'
import base64, hashlib, sys, zipfile
path, version = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path) as z:
    # Terraform's dirhash "h1": sorted "<sha256 hex>  <name>" lines, hashed again, base64.
    lines = "".join(
        f"{hashlib.sha256(z.read(n)).hexdigest()}  {n}\n"
        for n in sorted(z.namelist()) if not n.endswith("/")
    )
h1 = base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()
zh = hashlib.sha256(open(path, "rb").read()).hexdigest()
print(f'''provider "registry.terraform.io/openova/harbor" {{
  version     = "{version}"
  constraints = "{version}"
  hashes = [
    "h1:{h1}",
    "zh:{zh}",
  ]
}}''')
PY

for host in registry.terraform.io registry.opentofu.org; do
  mkdir -p "$dist/mirror/$host/openova/harbor"
  cp "$dist/$zip_name" "$dist/mirror/$host/openova/harbor/$zip_name"
done

echo "release.sh: version $version ($os/$arch)"
(cd "$dist" && find . -type f | sort | sed 's|^\./|  dist/|')
cat "$dist/${name}_${version}_SHA256SUMS"
