package exchange

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestKnownCmdlet(t *testing.T) {
	for name, want := range map[string]bool{
		"New-MoveRequest":                  true,
		"new-moverequest":                  true,
		"SET-MAILBOX":                      true,
		"New-ElevatedAccessApprovalPolicy": true, // called by the provider, not on the reference's index page
		"New-MoveRequests":                 false,
		"Frobnicate-Mailbox":               false,
		"":                                 false,
		"# Names of the cmdlets":           false,
	} {
		if got := KnownCmdlet(name); got != want {
			t.Errorf("KnownCmdlet(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCloseCmdlets(t *testing.T) {
	for name, want := range map[string][]string{
		"New-MoveRequests": {"New-MoveRequest", "Get-MoveRequest", "Set-MoveRequest"},
		"set-mailbx":       {"Set-Mailbox", "Get-Mailbox"},
		"Frobnicate-Xyzzy": nil,
	} {
		if got := CloseCmdlets(name); !reflect.DeepEqual(got, want) {
			t.Errorf("CloseCmdlets(%q) = %q, want %q", name, got, want)
		}
	}
}

// The shipped list stays sorted, one name a line, without duplicates, so that updating it from the
// source gives a readable diff.
func TestKnownCmdletsListIsSorted(t *testing.T) {
	var names []string
	for _, line := range strings.Split(knownCmdletsText, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	if len(names) < 1000 {
		t.Fatalf("the list holds %d names; the source has more than 1000", len(names))
	}
	if !sort.SliceIsSorted(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) }) {
		t.Error("cmdlets_exchange_online.txt is not sorted without regard to case")
	}
	for i := 1; i < len(names); i++ {
		if strings.EqualFold(names[i], names[i-1]) {
			t.Errorf("%s is listed twice", names[i])
		}
	}
}
