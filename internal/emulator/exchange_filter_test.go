package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The filter subset the provider uses: -eq on Guid and EmailAddresses joined by -or, with
// -and, parentheses and doubled quotes; a filter beyond it is refused as the service refuses one.
func TestGetDistributionGroupFilter(t *testing.T) {
	h := start(t, Options{ExtraGroups: 30})
	megan := h.user("megan.bowen")
	h.mustInvoke(megan, "New-DistributionGroup", map[string]any{"Name": "O'Brien approvers", "Type": "Security", "PrimarySmtpAddress": "o'brien@" + BuiltinDomain})
	guid := h.mustInvoke(megan, "Get-DistributionGroup", map[string]any{"Identity": "synthetic-00007"})[0]["Guid"].(string)

	names := func(filter string) []string {
		var out []string
		for _, g := range h.mustInvoke(megan, "Get-DistributionGroup", map[string]any{"Filter": filter}) {
			out = append(out, g["Name"].(string))
		}
		return out
	}
	for filter, want := range map[string]string{
		fmt.Sprintf("(Guid -eq '%s') -or (EmailAddresses -eq 'SYNTHETIC-00003@%s')", strings.ToUpper(guid), BuiltinDomain): "Synthetic group 00003,Synthetic group 00007",
		"EmailAddresses -eq 'o''brien@" + BuiltinDomain + "'":                                                              "O'Brien approvers",
		"Name -eq 'Synthetic group 00001' -AND (Alias -eq 'synthetic-00001' -or Alias -eq 'nothing')":                      "Synthetic group 00001",
		"Name -eq 'Synthetic group 00001' -and Alias -eq 'synthetic-00002'":                                                "",
		"ExternalDirectoryObjectId -eq '5e000000-0000-4000-8000-000000000029'":                                             "Synthetic group 00029",
	} {
		if got := strings.Join(names(filter), ","); got != want {
			t.Errorf("%s: got %q, want %q", filter, got, want)
		}
	}
	for filter, want := range map[string]string{
		"Name -like 'Synthetic*'":    "Invalid filter syntax",
		"Name -eq 'unclosed":         "Invalid filter syntax",
		"(Name -eq 'a'":              "Invalid filter syntax",
		"Department -eq 'Sales'":     "'Department' is not a recognized filterable property",
		"Name -eq 'a' -or":           "Invalid filter syntax",
		"Name -eq 'a' Alias -eq 'b'": "Invalid filter syntax",
		"ManagedBy -eq $null":        "not a recognized filterable property",
	} {
		assertContains(t, h.cmdletFailure(megan, "Get-DistributionGroup", map[string]any{"Filter": filter}), want)
	}
	assertContains(t, h.cmdletFailure(megan, "Get-DistributionGroup", map[string]any{"Filter": "Name -like 'x*'"}),
		"System.Management.Automation.ParameterBindingException|InvalidArgument|Cannot bind parameter 'Filter'")
}

// A seeded tenant of 50,000 groups starts in seconds and pages its list in pages of the asked size.
func TestSeededTenantStartsFastAndPages(t *testing.T) {
	begin := time.Now()
	h := start(t, Options{ExtraGroups: 50000})
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("starting with 50,000 groups took %v", took)
	}
	megan := h.user("megan.bowen")
	r := h.invokeURL(h.invokeEndpoint(), megan, "Get-DistributionGroup", map[string]any{"ResultSize": "Unlimited"},
		map[string]string{"Prefer": "odata.maxpagesize=1000"})
	if got := len(r.body["value"].([]any)); got != 1000 || r.body["@odata.nextLink"] == nil {
		t.Fatalf("first page holds %d groups (want 1000) and next link %v", got, r.body["@odata.nextLink"])
	}
}
