package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// Names and display names are limited in characters, not bytes: a name in Japanese takes three
// bytes a character.
func TestAccApproverGroup_lengthsCountCharacters(t *testing.T) {
	tn := acctest.NewTenant(t)
	name := strings.Repeat("承認", 14)            // 28 characters, 84 bytes
	displayName := strings.Repeat("特権アクセス", 40) // 240 characters, 720 bytes
	config := func(name string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = %q
  display_name         = %q
  primary_smtp_address = %q
}
`, name, displayName, tn.Address("pam-approvers"))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(strings.Repeat("承", 65)),
				PlanOnly:    true,
				ExpectError: errorMatching("name", "between 1 and 64", "got: 65"),
			},
			{
				Config: config(name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("display_name"), knownvalue.StringExact(displayName)),
				},
			},
		},
	})
}

// caseEditHCL is a group, privileged access and a policy, with every value that is compared
// without regard to case spelled by spell.
func caseEditHCL(tn *acctest.Tenant, spell func(string) string) string {
	return tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = %q
  alias                = %q
  members              = [%q, %q]
  owners               = [%q]
}

resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
  system_accounts        = [%q]
}

resource "o365pam_approval_policy" "move" {
  task           = %q
  approver_group = %q
  depends_on     = [o365pam_approver_group.approvers]
}
`, spell(tn.Address("pam-approvers")), spell("pam-approvers"), spell(tn.Address("adele.vance")), spell(tn.Address("alex.wilber")),
		spell(tn.Address("megan.bowen")), spell(tn.Address("svc-sync")), spell(moveTask), spell(tn.Address("pam-approvers")))
}

// Changing only the case of a task, an address or a person changes nothing in the tenant, so the
// plan shows no change, and state keeps the spelling it has.
func TestAccPlan_caseOnlyEditsPlanNoChanges(t *testing.T) {
	tn := acctest.NewTenant(t)
	same := func(s string) string { return s }
	const policyAddr = "o365pam_approval_policy.move"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: caseEditHCL(tn, same)},
			{
				Config: caseEditHCL(tn, strings.ToUpper),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("primary_smtp_address"), knownvalue.StringExact(tn.Address("pam-approvers"))),
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("members"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(tn.Address("adele.vance")), knownvalue.StringExact(tn.Address("alex.wilber")),
					})),
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("task"), knownvalue.StringExact(moveTask)),
				},
			},
			{
				Config: caseEditHCL(tn, strings.ToLower),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// An unset display name is the name: it follows a rename, and a display name changed outside
// Terraform shows in the plan.
func TestAccApproverGroup_displayNameDefaultFollowsName(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := func(name string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = %q
  primary_smtp_address = %q
}
`, name, tn.Address("pam-approvers"))
	}
	displayName := func(want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("display_name"), knownvalue.StringExact(want))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("PAM Approvers"), ConfigStateChecks: []statecheck.StateCheck{displayName("PAM Approvers")}},
			{
				Config: config("Exchange Approvers"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(groupAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Exchange Approvers")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{displayName("Exchange Approvers")},
				Check: func(*terraform.State) error {
					got := tn.Exchange(t, "Get-DistributionGroup", map[string]any{"Identity": tn.Address("pam-approvers")})
					if got[0]["DisplayName"] != "Exchange Approvers" {
						return fmt.Errorf("Exchange shows display name %v, want Exchange Approvers", got[0]["DisplayName"])
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "Set-DistributionGroup", map[string]any{"Identity": tn.Address("pam-approvers"), "DisplayName": "Renamed by hand", "BypassSecurityGroupManagerCheck": true})
				},
				Config: config("Exchange Approvers"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(groupAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Exchange Approvers")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{displayName("Exchange Approvers")},
			},
		},
	})
}

// A nested group and a mail contact added to an approver group by hand are read like any member:
// they show in state, and the plan removes them.
func TestAccApproverGroup_nestedGroupsAndContactsShowAsDrift(t *testing.T) {
	tn := acctest.NewTenant(t)
	adele, alex := tn.Address("adele.vance"), tn.Address("alex.wilber")
	const partner = "partner@fabrikam.com"
	members := func(want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(want))
		for i, w := range want {
			checks[i] = knownvalue.StringExact(w)
		}
		return statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("members"), knownvalue.SetExact(checks))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tn.ProviderConfig() + groupHCL(tn, adele, alex)},
			{
				PreConfig: func() {
					nested := outOfBandGroup(t, tn)
					tn.Exchange(t, "New-MailContact", map[string]any{"Name": "Fabrikam Partner", "ExternalEmailAddress": partner})
					for _, m := range []string{nested, partner} {
						tn.Exchange(t, "Add-DistributionGroupMember", map[string]any{
							"Identity": tn.Address("pam-approvers"), "Member": m, "BypassSecurityGroupManagerCheck": true,
						})
					}
				},
				Config:             tn.ProviderConfig() + groupHCL(tn, adele, alex),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: func(s *terraform.State) error {
					got := s.RootModule().Resources[groupAddr].Primary.Attributes
					want := map[string]bool{adele: true, alex: true, tn.Address("other-approvers"): true, partner: true}
					if got["members.#"] != "4" {
						return fmt.Errorf("state holds %s members, want 4 (%v)", got["members.#"], want)
					}
					for k, v := range got {
						if strings.HasPrefix(k, "members.") && k != "members.#" && !want[v] {
							return fmt.Errorf("state holds member %s, want only %v", v, want)
						}
					}
					return nil
				},
			},
			{
				Config: tn.ProviderConfig() + groupHCL(tn, adele, alex),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(groupAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{members(adele, alex)},
				Check: func(*terraform.State) error {
					if got := groupMembers(t, tn, tn.Address("pam-approvers")); len(got) != 2 {
						return fmt.Errorf("the group's members are %v, want only %s and %s", got, adele, alex)
					}
					return nil
				},
			},
		},
	})
}
