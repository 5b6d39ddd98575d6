package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

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
