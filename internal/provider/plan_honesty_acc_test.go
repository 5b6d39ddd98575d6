package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
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

// Blank text, a malformed alias and a fraction of an hour are refused by the plan, each with a
// message that says what is wrong, instead of reaching the service or the framework's conversion.
func TestAccBadInput_blankAndMalformedValuesCaughtAtPlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	group := func(lines string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  primary_smtp_address = %q
%s
}
`, tn.Address("pam-approvers"), lines)
	}
	request := func(lines string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
ephemeral "o365pam_access_request" "move" {
  task = %q
%s
}
`, moveTask, lines)
	}
	steps := []resource.TestStep{
		{Config: group(`  name = "   "`), ExpectError: errorMatching("name", "must hold more than white space")},
		{Config: group("  name = \"PAM Approvers\"\n  display_name = \" \""), ExpectError: errorMatching("display_name", "must hold more than white space")},
		{Config: group("  name = \"PAM Approvers\"\n  alias = \"pam..approvers\""), ExpectError: errorMatching("alias", "periods only between")},
		{Config: group("  name = \"PAM Approvers\"\n  alias = \".pam\""), ExpectError: errorMatching("alias", "periods only between")},
		{Config: request(`  reason = "  "`), ExpectError: errorMatching("reason", "must hold more than white space")},
		{Config: request("  reason = \"Move\"\n  duration_hours = 1.5"), ExpectError: errorMatching("duration_hours", "must be a whole number from 1 to 24", "got 1.5")},
	}
	for i := range steps {
		steps[i].PlanOnly = true
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   ephemeralVersions,
		Steps:                    steps,
	})
}

// requestCount is how many access requests the tenant holds.
func requestCount(t *testing.T, tn *acctest.Tenant) int {
	return len(tn.Exchange(t, "Get-ElevatedAccessRequest", nil))
}

func expectRequests(t *testing.T, tn *acctest.Tenant, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := requestCount(t, tn); got != want {
			return fmt.Errorf("the tenant holds %d access requests, want %d", got, want)
		}
		return nil
	}
}

// The ephemeral request files nothing unless asked to, and a plan, its apply and later plans reuse
// the one request they filed instead of filing one each.
func TestAccAccessRequestEphemeral_reusesOpenRequestAndFilesOnlyWhenAsked(t *testing.T) {
	tn := acctest.NewTenant(t)
	// Each step echoes into a new resource: the echo resource keeps what it first recorded.
	config := func(echo, lines string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
ephemeral "o365pam_access_request" "move" {
  task   = %q
  reason = "Move a mailbox for the migration"
%s
}

provider "echo" {
  data = ephemeral.o365pam_access_request.move
}

resource "echo" %q {}
`, moveTask, lines, echo)
	}
	data := tfjsonpath.New("data")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: withEcho,
		TerraformVersionChecks:   ephemeralVersions,
		Steps: []resource.TestStep{
			// Merely holding the resource files nothing.
			{
				PreConfig: func() { outOfBandPAM(t, tn) },
				Config:    config("none", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.none", data.AtMapKey("status"), knownvalue.StringExact("None")),
					statecheck.ExpectKnownValue("echo.none", data.AtMapKey("id"), knownvalue.Null()),
				},
				Check: expectRequests(t, tn, 0),
			},
			// Asked to file: the plan files one, the apply and the plans after it reuse it.
			{
				Config: config("filed", "  file_request = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.filed", data.AtMapKey("status"), knownvalue.StringExact("Pending")),
					statecheck.ExpectKnownValue("echo.filed", data.AtMapKey("id"), knownvalue.StringRegexp(guidPattern)),
				},
				Check: expectRequests(t, tn, 1),
			},
			{
				Config:   config("filed", "  file_request = true"),
				PlanOnly: true,
				Check:    expectRequests(t, tn, 1),
			},
			// A request that is no longer open is not reused.
			{
				PreConfig: func() {
					for _, r := range tn.Exchange(t, "Get-ElevatedAccessRequest", nil) {
						if _, err := tn.TryExchangeAs(tn.Address("lee.gu"), "Deny-ElevatedAccessRequest",
							map[string]any{"RequestId": r["Identity"], "Comment": "not now"}); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config: config("refiled", "  file_request = true"),
				Check:  expectRequests(t, tn, 2),
			},
		},
	})
}
