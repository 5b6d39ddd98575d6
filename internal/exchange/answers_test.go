package exchange

import (
	"context"
	"net/http"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

func TestApproveAccessRequestSendsTheIDAndComment(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	if err := h.client.ApproveAccessRequest(context.Background(), "req-1", "for CHG-1234"); err != nil {
		t.Fatal(err)
	}
	want := `{"CmdletInput":{"CmdletName":"Approve-ElevatedAccessRequest","Parameters":{"Comment":"for CHG-1234","RequestId":"req-1"}}}`
	if got := h.svc.requests()[0].Body; got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

func TestDenyAccessRequestWithoutCommentSendsNone(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	if err := h.client.DenyAccessRequest(context.Background(), "req-1", ""); err != nil {
		t.Fatal(err)
	}
	want := `{"CmdletInput":{"CmdletName":"Deny-ElevatedAccessRequest","Parameters":{"RequestId":"req-1"}}}`
	if got := h.svc.requests()[0].Body; got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

// An answer whose reply was lost is not sent again once the request shows it: a second answer
// would be refused, as the request is no longer pending.
func TestApproveAccessRequestAfterALostAnswer(t *testing.T) {
	status := "Pending"
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "Approve-ElevatedAccessRequest":
			status = "Approved"
			dropConnection(t, w)
		case "Get-ElevatedAccessRequest":
			writeValues(w, "", map[string]any{"Identity": "req-1", "RequestStatus": status})
		}
	})
	if err := h.client.ApproveAccessRequest(context.Background(), "req-1", "ok"); err != nil {
		t.Fatalf("want success once the request shows approved, got %v", err)
	}
	if n := h.svc.count("Approve-ElevatedAccessRequest"); n != 1 {
		t.Errorf("sent Approve-ElevatedAccessRequest %d times, want 1", n)
	}
}

func TestAnswerToAMissingRequestIsNotFound(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		writeNotFound(w, req.Params["RequestId"].(string))
	})
	err := h.client.DenyAccessRequest(context.Background(), "req-404", "no")
	if !apierr.IsNotFound(err) {
		t.Fatalf("want NotFound for a request that does not exist, got %v", err)
	}
}

func TestSecurityGroupsAsksForSecurityGroupsOnly(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeValues(w, "", groupObject("a", "a@contoso.com"), groupObject("b", "b@contoso.com"))
	})
	groups, err := h.client.SecurityGroups(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[1].PrimarySmtpAddress != "b@contoso.com" {
		t.Errorf("groups %+v", groups)
	}
	want := `{"CmdletInput":{"CmdletName":"Get-DistributionGroup","Parameters":{"RecipientTypeDetails":["MailUniversalSecurityGroup"],"ResultSize":"Unlimited"}}}`
	if got := h.svc.requests()[0].Body; got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
	if _, err := h.client.SecurityGroups(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	if got := h.svc.requests()[1].Params["ResultSize"]; got != "100" {
		t.Errorf("ResultSize %v with a limit of 100, want \"100\"", got)
	}
}
