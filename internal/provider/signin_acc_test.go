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

// A wrong secret is reported with what was configured, what was tried and what to check. (That
// each token's refusal is told in full only once is checked by the auth package's tests: in a CLI
// run the resources still each show it in full, which is open.)
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
	full := regexp.MustCompile(`token for (\S+) from \S+/oauth2/v2\.0/token\): .*?AADSTS7000215`).FindAllStringSubmatch(flat, -1)
	repeats := strings.Count(flat, "sign-in failed earlier in this run")
	if len(full) == 0 || len(full)+repeats != strings.Count(flat, "Error: ") {
		t.Errorf("%d full reports and %d short ones; want every error to be one of them:\n%s", len(full), repeats, out)
	}
	for _, want := range []string{"a client secret from client_secret (ARM_CLIENT_SECRET) as application " + tn.Server.ClientID(),
		"Sign-in was refused", "secrets expire", "Only the first configured method is used"} {
		if strings.Count(flat, want) != len(full) {
			t.Errorf("want %q once per full report (%d), got %d", want, len(full), strings.Count(flat, want))
		}
	}
}
