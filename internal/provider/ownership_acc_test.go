package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// These tests drive the CLI directly: they assert warnings, which the test framework cannot see,
// generated configuration, -refresh=false and a killed apply.

// cliProvider is the configuration head of a CLI test: the provider reads its settings from the
// environment that tenantEnv sets.
const cliProvider = `
terraform {
  required_providers {
    o365pam = { source = "zerostanding/o365pam" }
  }
}

provider "o365pam" {}
`

// enableOutOfBand turns privileged access on as another admin would, with svc-sync as a system
// account, and returns the default approver group's address.
func enableOutOfBand(t *testing.T, tn *acctest.Tenant) string {
	group := outOfBandGroup(t, tn)
	tn.Exchange(t, "Enable-ElevatedAccessControl", map[string]any{
		"AdminGroup": group, "SystemAccounts": []string{tn.Address("svc-sync")},
	})
	return group
}

// systemAccounts lists the UPNs of the tenant's system accounts, as the emulator holds them.
func systemAccounts(tn *acctest.Tenant) []string {
	snap := tn.Server.Snapshot()
	var out []string
	for _, id := range snap.PAM.SystemAccounts {
		for _, u := range snap.Users {
			if strings.EqualFold(u.ID, id) {
				out = append(out, u.UserPrincipalName)
			}
		}
	}
	return out
}

func importAccessHCL(tn *acctest.Tenant) string {
	return fmt.Sprintf(`
import {
  to = o365pam_privileged_access.this
  id = %q
}
`, tn.Server.TenantID())
}

// Exchange does not report the system accounts in place, so after an import the first apply sends
// them blind: the plan must say which values it sends, and the accounts listed must stay.
func TestAccPrivilegedAccess_importKeepsSystemAccounts(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	group := enableOutOfBand(t, tn)
	resourceHCL := func(accounts string) string {
		return fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
  %s
}
`, group, accounts)
	}
	ws := newCLIWorkspace(t, cliProvider+importAccessHCL(tn)+resourceHCL(""), tenantEnv(tn)...)

	// system_accounts left out: the plan says the apply removes every system account.
	out, code := ws.run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("plan exited %d, want 2 (changes):\n%s", code, out)
	}
	for _, want := range []string{
		"Warning: Current default approver group unknown", "sends\ndefault_approver_group = " + group,
		"Warning: Applying removes every system account", "applying sends no system accounts",
	} {
		if !strings.Contains(unwrap(out), unwrap(want)) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}

	// Listed: the plan names the list it sends, and the apply keeps the account.
	writeFile(t, filepath.Join(ws.dir, "main.tf"), cliProvider+importAccessHCL(tn)+
		resourceHCL(fmt.Sprintf("system_accounts = [%q]", tn.Address("svc-sync"))))
	out = ws.mustRun("apply", "-input=false", "-auto-approve")
	if want := "Applying sends system_accounts = [" + tn.Address("svc-sync") + "]"; !strings.Contains(unwrap(out), unwrap(want)) {
		t.Errorf("the apply does not say %q:\n%s", want, out)
	}
	if got := systemAccounts(tn); len(got) != 1 || !strings.EqualFold(got[0], tn.Address("svc-sync")) {
		t.Fatalf("system accounts after the apply = %v, want [%s]", got, tn.Address("svc-sync"))
	}
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the apply exited %d, want 0:\n%s", code, out)
	}
}

// unwrap joins the lines the CLI wraps long diagnostics into, and drops its "│" margins.
func unwrap(s string) string {
	s = strings.ReplaceAll(s, "│", " ")
	return strings.Join(strings.Fields(s), " ")
}

// -generate-config-out writes what the import read; that configuration must plan.
func TestAccPrivilegedAccess_generatedConfigPlans(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	enableOutOfBand(t, tn)
	ws := newCLIWorkspace(t, cliProvider+importAccessHCL(tn), tenantEnv(tn)...)

	out, code := ws.run("plan", "-input=false", "-generate-config-out=generated.tf")
	if code != 0 {
		t.Fatalf("plan -generate-config-out exited %d:\n%s", code, out)
	}
	generated, err := os.ReadFile(filepath.Join(ws.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	out, code = ws.run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 || !strings.Contains(out, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("plan with the generated configuration exited %d, want an import and nothing else:\n%s\n\ngenerated.tf:\n%s",
			code, out, generated)
	}
	ws.mustRun("apply", "-input=false", "-auto-approve")
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after importing exited %d, want 0:\n%s", code, out)
	}
	if got := systemAccounts(tn); len(got) != 1 {
		t.Fatalf("system accounts after importing with the generated configuration = %v, want svc-sync kept", got)
	}
}

// Destroying the resource when privileged access is off already (here: turned off after the last
// refresh) succeeds, like removing any object that is gone.
func TestAccPrivilegedAccess_destroyWhenAlreadyOff(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	group := outOfBandGroup(t, tn)
	ws := newCLIWorkspace(t, cliProvider+fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
}
`, group), tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	tn.Exchange(t, "Disable-ElevatedAccessControl", nil)
	ws.mustRun("destroy", "-input=false", "-auto-approve", "-refresh=false")
	if out := ws.mustRun("state", "list"); strings.TrimSpace(out) != "" {
		t.Fatalf("state after destroy still lists:\n%s", out)
	}
}

// An apply killed after New-DistributionGroup answered leaves a group that state does not know.
// The next apply does not take it over: it fails with the import block to run, which then converges.
func TestAccApproverGroup_interruptedCreateAsksForImport(t *testing.T) {
	t.Parallel()
	// Reads show the new group only after a while, so the create is still reading it back when killed.
	tn := acctest.NewTenantWith(t, emulator.Options{Latency: 300 * time.Millisecond, ConsistencyDelay: 5 * time.Second})
	config := cliProvider + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	ws := newCLIWorkspace(t, config, tenantEnv(tn)...)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var output syncBuffer
	apply := ws.command(ctx, "apply", "-auto-approve", "-input=false")
	apply.Stdout, apply.Stderr = &output, &output
	apply.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that the kill reaches the provider too
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	for tn.Server.Stats().Cmdlets["New-DistributionGroup"] == 0 {
		if time.Since(started) > 4*time.Minute {
			t.Fatalf("the apply never created the group:\n%s", output.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Past the create's answer (latency 300 ms), while the provider reads the group back.
	time.Sleep(time.Second)
	if err := syscall.Kill(-apply.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = apply.Wait()
	if len(tn.Server.Snapshot().Groups) == 0 {
		t.Fatal("the killed apply created no group; the test did not interrupt what it means to")
	}

	out, code := ws.run("apply", "-auto-approve", "-input=false")
	for _, want := range []string{"exists already", "import {", "to = o365pam_approver_group.", `id = "` + tn.Address("pam-approvers") + `"`} {
		if code == 0 || !strings.Contains(out, want) {
			t.Fatalf("the apply after the kill exited %d without %q:\n%s", code, want, out)
		}
	}
	writeFile(t, filepath.Join(ws.dir, "main.tf"), config+fmt.Sprintf(`
import {
  to = o365pam_approver_group.approvers
  id = %q
}
`, tn.Address("pam-approvers")))
	ws.mustRun("apply", "-auto-approve", "-input=false")
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the import exited %d, want 0:\n%s", code, out)
	}
	if n := len(tn.Server.Snapshot().Groups); n != 1 {
		t.Fatalf("the tenant has %d groups, want the one", n)
	}
}
