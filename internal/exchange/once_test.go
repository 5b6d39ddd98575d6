package exchange

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// laggingGroups commits a New-DistributionGroup and cuts the answer, like a dropped connection;
// reads show the group only from the given Get-DistributionGroup call on, like a service whose
// reads lag its writes. A second create of the same address is refused as a duplicate.
func laggingGroups(t *testing.T, visibleFromGet int) *harness {
	store := &groupStore{}
	var h *harness
	gets := 0
	h = newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-DistributionGroup":
			address := req.Params["PrimarySmtpAddress"].(string)
			if _, exists := store.get(address); exists {
				writeFault(w, "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException", `The name "pam-approvers" is already being used. Please try another name.`)
				return
			}
			store.put(req.Params["Name"].(string), address)
			dropConnection(t, w)
		case "Get-DistributionGroup":
			gets++
			if gets < visibleFromGet {
				writeNotFound(w, req.Params["Identity"].(string))
				return
			}
			store.answerGet(w, req)
		}
	})
	return h
}

// Found by the fault scenario: with reads lagging writes, a create whose answer was lost was sent
// again, refused as a duplicate, and reported as a failure although the group existed.
func TestNewSecurityGroupWaitsForADuplicateToShowAfterALostAnswer(t *testing.T) {
	h := laggingGroups(t, 4)
	g, err := h.client.NewSecurityGroup(context.Background(), NewGroup{Name: "pam-approvers", PrimarySmtpAddress: "pam-approvers@contoso.com"})
	if err != nil {
		t.Fatalf("want the group the lost send created, got %v", err)
	}
	if g.PrimarySmtpAddress != "pam-approvers@contoso.com" {
		t.Errorf("group %+v", g)
	}
	if n := h.svc.count("New-DistributionGroup"); n != 2 {
		t.Errorf("sent New-DistributionGroup %d times, want 2 (the lost one and the refused resend)", n)
	}
	if len(h.clock.slept()) == 0 {
		t.Error("want backoff between the looks")
	}
}

func TestNewSecurityGroupGivesUpWaitingAfterTheSettleLimit(t *testing.T) {
	h := laggingGroups(t, 1<<30)
	_, err := h.client.NewSecurityGroup(context.Background(), NewGroup{Name: "pam-approvers", PrimarySmtpAddress: "pam-approvers@contoso.com"})
	if err == nil || !strings.Contains(err.Error(), "did not show within") || !strings.Contains(err.Error(), "already being used") {
		t.Fatalf("want the duplicate refusal and the wait that ran out, got %v", err)
	}
	var waited int64
	for _, d := range h.clock.slept() {
		waited += int64(d)
	}
	if waited > int64(settleLimit) {
		t.Errorf("waited %d, more than the settle limit", waited)
	}
}

// Found by the fault scenario: a Disable-ElevatedAccessControl whose answer was lost was sent
// again and refused because the first had turned privileged access off, failing the destroy.
func TestDisablePrivilegedAccessAfterALostAnswer(t *testing.T) {
	enabled, configReads := true, 0
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "Disable-ElevatedAccessControl":
			if !enabled {
				writeFault(w, "System.InvalidOperationException", "Elevated access control isn't enabled for this organization.")
				return
			}
			enabled = false
			dropConnection(t, w)
		case "Get-OrganizationConfig":
			configReads++
			state := "Disabled"
			if configReads == 1 { // the first read still shows the old setting
				state = "Enabled"
			}
			writeValues(w, "", map[string]any{"ElevatedAccessControl": state})
		}
	})
	if err := h.client.DisablePrivilegedAccess(context.Background()); err != nil {
		t.Fatalf("want success once the setting shows off, got %v", err)
	}
	if n := h.svc.count("Disable-ElevatedAccessControl"); n != 2 {
		t.Errorf("sent Disable-ElevatedAccessControl %d times, want 2", n)
	}
}

// Found by the policy update failure test: after a lost answer, reads that still showed the policy
// just removed for the same task were taken for the new one, so state got the old id and settings.
func TestNewApprovalPolicyIsNotFooledByTheRemovedPolicyAfterALostAnswer(t *testing.T) {
	const task = `Exchange\New-MoveRequest`
	removed := map[string]any{"Identity": "old-id", "Task": task, "ApprovalType": "Manual", "ApproverGroup": "pam@contoso.com"}
	created := map[string]any{"Identity": "new-id", "Task": task, "ApprovalType": "Manual", "ApproverGroup": "pam@contoso.com"}
	committed, lists := false, 0
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-ElevatedAccessApprovalPolicy":
			if committed {
				writeFault(w, alreadyExistsException, "A policy for the task already exists: 'new-id'.")
				return
			}
			committed = true
			dropConnection(t, w)
		case "Get-ElevatedAccessApprovalPolicy":
			lists++
			if lists <= 2 { // reads lag: they still show the removed policy
				writeValues(w, "", removed)
				return
			}
			writeValues(w, "", created)
		}
	})
	p, err := h.client.NewApprovalPolicy(context.Background(), NewPolicy{
		Task: task, ApprovalType: "Manual", ApproverGroup: "PAM@contoso.com", Replaces: "old-id",
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Identity != "new-id" {
		t.Fatalf("took policy %s for the new one, want new-id", p.Identity)
	}
}
