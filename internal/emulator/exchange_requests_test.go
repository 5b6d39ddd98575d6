package emulator

import (
	"strings"
	"testing"
	"time"
)

// pamTenant enables PAM with a Manual policy for New-MoveRequest approved by alex.wilber and
// lee.gu, and an Auto policy for Set-Mailbox.
func pamTenant(t *testing.T) *harness {
	h := start(t, Options{})
	group := h.newSecurityGroup("approvers", "alex.wilber", "lee.gu", "megan.bowen")
	app := h.app()
	h.mustInvoke(app, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": group})
	h.mustInvoke(app, "New-ElevatedAccessApprovalPolicy", policyParams(`Exchange\New-MoveRequest`, group))
	auto := policyParams(`Exchange\Set-Mailbox`, group)
	auto["ApprovalType"] = "Auto"
	h.mustInvoke(app, "New-ElevatedAccessApprovalPolicy", auto)
	return h
}

func request(h *harness, c caller, task string) map[string]any {
	h.t.Helper()
	return h.mustInvoke(c, "New-ElevatedAccessRequest", map[string]any{"Task": task, "Reason": "migration", "DurationHours": 2})[0]
}

func TestRequestApprovalFlow(t *testing.T) {
	h := pamTenant(t)
	adele, alex := h.user("adele.vance"), h.user("alex.wilber")
	req := request(h, adele, `exchange\new-moverequest`)
	if req["RequestStatus"] != "Pending" || req["RequestorUPN"] != upn("adele.vance") || req["Service"] != "Exchange" ||
		req["RequestedAccess"] != "New-MoveRequest" || req["DurationHours"] != float64(2) {
		t.Fatalf("request %v", req)
	}
	id := req["Identity"].(string)
	assertContains(t, h.cmdletFailure(h.user("svc-sync"), "Approve-ElevatedAccessRequest", map[string]any{"RequestId": id}), "isn't a member")
	assertContains(t, h.cmdletFailure(h.app(), "Approve-ElevatedAccessRequest", map[string]any{"RequestId": id}), "isn't a member")
	h.mustInvoke(alex, "Approve-ElevatedAccessRequest", map[string]any{"RequestId": id, "Comment": "ok"})
	got := h.mustInvoke(adele, "Get-ElevatedAccessRequest", map[string]any{"Identity": id})[0]
	if got["RequestStatus"] != "Approved" || got["ApprovedBy"] != upn("alex.wilber") ||
		got["ExpirationTimeUtc"] != h.clock.Now().Add(2*time.Hour).UTC().Format(time.RFC3339) {
		t.Fatalf("approved request %v", got)
	}
	assertContains(t, h.cmdletFailure(alex, "Deny-ElevatedAccessRequest", map[string]any{"RequestId": id}), "Approved")
	grants := h.mustInvoke(adele, "Get-ElevatedAccessAuthorization", nil)
	if len(grants) != 1 || grants[0]["AuthorizedAccess"] != `Exchange\New-MoveRequest` || grants[0]["Revoked"] != false {
		t.Fatalf("grants %v", grants)
	}
	h.mustInvoke(h.app(), "Revoke-ElevatedAccessAuthorization", map[string]any{"RequestId": id, "Comment": "done"})
	if g := h.mustInvoke(adele, "Get-ElevatedAccessAuthorization", nil)[0]; g["Revoked"] != true || g["RevocationComment"] != "done" ||
		!strings.HasSuffix(g["RevokedBy"].(string), "/Microsoft Exchange Hosted Organizations/"+BuiltinDomain+"/"+BuiltinClientID) {
		t.Fatalf("revoked grant %v", g)
	}
}

func TestSelfApprovalRefused(t *testing.T) {
	h := pamTenant(t)
	alex := h.user("alex.wilber")
	id := request(h, alex, `Exchange\New-MoveRequest`)["Identity"]
	assertContains(t, h.cmdletFailure(alex, "Approve-ElevatedAccessRequest", map[string]any{"RequestId": id}), "own request")
}

func TestAutoPolicyApprovesAtOnce(t *testing.T) {
	h := pamTenant(t)
	if req := request(h, h.user("adele.vance"), `Exchange\Set-Mailbox`); req["RequestStatus"] != "Approved" {
		t.Fatalf("auto request %v", req)
	}
}

func TestPendingRequestExpiresAfter24Hours(t *testing.T) {
	h := pamTenant(t)
	id := request(h, h.user("adele.vance"), `Exchange\New-MoveRequest`)["Identity"]
	h.clock.Advance(24*time.Hour - time.Minute)
	lee := h.user("lee.gu") // signed in now: a token from before would have expired
	if got := h.mustInvoke(lee, "Get-ElevatedAccessRequest", map[string]any{"Identity": id})[0]; got["RequestStatus"] != "Pending" {
		t.Fatalf("before 24h: %v", got)
	}
	h.clock.Advance(time.Minute)
	if got := h.mustInvoke(lee, "Get-ElevatedAccessRequest", map[string]any{"Identity": id})[0]; got["RequestStatus"] != "Expired" {
		t.Fatalf("at 24h: %v", got)
	}
	assertContains(t, h.cmdletFailure(lee, "Approve-ElevatedAccessRequest", map[string]any{"RequestId": id}), "Expired")
}

func TestRequestRules(t *testing.T) {
	h := pamTenant(t)
	adele := h.user("adele.vance")
	params := func(task string, hours int) map[string]any {
		return map[string]any{"Task": task, "Reason": "r", "DurationHours": hours}
	}
	assertContains(t, h.cmdletFailure(adele, "New-ElevatedAccessRequest", params(`Exchange\Remove-Mailbox`, 4)), "No elevated access approval policy")
	assertContains(t, h.cmdletFailure(adele, "New-ElevatedAccessRequest", params(`Exchange\New-MoveRequest`, 0)), "DurationHours must be at least 1")
	// No upper limit is documented ("There isn't a limit on the number of hours that can be requested").
	if req := h.mustInvoke(adele, "New-ElevatedAccessRequest", params(`Exchange\New-MoveRequest`, 72))[0]; req["DurationHours"] != float64(72) {
		t.Fatalf("72 hours: %v", req)
	}
	assertContains(t, h.cmdletFailure(adele, "New-ElevatedAccessRequest", map[string]any{"Task": `Exchange\New-MoveRequest`}), "missing mandatory parameters: Reason")
	assertContains(t, h.cmdletFailure(h.user("nestor.wilke"), "New-ElevatedAccessRequest", params(`Exchange\New-MoveRequest`, 4)), "license")
	if req := h.mustInvoke(adele, "New-ElevatedAccessRequest", map[string]any{"Task": `Exchange\New-MoveRequest`, "Reason": "r"})[0]; req["DurationHours"] != float64(defaultDurationHours) {
		t.Fatalf("default duration %v", req)
	}
	h.mustInvoke(h.app(), "Disable-ElevatedAccessControl", nil)
	assertContains(t, h.cmdletFailure(adele, "New-ElevatedAccessRequest", params(`Exchange\New-MoveRequest`, 4)), "isn't enabled")
}
