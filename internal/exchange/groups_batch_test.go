package exchange

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

func TestGroupFilterQuotesAndJoins(t *testing.T) {
	got := groupFilter([]string{"9E6C1A3E-0000-4000-8000-000000000001", "o'brien@contoso.com", "just-a-name"})
	want := "(Guid -eq '9E6C1A3E-0000-4000-8000-000000000001') -or (EmailAddresses -eq 'o''brien@contoso.com')"
	if got != want {
		t.Errorf("filter\n got %s\nwant %s", got, want)
	}
}

// TestDistributionGroupsBatchesByTwenty reads 45 identities in three calls and keys each answer by
// the identity asked, whether a GUID, the primary address or another of the group's addresses.
func TestDistributionGroupsBatchesByTwenty(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
		if n == 1 {
			writeValues(w, "", groupObject("PAM approvers", "pam-approvers@contoso.com"))
			return
		}
		writeValues(w, "")
	})
	ids := []string{"9E6C1A3E-0000-4000-8000-000000000001", "PAM@contoso.onmicrosoft.com", "pam-approvers@contoso.com"}
	for i := len(ids); i < 45; i++ {
		ids = append(ids, fmt.Sprintf("missing-%d@contoso.com", i))
	}
	found, err := h.client.DistributionGroups(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 3 {
		t.Errorf("found %d identities, want the 3 that name the group: %v", len(found), found)
	}
	for _, id := range []string{"9e6c1a3e-0000-4000-8000-000000000001", "pam@contoso.onmicrosoft.com", "pam-approvers@contoso.com"} {
		if found[id].Name != "PAM approvers" {
			t.Errorf("identity %s: got %+v", id, found[id])
		}
	}
	reqs := h.svc.requests()
	if len(reqs) != 3 {
		t.Fatalf("made %d calls for 45 identities, want 3", len(reqs))
	}
	for _, r := range reqs {
		if r.Cmdlet != "Get-DistributionGroup" || len(r.Params) != 1 || r.Params["Filter"] == nil {
			t.Errorf("request %s %v, want Get-DistributionGroup with only a Filter", r.Cmdlet, r.Params)
		}
	}
}
