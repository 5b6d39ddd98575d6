//go:build tf114

package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// listHCL asks for every object of the three kinds, with the resources config generation needs.
func listHCL(groupLimit int) string {
	return fmt.Sprintf(`
list "o365pam_approver_group" "all" {
  provider         = o365pam
  include_resource = true
  limit            = %d
}

list "o365pam_approval_policy" "all" {
  provider         = o365pam
  include_resource = true
}

list "o365pam_privileged_access" "this" {
  provider = o365pam
}
`, groupLimit)
}

func TestAccTF114_query(t *testing.T) {
	tn := acctest.NewTenant(t)
	other := tn.Address("other-approvers")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   tf114Only,
		Steps: []resource.TestStep{
			{
				// Another admin made a mail-enabled security group and a distribution list; only the
				// security group can approve, so only it is listed besides the managed group.
				PreConfig: func() {
					outOfBandGroup(t, tn)
					tn.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "All Staff", "PrimarySmtpAddress": tn.Address("all-staff")})
				},
				Config: tenantHCL(tn, "Manual"),
			},
			{
				Query:  true,
				Config: listHCL(100),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("o365pam_approver_group.all", 2),
					querycheck.ExpectResourceKnownValues("o365pam_approver_group.all",
						queryfilter.ByDisplayName(knownvalue.StringExact("PAM Approvers <"+tn.Address("pam-approvers")+">")),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("PAM Approvers")},
							{Path: tfjsonpath.New("alias"), KnownValue: knownvalue.StringExact("pam-approvers")},
							{Path: tfjsonpath.New("description"), KnownValue: knownvalue.StringExact("Approves Exchange tasks")},
							{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringRegexp(guidPattern)},
							{Path: tfjsonpath.New("members"), KnownValue: knownvalue.Null()},
						}),
					querycheck.ExpectResourceKnownValues("o365pam_approver_group.all",
						queryfilter.ByDisplayName(knownvalue.StringExact("other-approvers <"+other+">")),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("primary_smtp_address"), KnownValue: knownvalue.StringExact(other)},
							{Path: tfjsonpath.New("description"), KnownValue: knownvalue.Null()},
						}),
					querycheck.ExpectLength("o365pam_approval_policy.all", 1),
					querycheck.ExpectIdentity("o365pam_approval_policy.all", map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask), "tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
					querycheck.ExpectResourceKnownValues("o365pam_approval_policy.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask), "tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("approval_type"), KnownValue: knownvalue.StringExact("Manual")},
							{Path: tfjsonpath.New("approver_group"), KnownValue: knownvalue.StringExact(tn.Address("pam-approvers"))},
							{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringRegexp(guidPattern)},
						}),
					querycheck.ExpectLength("o365pam_privileged_access.this", 1),
					querycheck.ExpectIdentity("o365pam_privileged_access.this", map[string]knownvalue.Check{"tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
				},
			},
		},
	})
}

// CheckQuery makes statsSince a query check too: what a list cost, against what it should cost.
func (c statsSince) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	resp.Error = c.check(c.tn.Server.Stats().Sub(*c.before))
}

// TestAccTF114_queryCostsOneCallPerPage pins the cost of listing a large tenant: one Exchange call
// per page of 1,000 groups, none per group, and no Graph call.
func TestAccTF114_queryCostsOneCallPerPage(t *testing.T) {
	opts := noLags
	opts.ExtraGroups = 2500
	tn := acctest.NewTenantWith(t, opts)
	before := &emulator.Stats{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   tf114Only,
		Steps: []resource.TestStep{
			{Config: tenantHCL(tn, "Manual")},
			{
				PreConfig: func() { *before = tn.Server.Stats() },
				Query:     true,
				Config:    listHCL(5000),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("o365pam_approver_group.all", 2501),
					statsSince{tn: tn, before: before, check: func(s emulator.Stats) error {
						// Three pages of groups, the policies, and the organization config.
						want := map[string]int{"Get-DistributionGroup": 3, "Get-ElevatedAccessApprovalPolicy": 1, "Get-OrganizationConfig": 1}
						for cmdlet, n := range want {
							if s.Cmdlets[cmdlet] != n {
								return fmt.Errorf("%s ran %d times, want %d (all calls: %v)", cmdlet, s.Cmdlets[cmdlet], n, s.Cmdlets)
							}
						}
						if s.GraphRequests != 0 {
							return fmt.Errorf("the lists made %d Microsoft Graph requests, want none", s.GraphRequests)
						}
						return nil
					}},
				},
			},
		},
	})
}

// TestAccTF114_adoptWithQuery is the guide's way to adopt a tenant set up by hand: terraform query
// writes resource and import blocks, the plan imports everything and changes nothing, and after
// the apply the tenant is managed without drift.
func TestAccTF114_adoptWithQuery(t *testing.T) {
	requireTF114(t)
	tn := acctest.NewTenant(t)
	outOfBandPAM(t, tn)
	ws := newCLIWorkspace(t, cliProvider, tenantEnv(tn)...)
	writeFile(t, filepath.Join(ws.dir, "adopt.tfquery.hcl"), listHCL(100))

	out := ws.mustRun("query", "-generate-config-out=adopted.tf")
	for _, want := range []string{"o365pam_approver_group.all", tn.Address("other-approvers"), moveTask, "o365pam_privileged_access.this"} {
		if !strings.Contains(out, want) {
			t.Errorf("terraform query does not show %q:\n%s", want, out)
		}
	}
	generated, err := os.ReadFile(filepath.Join(ws.dir, "adopted.tf"))
	if err != nil {
		t.Fatalf("terraform query wrote no configuration: %v\n%s", err, out)
	}
	for _, want := range []string{"identity", `resource "o365pam_approver_group"`, `resource "o365pam_approval_policy"`, `resource "o365pam_privileged_access"`} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("the generated configuration has no %s:\n%s", want, generated)
		}
	}

	out = ws.mustRun("plan", "-input=false")
	if !strings.Contains(out, "4 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the plan of the generated configuration must import the group, privileged access and both policies and change nothing:\n%s", out)
	}
	ws.mustRun("apply", "-input=false", "-auto-approve")
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("after adopting, a plan must show no changes (exit %d):\n%s", code, out)
	}
}
