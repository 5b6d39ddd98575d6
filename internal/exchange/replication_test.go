package exchange

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// replicatingService creates groups that stay "not found" (404, the observed envelope) for
// lag after their creation, by the fake clock.
func replicatingService(h **harness, lag time.Duration) func(http.ResponseWriter, *http.Request, seen, int) {
	var createdAt time.Time
	return func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-DistributionGroup":
			createdAt = (*h).clock.Now()
			writeValues(w, "", groupObject("pam-approvers", "pam@contoso.com"))
		default:
			identity, _ := req.Params["Identity"].(string)
			if createdAt.IsZero() || (*h).clock.Now().Sub(createdAt) < lag {
				writeNotFound(w, identity)
				return
			}
			writeValues(w, "", groupObject("pam-approvers", "pam@contoso.com"))
		}
	}
}

func TestCallsAfterOwnCreateWaitForReplication(t *testing.T) {
	var h *harness
	var waits []map[string]any
	h = newHarness(t, replicatingService(&h, 7*time.Second), func(c *Config) {
		c.Log = func(_ context.Context, message string, fields map[string]any) {
			if message == "Exchange Online retry" {
				waits = append(waits, fields)
			}
		}
	})
	ctx := context.Background()
	created, err := h.client.NewSecurityGroup(ctx, NewGroup{Name: "pam-approvers", PrimarySmtpAddress: "pam@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	// By GUID, which only the create's answer told, and by address, which the request named.
	for _, identity := range []string{created.GUID, "PAM@contoso.com"} {
		if _, err := h.client.GetDistributionGroup(ctx, identity); err != nil {
			t.Fatalf("read %s: %v", identity, err)
		}
	}
	if n := h.svc.count("Get-DistributionGroup"); n != 5 {
		t.Errorf("sent %d reads, want 5 (404 after 0, 1 and 3 s, found after 7 s, then at once)", n)
	}
	if len(waits) != 3 || !strings.Contains(fmt.Sprint(waits[0]["reason"]), "replication") || waits[0]["wait_ms"] == nil {
		t.Errorf("logged replication waits %v, want 3 lines with the wait and the reason", waits)
	}
}

func TestReplicationWaitIsBoundedAndSaysSo(t *testing.T) {
	var h *harness
	h = newHarness(t, replicatingService(&h, time.Hour))
	ctx := context.Background()
	if _, err := h.client.NewSecurityGroup(ctx, NewGroup{Name: "pam-approvers", PrimarySmtpAddress: "pam@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	start := h.clock.Now()
	err := h.client.SetDistributionGroup(ctx, SetGroup{Identity: "pam@contoso.com", Description: new(string)})
	if !apierr.IsNotFound(err) {
		t.Fatalf("err %v, want not found", err)
	}
	for _, part := range []string{"created by this run", "still not found", "replicates new objects"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q lacks %q", err, part)
		}
	}
	if waited := h.clock.Now().Sub(start); waited > replicationWait || waited < replicationWait-replicationPoll {
		t.Errorf("waited %s, want close to %s", waited, replicationWait)
	}
}

func TestNotFoundOfAnObjectThisRunDidNotCreateIsFinal(t *testing.T) {
	var h *harness
	h = newHarness(t, replicatingService(&h, time.Hour))
	if _, err := h.client.GetDistributionGroup(context.Background(), "other@contoso.com"); !apierr.IsNotFound(err) {
		t.Fatalf("err %v, want not found", err)
	}
	if n := h.svc.count("Get-DistributionGroup"); n != 1 {
		t.Errorf("sent %d reads, want 1", n)
	}
}

// An object this client created and then removed is not waited for: "not found" is the truth.
func TestRemovedObjectIsNotAwaited(t *testing.T) {
	removed := false
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-DistributionGroup":
			writeValues(w, "", map[string]any{"Guid": "g-1", "Name": "pam", "PrimarySmtpAddress": "pam@contoso.com"})
		case "Remove-DistributionGroup":
			removed = true
			writeValues(w, "")
		default:
			writeNotFound(w, "pam@contoso.com")
		}
	})
	ctx := context.Background()
	if _, err := h.client.Invoke(ctx, "New-DistributionGroup", map[string]any{"Name": "pam", "PrimarySmtpAddress": "pam@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Invoke(ctx, "Remove-DistributionGroup", map[string]any{"Identity": "g-1"}); err != nil || !removed {
		t.Fatal(err)
	}
	if _, err := h.client.GetDistributionGroup(ctx, "pam@contoso.com"); !apierr.IsNotFound(err) {
		t.Fatalf("err %v, want not found", err)
	}
	if got := h.clock.slept(); len(got) != 0 {
		t.Errorf("waited %v for a removed object", got)
	}
}
