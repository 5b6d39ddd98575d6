package provider_test

import (
	"fmt"
	"path/filepath"
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
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
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

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base + policyHCL("move", moveTask, "Manual")},
			{
				PreConfig: func() {
					outOfBandGroup(t, tn)
					tn.Server.FailCmdlet("New-ElevatedAccessApprovalPolicy", 1, emulator.FaultRefused)
				},
				Config: base + fmt.Sprintf(`
resource "o365pam_approval_policy" "move" {
  task           = %q
  approval_type  = "Manual"
  approver_group = %q
}
`, moveTask, tn.Address("other-approvers")),
				ExpectError: errorMatching("guarded by policy", "with the old settings", "approver group "+tn.Address("pam-approvers")),
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
					`import\s+\{.*id\s+=\s+"[0-9a-f-]{36}"`),
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
				ExpectError: errorMatching("Approval policy limit reached", "would then hold 31 approval policies"),
			},
		},
	})
}

// Two resources may not claim one task (compared without regard to case), and a policy this apply
// did not create is never taken over, even with exactly the configured settings.
func TestAccApprovalPolicy_duplicateTasksRefusedNothingAdopted(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	var existingID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			// Two new resources for one task, spelt in different case.
			{
				Config:      base + policyHCL("move", moveTask, "Manual") + policyHCL("move_too", strings.ToLower(moveTask), "Manual"),
				PlanOnly:    true,
				ExpectError: errorMatching("Two approval policies for one task", "Keep one of them"),
			},
			{Config: base + policyHCL("move", moveTask, "Manual")},
			// A new resource for the task an existing one manages.
			{
				Config:      base + policyHCL("move", moveTask, "Manual") + policyHCL("move_too", moveTask, "Auto"),
				ExpectError: errorMatching("Two approval policies for one task"),
			},
			// A policy made by another admin with exactly the configured settings: refused with its import block.
			{
				PreConfig: func() {
					made := tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
						"Task": setMailboxTask, "ApprovalType": "Manual", "ApproverGroup": tn.Address("pam-approvers"),
					})
					existingID = fmt.Sprint(made[0]["Identity"])
				},
				Config: base + policyHCL("move", moveTask, "Manual") + policyHCL("mailbox", setMailboxTask, "Manual"),
				ExpectError: regexp.MustCompile(`(?s)Task\s+already\s+has\s+an\s+approval\s+policy.*import\s+\{.*` +
					`to\s+=\s+o365pam_approval_policy\..*id\s+=\s+"[0-9a-f-]{36}"`),
				Check: func(s *terraform.State) error {
					if _, err := stateAttr(s, "o365pam_approval_policy.mailbox", "id"); err == nil {
						return fmt.Errorf("the existing policy %s was taken over", existingID)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": existingID})
				},
				Config: base + policyHCL("move", moveTask, "Manual"),
			},
		},
	})
}

// policiesHCL is one policy block per task, all approved by the "approvers" group.
func policiesHCL(tasks ...string) string {
	var b strings.Builder
	for i, task := range tasks {
		b.WriteString(policyHCL(fmt.Sprintf("p%d", i), task, "Manual"))
	}
	return b.String()
}

// The policy limit counts what the plan creates and removes: a replace and a swap at the limit work,
// one more fails at plan, and the destroy at the limit goes through.
func TestAccApprovalPolicy_limitCountsPlanNetEffect(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	const others = 28
	atLimit := base + policyHCL("second", `Exchange\Set-User`, "Manual") + policyHCL("third", `Exchange\Set-Group`, "Manual")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := len(tn.Exchange(t, "Get-ElevatedAccessApprovalPolicy", nil)); n != others {
				return fmt.Errorf("after destroy the tenant has %d policies, want the %d made by hand", n, others)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					group := outOfBandGroup(t, tn)
					for i := range others {
						tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
							"Task": fmt.Sprintf(`Exchange\Set-Other%d`, i), "ApprovalType": "Auto", "ApproverGroup": group,
						})
					}
				},
				Config: base + policyHCL("move", moveTask, "Manual") + policyHCL("second", setMailboxTask, "Manual"),
			},
			// A task change at 30 replaces the policy.
			{
				Config: base + policyHCL("move", moveTask, "Manual") + policyHCL("second", `Exchange\Set-User`, "Manual"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("o365pam_approval_policy.second", plancheck.ResourceActionReplace),
				}},
			},
			// One removed and another added in the same plan at 30.
			{
				Config: atLimit,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction("o365pam_approval_policy.third", plancheck.ResourceActionCreate),
				}},
			},
			// One more than the limit: the plan cannot tell whether it removes the policies made by hand (it
			// never plans them), so it warns, and the apply refuses the create before making it.
			{
				Config:      atLimit + policyHCL("move", moveTask, "Manual"),
				ExpectError: errorMatching("Approval policy limit reached", "would then hold 31 approval policies"),
			},
			// The final destroy (checked by CheckDestroy) plans the configuration at 30 first.
			{Config: atLimit, PlanOnly: true},
		},
	})
}

// A configuration of 31 policies on a tenant without any fails at plan, before anything is created.
func TestAccApprovalPolicy_limitRefusesThirtyOneAtPlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	// Real cmdlets, so that the plan's only complaint is the limit.
	var tasks []string
	for _, noun := range []string{"Mailbox", "MailUser", "MailContact", "DistributionGroup", "DynamicDistributionGroup",
		"UnifiedGroup", "MoveRequest", "MigrationBatch", "TransportRule", "InboxRule", "RoleGroup"} {
		for _, verb := range []string{"New", "Set", "Remove"} {
			tasks = append(tasks, `Exchange\`+verb+"-"+noun)
		}
	}
	tasks = tasks[:maxPolicies+1]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber")) + policiesHCL(tasks...),
			ExpectError: errorMatching("Approval policy limit reached", "would then hold 31 approval policies"),
			Check: func(*terraform.State) error {
				if n := tn.Server.Stats().Cmdlets["New-ElevatedAccessApprovalPolicy"]; n != 0 {
					return fmt.Errorf("%d policies were created before the limit was reported", n)
				}
				return nil
			},
		}},
	})
	if n := tn.Server.Stats().Cmdlets["New-ElevatedAccessApprovalPolicy"]; n != 0 {
		t.Fatalf("%d policies were created before the limit was reported", n)
	}
}

// maxPolicies is Exchange's documented limit of approval policies per organization.
const maxPolicies = 30

// approval_type takes any case, as Exchange does: "auto" is accepted, the tenant gets "Auto", state
// keeps "auto", and writing it as "AUTO" later changes nothing.
func TestAccApprovalPolicy_approvalTypeAnyCase(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: base + policyHCL("move", moveTask, "auto"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("approval_type"), knownvalue.StringExact("auto")),
				},
				Check: func(*terraform.State) error {
					if got := movePolicies(t, tn); len(got) != 1 || got[0]["ApprovalType"] != "Auto" {
						return fmt.Errorf("want one Auto policy in the tenant, got %v", got)
					}
					return nil
				},
			},
			{
				Config: base + policyHCL("move", moveTask, "AUTO"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionNoop)},
				},
			},
		},
	})
}

// A task naming a cmdlet that Exchange does not have passed plan silently. The plan warns, with the
// close names the provider knows; known cmdlets, in any case, give no warning.
func TestAccApprovalPolicy_unknownCmdletWarnsAtPlan(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	group := groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	ws := newCLIWorkspace(t, cliProvider+group+policyHCL("typo", `Exchange\New-MoveRequests`, "Manual")+
		policyHCL("lower", `exchange\set-mailbox`, "Manual"), tenantEnv(tn)...)
	out := ws.mustRun("plan", "-input=false")
	unknown := []string{
		"Warning: Unknown Exchange cmdlet",
		`Did you mean Exchange\New-MoveRequest, Exchange\Get-MoveRequest, Exchange\Set-MoveRequest?`,
		"The list ships with the provider and may lag Microsoft's",
	}
	wantSaid(t, "the plan", out, append(unknown,
		`o365pam_approval_policy: task Exchange\New-MoveRequests names the cmdlet New-MoveRequests`)...)
	// Terraform folds warnings of one title into "(and one more similar warning elsewhere)".
	if strings.Count(out, "Warning: Unknown Exchange cmdlet") != 1 || strings.Contains(out, "similar warning") {
		t.Errorf("want one warning, for the typo and not for the known set-mailbox:\n%s", out)
	}

	writeFile(t, filepath.Join(ws.dir, "main.tf"), cliProvider+`
resource "o365pam_approval_policies_exclusive" "all" {
  tasks = ["Exchange\\New-MoveRequests", "exchange\\set-mailbox"]
}
`)
	out = ws.mustRun("plan", "-input=false")
	wantSaid(t, "the plan of the exclusive policies", out, append(unknown,
		`o365pam_approval_policies_exclusive: tasks Exchange\New-MoveRequests names the cmdlet New-MoveRequests`)...)
	if strings.Contains(out, "similar warning") {
		t.Errorf("want one warning, for the typo and not for the known set-mailbox:\n%s", out)
	}
}
