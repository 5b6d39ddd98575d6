package emulator

import (
	"fmt"
	"strings"
	"testing"
)

func policyParams(task, group string) map[string]any {
	return map[string]any{"Task": task, "ApprovalType": "Manual", "ApproverGroup": group}
}

func TestPolicyLimitIsThirty(t *testing.T) {
	h := start(t, Options{})
	group := h.newSecurityGroup("approvers")
	app := h.app()
	for i := range maxApprovalPolicies {
		h.mustInvoke(app, "New-ElevatedAccessApprovalPolicy", policyParams(fmt.Sprintf(`Exchange\New-Thing%d`, i), group))
	}
	detail := h.cmdletFailure(app, "New-ElevatedAccessApprovalPolicy", policyParams(`Exchange\New-MoveRequest`, group))
	assertContains(t, detail, "System.InvalidOperationException|")
	assertContains(t, detail, "limit of 30")
}

func TestApproverGroupMustBeMailEnabledSecurityGroup(t *testing.T) {
	h := start(t, Options{})
	list := h.mustInvoke(h.app(), "New-DistributionGroup", map[string]any{"Name": "newsletter"})[0]["PrimarySmtpAddress"].(string)
	for _, cmdlet := range []struct {
		name   string
		params map[string]any
	}{
		{"New-ElevatedAccessApprovalPolicy", policyParams(`Exchange\New-MoveRequest`, list)},
		{"Enable-ElevatedAccessControl", map[string]any{"AdminGroup": list}},
	} {
		detail := h.cmdletFailure(h.app(), cmdlet.name, cmdlet.params)
		assertContains(t, detail, "System.InvalidOperationException|")
		assertContains(t, detail, "mail-enabled security group")
	}
	assertContains(t, h.cmdletFailure(h.app(), "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": "ghost@contoso.onmicrosoft.com"}), "ManagementObjectNotFoundException|")
	assertContains(t, h.cmdletFailure(h.app(), "New-ElevatedAccessApprovalPolicy", policyParams(`Exchange\New-MoveRequest`, "approvers")), "ManagementObjectNotFoundException")
}

func TestPolicyRules(t *testing.T) {
	h := start(t, Options{})
	group := h.newSecurityGroup("approvers")
	app := h.app()
	p := h.mustInvoke(app, "New-ElevatedAccessApprovalPolicy", policyParams(`exchange\new-moverequest`, group))[0]
	if p["Task"] != `exchange\new-moverequest` || p["ApproverGroup"] != group || p["ApprovalType"] != "Manual" || p["Identity"] != p["Guid"] {
		t.Fatalf("policy %v", p)
	}
	detail := h.cmdletFailure(app, "New-ElevatedAccessApprovalPolicy", policyParams(`Exchange\New-MoveRequest`, group))
	assertContains(t, detail, "ManagementObjectAlreadyExistsException|")
	assertContains(t, detail, p["Identity"].(string))
	assertContains(t, h.cmdletFailure(app, "New-ElevatedAccessApprovalPolicy", policyParams(`New-MoveRequest`, group)), "TaskArgumentException|")
	bad := policyParams(`Exchange\Set-Mailbox`, group)
	bad["ApprovalType"] = "Sometimes"
	assertContains(t, h.cmdletFailure(app, "New-ElevatedAccessApprovalPolicy", bad), "Manual, Auto")
	got := h.mustInvoke(app, "Get-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
	if len(got) != 1 || got[0]["Task"] != p["Task"] {
		t.Fatalf("get %v", got)
	}
	h.mustInvoke(app, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
	assertContains(t, h.cmdletFailure(app, "Get-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]}), "ManagementObjectNotFoundException|")
	assertContains(t, h.cmdletFailure(app, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]}), "ManagementObjectNotFoundException")
}

func TestEnableDisableElevatedAccessControl(t *testing.T) {
	h := start(t, Options{})
	first := h.newSecurityGroup("first")
	second := h.newSecurityGroup("second")
	app := h.app()
	state := func() any { return h.mustInvoke(app, "Get-OrganizationConfig", nil)[0]["ElevatedAccessControl"] }
	if state() != "Disabled" {
		t.Fatal("PAM starts disabled")
	}
	assertContains(t, h.cmdletFailure(app, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": first, "SystemAccounts": []string{"ghost"}}), `Couldn't find object "ghost"`)
	h.mustInvoke(app, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": first, "SystemAccounts": []string{upn("svc-sync")}})
	if state() != "Enabled" {
		t.Fatal("enable did not take")
	}
	org := h.mustInvoke(app, "Get-OrganizationConfig", nil)[0]
	for key := range org {
		if strings.Contains(strings.ToLower(key), "admingroup") || strings.Contains(strings.ToLower(key), "systemaccount") {
			t.Fatalf("org config must not expose %s", key)
		}
	}
	detail := h.cmdletFailure(app, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": second})
	assertContains(t, detail, "System.InvalidOperationException|Elevated access control is already enabled")
	assertContains(t, h.cmdletFailure(app, "Remove-DistributionGroup", map[string]any{"Identity": first, "BypassSecurityGroupManagerCheck": true}), "default approver group")
	h.mustInvoke(app, "Disable-ElevatedAccessControl", nil)
	assertContains(t, h.cmdletFailure(app, "Disable-ElevatedAccessControl", nil), "isn't enabled")
	h.mustInvoke(app, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": second})
	if got := h.srv.Snapshot().PAM; !got.Enabled || len(got.SystemAccounts) != 0 {
		t.Fatalf("re-enable must replace the settings: %+v", got)
	}
	h.mustInvoke(app, "Remove-DistributionGroup", map[string]any{"Identity": first, "BypassSecurityGroupManagerCheck": true})
}

func TestDisableKeepsPoliciesAndPolicyGroupIsProtected(t *testing.T) {
	h := start(t, Options{})
	group := h.newSecurityGroup("approvers")
	app := h.app()
	h.mustInvoke(app, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": group})
	h.mustInvoke(app, "New-ElevatedAccessApprovalPolicy", policyParams(`Exchange\New-MoveRequest`, group))
	h.mustInvoke(app, "Disable-ElevatedAccessControl", nil)
	if got := h.mustInvoke(app, "Get-ElevatedAccessApprovalPolicy", nil); len(got) != 1 {
		t.Fatalf("policies after disable: %v", got)
	}
	assertContains(t, h.cmdletFailure(app, "Remove-DistributionGroup", map[string]any{"Identity": group, "BypassSecurityGroupManagerCheck": true}), "approver group of elevated access approval policy")
}
