#!/usr/bin/env bash
# Checks release signing the way a registry does, with a throwaway GPG key made here (never a
# real one): scripts/release.sh --gpg-key signs the SHA256SUMS; the detached signature must
# verify against the exported public key in a fresh keyring, every archive must match its sum,
# and a sums file changed by one byte must NOT verify.
#
# Usage: scripts/release-signing-test.sh [release.sh arguments, e.g. --binary target/debug/terraform-provider-harbor]
set -euo pipefail
cd "$(dirname "$0")/.."

command -v gpg >/dev/null || { echo "release-signing-test: gpg is missing (apt-get install gnupg)" >&2; exit 1; }
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
export GNUPGHOME=$keys/signer
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "release test <release-test@example.invalid>" ed25519 sign 1d 2>/dev/null
fpr=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ { print $10; exit }')
[[ -n $fpr ]] || { echo "release-signing-test: no key was generated" >&2; exit 1; }

scripts/release.sh "$@" --gpg-key "$fpr"

version=$(awk '/^\[/ { p = ($0 == "[package]") } p && /^version *= *"/ { gsub(/^version *= *"|".*$/, ""); print; exit }' Cargo.toml)
sums=dist/terraform-provider-harbor_${version}_SHA256SUMS
fail() { echo "release-signing-test: FAILED: $*" >&2; exit 1; }
[[ -s $sums.sig ]] || fail "$sums.sig is missing"

# A verifier that knows only the published public key, as the registry does.
export GNUPGHOME=$keys/verifier
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --import "dist/terraform-provider-harbor_${version}_signing-key.asc" 2>/dev/null
# Read whole, then searched: `gpg ... | grep -q` under pipefail fails if gpg is still writing
# status lines when grep has found its match and closed the pipe.
status="$(gpg --batch --status-fd 1 --verify "$sums.sig" "$sums" 2>/dev/null)" || true
grep -q "^\[GNUPG:\] VALIDSIG $fpr " <<<"$status" \
  || fail "the signature of $sums does not verify with the exported key $fpr"
(cd dist && sha256sum --check --quiet "$(basename "$sums")") || fail "an archive does not match $sums"

# The check must be able to fail: one changed byte in the sums breaks the signature. The first
# hex digit is swapped for another (0 for 1, anything else for 0), so it changes whatever the
# hash begins with (the earlier form always wrote 1, and a hash beginning with 1 stayed whole).
sed '1s/^0/#/;1s/^[^#]/0/;1s/^#/1/' "$sums" > "$keys/tampered"
cmp -s "$sums" "$keys/tampered" && fail "could not alter the sums file for the negative check"
if gpg --batch --verify "$sums.sig" "$keys/tampered" 2>/dev/null; then
  fail "a changed sums file verified: the signature check proves nothing"
fi
echo "release-signing-test: OK ($(wc -l < "$sums") sums signed by throwaway key $fpr; a changed byte is refused)"
