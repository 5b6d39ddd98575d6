package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

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
