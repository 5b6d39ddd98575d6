package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

func TestSelectPolicies(t *testing.T) {
	policies := []pamtenant.ApprovalPolicy{
		{Identity: "2", Task: `Exchange\Set-Mailbox`, ApprovalType: "Auto", ApproverGroup: "b@contoso.com"},
		{Identity: "1", Task: `Exchange\New-MoveRequest`, ApprovalType: "Manual", ApproverGroup: "a@contoso.com"},
		{Identity: "3", Task: `Exchange\Add-MailboxPermission`, ApprovalType: "Manual", ApproverGroup: "A@contoso.com"},
	}
	ids := func(items []approvalPolicyItem) string {
		var out []string
		for _, i := range items {
			out = append(out, i.ID.ValueString())
		}
		return strings.Join(out, ",")
	}
	null := types.StringNull()
	if got := ids(selectPolicies(policies, null, null)); got != "3,1,2" {
		t.Errorf("no filter: got %s, want all ordered by task (3,1,2)", got)
	}
	if got := ids(selectPolicies(policies, types.StringValue(`exchange\set-mailbox`), null)); got != "2" {
		t.Errorf("task filter: got %s, want 2", got)
	}
	if got := ids(selectPolicies(policies, null, types.StringValue("a@CONTOSO.com"))); got != "3,1" {
		t.Errorf("group filter: got %s, want 3,1", got)
	}
	if got := selectPolicies(policies, types.StringValue(`Exchange\Remove-Mailbox`), null); got == nil || len(got) != 0 {
		t.Errorf("no match: want an empty list, not null, got %#v", got)
	}
}

func TestSelectRequests(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	requests := []pamtenant.AccessRequest{
		{Identity: "late", RequestStatus: "Approved", Task: `Exchange\Set-Mailbox`, CreationTimeUTC: now.Add(time.Hour)},
		{Identity: "early", RequestStatus: "Pending", Task: `Exchange\Set-Mailbox`, CreationTimeUTC: now, DurationHours: 4},
	}
	items := selectRequests(requests, types.StringNull(), types.StringValue(`exchange\SET-mailbox`))
	if len(items) != 2 || items[0].ID.ValueString() != "early" {
		t.Fatalf("want both requests oldest first, got %v", items)
	}
	if got := items[0].Created.ValueString(); got != "2030-01-02T03:04:05Z" {
		t.Errorf("created = %s, want RFC 3339 UTC", got)
	}
	if !items[0].Expires.IsNull() {
		t.Errorf("expires without a time from the service: want null, got %s", items[0].Expires)
	}
	if items := selectRequests(requests, types.StringValue("Approved"), types.StringNull()); len(items) != 1 || items[0].ID.ValueString() != "late" {
		t.Errorf("status filter: got %v, want only the approved request", items)
	}
}

func TestSelectAuthorizations(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	move, mailbox := `Exchange\New-MoveRequest`, `Exchange\Set-Mailbox`
	grants := []pamtenant.AccessAuthorization{
		{Identity: "ended", AuthorizedAccess: move, StartTimeUTC: now.Add(-5 * time.Hour), EndTimeUTC: now.Add(-time.Hour)},
		{Identity: "revoked", AuthorizedAccess: move, StartTimeUTC: now.Add(-time.Hour), EndTimeUTC: now.Add(time.Hour), Revoked: true,
			RevocationTimeUTC: now.Add(-time.Minute), RevokedBy: "admin@contoso.com"},
		{Identity: "ends-now", AuthorizedAccess: mailbox, StartTimeUTC: now.Add(-2 * time.Hour), EndTimeUTC: now},
		{Identity: "in-force", AuthorizedAccess: move, AuthorizedBy: "lee.gu@contoso.com", StartTimeUTC: now.Add(-3 * time.Hour), EndTimeUTC: now.Add(time.Second)},
		{Identity: "not-started", AuthorizedAccess: mailbox, StartTimeUTC: now.Add(time.Minute), EndTimeUTC: now.Add(time.Hour)},
	}
	ids := func(items []accessAuthorizationItem) string {
		var out []string
		for _, i := range items {
			out = append(out, i.ID.ValueString())
		}
		return strings.Join(out, ",")
	}
	all, null := types.BoolNull(), types.StringNull()
	if got := ids(selectAuthorizations(grants, all, null, now)); got != "ended,in-force,ends-now,revoked,not-started" {
		t.Errorf("no filter: got %s, want all, oldest first", got)
	}
	if got := ids(selectAuthorizations(grants, types.BoolValue(true), null, now)); got != "in-force" {
		t.Errorf("active: got %s, want only the grant in force", got)
	}
	if got := ids(selectAuthorizations(grants, types.BoolValue(false), types.StringValue(`exchange\new-MOVErequest`), now)); got != "ended,revoked" {
		t.Errorf("inactive New-MoveRequest grants: got %s, want ended,revoked", got)
	}
	items := selectAuthorizations(grants, all, types.StringValue(move), now)
	revoked, inForce := items[2], items[1]
	if !revoked.Revoked.ValueBool() || revoked.RevokedAt.ValueString() != "2030-01-02T03:03:05Z" || revoked.RevokedBy.ValueString() != "admin@contoso.com" {
		t.Errorf("revoked grant %+v", revoked)
	}
	if inForce.AuthorizedBy.ValueString() != "lee.gu@contoso.com" || !inForce.RevokedAt.IsNull() || !inForce.RevokedBy.IsNull() || !inForce.Active.ValueBool() {
		t.Errorf("grant in force %+v", inForce)
	}
	if got := selectAuthorizations(grants, all, types.StringValue(`Exchange\Remove-Mailbox`), now); got == nil || len(got) != 0 {
		t.Errorf("no match: want an empty list, not null, got %#v", got)
	}
}

func TestNotSecurityGroupDetail(t *testing.T) {
	got := notSecurityGroupDetail("all@contoso.com", pamtenant.DistributionGroup{RecipientTypeDetails: "MailUniversalDistributionGroup"})
	for _, want := range []string{"all@contoso.com is a distribution list (MailUniversalDistributionGroup)", "not a mail-enabled security group"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}

func TestPrivilegedAccessData(t *testing.T) {
	m := privilegedAccessData(pamtenant.PrivilegedAccessStatus{Enabled: true}, "tenant-1")
	if !m.Enabled.ValueBool() || m.ID.ValueString() != "tenant-1" || !m.DefaultApproverGroup.IsNull() || !m.SystemAccounts.IsNull() {
		t.Errorf("unreported settings must be null: got %+v", m)
	}
	m = privilegedAccessData(pamtenant.PrivilegedAccessStatus{Enabled: true, AdminGroup: "g@contoso.com", SystemAccounts: []string{"s@contoso.com"}}, "t")
	if m.DefaultApproverGroup.ValueString() != "g@contoso.com" || len(m.SystemAccounts.Elements()) != 1 {
		t.Errorf("reported settings must show: got %+v", m)
	}
}

func TestDecisionProblem(t *testing.T) {
	cases := map[string]struct {
		request pamtenant.AccessRequest
		want    []string
	}{
		"approved": {pamtenant.AccessRequest{RequestStatus: "Approved"}, nil},
		"denied": {pamtenant.AccessRequest{Identity: "r-1", Task: `Exchange\Set-Mailbox`, RequestStatus: "Denied",
			ApprovedBy: "lee.gu@contoso.com", Comment: "not today"},
			[]string{"Access request denied", "r-1", `Exchange\Set-Mailbox`, "denied by lee.gu@contoso.com", `"not today"`, "File a new request"}},
		"expired": {pamtenant.AccessRequest{Identity: "r-2", RequestStatus: "Expired"},
			[]string{"Access request expired", "r-2", "run again"}},
		"unexpected": {pamtenant.AccessRequest{Identity: "r-3", RequestStatus: "Customer Lockbox"},
			[]string{"r-3", `"Customer Lockbox"`}},
	}
	for name, tc := range cases {
		summary, detail := decisionProblem(tc.request)
		if tc.want == nil {
			if summary != "" {
				t.Errorf("%s: want no problem, got %q", name, summary)
			}
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(summary+"\n"+detail, w) {
				t.Errorf("%s: %q lacks %q", name, summary+"\n"+detail, w)
			}
		}
	}
}

func TestApprovalTimeoutDetail(t *testing.T) {
	got := approvalTimeoutDetail(pamtenant.AccessRequest{Identity: "r-9", Task: `Exchange\Set-Mailbox`, RequestStatus: "Pending"}, 90*time.Second)
	for _, want := range []string{"r-9", "still Pending after 1m30s", "raise approval_timeout", "running again waits for it"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}

func TestDurationValidator(t *testing.T) {
	for value, ok := range map[string]bool{"30m": true, "1h30m": true, "10s": true, "0s": false, "-5m": false, "soon": false, "30": false} {
		req := validator.StringRequest{Path: path.Root("approval_timeout"), ConfigValue: types.StringValue(value)}
		var resp validator.StringResponse
		durationValidator{}.ValidateString(context.Background(), req, &resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%q: error = %v, want valid = %v", value, resp.Diagnostics.HasError(), ok)
		}
	}
}

func TestPickReusable(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	request := func(id, status, requester, task string, created, expires time.Duration) pamtenant.AccessRequest {
		return pamtenant.AccessRequest{Identity: id, RequestStatus: status, RequestorUPN: requester, Task: task,
			CreationTimeUTC: now.Add(created), ExpirationTimeUTC: now.Add(expires)}
	}
	const me, move = "megan@contoso.com", `Exchange\New-MoveRequest`
	requests := []pamtenant.AccessRequest{
		request("denied", pamtenant.RequestDenied, me, move, -time.Hour, time.Hour),
		request("someone else's", pamtenant.RequestApproved, "lee@contoso.com", move, -time.Hour, time.Hour),
		request("other task", pamtenant.RequestApproved, me, `Exchange\Set-Mailbox`, -time.Hour, time.Hour),
		request("ended", pamtenant.RequestApproved, me, move, -5*time.Hour, -time.Hour),
		request("old pending", pamtenant.RequestPending, me, move, -3*time.Hour, 21*time.Hour),
		request("new pending", pamtenant.RequestPending, "MEGAN@contoso.com", `exchange\new-moverequest`, -time.Hour, 23*time.Hour),
	}
	if got := pickReusable(requests, me, move, now); got == nil || got.Identity != "new pending" {
		t.Errorf("without an approval: got %+v, want the newest pending request", got)
	}
	requests = append(requests, request("approved", pamtenant.RequestApproved, me, move, -4*time.Hour, time.Hour))
	if got := pickReusable(requests, me, move, now); got == nil || got.Identity != "approved" {
		t.Errorf("with an approval: got %+v, want the approved request", got)
	}
	if got := pickReusable(requests[:4], me, move, now); got != nil {
		t.Errorf("nothing open: got %+v, want none", got)
	}
}

func TestWholeNumberAtLeast(t *testing.T) {
	for value, ok := range map[float64]bool{1: true, 4: true, 72: true, 0: false, 1.5: false, -2: false} {
		req := validator.NumberRequest{Path: path.Root("duration_hours"), ConfigValue: types.NumberValue(big.NewFloat(value))}
		var resp validator.NumberResponse
		wholeNumberAtLeast{min: 1}.ValidateNumber(context.Background(), req, &resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%v: error = %v, want valid = %v", value, resp.Diagnostics.HasError(), ok)
		}
	}
}
