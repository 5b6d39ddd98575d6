//go:build policytest

package provider_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// The policy pack in examples/policies, run by OPA on the JSON of real plans against the emulator,
// and by conftest, as the guide "Reviewing PAM changes" shows: the quickstart passes, and a plan
// that breaks each rule fails with that rule's message. `make policy-test` runs it with the pinned
// OPA and conftest (O365PAM_OPA, O365PAM_CONFTEST); it is left out of `make test`, which has
// neither.

const policiesDir = "../../examples/policies"

// opaDeny evaluates the pack's deny rules on the saved plan and returns OPA's output and exit code.
func opaDeny(t *testing.T, ws *cliWorkspace, query string) (string, int) {
	t.Helper()
	opa := os.Getenv("O365PAM_OPA")
	if opa == "" {
		t.Fatal("O365PAM_OPA is not set: run `make policy-test`, which builds the pinned OPA")
	}
	savePlanJSON(t, ws)
	policies, err := filepath.Abs(policiesDir)
	if err != nil {
		t.Fatal(err)
	}
	return runTool(t, ws.dir, opa, "eval", "--fail-defined", "--format", "raw", "--data", policies, "--input", "plan.json", query)
}

// savePlanJSON saves a plan of the workspace as plan.json, as the guide does.
func savePlanJSON(t *testing.T, ws *cliWorkspace) {
	t.Helper()
	ws.mustRun("plan", "-input=false", "-out=tfplan")
	show := exec.Command(ws.cli, "show", "-json", "tfplan")
	show.Dir, show.Env = ws.dir, ws.env
	planJSON, err := show.Output()
	if err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	writeFile(t, filepath.Join(ws.dir, "plan.json"), string(planJSON))
}

// runTool runs a policy tool in dir and returns its output and exit code.
func runTool(t *testing.T, dir, tool string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), tool, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		t.Fatalf("running %s: %v\n%s", tool, err, out)
		return "", 0
	}
}

// conftestArgs is the guide's conftest command after `conftest test`, run from the folder that
// holds plan.json and the pack copied as policies/.
const conftestArgs = "--policy policies --data policies --namespace o365pam plan.json"

// conftest runs the guide's command, with --output when format is not empty, in a copy of the
// workspace's plan.json beside the pack.
func conftest(t *testing.T, ws *cliWorkspace, format string, extraData ...string) (string, int) {
	t.Helper()
	bin := os.Getenv("O365PAM_CONFTEST")
	if bin == "" {
		t.Fatal("O365PAM_CONFTEST is not set: run `make policy-test`, which builds the pinned conftest")
	}
	if err := os.CopyFS(filepath.Join(ws.dir, "policies"), os.DirFS(policiesDir)); err != nil && !errors.Is(err, fs.ErrExist) {
		t.Fatal(err)
	}
	args := append([]string{"test"}, strings.Fields(conftestArgs)...)
	for _, d := range extraData {
		args = append(args, "--data", d)
	}
	if format != "" {
		args = append(args, "--output", format)
	}
	return runTool(t, ws.dir, bin, args...)
}

func TestAccPolicies_planJSON(t *testing.T) {
	tn := acctest.NewTenant(t)
	ws := newCLIWorkspace(t, quickstartFile(t), append(tenantEnv(tn), "ARM_USE_CLI=false")...)

	out, code := opaDeny(t, ws, "data.o365pam.deny[message]")
	if code != 0 {
		t.Fatalf("the quickstart's plan breaks the policy pack (exit %d):\n%s", code, out)
	}
	if out, code := conftest(t, ws, ""); code != 0 {
		t.Fatalf("the quickstart's plan fails the guide's conftest command (exit %d):\n%s", code, out)
	}
	warnings, _ := opaDeny(t, ws, "data.o365pam.warn[message]")
	if !strings.Contains(warnings, `system accounts change (added: ["svc-sync@`) {
		t.Errorf("want the new system account flagged, got:\n%s", warnings)
	}
	ws.mustRun("apply", "-auto-approve", "-input=false")

	// One unlicensed approver left, an automatic policy for a task not allowed to be one, a policy
	// removed and privileged access removed from the configuration (so destroyed).
	config := quickstartFile(t)
	for old, replacement := range map[string]string{
		`"adele.vance@${var.domain}",`:                      "",
		`"alex.wilber@${var.domain}",`:                      "",
		`"megan.bowen@${var.domain}",`:                      `"nestor.wilke@${var.domain}",`,
		`"Exchange\\New-MoveRequest"       = "Manual"`:      "",
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
	denials := []string{
		`o365pam_approval_policy.tasks["Exchange\\Add-MailboxPermission"]: the policy for Exchange\Add-MailboxPermission approves Auto; every approval policy must be Manual`,
		"o365pam_approver_group.approvers: pam-approvers@" + tn.Domain() + " has 0 licensed approver(s); every approver group needs at least 2",
		"o365pam_approver_group.approvers: pam-approvers@" + tn.Domain() + " has 1 member(s); an approver group needs at least 2",
		`o365pam_approval_policy.tasks["Exchange\\New-MoveRequest"]: the plan removes the approval policy for Exchange\New-MoveRequest, which leaves the task unguarded`,
		"o365pam_privileged_access.this: the plan destroys privileged access",
	}
	for _, want := range denials {
		if !strings.Contains(out, want) {
			t.Errorf("OPA's answer lacks %q:\n%s", want, out)
		}
		if n := strings.Count(out, want); n > 1 {
			t.Errorf("OPA printed %q %d times", want, n)
		}
	}
	if strings.Contains(out, "Set-Mailbox") {
		t.Errorf("the allow-listed automatic policy was denied:\n%s", out)
	}

	// conftest: the guide's command, then the formats review systems read.
	out, code = conftest(t, ws, "")
	if code == 0 {
		t.Fatalf("conftest passed a plan that breaks every rule:\n%s", out)
	}
	for _, want := range denials {
		if !strings.Contains(out, want) {
			t.Errorf("conftest's answer lacks %q:\n%s", want, out)
		}
	}
	sarif, _ := conftest(t, ws, "sarif")
	validateSARIF(t, sarif)
	if !strings.Contains(sarif, "has 1 member(s)") {
		t.Errorf("the SARIF output lacks the findings:\n%s", sarif)
	}
	for format, want := range map[string]string{"github": "::error", "azuredevops": "##vso[task.logissue type=error"} {
		if annotations, _ := conftest(t, ws, format); !strings.Contains(annotations, want+"") || !strings.Contains(annotations, "has 1 member(s)") {
			t.Errorf("conftest --output %s lacks %q annotations:\n%s", format, want, annotations)
		}
	}

	// The documented exception input lets this change remove a policy and turn privileged access off.
	writeFile(t, filepath.Join(ws.dir, "exceptions.json"), `{"o365pam_exceptions": {
  "remove_approval_policies": ["Exchange\\New-MoveRequest"], "disable_privileged_access": true}}`)
	out, _ = conftest(t, ws, "", "exceptions.json")
	if strings.Contains(out, "leaves the task unguarded") || strings.Contains(out, "destroys privileged access") ||
		!strings.Contains(out, "has 1 member(s)") {
		t.Errorf("with the exceptions, want only the other rules to deny:\n%s", out)
	}
}
