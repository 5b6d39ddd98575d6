package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

func TestSelectRequests(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	requests := []pamtenant.AccessRequest{
		{Identity: "late", RequestStatus: "Approved", Task: `Exchange\Set-Mailbox`, CreationTimeUTC: now.Add(time.Hour)},
		{Identity: "early", RequestStatus: "Pending", Task: `Exchange\Set-Mailbox`, CreationTimeUTC: now, DurationHours: 4},
	}
	items := selectRequests(requests, types.StringNull(), types.StringValue(`exchange\SET-mailbox`))
	if len(items) != 2 || items[0].ID.ValueString() != "early" {
		t.Fatalf("want both requests oldest first, got %v", items)
	}
	if got := items[0].Created.ValueString(); got != "2030-01-02T03:04:05Z" {
		t.Errorf("created = %s, want RFC 3339 UTC", got)
	}
	if !items[0].Expires.IsNull() {
		t.Errorf("expires without a time from the service: want null, got %s", items[0].Expires)
	}
	if items := selectRequests(requests, types.StringValue("Approved"), types.StringNull()); len(items) != 1 || items[0].ID.ValueString() != "late" {
		t.Errorf("status filter: got %v, want only the approved request", items)
	}
}
