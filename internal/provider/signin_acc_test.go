package provider_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// quickstartFile is examples/quickstart/main.tf as a user runs it: sign-in from the environment.
func quickstartFile(t *testing.T) string {
	raw, err := os.ReadFile(quickstartPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// withEnv returns env with name set to value, replacing any earlier value.
func withEnv(env []string, name, value string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return append(out, name+"="+value)
}

// A pipeline that sets ARM_ENVIRONMENT=global for azuread plans with the same variables.
func TestAccSignIn_azureADEnvironmentName(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	ws := newCLIWorkspace(t, quickstartFile(t), append(tenantEnv(tn), "ARM_ENVIRONMENT=global", "ARM_USE_CLI=false")...)
	out := ws.mustRun("plan", "-input=false")
	if !strings.Contains(out, "Plan: 5 to add") {
		t.Fatalf("want the quickstart planned, got:\n%s", out)
	}
}

// A wrong secret is reported once per run in full, with what was configured, what was tried and
// what to check; every other resource that needed a token points at that report.
func TestAccSignIn_wrongSecretReportedOnce(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	// Three groups that refer to nothing, so that a refresh reads them side by side.
	config := fmt.Sprintf(`
terraform {
  required_providers {
    o365pam = { source = "zerostanding/o365pam" }
  }
}

provider "o365pam" {}

resource "o365pam_approver_group" "team" {
  for_each             = toset(["one", "two", "three"])
  name                 = "PAM ${each.key}"
  primary_smtp_address = "pam-${each.key}@%[1]s"
  members              = ["adele.vance@%[1]s", "alex.wilber@%[1]s"]
}
`, tn.Domain())
	ws := newCLIWorkspace(t, config, append(tenantEnv(tn), "ARM_USE_CLI=false")...)
	ws.mustRun("apply", "-auto-approve", "-input=false")

	ws.env = withEnv(ws.env, "ARM_CLIENT_SECRET", "wrong-secret")
	out, code := ws.run("plan", "-input=false")
	if code == 0 {
		t.Fatalf("plan with a wrong secret succeeded:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ") // diagnostics wrap at the terminal's width
	errorCount := strings.Count(flat, "Error: Unable to read approver group")
	full := regexp.MustCompile(`token for \S+ from \S+/oauth2/v2\.0/token\): .*?AADSTS7000215`).FindAllString(flat, -1)
	pointers := strings.Count(flat, "Sign-in failed; another error of this run tells it in full: what was configured, what was tried and what to set.")
	if errorCount != 3 || len(full) != 1 || pointers != 2 {
		t.Errorf("%d errors, %d full reports and %d pointers; want 3 errors, one full report and two pointers:\n%s",
			errorCount, len(full), pointers, out)
	}
	for _, want := range []string{"a client secret from client_secret (ARM_CLIENT_SECRET) as application " + tn.Server.ClientID(),
		"Sign-in was refused", "secrets expire", "Only the first configured method is used"} {
		if n := strings.Count(flat, want); n != 1 {
			t.Errorf("want %q said once, got %d times", want, n)
		}
	}
}

// One CI job runs azurerm as one identity and this provider as another: O365PAM_CLIENT_ID wins
// over the job's ARM_CLIENT_ID, which here names an application the tenant does not know.
func TestAccSignIn_providerVariablesWinOverARM(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	env := append(tenantEnv(tn), "ARM_USE_CLI=false")
	env = withEnv(env, "ARM_CLIENT_ID", "00000000-0000-0000-0000-0000000000aa")
	env = withEnv(env, "O365PAM_CLIENT_ID", tn.Server.ClientID())
	ws := newCLIWorkspace(t, quickstartFile(t), env...)
	if out, code := ws.run("plan", "-input=false"); code != 0 || !strings.Contains(out, "Plan: 5 to add") {
		t.Fatalf("want the quickstart planned as O365PAM_CLIENT_ID, got exit %d:\n%s", code, out)
	}
}
