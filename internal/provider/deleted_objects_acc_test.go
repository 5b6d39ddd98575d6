package provider_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// A user deleted from the directory while the configuration still lists them: the plan shows the
// missing person as drift with the way forward, an apply refuses before changing anything, and
// nothing stops a destroy. These drive the CLI: they assert warnings and `destroy` as a user runs it.

// wantSaid fails the test unless the CLI's output says every phrase.
func wantSaid(t *testing.T, what, out string, phrases ...string) {
	t.Helper()
	for _, p := range phrases {
		if !strings.Contains(unwrap(out), unwrap(p)) {
			t.Errorf("%s does not say %q:\n%s", what, p, out)
		}
	}
}

func TestAccApproverGroup_deletedMemberDoesNotBlockPlanOrDestroy(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenantWith(t, emulator.Options{}) // deletes a user: emulator only
	adele, alex, lee := tn.Address("adele.vance"), tn.Address("alex.wilber"), tn.Address("lee.gu")
	group := tn.Address("pam-approvers")
	ws := newCLIWorkspace(t, cliProvider+groupHCL(tn, adele, alex, lee), tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")

	if err := tn.DeleteUser(alex); err != nil {
		t.Fatal(err)
	}
	warning := []string{"Warning: Member no longer in the directory", fmt.Sprintf("%q in members", alex),
		"Remove it from members"}

	// Terraform plans the configuration before it destroys: that plan must not fail.
	out, code := ws.run("plan", "-destroy", "-input=false", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("plan -destroy exited %d, want 2 (changes):\n%s", code, out)
	}
	out, code = ws.run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("plan exited %d, want 2 (the member is drift):\n%s", code, out)
	}
	wantSaid(t, "the plan", out, append(warning, "+ "+fmt.Sprintf("%q", alex))...)

	// The apply cannot add a person who is not there: it refuses before any change.
	out, code = ws.run("apply", "-input=false", "-auto-approve")
	if code == 0 {
		t.Fatalf("apply listing a deleted member succeeded:\n%s", out)
	}
	wantSaid(t, "the apply", out, "Error: Member no longer in the directory", alex, "Nothing was changed")
	if strings.Contains(out, "inconsistent result") || strings.Contains(out, "Unknown user") {
		t.Errorf("the apply fails in the wrong words:\n%s", out)
	}
	if got := groupMembers(t, tn, group); len(got) != 2 {
		t.Errorf("members after the refused apply = %v, want adele and lee", got)
	}
	// The way forward stays the same on the next plan, not an error.
	out, code = ws.run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("second plan exited %d, want 2:\n%s", code, out)
	}
	wantSaid(t, "the second plan", out, warning...)

	// Following the advice makes the plan empty.
	withoutAlex := cliProvider + groupHCL(tn, adele, lee)
	writeFile(t, filepath.Join(ws.dir, "main.tf"), withoutAlex)
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan without the deleted member exited %d, want 0:\n%s", code, out)
	}

	// Destroy works with the deleted member still in the configuration.
	writeFile(t, filepath.Join(ws.dir, "main.tf"), cliProvider+groupHCL(tn, adele, alex, lee))
	ws.mustRun("destroy", "-input=false", "-auto-approve")
	if _, err := tn.TryExchange("Get-DistributionGroup", map[string]any{"Identity": group}); err == nil {
		t.Fatalf("group %s still exists after destroy", group)
	}
}

func TestAccApproverGroup_deletedNewMemberIsStillAnError(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenantWith(t, emulator.Options{})
	adele, lee := tn.Address("adele.vance"), tn.Address("lee.gu")
	ws := newCLIWorkspace(t, cliProvider+groupHCL(tn, adele, lee), tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	// A person deleted before Terraform ever made them a member is a mistake in the configuration,
	// caught at plan as before.
	if err := tn.DeleteUser(tn.Address("alex.wilber")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(ws.dir, "main.tf"), cliProvider+groupHCL(tn, adele, lee, tn.Address("alex.wilber")))
	out, code := ws.run("plan", "-input=false")
	if code != 1 {
		t.Fatalf("plan exited %d, want 1:\n%s", code, out)
	}
	wantSaid(t, "the plan", out, "Error: Unknown user", tn.Address("alex.wilber"))
	writeFile(t, filepath.Join(ws.dir, "main.tf"), cliProvider+groupHCL(tn, adele, lee))
	ws.mustRun("destroy", "-input=false", "-auto-approve")
}

func TestAccPrivilegedAccess_deletedSystemAccountDoesNotBlockDestroy(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenantWith(t, emulator.Options{})
	svc := tn.Address("svc-sync")
	config := cliProvider + groupHCL(tn, tn.Address("adele.vance"), tn.Address("lee.gu")) + fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
  system_accounts        = [%q]
}
`, svc)
	ws := newCLIWorkspace(t, config, tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	if err := tn.DeleteUser(svc); err != nil {
		t.Fatal(err)
	}
	// Exchange does not report system accounts: there is no drift to show, and the plan stays empty.
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after deleting the system account exited %d, want 0:\n%s", code, out)
	}
	ws.mustRun("destroy", "-input=false", "-auto-approve")
	if tn.Server.Snapshot().PAM.Enabled {
		t.Fatal("privileged access is still on after destroy")
	}
}

// TestAccDestroyOfObjectsDeletedByHand: a group and a policy that an admin deleted by hand are
// gone for Terraform too; destroy succeeds and nothing is left. The tenant answers "not found"
// in the service's own envelope (HTTP 404), with the replication and object id lags on.
func TestAccDestroyOfObjectsDeletedByHand(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance")) + policyHCL("move", moveTask, "Manual")
	group := tn.Address("pam-approvers")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					for _, p := range movePolicies(t, tn) {
						tn.Exchange(t, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
					}
					tn.Exchange(t, "Remove-DistributionGroup", map[string]any{"Identity": group, "BypassSecurityGroupManagerCheck": true})
				},
				Config:  config,
				Destroy: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if _, err := tn.TryExchange("Get-DistributionGroup", map[string]any{"Identity": group}); err == nil ||
				!strings.Contains(err.Error(), "HTTP 404") {
				return fmt.Errorf("want the group gone (404), got %w", err)
			}
			if got := movePolicies(t, tn); len(got) != 0 {
				return fmt.Errorf("policies left: %v", got)
			}
			return nil
		},
	})
}
