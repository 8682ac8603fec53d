#!/usr/bin/env bash
# Builds the release binary and the air-gap artifacts under dist/:
#   terraform-provider-harbor_<version>_<os>_<arch>.zip   (holds terraform-provider-harbor_v<version>)
#                                                          (one per platform: the host's, and with
#                                                          --cross linux_arm64)
#   terraform-provider-harbor_<version>_SHA256SUMS         (the zips and the manifest, sha256sum format)
#   terraform-provider-harbor_<version>_SHA256SUMS.sig     (detached binary GPG signature of the sums,
#                                                          what the Terraform Registry checks; only
#                                                          with --gpg-key)
#   terraform-registry-manifest.json                       (plugin protocol 6.0, as the registry reads it)
#   terraform-provider-harbor_<version>_manifest.json      (the same, under the name a registry release uses)
#   mirror/<host>/openova/harbor/<zip>                     (packed filesystem-mirror layout, for
#                                                          registry.terraform.io and registry.opentofu.org)
#   terraform-provider-harbor_<version>.terraform.lock.hcl (the lock entry, with the h1: hash Terraform
#                                                          computes and the zh: hash, the zip's SHA-256)
# Copy dist/mirror to the air-gapped machine and point `provider_installation { filesystem_mirror }`
# at it; scripts/mirror-install-test.sh shows the CLI configuration and checks that it installs.
#
# Usage: scripts/release.sh [--no-build] [--binary PATH] [--cross] [--platform OS_ARCH=PATH]...
#                           [--gpg-key KEY]
#   --no-build     package target/release/terraform-provider-harbor as it is
#   --binary PATH  package this binary instead (CI packages its debug build: the packaging and the
#                  mirror install are what it checks, and a release build takes minutes on 2 cores)
#   --cross        also build and package linux_arm64 (Debian's gcc-aarch64-linux-gnu), release
#                  profile, and check its plugin handshake under qemu-aarch64 (qemu-user) when
#                  present. Needs the Rust std for the target (`rustup target add ...`). Not in
#                  CI: the build takes well over the CI budget on 2 cores.
#   --windows      with --cross, also build windows_amd64 (Debian's gcc-mingw-w64-x86-64). It
#                  builds (tcp only, Ctrl-C/Ctrl-Break for signals); nothing here runs it.
#   --platform OS_ARCH=PATH  package an already built binary for another platform (repeatable)
#   --gpg-key KEY  sign the SHA256SUMS file with this GPG key (id or fingerprint; GNUPGHOME is
#                  honoured) and verify the signature; also read from RELEASE_GPG_KEY
# Environment: CARGO_BUILD_JOBS (default 2); RELEASE_PYTHON_ZIP=1 zips with python3 even when `zip` exists.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
build=1
bin=target/release/terraform-provider-harbor
cross=0
windows=0
gpg_key=${RELEASE_GPG_KEY:-}
extra=()
while [[ $# -gt 0 ]]; do
  arg=$1
  shift
  case "$arg" in
    --no-build) build=0 ;;
    --binary) build=0; bin=$1; shift ;;
    --cross) cross=1 ;;
    --windows) windows=1 ;;
    --platform) extra+=("$1"); shift ;;
    --gpg-key) gpg_key=$1; shift ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
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

# The plugin handshake line a binary prints when Terraform starts it: `1|6|tcp|<addr>|grpc|...`.
handshake() {
  local line
  line=$(TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
    PLUGIN_PROTOCOL_VERSIONS=6 timeout 60 "$@" 2>/dev/null | head -n 1) || true
  [[ $line == 1\|6\|tcp\|*\|grpc\|* ]] || { echo "release.sh: no protocol-6 handshake from $*: '$line'" >&2; return 1; }
  echo "release.sh: handshake OK from $*: $line"
}

if [[ $cross == 1 ]]; then
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
  export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
  export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
  export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
  pairs=(linux_arm64:aarch64-unknown-linux-gnu:aarch64-linux-gnu-gcc)
  [[ $windows == 1 ]] && pairs+=(windows_amd64:x86_64-pc-windows-gnu:x86_64-w64-mingw32-gcc)
  for pair in "${pairs[@]}"; do
    IFS=: read -r platform triple cc <<<"$pair"
    command -v "$cc" >/dev/null || { echo "release.sh: --cross needs $cc (apt-get install ${cc%-gcc} cross compiler)" >&2; exit 1; }
    cargo build --release --locked -j "${CARGO_BUILD_JOBS:-2}" --target "$triple" --bin terraform-provider-harbor
    exe=""
    [[ $platform == windows_* ]] && exe=.exe
    extra+=("$platform=target/$triple/release/terraform-provider-harbor$exe")
  done
  arm=target/aarch64-unknown-linux-gnu/release/terraform-provider-harbor
  if command -v qemu-aarch64 >/dev/null; then
    handshake qemu-aarch64 -L /usr/aarch64-linux-gnu "$arm"
  else
    echo "release.sh: qemu-aarch64 not found (apt-get install qemu-user): arm64 handshake NOT checked"
  fi
fi

name=terraform-provider-harbor
dist=$root/dist
rm -rf "$dist"
mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# pack OS_ARCH BINARY: dist/terraform-provider-harbor_<version>_<os>_<arch>.zip holding
# terraform-provider-harbor_v<version> (.exe on Windows), as a registry release lays it out.
zips=()
pack() {
  local platform=$1 src=$2 exe="" file zip
  [[ $platform == windows_* ]] && exe=.exe
  [[ -f $src ]] || { echo "release.sh: $src ($platform) is missing" >&2; exit 1; }
  file=${name}_v${version}${exe}
  zip=${name}_${version}_${platform}.zip
  rm -rf "${stage:?}"/*
  cp "$src" "$stage/$file"
  chmod 0755 "$stage/$file"
  # A fixed timestamp keeps the zip, and so its zh: hash, the same for the same binary.
  touch -d '1980-01-02 00:00:00 UTC' "$stage/$file" 2>/dev/null || true
  if [[ -z ${RELEASE_PYTHON_ZIP:-} ]] && command -v zip >/dev/null; then
    (cd "$stage" && zip -q -X -9 "$dist/$zip" "$file")
  else
    python3 - "$stage/$file" "$dist/$zip" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo(os.path.basename(src), date_time=(1980, 1, 2, 0, 0, 0))
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
PY
  fi
  zips+=("$zip")
}

pack "${os}_${arch}" "$bin"
for e in ${extra[@]+"${extra[@]}"}; do
  pack "${e%%=*}" "${e#*=}"
done

printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' > "$dist/terraform-registry-manifest.json"
cp "$dist/terraform-registry-manifest.json" "$dist/${name}_${version}_manifest.json"

sums=${name}_${version}_SHA256SUMS
(cd "$dist" && sha256sum "${zips[@]}" "${name}_${version}_manifest.json" > "$sums")

if [[ -n $gpg_key ]]; then
  # A detached binary signature of the sums file, the form the Terraform Registry verifies
  # against the publisher's public key.
  gpg --batch --yes --local-user "$gpg_key" --detach-sign --output "$dist/$sums.sig" "$dist/$sums"
  gpg --batch --verify "$dist/$sums.sig" "$dist/$sums" 2>/dev/null \
    || { echo "release.sh: the signature of $sums does not verify" >&2; exit 1; }
  gpg --batch --armor --export "$gpg_key" > "$dist/${name}_${version}_signing-key.asc"
  echo "release.sh: $sums signed with $gpg_key"
else
  echo "release.sh: no --gpg-key: $sums is NOT signed (a registry release needs the signature)"
fi

# Installing from a filesystem mirror records only an h1: hash (of the files in the zip); a
# registry install also records zh: (the zip's SHA-256, from SHA256SUMS). This entry has both,
# so an air-gapped configuration can commit the lock file a connected one would write.
python3 - "$version" "${zips[@]/#/$dist/}" > "$dist/${name}_${version}.terraform.lock.hcl" <<'PY'
import base64, hashlib, sys, zipfile
version, paths = sys.argv[1], sys.argv[2:]
hashes = []
for path in paths:
    with zipfile.ZipFile(path) as z:
        # Terraform's dirhash "h1": sorted "<sha256 hex>  <name>" lines, hashed again, base64.
        lines = "".join(
            f"{hashlib.sha256(z.read(n)).hexdigest()}  {n}\n"
            for n in sorted(z.namelist()) if not n.endswith("/")
        )
    hashes.append("h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode())
    hashes.append("zh:" + hashlib.sha256(open(path, "rb").read()).hexdigest())
# Terraform writes the hashes sorted.
body = "".join(f'    "{h}",\n' for h in sorted(hashes))
print(f'''provider "registry.terraform.io/openova/harbor" {{
  version     = "{version}"
  constraints = "{version}"
  hashes = [
{body}  ]
}}''')
PY

for host in registry.terraform.io registry.opentofu.org; do
  mkdir -p "$dist/mirror/$host/openova/harbor"
  for zip in "${zips[@]}"; do
    cp "$dist/$zip" "$dist/mirror/$host/openova/harbor/$zip"
  done
done

echo "release.sh: version $version (${zips[*]})"
(cd "$dist" && find . -type f | sort | sed 's|^\./|  dist/|')
cat "$dist/$sums"
