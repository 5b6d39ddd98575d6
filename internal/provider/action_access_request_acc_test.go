//go:build tf114

package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

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
