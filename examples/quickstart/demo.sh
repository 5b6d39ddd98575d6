#!/usr/bin/env bash
# The quickstart, end to end, against the tenant emulator: apply, a clean plan, changes made by
# hand through the service's REST endpoint, and a drift-detection plan that catches them.
# Run it with `make demo`, which builds what it needs and passes:
#   TF_CLI       the terraform or tofu binary
#   PROVIDER_DIR folder holding the freshly built provider binary
#   EMULATOR     the emulator binary
#   WORK_DIR     scratch folder (wiped)
set -euo pipefail

: "${TF_CLI:?}" "${PROVIDER_DIR:?}" "${EMULATOR:?}" "${WORK_DIR:?}"
here=$(cd "$(dirname "$0")" && pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { printf '\nDEMO FAILED: %s\n' "$*" >&2; exit 1; }

rm -rf "$WORK_DIR" && mkdir -p "$WORK_DIR/config"
cp "$here"/*.tf "$WORK_DIR/config/"

step "Starting the tenant emulator"
"$EMULATOR" -addr 127.0.0.1:0 -state "$WORK_DIR/tenant.json" >"$WORK_DIR/exports" 2>"$WORK_DIR/emulator.log" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q SSL_CERT_FILE "$WORK_DIR/exports" 2>/dev/null && break
  kill -0 "$emulator_pid" 2>/dev/null || fail "the emulator stopped: $(cat "$WORK_DIR/emulator.log")"
  sleep 0.1
done
grep -q SSL_CERT_FILE "$WORK_DIR/exports" || fail "the emulator did not start"
# shellcheck disable=SC1091
source "$WORK_DIR/exports"
sed 's/ARM_CLIENT_SECRET=.*/ARM_CLIENT_SECRET=(hidden)/' "$WORK_DIR/exports"

# Use the provider just built, without a registry: a CLI config with dev_overrides.
cat >"$WORK_DIR/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "zerostanding/o365pam" = "$PROVIDER_DIR"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$WORK_DIR/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
tf() { (cd "$WORK_DIR/config" && "$TF_CLI" "$@"); }

step "terraform apply: approver group, privileged access, three approval policies"
tf apply -no-color -auto-approve

step "terraform plan -detailed-exitcode: nothing changed, so exit code 0"
set +e; tf plan -no-color -detailed-exitcode; code=$?; set -e
[ "$code" -eq 0 ] || fail "expected exit code 0 from a plan right after apply, got $code"

step "Another admin changes PAM by hand through the Exchange REST endpoint"
token=$(curl -sS --cacert "$SSL_CERT_FILE" "$O365PAM_AUTHORITY_HOST$ARM_TENANT_ID/oauth2/v2.0/token" \
  -d grant_type=client_credentials -d "client_id=$ARM_CLIENT_ID" --data-urlencode "client_secret=$ARM_CLIENT_SECRET" \
  -d scope=https://outlook.office365.com/.default | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "could not get a token from the emulator"
invoke() { # cmdlet, parameters as JSON
  printf '   %s %s\n' "$1" "$2"
  curl -sS --fail-with-body --cacert "$SSL_CERT_FILE" -o /dev/null \
    "$O365PAM_EXCHANGE_ENDPOINT/adminapi/beta/$ARM_TENANT_ID/InvokeCommand" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -H "X-AnchorMailbox: APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$O365PAM_ORGANIZATION" \
    -d "{\"CmdletInput\":{\"CmdletName\":\"$1\",\"Parameters\":$2}}"
}
policy_id=$(tf state show -no-color 'o365pam_approval_policy.tasks["Exchange\\New-MoveRequest"]' |
  sed -n 's/^ *id *= *"\(.*\)"/\1/p')
[ -n "$policy_id" ] || fail "could not find the New-MoveRequest policy in state"
invoke Remove-ElevatedAccessApprovalPolicy "{\"Identity\":\"$policy_id\"}"
invoke Remove-DistributionGroupMember \
  "{\"Identity\":\"pam-approvers@$O365PAM_ORGANIZATION\",\"Member\":\"alex.wilber@$O365PAM_ORGANIZATION\",\"BypassSecurityGroupManagerCheck\":true}"

step "terraform plan -detailed-exitcode: drift found, so exit code 2"
set +e; tf plan -no-color -detailed-exitcode; code=$?; set -e
[ "$code" -eq 2 ] || fail "expected exit code 2 (changes) after the out-of-band changes, got $code"

step "terraform apply puts the policy and the member back"
tf apply -no-color -auto-approve
set +e; tf plan -no-color -detailed-exitcode >/dev/null; code=$?; set -e
[ "$code" -eq 0 ] || fail "expected a clean plan after the repair, got exit code $code"
echo "Plan is clean again."

step "Demo finished: every step behaved as expected"
