package provider_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// Plans that used to pass and then fail half-way through the apply, and are now refused at plan.

// distributionList creates the distribution list all-staff (not a security group) behind Terraform's back.
func distributionList(t *testing.T, tn *acctest.Tenant) {
	tn.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "All Staff", "PrimarySmtpAddress": tn.Address("all-staff")})
}

// Defect 9 of issue 19: a distribution list as approver group passed plan and failed at apply.
func TestAccPlan_distributionListAsApproverGroupRefused(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { distributionList(t, tn) },
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approval_policy" "move" {
  task           = %q
  approver_group = %q
}
`, moveTask, tn.Address("all-staff")),
				PlanOnly:    true,
				ExpectError: errorMatching("Approver group is not a mail-enabled security group", tn.Address("all-staff")+" is a distribution list"),
			},
			{
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
}
`, tn.Address("all-staff")),
				PlanOnly: true,
				ExpectError: errorMatching("Approver group is not a mail-enabled security group",
					`default_approver_group`, tn.Address("all-staff")+" is a distribution list"),
			},
		},
	})
}

// Defect 5 of issue 19: moving a policy to a task the tenant already guards by hand passed plan,
// removed the old policy, then failed the create: the old task was left unguarded.
func TestAccPlan_moveToGuardedTaskRefused(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base + policyHCL("move", moveTask, "Manual")},
			{
				PreConfig: func() {
					tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
						"Task": setMailboxTask, "ApprovalType": "Auto", "ApproverGroup": outOfBandGroup(t, tn),
					})
				},
				Config: base + policyHCL("move", setMailboxTask, "Manual"),
				ExpectError: errorMatching("Task already has an approval policy", setMailboxTask,
					"would remove policy", "leaving "+moveTask+" unguarded", "import {"),
			},
			{
				PreConfig: func() {
					if got := movePolicies(t, tn); len(got) != 1 {
						t.Fatalf("after the refused move want %s still guarded by its policy, got %v", moveTask, got)
					}
				},
				Config:   base + policyHCL("move", moveTask, "Manual"),
				PlanOnly: true,
			},
		},
	})
}

// Defect 6 of issue 19: a saved plan changes a policy that another admin has replaced by hand since;
// the update cannot create the new policy nor put the old one back, and the error used to say that
// the old one was put back and that the task stayed guarded by the old settings.
func TestAccApprovalPolicy_failedSwapSaysOnlyWhatWasVerified(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	group := outOfBandGroup(t, tn)
	policy := func(approvalType string) string {
		return cliProvider + fmt.Sprintf(`
resource "o365pam_approval_policy" "move" {
  task           = %q
  approval_type  = %q
  approver_group = %q
}
`, moveTask, approvalType, group)
	}
	ws := newCLIWorkspace(t, policy("Manual"), tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	writeFile(t, filepath.Join(ws.dir, "main.tf"), policy("Auto"))
	ws.mustRun("plan", "-input=false", "-out=tfplan")

	// Another admin replaces the policy by hand, approved by another group.
	tn.Exchange(t, "New-DistributionGroup", map[string]any{
		"Name": "admins", "PrimarySmtpAddress": tn.Address("admins"), "Type": "Security", "Members": []string{tn.Address("lee.gu")},
	})
	for _, p := range movePolicies(t, tn) {
		tn.Exchange(t, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
	}
	made := tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
		"Task": moveTask, "ApprovalType": "Manual", "ApproverGroup": tn.Address("admins"),
	})
	theirs := fmt.Sprint(made[0]["Identity"])

	out, code := ws.run("apply", "-input=false", "tfplan")
	flat := strings.Join(strings.Fields(out), " ")
	if code == 0 {
		t.Fatalf("the apply succeeded over another admin's policy:\n%s", out)
	}
	for _, claim := range []string{"old one was put back", "guarded by the old settings", "with the old settings"} {
		if strings.Contains(flat, claim) {
			t.Errorf("the error claims %q, but the tenant holds another admin's policy %s:\n%s", claim, theirs, out)
		}
	}
	if got := movePolicies(t, tn); len(got) != 1 || fmt.Sprint(got[0]["Identity"]) != theirs {
		t.Fatalf("want the other admin's policy %s left alone, got %v", theirs, got)
	}
	if state := ws.mustRun("state", "list"); strings.Contains(state, "o365pam_approval_policy.move") {
		if shown := ws.mustRun("state", "show", "o365pam_approval_policy.move"); strings.Contains(shown, theirs) &&
			strings.Contains(shown, group) {
			t.Errorf("state records the other admin's policy %s with this configuration's settings:\n%s", theirs, shown)
		}
	}
}

// Defect 13 of issue 19: rotating approver groups without create_before_destroy fails at apply, and
// the plan used to give no warning that the group it removes is still in use.
func TestAccApproverGroup_rotationWithoutCreateBeforeDestroyWarnsAtPlan(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	oldGroup := groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	newGroup := rotatedGroupHCL(tn)
	ws := newCLIWorkspace(t, cliProvider+oldGroup+newGroup+approvedBy("approvers"), tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	writeFile(t, filepath.Join(ws.dir, "main.tf"), cliProvider+newGroup+approvedBy("rotated"))
	out := strings.Join(strings.Fields(ws.mustRun("plan", "-input=false")), " ")
	for _, want := range []string{
		"Warning: Approver group still in use",
		"removes approver group " + tn.Address("pam-approvers"),
		"the approver group of the policy for " + moveTask,
		"the default approver group of privileged access",
		"apply twice",
	} {
		if !strings.Contains(out, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
}

// Defect 3 of issue 19: -replace under create_before_destroy failed at apply on the name or task
// already in use, then suggested importing the object already in state. Exchange allows no two groups
// of one name nor two policies for one task, and the provider is not told whether
// create_before_destroy is set: such a replacement is refused at plan with what works instead.
func TestAccReplace_createBeforeDestroy(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	cbd := func(hcl string) string {
		return strings.Replace(hcl, "\n}\n", "\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n", 1)
	}
	group := groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	policy := policyHCL("move", moveTask, "Manual")
	ws := newCLIWorkspace(t, cliProvider+cbd(group)+cbd(policy), tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	refused := func(address string, phrases ...string) {
		t.Helper()
		out, code := ws.run("apply", "-input=false", "-auto-approve", "-replace="+address)
		flat := strings.Join(strings.Fields(out), " ")
		if code == 0 || strings.Contains(flat, "import {") || strings.Contains(flat, "Error running apply") {
			t.Errorf("-replace=%s: want a refusal at plan without an import suggested, got exit %d:\n%s", address, code, out)
		}
		for _, p := range phrases {
			if !strings.Contains(flat, p) {
				t.Errorf("-replace=%s: want %q in:\n%s", address, p, out)
			}
		}
	}
	before := movePolicies(t, tn)
	refused(policyAddr, "Replacement keeps the name or task", "the policy for "+moveTask,
		"terraform apply -destroy -target=<address>")
	refused(groupAddr, "Approver group cannot be replaced while in use", "approver group of the policy for "+moveTask,
		"another name and address")
	if got := movePolicies(t, tn); len(got) != 1 || len(before) != 1 || got[0]["Identity"] != before[0]["Identity"] {
		t.Fatalf("the refused replacements changed the policy: before %v, after %v", before, got)
	}

	// What the refusal says works.
	ws.mustRun("apply", "-input=false", "-auto-approve", "-destroy", "-target="+policyAddr)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	if got := movePolicies(t, tn); len(got) != 1 || got[0]["Identity"] == before[0]["Identity"] {
		t.Errorf("want one new policy for the task in place of %v, got %v", before, got)
	}
}

// Defect 8 of issue 19: a policy under a provider alias cannot see a group planned under the default
// provider configuration (another provider process), and the error told the user to refer to the
// group as o365pam_approver_group.<name>.primary_smtp_address, which the configuration already did.
func TestAccPlan_groupPlannedUnderAnotherAlias(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	config := cliProvider + `
provider "o365pam" {
  alias = "second"
}
` + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber")) + `
resource "o365pam_approval_policy" "move" {
  provider       = o365pam.second
  task           = "Exchange\\New-MoveRequest"
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
}
`
	ws := newCLIWorkspace(t, config, tenantEnv(tn)...)
	out, code := ws.run("plan", "-input=false")
	flat := strings.Join(strings.Fields(out), " ")
	if code == 0 {
		t.Fatalf("the plan passed; the policy's provider process cannot have seen the group:\n%s", out)
	}
	for _, want := range []string{
		"Approver group not found",
		"no o365pam_approver_group planned through this resource's provider configuration",
		"planned through another provider configuration (an alias) and not created yet",
		"terraform apply -target=o365pam_approver_group.<name>",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	// What it says works.
	ws.mustRun("apply", "-input=false", "-auto-approve", "-target="+groupAddr)
	ws.mustRun("apply", "-input=false", "-auto-approve")
}
