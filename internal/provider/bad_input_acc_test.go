package provider_test

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// providerHCL is the tenant's provider block with some attributes changed: a value replaces the
// attribute, "" leaves it out, and attributes the block lacks are added.
func providerHCL(tn *acctest.Tenant, changes map[string]string) string {
	s := tn.Server
	attrs := [][2]string{
		{"tenant_id", fmt.Sprintf("%q", s.TenantID())},
		{"client_id", fmt.Sprintf("%q", s.ClientID())},
		{"client_secret", fmt.Sprintf("%q", s.ClientSecret())},
		{"organization", fmt.Sprintf("%q", s.Organization())},
		{"authority_host", fmt.Sprintf("%q", s.BaseURL()+"/")},
		{"graph_endpoint", fmt.Sprintf("%q", s.BaseURL()+"/graph")},
		{"exchange_endpoint", fmt.Sprintf("%q", s.BaseURL()+"/exchange")},
		{"use_cli", "false"},
	}
	var b strings.Builder
	b.WriteString("provider \"o365pam\" {\n")
	seen := map[string]bool{}
	for _, a := range attrs {
		seen[a[0]] = true
		value, changed := changes[a[0]]
		if !changed {
			value = a[1]
		}
		if value != "" {
			fmt.Fprintf(&b, "  %s = %s\n", a[0], value)
		}
	}
	for name, value := range changes {
		if !seen[name] && value != "" {
			fmt.Fprintf(&b, "  %s = %s\n", name, value)
		}
	}
	return b.String() + "}\n"
}

// someGroupHCL is a valid group that makes the provider configure itself during a plan.
func someGroupHCL(tn *acctest.Tenant) string {
	return groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
}

// policyForHCL is an approval policy for the "approvers" group's task with the given approver group.
func policyForHCL(task, approvalType, approverGroup string) string {
	return fmt.Sprintf(`
resource "o365pam_approval_policy" "move" {
  task           = %q
  approval_type  = %q
  approver_group = %s
}
`, task, approvalType, approverGroup)
}

// badInputCase is one wrong configuration and the diagnostic it must produce. Most are caught at
// plan time (PlanOnly); atApply marks those only the service can refuse.
type badInputCase struct {
	name    string
	setup   func(t *testing.T, tn *acctest.Tenant) // out-of-band changes before the plan
	config  func(tn *acctest.Tenant) string        // the whole configuration
	atApply bool
	want    func(tn *acctest.Tenant) *regexp.Regexp
}

func phrases(p ...string) func(*acctest.Tenant) *regexp.Regexp {
	return func(*acctest.Tenant) *regexp.Regexp { return errorMatching(p...) }
}

// withProvider is a configuration of the tenant's provider block and the given resources.
func withProvider(resources func(tn *acctest.Tenant) string) func(*acctest.Tenant) string {
	return func(tn *acctest.Tenant) string { return tn.ProviderConfig() + resources(tn) }
}

// withChangedProvider is a configuration of a changed provider block and a valid group.
func withChangedProvider(changes map[string]string) func(*acctest.Tenant) string {
	return func(tn *acctest.Tenant) string { return providerHCL(tn, changes) + someGroupHCL(tn) }
}

// groupWith is the "approvers" group with the given attribute lines.
func groupWith(lines string) func(*acctest.Tenant) string {
	return withProvider(func(tn *acctest.Tenant) string {
		return fmt.Sprintf("resource \"o365pam_approver_group\" \"approvers\" {\n%s\n}\n",
			strings.ReplaceAll(lines, "@DOMAIN", "@"+tn.Domain()))
	})
}

// accessWith is a valid group and a privileged access resource with the given attribute lines.
func accessWith(lines string) func(*acctest.Tenant) string {
	return withProvider(func(tn *acctest.Tenant) string {
		return someGroupHCL(tn) + fmt.Sprintf("resource \"o365pam_privileged_access\" \"this\" {\n%s\n}\n",
			strings.ReplaceAll(lines, "@DOMAIN", "@"+tn.Domain()))
	})
}

// policyWith is a valid group and one policy.
func policyWith(task, approvalType, approverGroup string) func(*acctest.Tenant) string {
	return withProvider(func(tn *acctest.Tenant) string {
		return someGroupHCL(tn) + policyForHCL(task, approvalType, strings.ReplaceAll(approverGroup, "@DOMAIN", "@"+tn.Domain()))
	})
}

const approversRef = "o365pam_approver_group.approvers.primary_smtp_address"

var badInputCases = []badInputCase{
	// Provider configuration.
	{
		name:   "client secret and certificate both set",
		config: withChangedProvider(map[string]string{"client_certificate": fmt.Sprintf("%q", base64.StdEncoding.EncodeToString([]byte("not a pfx")))}),
		want:   phrases("Conflicting client credentials", "keep only one"),
	},
	{
		name:   "two client certificates",
		config: withChangedProvider(map[string]string{"client_secret": "", "client_certificate_path": `"/nonexistent/app.pfx"`, "client_certificate": `"AAAA"`}),
		want:   phrases("Conflicting client certificates"),
	},
	{
		name:   "plain http endpoint off loopback",
		config: withChangedProvider(map[string]string{"exchange_endpoint": `"http://outlook.example.com"`}),
		want:   phrases("Invalid endpoint", "plain http is allowed only on loopback"),
	},
	{
		name:   "endpoint that is not a URL",
		config: withChangedProvider(map[string]string{"graph_endpoint": `"graph.microsoft.com"`}),
		want:   phrases("Invalid endpoint", "must be an absolute URL"),
	},
	{
		name:   "endpoint with another scheme",
		config: withChangedProvider(map[string]string{"authority_host": `"ftp://login.example.com"`}),
		want:   phrases("Invalid endpoint", `scheme "ftp" is not supported`),
	},
	{
		name:   "unreadable certificate file",
		config: withChangedProvider(map[string]string{"client_secret": "", "client_certificate_path": `"/nonexistent/app.pfx"`}),
		want:   phrases("Unreadable client certificate file", "client_certificate_path"),
	},
	{
		name:   "certificate that is not base64 or PEM",
		config: withChangedProvider(map[string]string{"client_secret": "", "client_certificate": `"%%% not base64 %%%"`}),
		want:   phrases("Invalid client certificate", "neither base64-encoded PFX"),
	},
	{
		name:   "certificate that is not a certificate",
		config: withChangedProvider(map[string]string{"client_secret": "", "client_certificate": fmt.Sprintf("%q", base64.StdEncoding.EncodeToString([]byte("not a pfx")))}),
		want:   phrases("Invalid client certificate", "could not be read as a PFX"),
	},
	{
		name:   "unknown environment",
		config: withChangedProvider(map[string]string{"environment": `"mars"`}),
		want:   phrases("environment", "value must be one of"),
	},
	{
		name:   "missing tenant_id",
		config: withChangedProvider(map[string]string{"tenant_id": ""}),
		want:   phrases("No tenant for this object", "names no tenant_id", "ARM_TENANT_ID"),
	},
	{
		name:   "missing client_id",
		config: withChangedProvider(map[string]string{"client_id": ""}),
		want:   phrases("Missing client ID", "client_id"),
	},
	{
		name:   "nothing to sign in with",
		config: withChangedProvider(map[string]string{"client_secret": ""}),
		want:   phrases("No sign-in method configured"),
	},
	{
		name:   "wrong client secret",
		config: withChangedProvider(map[string]string{"client_secret": `"wrong-secret"`}),
		want:   phrases("Sign-in failed", "Sign-in was refused", "Invalid client secret"),
	},
	{
		name:   "unknown tenant",
		config: withChangedProvider(map[string]string{"tenant_id": `"00000000-0000-4000-8000-000000000000"`}),
		want:   phrases("00000000-0000-4000-8000-000000000000", "not found"),
	},

	// Approver groups.
	{
		name:   "malformed group address",
		config: groupWith(`name = "PAM Approvers"` + "\n" + `primary_smtp_address = "pam-approvers"`),
		want:   phrases("primary_smtp_address", "must be an e-mail address"),
	},
	{
		name:   "timeouts written as a block",
		config: groupWith(`name = "PAM Approvers"` + "\n" + `primary_smtp_address = "pam@DOMAIN"` + "\n" + `timeouts {` + "\n" + `create = "30m"` + "\n" + `}`),
		want:   phrases("Unsupported block type", `Did you mean to define argument "timeouts"`),
	},
	{
		name:   "malformed member address",
		config: groupWith(`name = "PAM Approvers"` + "\n" + `primary_smtp_address = "pam@DOMAIN"` + "\n" + `members = ["adele.vance"]`),
		want:   phrases("members", "must be an e-mail address"),
	},
	{
		name:   "unknown member",
		config: withProvider(func(tn *acctest.Tenant) string { return groupHCL(tn, tn.Address("nobody.here")) }),
		want:   phrases("Unknown user", "nobody.here", "is not a user of this tenant"),
	},
	{
		name: "member twice in different case",
		config: withProvider(func(tn *acctest.Tenant) string {
			return groupHCL(tn, tn.Address("adele.vance"), "ADELE.VANCE@"+tn.Domain())
		}),
		want: phrases("Person listed twice"),
	},
	{
		name:   "unknown owner",
		config: groupWith(`name = "PAM Approvers"` + "\n" + `primary_smtp_address = "pam@DOMAIN"` + "\n" + `owners = ["ghost@DOMAIN"]`),
		want:   phrases("Unknown user", "ghost@", "owners"),
	},
	{
		name:   "empty group name",
		config: groupWith(`name = ""` + "\n" + `primary_smtp_address = "pam@DOMAIN"`),
		want:   phrases("Attribute name UTF-8 character count must be between 1 and 64"),
	},
	{
		name:   "group name too long",
		config: groupWith(fmt.Sprintf("name = %q\nprimary_smtp_address = \"pam@DOMAIN\"", strings.Repeat("n", 65))),
		want:   phrases("Attribute name UTF-8 character count must be between 1 and 64, got: 65"),
	},
	{
		name:   "alias with a space",
		config: groupWith(`name = "PAM Approvers"` + "\n" + `primary_smtp_address = "pam@DOMAIN"` + "\n" + `alias = "pam approvers"`),
		want:   phrases("alias", "may hold only letters, digits"),
	},
	{
		name:    "group address outside the tenant's domains",
		config:  groupWith(`name = "PAM Approvers"` + "\n" + `primary_smtp_address = "pam@fabrikam.com"` + "\n" + `members = ["adele.vance@DOMAIN", "alex.wilber@DOMAIN"]`),
		atApply: true,
		want:    phrases("Unable to create approver group", "fabrikam.com"),
	},
	{
		name: "import a distribution list as an approver group",
		setup: func(t *testing.T, tn *acctest.Tenant) {
			tn.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "All Staff", "PrimarySmtpAddress": tn.Address("all-staff")})
		},
		config: withProvider(func(tn *acctest.Tenant) string {
			return fmt.Sprintf(`
import {
  to = o365pam_approver_group.staff
  id = %q
}
resource "o365pam_approver_group" "staff" {
  name                 = "All Staff"
  primary_smtp_address = %q
}
`, tn.Address("all-staff"), tn.Address("all-staff"))
		}),
		want: phrases("is a MailUniversalDistributionGroup, not a mail-enabled security group"),
	},

	// Tenant enablement.
	{
		name:   "malformed default approver group",
		config: accessWith(`default_approver_group = "not-an-address"`),
		want:   phrases("default_approver_group", "must be an e-mail address"),
	},
	{
		name:   "malformed system account",
		config: accessWith(`default_approver_group = ` + approversRef + "\n" + `system_accounts = ["svc-sync"]`),
		want:   phrases("system_accounts", "must be an e-mail address"),
	},
	{
		name:   "empty system account list",
		config: accessWith(`default_approver_group = ` + approversRef + "\n" + `system_accounts = []`),
		want:   phrases("system_accounts", "at least 1"),
	},
	{
		name:   "system account that is not a user",
		config: accessWith(`default_approver_group = ` + approversRef + "\n" + `system_accounts = ["no.such.account@DOMAIN"]`),
		want:   phrases("no.such.account", "not a user"),
	},
	{
		name: "import enablement of another tenant",
		config: withProvider(func(tn *acctest.Tenant) string {
			return someGroupHCL(tn) + `
import {
  to = o365pam_privileged_access.this
  id = "00000000-0000-4000-8000-000000000000"
}
resource "o365pam_privileged_access" "this" {
  default_approver_group = ` + approversRef + `
}
`
		}),
		want: phrases("Cannot reach tenant 00000000-0000-4000-8000-000000000000", "provider's own tenant is"),
	},

	// Approval policies.
	{
		name:   "bare task name",
		config: policyWith("New-MoveRequest", "Manual", approversRef),
		want:   phrases(`Use the full task name "Exchange\\New-MoveRequest"`),
	},
	{
		name:   "task that is not a cmdlet",
		config: policyWith("move mailboxes", "Manual", approversRef),
		want:   phrases("not a task name"),
	},
	{
		name:   "task with a doubled backslash",
		config: policyWith(`Exchange\\New-MoveRequest`, "Manual", approversRef),
		want:   phrases("is not in the form the service expects"),
	},
	{
		name:   "task with an unapproved verb",
		config: policyWith(`Exchange\Frobnicate-Mailbox`, "Manual", approversRef),
		want:   phrases(`does not use an approved PowerShell verb ("Frobnicate")`),
	},
	{
		name:   "unknown approval type",
		config: policyWith(moveTask, "Sometimes", approversRef),
		want:   phrases("approval_type", "Manual", "Auto"),
	},
	{
		name:   "unknown approval type",
		config: policyWith(moveTask, "Automatic", approversRef),
		want:   phrases("approval_type", "Manual"),
	},
	{
		name:   "empty approver group reference",
		config: policyWith(moveTask, "Manual", `""`),
		want:   phrases("approver_group", "must be an e-mail address"),
	},
	{
		name:   "approver group that does not exist",
		config: policyWith(moveTask, "Manual", `"nobody-approves@DOMAIN"`),
		want:   phrases("not found", "nobody-approves@"),
	},
	{
		name: "distribution list as approver group",
		setup: func(t *testing.T, tn *acctest.Tenant) {
			tn.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "All Staff", "PrimarySmtpAddress": tn.Address("all-staff")})
		},
		config:  policyWith(moveTask, "Manual", `"all-staff@DOMAIN"`),
		atApply: true,
		want:    phrases("all-staff@", "security group"),
	},
	{
		name: "31st policy",
		setup: func(t *testing.T, tn *acctest.Tenant) {
			others := outOfBandGroup(t, tn)
			for i := range 30 {
				tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
					"Task": fmt.Sprintf(`Exchange\Set-Thing%d`, i), "ApprovalType": "Auto", "ApproverGroup": others,
				})
			}
		},
		// The plan cannot tell whether it removes some of the 30 (it has not planned them), so it warns
		// and the apply refuses.
		config:  policyWith(moveTask, "Manual", approversRef),
		atApply: true,
		want:    phrases("Approval policy limit reached", "would then hold 31 approval policies"),
	},
	{
		name: "import a policy by a malformed task",
		config: withProvider(func(tn *acctest.Tenant) string {
			return someGroupHCL(tn) + "import {\n  to = o365pam_approval_policy.move\n  id = \"move mailboxes\"\n}\n" + policyForHCL(moveTask, "Manual", approversRef)
		}),
		want: phrases("Invalid import id", "GUID or by its task name"),
	},
	{
		name: "import a policy for a task that has none",
		config: withProvider(func(tn *acctest.Tenant) string {
			return someGroupHCL(tn) + "import {\n  to = o365pam_approval_policy.move\n  id = \"Exchange\\\\Set-Mailbox\"\n}\n" + policyForHCL(moveTask, "Manual", approversRef)
		}),
		want: phrases("No such approval policy", "for task"),
	},
}

// Every wrong input gets a diagnostic that names what was wrong; most are caught by the plan.
func TestAccBadInput(t *testing.T) {
	if len(badInputCases) < 25 {
		t.Fatalf("the matrix has %d cases; keep at least 25", len(badInputCases))
	}
	for _, tc := range badInputCases {
		t.Run(tc.name, func(t *testing.T) {
			tn := acctest.NewTenant(t)
			if tc.setup != nil {
				tc.setup(t, tn)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config(tn),
					PlanOnly:    !tc.atApply,
					ExpectError: tc.want(tn),
				}},
			})
		})
	}
}

// A service error names the service's request id and the provider's own client request id, so a
// failure can be traced on both sides.
func TestAccBadInput_serviceErrorCarriesRequestIDs(t *testing.T) {
	tn := acctest.NewTenant(t)
	uuid := `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: groupWith(`name = "PAM Approvers"` + "\n" + `primary_smtp_address = "pam@fabrikam.com"`)(tn),
			ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+create\s+approver\s+group.*,\s+request\s+id\s+` + uuid +
				`.*client\s+request\s+id\s+` + uuid),
		}},
	})
}

func TestAccDataSources_badInput(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + `
data "o365pam_approver_group" "this" {}
`,
				ExpectError: errorMatching("Exactly one of these attributes must be configured: [id,primary_smtp_address]"),
			},
			{
				PreConfig: func() {
					tn.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "All Staff", "PrimarySmtpAddress": tn.Address("all-staff")})
				},
				Config: tn.ProviderConfig() + fmt.Sprintf(`
data "o365pam_approver_group" "this" {
  primary_smtp_address = %q
}
`, tn.Address("all-staff")),
				ExpectError: errorMatching("Not a mail-enabled security group", tn.Address("all-staff")+" is a distribution list",
					"MailUniversalDistributionGroup"),
			},
			{
				Config: tn.ProviderConfig() + fmt.Sprintf(`
data "o365pam_approver_group" "this" {
  primary_smtp_address = %q
}
`, tn.Address("nobody")),
				ExpectError: errorMatching("No such group", tn.Address("nobody")),
			},
			{
				Config: tn.ProviderConfig() + `
data "o365pam_access_requests" "this" {
  status = "pending"
}
`,
				ExpectError: errorMatching("status", "Pending", "Approved", "Denied", "Expired"),
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
		{Config: request("  reason = \"Move\"\n  duration_hours = 1.5"), ExpectError: errorMatching("duration_hours", "must be a whole number, at least 1", "got 1.5")},
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
