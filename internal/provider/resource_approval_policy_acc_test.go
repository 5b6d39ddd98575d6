package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

const (
	policyAddr = "o365pam_approval_policy.move"
	moveTask   = `Exchange\New-MoveRequest`
)

var guidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// movePolicies lists the tenant's policies for moveTask, as another admin would see them.
func movePolicies(t *testing.T, tn *acctest.Tenant) []map[string]any {
	var out []map[string]any
	for _, p := range tn.Exchange(t, "Get-ElevatedAccessApprovalPolicy", nil) {
		if strings.EqualFold(fmt.Sprint(p["Task"]), moveTask) {
			out = append(out, p)
		}
	}
	return out
}

func TestAccApprovalPolicy_lifecycle(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if got := movePolicies(t, tn); len(got) != 0 {
				return fmt.Errorf("policy for %s still exists after destroy: %v", moveTask, got)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: base + policyHCL("move", moveTask, "Manual"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(guidPattern)),
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("task"), knownvalue.StringExact(moveTask)),
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("approval_type"), knownvalue.StringExact("Manual")),
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("approver_group"),
						knownvalue.StringExact(tn.Address("pam-approvers"))),
					sameID.AddStateValue(policyAddr, tfjsonpath.New("id")),
					newID.AddStateValue(policyAddr, tfjsonpath.New("id")),
				},
				Check: func(*terraform.State) error {
					got := movePolicies(t, tn)
					if len(got) != 1 || got[0]["ApprovalType"] != "Manual" {
						return fmt.Errorf("want one Manual policy in the tenant, got %v", got)
					}
					return nil
				},
			},
			// Import by GUID with the CLI's import command, and by task name with an import block.
			{ResourceName: policyAddr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ResourceName: policyAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: moveTask},
			// A config that changes only the case of the task is no change: same policy, same id.
			{
				Config: base + policyHCL("move", `exchange\new-moverequest`, "Manual"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(policyAddr, tfjsonpath.New("id"))},
			},
			// Changing the approval type updates in place (remove and create inside one update): new id.
			{
				Config: base + policyHCL("move", moveTask, "Auto"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(policyAddr, tfjsonpath.New("id")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("approval_type"), knownvalue.StringExact("Auto")),
					newID.AddStateValue(policyAddr, tfjsonpath.New("id")),
				},
				Check: func(*terraform.State) error {
					if got := movePolicies(t, tn); len(got) != 1 || got[0]["ApprovalType"] != "Auto" {
						return fmt.Errorf("want exactly one Auto policy in the tenant, got %v", got)
					}
					return nil
				},
			},
			// Changing the task replaces the policy.
			{
				Config: base + policyHCL("move", `Exchange\Set-Mailbox`, "Auto"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionReplace)},
				},
			},
		},
	})
}

func TestAccApprovalPolicy_drift(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance")) + policyHCL("move", moveTask, "Manual")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			// Removed by hand: the plan creates it again.
			{
				PreConfig: func() {
					for _, p := range movePolicies(t, tn) {
						tn.Exchange(t, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionCreate)},
				},
			},
			// Replaced by hand with other settings: the plan shows the settings change on the new policy.
			{
				PreConfig: func() {
					for _, p := range movePolicies(t, tn) {
						tn.Exchange(t, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
					}
					tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
						"Task": moveTask, "ApprovalType": "Auto", "ApproverGroup": tn.Address("pam-approvers"),
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if got := movePolicies(t, tn); len(got) != 1 || got[0]["ApprovalType"] != "Manual" {
						return fmt.Errorf("want the policy back to Manual, got %v", got)
					}
					return nil
				},
			},
		},
	})
}

// A failed update must leave the task guarded by its old policy.
func TestAccApprovalPolicy_failedUpdateRestoresOldPolicy(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"))
	distributionList := tn.Address("all-staff")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base + policyHCL("move", moveTask, "Manual")},
			{
				PreConfig: func() {
					tn.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "All Staff", "PrimarySmtpAddress": distributionList})
				},
				Config: base + fmt.Sprintf(`
resource "o365pam_approval_policy" "move" {
  task           = %q
  approval_type  = "Manual"
  approver_group = %q
}
`, moveTask, distributionList),
				ExpectError: errorMatching("old one was put back", "stays guarded"),
			},
			{
				PreConfig: func() {
					got := movePolicies(t, tn)
					if len(got) != 1 || !strings.EqualFold(fmt.Sprint(got[0]["ApproverGroup"]), tn.Address("pam-approvers")) {
						t.Fatalf("after the failed update want the old policy back, got %v", got)
					}
				},
				Config: base + policyHCL("move", moveTask, "Manual"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccApprovalPolicy_conflictsAndLimits(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"))
	var otherAdmins string // approver group of the policies made by hand

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base},
			// A task that already has a policy: the error names it and says how to import it.
			{
				PreConfig: func() {
					otherAdmins = outOfBandGroup(t, tn)
					tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
						"Task": moveTask, "ApprovalType": "Manual", "ApproverGroup": otherAdmins,
					})
				},
				Config: base + policyHCL("move", moveTask, "Manual"),
				ExpectError: regexp.MustCompile(`(?s)already\s+has\s+approval\s+policy\s+[0-9a-f-]{36}.*` +
					`import\s+block\s+with\s+id`),
			},
			// The 31st policy is refused with the service's reason.
			{
				PreConfig: func() {
					for i := len(tn.Exchange(t, "Get-ElevatedAccessApprovalPolicy", nil)); i < 30; i++ {
						tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
							"Task": fmt.Sprintf(`Exchange\Set-Thing%d`, i), "ApprovalType": "Auto", "ApproverGroup": otherAdmins,
						})
					}
				},
				Config:      base + policyHCL("extra", `Exchange\Set-Mailbox`, "Manual"),
				ExpectError: errorMatching("Approval policy limit reached", "already has 30 approval policies"),
			},
		},
	})
}

// A policy with exactly the planned settings is taken over rather than refused: that is what an
// apply interrupted after the create, but before the state was saved, leaves behind.
func TestAccApprovalPolicy_adoptsIdenticalPolicy(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"))
	var existingID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base},
			{
				PreConfig: func() {
					made := tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
						"Task": moveTask, "ApprovalType": "Manual", "ApproverGroup": tn.Address("pam-approvers"),
					})
					existingID = fmt.Sprint(made[0]["Identity"])
				},
				Config: base + policyHCL("move", moveTask, "Manual"),
				Check: func(s *terraform.State) error {
					got, err := stateAttr(s, policyAddr, "id")
					if err != nil {
						return fmt.Errorf("want the existing policy %s in state: %w", existingID, err)
					}
					if got != existingID {
						return fmt.Errorf("state id = %q, want the existing policy %s", got, existingID)
					}
					if all := movePolicies(t, tn); len(all) != 1 {
						return fmt.Errorf("want exactly one policy for the task, got %v", all)
					}
					return nil
				},
			},
		},
	})
}
