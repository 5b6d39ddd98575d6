//go:build tf114

package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// The tests in this file need Terraform 1.14 (resource identity, terraform query, actions). They
// build only with the tf114 tag, which `make test-tf114` sets together with Terraform 1.14; run
// with an older CLI they fail rather than skip.

const withTF114Examples = true

// tf114Only fails a test driven by a CLI older than Terraform 1.14.
var tf114Only = []tfversion.TerraformVersionCheck{tfversion.RequireAbove(tfversion.Version1_14_0)}

// requireTF114 fails a test that drives the CLI itself when that CLI is older than Terraform 1.14.
func requireTF114(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Fatal("acceptance test: set TF_ACC=1 (make test-tf114 does)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if v := cliVersion(t, cli); v.LessThan(tfversion.Version1_14_0) {
		t.Fatalf("this test needs Terraform 1.14 or later; %s is %s. Run make test-tf114.", cli, v)
	}
}

// tenantHCL manages one of each: an approver group, privileged access and a policy for moveTask.
func tenantHCL(tn *acctest.Tenant, approvalType string) string {
	return tn.ProviderConfig() + fullGroupHCL(tn, "PAM Approvers", "Approves Exchange tasks", tn.Address("adele.vance"), tn.Address("lee.gu")) +
		accessHCL() + policyHCL("move", moveTask, approvalType)
}

func TestAccTF114_identityImport(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   tf114Only,
		Steps: []resource.TestStep{
			{
				Config: tenantHCL(tn, "Manual"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(groupAddr, map[string]knownvalue.Check{"id": knownvalue.StringRegexp(guidPattern)}),
					statecheck.ExpectIdentityValueMatchesState(groupAddr, tfjsonpath.New("id")),
					statecheck.ExpectIdentity(accessAddr, map[string]knownvalue.Check{"tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
					statecheck.ExpectIdentity(policyAddr, map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask)}),
				},
			},
			// An import block with the identity each object has in state imports it with no change.
			{ResourceName: groupAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: policyAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			// Exchange does not report the default approver group, so the configured one is sent again.
			{ResourceName: accessAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity, ExpectNonEmptyPlan: true},
			// A change of approval type re-creates the policy under a new GUID; its identity, the task, stays.
			{
				Config: tenantHCL(tn, "Auto"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("approval_type"), knownvalue.StringExact("Auto")),
					statecheck.ExpectIdentity(policyAddr, map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask)}),
				},
			},
		},
	})
}

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
					querycheck.ExpectIdentity("o365pam_approval_policy.all", map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask)}),
					querycheck.ExpectResourceKnownValues("o365pam_approval_policy.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask)}),
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

// actionsHCL declares the three actions. Nothing runs until one is invoked.
func actionsHCL(requestID string) string {
	return cliProvider + fmt.Sprintf(`
action "o365pam_request_access" "move" {
  config {
    task           = %[1]q
    reason         = "Move the finance mailboxes (change CHG-1234)"
    duration_hours = 2
  }
}

action "o365pam_request_access" "move_and_wait" {
  config {
    task              = %[1]q
    reason            = "Move the payroll mailboxes"
    wait_for_approval = true
    approval_timeout  = "1m"
  }
}

action "o365pam_approve_access_request" "this" {
  config {
    request_id = %[2]q
    comment    = "Approved for change CHG-1234"
  }
}

action "o365pam_deny_access_request" "this" {
  config {
    request_id = %[2]q
    comment    = "Not during the freeze"
  }
}
`, moveTask, requestID)
}

// requests lists the tenant's access requests as another admin would see them, once there are want
// of them or after the replication lag has passed: Exchange lists a new request only after it.
func requests(t *testing.T, tn *acctest.Tenant, want int) []map[string]any {
	deadline := time.Now().Add(4 * acctest.ReplicationLag)
	for {
		got := tn.Exchange(t, "Get-ElevatedAccessRequest", nil)
		if len(got) >= want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// approverEnv is env with the provider signed in as the tenant's user upn through the Azure CLI: no
// app settings, and an `az` on PATH that hands out that user's tokens, as after `az login`.
func approverEnv(t *testing.T, tn *acctest.Tenant, upn string, env []string) []string {
	dir := t.TempDir()
	script := "#!/bin/sh\ncase \"$*\" in\n"
	for _, service := range []struct{ match, scope string }{
		{"*graph*", "https://graph.microsoft.com/.default"}, {"*", "https://outlook.office365.com/.default"},
	} {
		token, err := tn.UserToken(upn, service.scope)
		if err != nil {
			t.Fatalf("signing in as %s: %v", upn, err)
		}
		answer := fmt.Sprintf(`{"accessToken": %q, "expires_on": %d, "tokenType": "Bearer"}`, token, time.Now().Add(time.Hour).Unix())
		script += fmt.Sprintf("  %s) echo '%s' ;;\n", service.match, answer)
	}
	script += "esac\n"
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "ARM_CLIENT_") && !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	return append(out, "ARM_USE_CLI=true", "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestAccTF114_accessRequestActions(t *testing.T) {
	requireTF114(t)
	tn := acctest.NewTenant(t)
	outOfBandPAM(t, tn)
	ws := newCLIWorkspace(t, actionsHCL("00000000-0000-0000-0000-000000000000"), tenantEnv(tn)...)

	// Actions run only when invoked: a plan and an apply file nothing.
	ws.mustRun("plan", "-input=false")
	ws.mustRun("apply", "-input=false", "-auto-approve")
	if got := requests(t, tn, 1); len(got) != 0 {
		t.Fatalf("plan and apply filed %d requests; actions must run only when invoked: %v", len(got), got)
	}

	out := ws.mustRun("apply", "-input=false", "-auto-approve", "-invoke=action.o365pam_request_access.move")
	filed := requests(t, tn, 1)
	if len(filed) != 1 {
		t.Fatalf("invoking the action filed %d requests, want 1:\n%s", len(filed), out)
	}
	id := fmt.Sprint(filed[0]["Identity"])
	if filed[0]["RequestStatus"] != "Pending" || filed[0]["DurationHours"] != float64(2) ||
		filed[0]["Reason"] != "Move the finance mailboxes (change CHG-1234)" {
		t.Errorf("the filed request is not as configured: %v", filed[0])
	}
	if !strings.Contains(out, "Filed access request "+id) {
		t.Errorf("the invocation does not report the request's id %s:\n%s", id, out)
	}

	// The provider signed in as the app cannot answer requests: Exchange wants an approver.
	writeFile(t, filepath.Join(ws.dir, "main.tf"), actionsHCL(id))
	out, code := ws.run("apply", "-input=false", "-auto-approve", "-invoke=action.o365pam_deny_access_request.this")
	if code == 0 || !errorMatching("Unable to deny access request "+id, "Only a member of the approver group").MatchString(out) {
		t.Fatalf("denying as the app must fail and say who can answer (exit %d):\n%s", code, out)
	}

	// An approver, signed in as herself through the Azure CLI, approves it with her comment.
	approver := *ws
	approver.env = approverEnv(t, tn, tn.Address("lee.gu"), ws.env)
	out = approver.mustRun("apply", "-input=false", "-auto-approve", "-invoke=action.o365pam_approve_access_request.this")
	answered := tn.Exchange(t, "Get-ElevatedAccessRequest", map[string]any{"Identity": id})[0]
	if answered["RequestStatus"] != "Approved" || !strings.EqualFold(fmt.Sprint(answered["ApprovedBy"]), tn.Address("lee.gu")) ||
		answered["Comment"] != "Approved for change CHG-1234" {
		t.Fatalf("the approve action did not approve the request as lee.gu with the comment: %v\n%s", answered, out)
	}

	// Waiting: the invocation ends when an approver answers.
	answerRequests(t, tn, "Approve-ElevatedAccessRequest")
	out = ws.mustRun("apply", "-input=false", "-auto-approve", "-invoke=action.o365pam_request_access.move_and_wait")
	if !errorMatching("Filed access request", "Waiting for an approver", "was approved by "+tn.Address("lee.gu")).MatchString(out) {
		t.Errorf("the waiting invocation does not report the approval:\n%s", out)
	}
}
