package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var (
	e5       = pamtenant.Sku{SkuPartNumber: "SPE_E5", ServicePlans: []string{"EXCHANGE_S_ENTERPRISE", "PAM_ENTERPRISE"}}
	e3       = pamtenant.Sku{SkuPartNumber: "SPE_E3", ServicePlans: []string{"EXCHANGE_S_ENTERPRISE"}}
	approver = "pam-approvers@contoso.com"
)

// diagsOf runs a finding through addTo, as ModifyPlan does.
func diagsOf(f *finding) diag.Diagnostics {
	var diags diag.Diagnostics
	f.addTo(&diags)
	return diags
}

// wantDiag checks one diagnostic's severity, attribute and wording.
func wantDiag(t *testing.T, diags diag.Diagnostics, severity diag.Severity, attr string, phrases ...string) {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %d: %v", len(diags), diags)
	}
	d := diags[0]
	if d.Severity() != severity {
		t.Errorf("severity = %v, want %v", d.Severity(), severity)
	}
	withPath, ok := d.(diag.DiagnosticWithPath)
	switch {
	case attr == "" && ok:
		t.Errorf("want no attribute path, got %s", withPath.Path())
	case attr != "" && (!ok || !withPath.Path().Equal(path.Root(attr))):
		t.Errorf("want attribute path %s, got %v", attr, d)
	}
	text := d.Summary() + "\n" + d.Detail()
	for _, p := range phrases {
		if !strings.Contains(text, p) {
			t.Errorf("diagnostic %q lacks %q", text, p)
		}
	}
}

func TestApproverCountFinding(t *testing.T) {
	wantDiag(t, diagsOf(approverCountFinding(approver, nil)), diag.SeverityWarning, "members",
		"Approver group has no members", "nobody can approve")
	wantDiag(t, diagsOf(approverCountFinding(approver, []string{"adele@contoso.com"})), diag.SeverityWarning, "members",
		"single approver", "adele@contoso.com", "single point of failure", "Add at least one more member")
	if f := approverCountFinding(approver, []string{"a@contoso.com", "b@contoso.com"}); f != nil {
		t.Errorf("two approvers: want no finding, got %+v", f)
	}
}

func TestUnlicensedApproversFinding(t *testing.T) {
	wantDiag(t, diagsOf(unlicensedApproversFinding(approver, []string{"nestor@contoso.com"})), diag.SeverityWarning,
		"members", "Approvers without a privileged access licence", "nestor@contoso.com of "+approver+" has no licence",
		"cannot approve or deny", "Microsoft 365 E5")
	if f := unlicensedApproversFinding(approver, nil); f != nil {
		t.Errorf("everyone licensed: want no finding, got %+v", f)
	}
}

func TestPAMSubscriptionFinding(t *testing.T) {
	wantDiag(t, diagsOf(pamSubscriptionFinding("tenant-1", []pamtenant.Sku{e3})), diag.SeverityError, "",
		"No subscription includes privileged access management", "Tenant tenant-1", "it has: SPE_E3", "Subscribe")
	wantDiag(t, diagsOf(pamSubscriptionFinding("tenant-1", nil)), diag.SeverityError, "", "it has: none")
	if f := pamSubscriptionFinding("tenant-1", []pamtenant.Sku{e3, e5}); f != nil {
		t.Errorf("E5 tenant: want no finding, got %+v", f)
	}
}

func TestPolicyLimitFinding(t *testing.T) {
	wantDiag(t, diagsOf(policyLimitFinding(31, `Exchange\Set-Mailbox`)), diag.SeverityError, "task",
		"Approval policy limit reached", "would then hold 31 approval policies", `Exchange\Set-Mailbox`)
	if f := policyLimitFinding(30, `Exchange\Set-Mailbox`); f != nil {
		t.Errorf("30 policies: want no finding, got %+v", f)
	}
}

func TestApprovingSystemAccounts(t *testing.T) {
	approvers := []pamtenant.User{
		{ID: "1", UserPrincipalName: "adele@contoso.com"},
		{ID: "2", UserPrincipalName: "svc-sync@contoso.com", ProxyAddresses: []string{"smtp:sync@contoso.com"}},
	}
	got := approvingSystemAccounts([]string{"SVC-SYNC@contoso.com", "sync@contoso.com", "svc-other@contoso.com"}, approvers)
	if strings.Join(got, ",") != "SVC-SYNC@contoso.com,sync@contoso.com" {
		t.Errorf("approvingSystemAccounts = %v, want the two spellings of svc-sync", got)
	}
	wantDiag(t, diagsOf(approvingSystemAccountsFinding(approver, []string{"svc-sync@contoso.com"})), diag.SeverityWarning,
		"system_accounts", "System accounts are also approvers", "svc-sync@contoso.com is a system account",
		"a member of the default approver group "+approver, "can approve other people's requests")
	if f := approvingSystemAccountsFinding(approver, nil); f != nil {
		t.Errorf("no overlap: want no finding, got %+v", f)
	}
}

func TestErrorFindings(t *testing.T) {
	wantDiag(t, diagsOf(unknownApproverGroupFinding("approver_group", "typo@contoso.com")), diag.SeverityError, "approver_group",
		"Approver group not found", "Exchange has no group typo@contoso.com", "o365pam_approver_group.<name>.primary_smtp_address",
		"another provider configuration (an alias)", "terraform apply -target=")
	wantDiag(t, diagsOf(notAUserFinding("no.one@contoso.com")), diag.SeverityError, "system_accounts",
		"System account is not a user", `"no.one@contoso.com" in system_accounts is not a user`)
}

// The policy limit check under -parallelism=1-like ordering (issue 22): the creation of a swap at the
// limit is planned before the removal. The check may neither wait for the removal nor refuse: it
// warns, and once the removal is planned the count fits.
func TestCheckPolicyLimitIndependentOfPlanOrder(t *testing.T) {
	policies := make([]pamtenant.ApprovalPolicy, maxApprovalPolicies)
	for i := range policies {
		policies[i] = pamtenant.ApprovalPolicy{Identity: fmt.Sprintf("id-%d", i)}
	}
	const task = `Exchange\Set-Mailbox`

	swap := &tenantClient{policies: newPolicyBook()}
	for _, p := range policies[1:] {
		swap.policies.noteKept(p.Identity)
	}
	swap.policies.noteCreated()
	wantDiag(t, diagsOf(swap.checkPolicyLimit(policies, task)), diag.SeverityWarning, "task",
		"Approval policy limit may be reached", "would hold 31 approval policies", "unless this plan removes some of the 1 policies")
	swap.policies.noteRemoved(policies[0].Identity)
	if f := swap.checkPolicyLimit(policies, task); f != nil {
		t.Errorf("after the removal is planned: want no finding, got %+v", f)
	}

	// Every policy of the tenant planned as kept: the plan is refused.
	full := &tenantClient{policies: newPolicyBook()}
	for _, p := range policies {
		full.policies.noteKept(p.Identity)
	}
	full.policies.noteCreated()
	wantDiag(t, diagsOf(full.checkPolicyLimit(policies, task)), diag.SeverityError, "task",
		"Approval policy limit reached", "would then hold 31 approval policies")

	// More creations than the limit allows even if every unplanned policy goes: refused.
	many := &tenantClient{policies: newPolicyBook()}
	for range maxApprovalPolicies + 1 {
		many.policies.noteCreated()
	}
	wantDiag(t, diagsOf(many.checkPolicyLimit(policies, task)), diag.SeverityError, "task", "Approval policy limit reached")
}
