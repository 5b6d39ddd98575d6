package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// TestMain sets the acceptance harness up for every test of package provider_test; the helpers
// below are shared by the tests of several files.
func TestMain(m *testing.M) { acctest.Main(m) }

// groupHCL is an approver group resource block named "approvers".
func groupHCL(tn *acctest.Tenant, members ...string) string {
	quoted := make([]string, len(members))
	for i, m := range members {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	return fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = %q
  members              = [%s]
}
`, tn.Address("pam-approvers"), strings.Join(quoted, ", "))
}

// policyHCL is an approval policy block using the "approvers" group.
func policyHCL(name, task, approvalType string) string {
	return fmt.Sprintf(`
resource "o365pam_approval_policy" %q {
  task           = %q
  approval_type  = %q
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
}
`, name, task, approvalType)
}

// stateAttr reads one attribute of a resource from the state the test framework passes to checks.
func stateAttr(s *terraform.State, address, attr string) (string, error) {
	rs, ok := s.RootModule().Resources[address]
	if !ok {
		return "", fmt.Errorf("%s is not in state", address)
	}
	return rs.Primary.Attributes[attr], nil
}

// importIDFrom returns an ImportStateIdFunc giving one attribute of the resource under import.
func importIDFrom(address, attr string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) { return stateAttr(s, address, attr) }
}

// errorMatching builds an ExpectError pattern from phrases that must appear in order. The CLI wraps
// long messages, so every space in a phrase also matches a line break.
func errorMatching(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// outOfBandGroup creates the mail-enabled security group other-approvers behind Terraform's back,
// for objects that other admins made; keeping them off the managed group lets the test's destroy
// succeed.
func outOfBandGroup(t *testing.T, tn *acctest.Tenant) string {
	const local = "other-approvers"
	address := tn.Address(local)
	tn.Exchange(t, "New-DistributionGroup", map[string]any{
		"Name": local, "PrimarySmtpAddress": address, "Type": "Security", "Members": []string{tn.Address("lee.gu")},
	})
	return address
}
