package provider_test

import (
	"fmt"
	"regexp"
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

const groupAddr = "o365pam_approver_group.approvers"

func fullGroupHCL(tn *acctest.Tenant, displayName, description string, members ...string) string {
	return fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = %q
  display_name         = %q
  alias                = "pam-approvers"
  description          = %q
  members              = %s
  owners               = [%q]
}
`, tn.Address("pam-approvers"), displayName, description, hclList(members), tn.Address("megan.bowen"))
}

func hclList(values []string) string {
	out := "["
	for i, v := range values {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", v)
	}
	return out + "]"
}

// groupMembers lists the group's members' addresses as another admin would see them.
func groupMembers(t *testing.T, tn *acctest.Tenant, group string) []string {
	var out []string
	for _, m := range tn.Exchange(t, "Get-DistributionGroupMember", map[string]any{"Identity": group}) {
		out = append(out, fmt.Sprint(m["PrimarySmtpAddress"]))
	}
	return out
}

func TestAccApproverGroup_lifecycle(t *testing.T) {
	tn := acctest.NewTenant(t)
	adele, alex, lee := tn.Address("adele.vance"), tn.Address("alex.wilber"), tn.Address("lee.gu")
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := tn.TryExchange("Get-DistributionGroup", map[string]any{"Identity": tn.Address("pam-approvers")}); err == nil {
				return fmt.Errorf("group %s still exists after destroy", tn.Address("pam-approvers"))
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + fullGroupHCL(tn, "PAM Approvers", "Approves privileged Exchange tasks", adele, alex),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(guidPattern)),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("object_id"), knownvalue.StringRegexp(guidPattern)),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("members"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(adele), knownvalue.StringExact(alex)})),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("owners"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(tn.Address("megan.bowen"))})),
					sameID.AddStateValue(groupAddr, tfjsonpath.New("id")),
				},
				Check: func(*terraform.State) error {
					got := tn.Exchange(t, "Get-DistributionGroup", map[string]any{"Identity": tn.Address("pam-approvers")})
					if len(got) != 1 || got[0]["RecipientTypeDetails"] != "MailUniversalSecurityGroup" {
						return fmt.Errorf("want one mail-enabled security group, got %v", got)
					}
					return nil
				},
			},
			{ResourceName: groupAddr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				ResourceName: groupAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: importIDFrom(groupAddr, "primary_smtp_address"),
			},
			// Settings and members change in place, and the group keeps its identity.
			{
				Config: tn.ProviderConfig() + fullGroupHCL(tn, "PAM Approvers (Exchange)", "Approves Exchange tasks", adele, lee),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(groupAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("PAM Approvers (Exchange)")),
				},
				Check: func(*terraform.State) error {
					got := groupMembers(t, tn, tn.Address("pam-approvers"))
					if len(got) != 2 {
						return fmt.Errorf("want 2 members in the tenant, got %v", got)
					}
					return nil
				},
			},
			// A member written in other case is the same member: no diff after apply.
			{
				Config: tn.ProviderConfig() + fullGroupHCL(tn, "PAM Approvers (Exchange)", "Approves Exchange tasks",
					"Adele.Vance@CONTOSO.onmicrosoft.com", lee),
			},
		},
	})
}

func TestAccApproverGroup_drift(t *testing.T) {
	tn := acctest.NewTenant(t)
	adele, alex := tn.Address("adele.vance"), tn.Address("alex.wilber")
	config := tn.ProviderConfig() + groupHCL(tn, adele, alex)
	group := tn.Address("pam-approvers")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			// A member removed by hand is put back in place.
			{
				PreConfig: func() {
					tn.Exchange(t, "Remove-DistributionGroupMember", map[string]any{
						"Identity": group, "Member": alex, "BypassSecurityGroupManagerCheck": true,
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if got := groupMembers(t, tn, group); len(got) != 2 {
						return fmt.Errorf("want both members back, got %v", got)
					}
					return nil
				},
			},
			// An alias the configuration leaves unset is not watched: no diff, new value in state.
			{
				PreConfig: func() {
					tn.Exchange(t, "Set-DistributionGroup", map[string]any{
						"Identity": group, "Alias": "renamed-by-hand", "BypassSecurityGroupManagerCheck": true,
					})
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("alias"), knownvalue.StringExact("renamed-by-hand")),
				},
			},
			// The group deleted by hand is planned for creation.
			{
				PreConfig: func() {
					tn.Exchange(t, "Remove-DistributionGroup", map[string]any{"Identity": group, "BypassSecurityGroupManagerCheck": true})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// approvedBy makes the named approver group the default approver group and the approver of a
// policy for moveTask.
func approvedBy(group string) string {
	return fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.%[1]s.primary_smtp_address
}

resource "o365pam_approval_policy" "move" {
  task           = %[2]q
  approver_group = o365pam_approver_group.%[1]s.primary_smtp_address
}
`, group, moveTask)
}

// Rotating approvers in one apply: with create_before_destroy recorded for the old group (by an
// earlier apply, so adding it then applying once is enough), Terraform moves privileged access and
// the policy to the new group before it removes the old one, and Exchange accepts every step.
func TestAccApproverGroup_rotationWithCreateBeforeDestroy(t *testing.T) {
	tn := acctest.NewTenant(t)
	group := func(name, address, lifecycle string) string {
		return fmt.Sprintf(`
resource "o365pam_approver_group" %q {
  name                 = %q
  primary_smtp_address = %q
  members              = [%q, %q]
%s}
`, name, name, tn.Address(address), tn.Address("adele.vance"), tn.Address("alex.wilber"), lifecycle)
	}
	const createBeforeDestroy = "  lifecycle {\n    create_before_destroy = true\n  }\n"
	newGroup := group("approvers-2026", "pam-approvers-2026", createBeforeDestroy)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			// Created without the setting, as most configurations start.
			{Config: tn.ProviderConfig() + group("approvers-2025", "pam-approvers-2025", "") + approvedBy("approvers-2025")},
			// Adding it changes nothing in the tenant; Terraform records it in state.
			{
				Config: tn.ProviderConfig() + group("approvers-2025", "pam-approvers-2025", createBeforeDestroy) +
					approvedBy("approvers-2025"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// One apply: new group in, everything moved, old group out.
			{
				Config: tn.ProviderConfig() + newGroup + approvedBy("approvers-2026"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("o365pam_approver_group.approvers-2025", plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction("o365pam_approver_group.approvers-2026", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("o365pam_privileged_access.this", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("o365pam_approval_policy.move", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("o365pam_privileged_access.this", tfjsonpath.New("default_approver_group"),
						knownvalue.StringExact(tn.Address("pam-approvers-2026"))),
				},
				Check: func(*terraform.State) error {
					if got := movePolicies(t, tn); len(got) != 1 || got[0]["ApproverGroup"] != tn.Address("pam-approvers-2026") {
						return fmt.Errorf("want the policy approved by the new group, got %v", got)
					}
					if groups, err := tn.TryExchange("Get-DistributionGroup", map[string]any{"Identity": tn.Address("pam-approvers-2025")}); err == nil {
						return fmt.Errorf("the old group is still in the tenant: %v", groups)
					}
					return nil
				},
			},
		},
	})
}

// rotatedGroupHCL is the approver group "rotated", the new group of a rotation.
func rotatedGroupHCL(tn *acctest.Tenant) string {
	return fmt.Sprintf(`
resource "o365pam_approver_group" "rotated" {
  name                 = "PAM Approvers 2"
  primary_smtp_address = %q
  members              = [%q, %q]
}
`, tn.Address("pam-approvers-2"), tn.Address("adele.vance"), tn.Address("alex.wilber"))
}

// Rotating approvers: Terraform removes the old group before it moves privileged access and the
// policy, which Exchange refuses; the error says how to rotate (two applies), and that works.
func TestAccApproverGroup_rotationInOneApply(t *testing.T) {
	tn := acctest.NewTenant(t)
	oldGroup := groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	newGroup := rotatedGroupHCL(tn)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tn.ProviderConfig() + oldGroup + newGroup + approvedBy("approvers")},
			{
				Config:      tn.ProviderConfig() + newGroup + approvedBy("rotated"),
				ExpectError: errorMatching("Unable to remove approver group", "apply twice"),
			},
			{Config: tn.ProviderConfig() + oldGroup + newGroup + approvedBy("rotated")},
			{
				Config: tn.ProviderConfig() + newGroup + approvedBy("rotated"),
				Check: func(*terraform.State) error {
					if got := movePolicies(t, tn); len(got) != 1 || got[0]["ApproverGroup"] != tn.Address("pam-approvers-2") {
						return fmt.Errorf("want the policy approved by the new group, got %v", got)
					}
					return nil
				},
			},
		},
	})
}

// TestAccApproverGroup_owners: a group must keep at least one owner, so an empty list is refused
// at plan time, and removing owners from the configuration stops managing them: the plan shows no
// change and the owners stay.
func TestAccApproverGroup_owners(t *testing.T) {
	tn := acctest.NewTenant(t)
	megan := tn.Address("megan.bowen")
	withOwners := func(owners string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = %q
  %s
}
`, tn.Address("pam-approvers"), owners)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      withOwners("owners = []"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)owners.*at least 1`),
			},
			{
				Config: withOwners(fmt.Sprintf("owners = [%q]", megan)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("owners"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(megan)})),
				},
			},
			{
				Config: withOwners(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					g := tn.Exchange(t, "Get-DistributionGroup", map[string]any{"Identity": tn.Address("pam-approvers")})
					if owners := fmt.Sprint(g[0]["ManagedBy"]); owners == "[]" {
						return fmt.Errorf("owners were cleared: %v", owners)
					}
					return nil
				},
			},
		},
	})
}
