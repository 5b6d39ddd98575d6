package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestNewSecurityGroupShape(t *testing.T) {
	h := start(t, Options{})
	megan := h.user("megan.bowen")
	out := h.mustInvoke(megan, "New-DistributionGroup", map[string]any{
		"Name": "PAM Approvers", "Type": "security", "Members": []string{"ALEX.WILBER@contoso.onmicrosoft.com", "lee.gu"},
	})[0]
	if out["RecipientTypeDetails"] != "MailUniversalSecurityGroup" || out["GroupType"] != "Universal, SecurityEnabled" ||
		out["Alias"] != "PAMApprovers" || out["PrimarySmtpAddress"] != "PAMApprovers@"+BuiltinDomain ||
		out["MemberDepartRestriction"] != "Closed" || out["Identity"] != "PAM Approvers" {
		t.Fatalf("group %v", out)
	}
	if out["Guid@odata.type"] != "#Guid" || out["EmailAddresses@odata.type"] != "#Collection(String)" {
		t.Fatalf("annotations missing: %v", out)
	}
	managedBy := out["ManagedBy"].([]any)
	if len(managedBy) != 1 || managedBy[0] != builtinUsers[2].id {
		t.Fatalf("a user's new group is managed by that user's Name (object id): %v", managedBy)
	}
	members := h.mustInvoke(megan, "Get-DistributionGroupMember", map[string]any{"Identity": "pamapprovers@contoso.onmicrosoft.com"})
	if len(members) != 2 || members[0]["WindowsLiveID"] != upn("alex.wilber") || members[0]["RecipientType"] != "UserMailbox" {
		t.Fatalf("members %v", members)
	}
	appGroup := h.mustInvoke(h.app(), "New-DistributionGroup", map[string]any{"Name": "Newsletter"})[0]
	if appGroup["RecipientTypeDetails"] != "MailUniversalDistributionGroup" || len(appGroup["ManagedBy"].([]any)) != 0 || appGroup["MemberDepartRestriction"] != "Open" {
		t.Fatalf("default type is Distribution, app-made group has no manager: %v", appGroup)
	}
}

func TestDuplicateNamesAndAddressesRefused(t *testing.T) {
	h := start(t, Options{})
	h.newSecurityGroup("approvers")
	cases := map[string]map[string]any{
		"same name, other case":    {"Name": "APPROVERS", "Alias": "x1"},
		"same alias":               {"Name": "other", "Alias": "Approvers"},
		"group's address":          {"Name": "other2", "PrimarySmtpAddress": "approvers@" + BuiltinDomain},
		"a user's address":         {"Name": "other3", "PrimarySmtpAddress": "Adele.Vance@" + BuiltinDomain},
		"a user's alias":           {"Name": "other4", "Alias": "lee.gu"},
		"a user's Name (objectid)": {"Name": builtinUsers[0].id},
	}
	for name, params := range cases {
		detail := h.cmdletFailure(h.app(), "New-DistributionGroup", params)
		if !strings.Contains(detail, "ExistsException|") {
			t.Fatalf("%s: %s", name, detail)
		}
	}
}

func TestGroupValidation(t *testing.T) {
	h := start(t, Options{})
	cases := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"Type": "Security"}, "missing mandatory parameters: Name"},
		{map[string]any{"Name": ""}, "null or empty"},
		{map[string]any{"Name": strings.Repeat("n", 65)}, "fewer than or equal to \"64\""},
		{map[string]any{"Name": "g", "DisplayName": strings.Repeat("d", 257)}, "\"256\""},
		{map[string]any{"Name": "g", "Type": "Dynamic"}, "Distribution, Security"},
		{map[string]any{"Name": "g", "PrimarySmtpAddress": "g@fabrikam.com"}, "isn't an accepted domain"},
		{map[string]any{"Name": "g", "Members": []string{"nobody@contoso.onmicrosoft.com"}}, `ManagementObjectNotFoundException|Couldn't find object "nobody@contoso.onmicrosoft.com"`},
		{map[string]any{"Name": "g", "ManagedBy": []string{"ghost"}}, `Couldn't find object "ghost"`},
		{map[string]any{"Name": "g", "Type": "Security", "MemberDepartRestriction": "Open"}, "MemberDepartRestriction"},
		{map[string]any{"Name": "g", "Colour": "blue"}, "ParameterBindingException|A parameter cannot be found that matches parameter name 'Colour'."},
	}
	for _, tc := range cases {
		assertContains(t, h.cmdletFailure(h.app(), "New-DistributionGroup", tc.params), tc.want)
	}
	if got := h.mustInvoke(h.app(), "Get-DistributionGroup", nil); len(got) != 0 {
		t.Fatalf("refused creations must leave nothing behind: %v", got)
	}
}

func TestMembersResolveByAnyRecipientIdentity(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("g", builtinUsers[0].id, "alex.wilber@CONTOSO.onmicrosoft.com", "Megan.Bowen")
	members := h.mustInvoke(h.app(), "Get-DistributionGroupMember", map[string]any{"Identity": addr})
	if len(members) != 3 {
		t.Fatalf("members %v", members)
	}
}

func TestManagerCheckNeedsBypassSwitch(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("approvers")
	for _, step := range []struct {
		cmdlet string
		params map[string]any
	}{
		{"Set-DistributionGroup", map[string]any{"Identity": addr, "DisplayName": "Approvers"}},
		{"Add-DistributionGroupMember", map[string]any{"Identity": addr, "Member": "lee.gu"}},
		{"Update-DistributionGroupMember", map[string]any{"Identity": addr, "Members": []string{"lee.gu"}}},
		{"Remove-DistributionGroup", map[string]any{"Identity": addr}},
	} {
		detail := h.cmdletFailure(h.app(), step.cmdlet, step.params)
		assertContains(t, detail, "System.InvalidOperationException|")
		assertContains(t, detail, "BypassSecurityGroupManagerCheck")
		step.params["BypassSecurityGroupManagerCheck"] = true
		h.mustInvoke(h.app(), step.cmdlet, step.params)
	}
}

func TestOwnerNeedsNoBypass(t *testing.T) {
	h := start(t, Options{})
	megan := h.user("megan.bowen")
	h.mustInvoke(megan, "New-DistributionGroup", map[string]any{"Name": "mine", "Type": "Security"})
	h.mustInvoke(megan, "Add-DistributionGroupMember", map[string]any{"Identity": "mine", "Member": "lee.gu"})
	h.mustInvoke(megan, "Set-DistributionGroup", map[string]any{"Identity": "mine", "ManagedBy": []string{"alex.wilber"}})
	detail := h.cmdletFailure(megan, "Remove-DistributionGroupMember", map[string]any{"Identity": "mine", "Member": "lee.gu"})
	assertContains(t, detail, "BypassSecurityGroupManagerCheck")
}

func TestSetDistributionGroupRules(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("approvers")
	h.newSecurityGroup("others")
	bypass := func(p map[string]any) map[string]any { p["BypassSecurityGroupManagerCheck"] = true; return p }
	assertContains(t, h.cmdletFailure(h.app(), "Set-DistributionGroup", bypass(map[string]any{"Identity": addr, "MemberDepartRestriction": "Open"})), "MemberDepartRestriction")
	assertContains(t, h.cmdletFailure(h.app(), "Set-DistributionGroup", bypass(map[string]any{"Identity": addr, "Name": "Others"})), "ExistsException|")
	assertContains(t, h.cmdletFailure(h.app(), "Set-DistributionGroup", bypass(map[string]any{"Identity": addr, "Notes": "x"})), "parameter name 'Notes'")
	assertContains(t, h.cmdletFailure(h.app(), "Set-DistributionGroup", bypass(map[string]any{"Identity": addr, "ManagedBy": []string{}})), excValidation+"|ManagedBy can't be empty")
	assertContains(t, h.cmdletFailure(h.app(), "Set-DistributionGroup", bypass(map[string]any{"Identity": "missing"})), "ManagementObjectNotFoundException|The operation couldn't be performed because object 'missing' couldn't be found")
	h.mustInvoke(h.app(), "Set-DistributionGroup", bypass(map[string]any{"Identity": addr, "PrimarySmtpAddress": "pam@" + BuiltinDomain, "Description": "approvers"}))
	g := h.mustInvoke(h.app(), "Get-DistributionGroup", map[string]any{"Identity": addr})[0]
	addrs := fmt.Sprint(g["EmailAddresses"])
	if g["PrimarySmtpAddress"] != "pam@"+BuiltinDomain || !strings.Contains(addrs, "SMTP:pam@") || !strings.Contains(addrs, "smtp:approvers@") {
		t.Fatalf("old address must stay as secondary: %v", g)
	}
}

func TestMemberChanges(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("g", "adele.vance")
	p := func(member string) map[string]any {
		return map[string]any{"Identity": addr, "Member": member, "BypassSecurityGroupManagerCheck": true}
	}
	assertContains(t, h.cmdletFailure(h.app(), "Add-DistributionGroupMember", p("adele.vance")), "ExistsException|")
	assertContains(t, h.cmdletFailure(h.app(), "Add-DistributionGroupMember", p("ghost")), `Couldn't find object "ghost"`)
	assertContains(t, h.cmdletFailure(h.app(), "Remove-DistributionGroupMember", p("lee.gu")), "isn't a member")
	h.mustInvoke(h.app(), "Update-DistributionGroupMember", map[string]any{"Identity": addr, "Members": []string{"lee.gu", "alex.wilber"}, "BypassSecurityGroupManagerCheck": true})
	if got := h.mustInvoke(h.app(), "Get-DistributionGroupMember", map[string]any{"Identity": addr}); len(got) != 2 || got[0]["WindowsLiveID"] != upn("lee.gu") {
		t.Fatalf("Update must replace the list: %v", got)
	}
}

func TestUnknownCmdletAndParameter(t *testing.T) {
	h := start(t, Options{})
	r := h.invoke(h.app(), "Set-ElevatedAccessApprovalPolicy", map[string]any{"Identity": "x"})
	if r.status != http.StatusForbidden || r.header.Get("Content-Encoding") != "gzip" || r.raw != strings.Repeat("\x00", 8) {
		t.Fatalf("unknown cmdlet: got %d %v %q, want a bare 403 of NUL bytes declared gzip", r.status, r.header, r.raw)
	}
	detail := h.cmdletFailure(h.app(), "Get-OrganizationConfig", map[string]any{"Verbose": true})
	if detail != "|System.Management.Automation.ParameterBindingException|A parameter cannot be found that matches parameter name 'Verbose'." {
		t.Fatalf("detail %q", detail)
	}
}

func TestExchangePagingFollowsNextLink(t *testing.T) {
	h := start(t, Options{ExchangePageSize: 2})
	for i := range 5 {
		h.newSecurityGroup(fmt.Sprintf("group-%d", i))
	}
	app := h.app()
	before := h.srv.Stats()
	first := h.invoke(app, "Get-DistributionGroup", nil)
	next, _ := first.body["@odata.nextLink"].(string)
	if len(first.body["value"].([]any)) != 2 || !strings.HasPrefix(next, h.invokeEndpoint()+"?$skiptoken=") {
		t.Fatalf("first page %s", first.raw)
	}
	all := h.mustInvoke(app, "Get-DistributionGroup", nil)
	if len(all) != 5 || all[4]["Name"] != "group-4" {
		t.Fatalf("all pages %v", all)
	}
	diff := h.srv.Stats().Sub(before)
	if diff.ExchangeRequests != 4 || diff.Cmdlets["Get-DistributionGroup"] != 4 || diff.TokenRequests != 0 || diff.GraphRequests != 0 {
		t.Fatalf("stats %+v", diff)
	}
	big := h.invokeURL(h.invokeEndpoint(), h.app(), "Get-DistributionGroup", nil, map[string]string{"Prefer": "odata.maxpagesize=1000"})
	if len(big.body["value"].([]any)) != 5 || big.body["@odata.nextLink"] != nil {
		t.Fatalf("Prefer maxpagesize ignored: %s", big.raw)
	}
}
