//go:build policytest

package provider_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// The policy pack in examples/policies, run by OPA on the JSON of real plans against the emulator,
// as the guide "Reviewing PAM changes" shows: the quickstart passes, and a plan that breaks each
// rule fails with that rule's message. `make policy-test` runs it with a pinned OPA
// (O365PAM_OPA); it is left out of `make test`, which has no OPA.

const policiesDir = "../../examples/policies"

// opaDeny evaluates the pack's deny rules on the saved plan and returns OPA's output and exit code.
func opaDeny(t *testing.T, ws *cliWorkspace, query string) (string, int) {
	t.Helper()
	opa := os.Getenv("O365PAM_OPA")
	if opa == "" {
		t.Fatal("O365PAM_OPA is not set: run `make policy-test`, which builds the pinned OPA")
	}
	ws.mustRun("plan", "-input=false", "-out=tfplan")
	show := exec.Command(ws.cli, "show", "-json", "tfplan")
	show.Dir, show.Env = ws.dir, ws.env
	planJSON, err := show.Output()
	if err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	writeFile(t, filepath.Join(ws.dir, "plan.json"), string(planJSON))
	policies, err := filepath.Abs(policiesDir)
	if err != nil {
		t.Fatal(err)
	}
	eval := exec.Command(opa, "eval", "--fail-defined", "--format", "pretty", "--data", policies, "--input", "plan.json", query)
	eval.Dir = ws.dir
	out, err := eval.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		t.Fatalf("running opa: %v\n%s", err, out)
		return "", 0
	}
}

func TestAccPolicies_planJSON(t *testing.T) {
	tn := acctest.NewTenant(t)
	ws := newCLIWorkspace(t, quickstartFile(t), append(tenantEnv(tn), "ARM_USE_CLI=false")...)

	out, code := opaDeny(t, ws, "data.o365pam.deny[message]")
	if code != 0 {
		t.Fatalf("the quickstart's plan breaks the policy pack (exit %d):\n%s", code, out)
	}
	warnings, _ := opaDeny(t, ws, "data.o365pam.warn[message]")
	if !strings.Contains(warnings, `system accounts change (added: [\"svc-sync@`) {
		t.Errorf("want the new system account flagged, got:\n%s", warnings)
	}
	ws.mustRun("apply", "-auto-approve", "-input=false")

	// One licensed approver left, an automatic policy for a task not allowed to be one, and
	// privileged access removed from the configuration (so destroyed).
	config := quickstartFile(t)
	for old, replacement := range map[string]string{
		`"alex.wilber@${var.domain}",`:                      "",
		`"megan.bowen@${var.domain}",`:                      `"nestor.wilke@${var.domain}",`,
		`"Exchange\\Add-MailboxPermission" = "Manual"`:      `"Exchange\\Add-MailboxPermission" = "Auto"`,
		"  depends_on = [o365pam_privileged_access.this]\n": "",
	} {
		if !strings.Contains(config, old) {
			t.Fatalf("the quickstart no longer holds %q", old)
		}
		config = strings.Replace(config, old, replacement, 1)
	}
	start := strings.Index(config, `resource "o365pam_privileged_access" "this" {`)
	end := start + strings.Index(config[start:], "}\n") + 2
	config = config[:start] + config[end:]
	writeFile(t, filepath.Join(ws.dir, "main.tf"), config)

	out, code = opaDeny(t, ws, "data.o365pam.deny[message]")
	if code == 0 {
		t.Fatalf("a plan that breaks every rule passed the policy pack:\n%s", out)
	}
	for _, want := range []string{
		`o365pam_approval_policy.tasks[\"Exchange\\\\Add-MailboxPermission\"]: the policy for Exchange\\Add-MailboxPermission approves Auto; every approval policy must be Manual`,
		"o365pam_approver_group.approvers: pam-approvers@" + tn.Domain() + " has 1 licensed approver(s); every approver group needs at least 2",
		"o365pam_privileged_access.this: the plan destroys privileged access",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("OPA's answer lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Set-Mailbox") {
		t.Errorf("the allow-listed automatic policy was denied:\n%s", out)
	}
}
