package provider

import (
	"strings"
	"testing"

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
