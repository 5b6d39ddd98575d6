package exchange

import (
	_ "embed"
	"sort"
	"strings"
)

// knownCmdletsText is the list of Exchange cmdlet names shipped with the provider; its header names
// the source and the date it was read. It can lag Microsoft's: callers warn, never refuse.
//
//go:embed cmdlets_exchange_online.txt
var knownCmdletsText string

// knownCmdlets maps each lower-cased name to its spelling: the shipped list, plus the privileged
// access cmdlets this client calls, which the reference's index does not list.
var knownCmdlets = func() map[string]string {
	m := map[string]string{}
	add := func(name string) { m[strings.ToLower(name)] = name }
	for _, line := range strings.Split(knownCmdletsText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			add(line)
		}
	}
	for _, name := range []string{
		cmdletEnableElevatedAccessControl, cmdletDisableElevatedAccessControl,
		cmdletGetElevatedAccessApprovalPolicy, cmdletNewElevatedAccessApprovalPolicy,
		cmdletRemoveElevatedAccessApprovalPolicy, cmdletNewElevatedAccessRequest, cmdletGetElevatedAccessRequest,
		cmdletGetElevatedAccessAuthorization, cmdletApproveElevatedAccessRequest, cmdletDenyElevatedAccessRequest,
	} {
		add(name)
	}
	return m
}()

// KnownCmdlet reports whether name (such as "New-MoveRequest") is in the provider's list of Exchange
// cmdlets, compared without regard to case.
func KnownCmdlet(name string) bool {
	_, ok := knownCmdlets[strings.ToLower(strings.TrimSpace(name))]
	return ok
}

// maxCloseCmdlets is how many close names CloseCmdlets returns at most.
const maxCloseCmdlets = 3

// CloseCmdlets returns up to three known cmdlet names nearest to name by edit distance (without
// regard to case), nearest first; none when nothing is near.
func CloseCmdlets(name string) []string {
	want := strings.ToLower(strings.TrimSpace(name))
	limit := max(2, len(want)/5)
	type near struct {
		name string
		d    int
	}
	var found []near
	for lower, spelled := range knownCmdlets {
		if d := editDistance(want, lower); d <= limit {
			found = append(found, near{spelled, d})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].d != found[j].d {
			return found[i].d < found[j].d
		}
		return found[i].name < found[j].name
	})
	var names []string
	for i := 0; i < len(found) && i < maxCloseCmdlets; i++ {
		names = append(names, found[i].name)
	}
	return names
}

// editDistance is the Levenshtein distance between a and b, by bytes (cmdlet names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
