package provider_test

import (
	"fmt"
	"net"
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
	titled := strings.Count(flat, "Error: Sign-in failed")
	errorCount := strings.Count(flat, "Error: Unable to read approver group")
	full := regexp.MustCompile(`token for \S+ from \S+/oauth2/v2\.0/token, to read approver group .*?AADSTS7000215`).FindAllString(flat, -1)
	pointers := strings.Count(flat, `Sign-in failed; the error titled "Sign-in failed" tells it in full`)
	if titled != 1 || errorCount != 2 || len(full) != 1 || pointers != 2 {
		t.Errorf("%d sign-in errors, %d other errors, %d full reports and %d pointers; want one sign-in error "+
			"telling it in full and two errors pointing at it:\n%s", titled, errorCount, len(full), pointers, out)
	}
	// The hint comes first, the identity platform's long answer last.
	title, hint, answer := strings.Index(flat, "Error: Sign-in failed"),
		strings.Index(flat, "Sign-in was refused. Check that the secret is a current one"), strings.Index(flat, "AADSTS7000215")
	if title < 0 || hint < title || answer < hint {
		t.Errorf("want the diagnostic to open with the hint and end with the answer:\n%s", out)
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

// A wrong organization makes Exchange refuse the app-only anchor; the error names the setting.
func TestAccSignIn_wrongOrganizationNamesTheSetting(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	env := withEnv(append(tenantEnv(tn), "ARM_USE_CLI=false"), "O365PAM_ORGANIZATION", "fabrikam.onmicrosoft.com")
	// The data source reads Exchange at plan time.
	ws := newCLIWorkspace(t, `
terraform {
  required_providers {
    o365pam = { source = "zerostanding/o365pam" }
  }
}

data "o365pam_privileged_access" "this" {}
`, env...)
	out, code := ws.run("plan", "-input=false")
	flat := strings.Join(strings.Fields(out), " ")
	if code == 0 || !strings.Contains(flat, "does not match the caller") ||
		!strings.Contains(flat, `"fabrikam.onmicrosoft.com" here, which is not the signed-in tenant's. Set the provider's organization setting (organization, or O365PAM_ORGANIZATION)`) {
		t.Fatalf("want Exchange's refusal with a hint naming organization, got exit %d:\n%s", code, out)
	}
}

// A sign-in host that refuses connections is not a wrong secret: say the host is unreachable.
func TestAccSignIn_unreachableHostSaysSo(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	closed, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	env := withEnv(append(tenantEnv(tn), "ARM_USE_CLI=false"), "O365PAM_AUTHORITY_HOST", "https://"+addr)
	ws := newCLIWorkspace(t, quickstartFile(t), env...)
	out, code := ws.run("plan", "-input=false")
	flat := strings.Join(strings.Fields(out), " ")
	if code == 0 || !strings.Contains(flat, "The sign-in host "+addr+" (connection refused) could not be reached") ||
		strings.Contains(flat, "Check that the secret") {
		t.Fatalf("want the unreachable host named and no word about the secret, got exit %d:\n%s", code, out)
	}
}
