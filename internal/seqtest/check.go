package seqtest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// Mismatches compares the tenant itself (the emulator's record, not what reads show) with the
// configuration: each group once with its name and members, privileged access as declared, each
// task's one policy with its settings, and no leftover group or policy of the configuration's
// naming. Objects made by hand are checked by Foreign, not here.
func Mismatches(c Config, t *emulator.Tenant) []string {
	domain := t.InitialDomain()
	var out []string
	local := map[string]string{} // object id -> user's local part
	for _, u := range t.Users {
		local[strings.ToLower(u.ID)], _, _ = strings.Cut(u.UserPrincipalName, "@")
	}
	byAddress := map[string][]*emulator.Group{}
	for _, g := range t.Groups {
		byAddress[strings.ToLower(g.PrimarySmtpAddress)] = append(byAddress[strings.ToLower(g.PrimarySmtpAddress)], g)
	}
	groupID := map[string]string{} // key -> object id
	for _, key := range GroupKeys {
		address := GroupAddress(key, domain)
		found := byAddress[strings.ToLower(address)]
		want, declared := c.Groups[key]
		switch {
		case !declared && len(found) > 0:
			out = append(out, fmt.Sprintf("group %s is not in the configuration but is in the tenant", address))
		case !declared:
		case len(found) != 1:
			out = append(out, fmt.Sprintf("group %s: %d in the tenant, want 1", address, len(found)))
		default:
			g := found[0]
			groupID[key] = g.ID
			var members []string
			for _, id := range g.Members {
				members = append(members, cmp.Or(local[strings.ToLower(id)], id))
			}
			slices.Sort(members)
			if g.Name != want.Name || !slices.Equal(members, want.Members) {
				out = append(out, fmt.Sprintf("group %s is name %q members %v, want name %q members %v", address, g.Name, members, want.Name, want.Members))
			}
		}
	}

	switch {
	case c.PAM == nil && t.PAM.Enabled:
		out = append(out, "privileged access is enabled, but the configuration has no privileged access resource")
	case c.PAM != nil:
		var accounts []string
		for _, id := range t.PAM.SystemAccounts {
			accounts = append(accounts, cmp.Or(local[strings.ToLower(id)], id))
		}
		slices.Sort(accounts)
		if !t.PAM.Enabled || !strings.EqualFold(t.PAM.AdminGroupID, groupID[c.PAM.Group]) || !slices.Equal(accounts, c.PAM.SystemAccounts) {
			out = append(out, fmt.Sprintf("privileged access is enabled=%v group=%s system accounts %v, want enabled group %s (%s) system accounts %v",
				t.PAM.Enabled, t.PAM.AdminGroupID, accounts, c.PAM.Group, groupID[c.PAM.Group], c.PAM.SystemAccounts))
		}
	}

	byTask := map[string][]*emulator.Policy{}
	for _, p := range t.Policies {
		byTask[strings.ToLower(p.Task)] = append(byTask[strings.ToLower(p.Task)], p)
	}
	for _, task := range slices.Sorted(maps.Keys(c.Policies)) {
		want := c.Policies[task]
		found := byTask[strings.ToLower(task)]
		if len(found) != 1 {
			out = append(out, fmt.Sprintf("task %s has %d policies, want 1", task, len(found)))
			continue
		}
		if p := found[0]; p.ApprovalType != want.Approval || !strings.EqualFold(p.ApproverGroupID, groupID[want.Group]) {
			out = append(out, fmt.Sprintf("task %s has a %s policy approved by %s, want %s approved by %s (%s)",
				task, p.ApprovalType, p.ApproverGroupID, want.Approval, want.Group, groupID[want.Group]))
		}
	}
	return out
}

// Fingerprints identify the objects made by hand: by object id, what they hold. An object the
// configuration does not own must keep its fingerprint whatever the configuration does.
func Fingerprints(t *emulator.Tenant, groupIDs, policyIDs []string) map[string]string {
	out := map[string]string{}
	for _, g := range t.Groups {
		if slices.Contains(groupIDs, g.ID) {
			members := slices.Sorted(slices.Values(g.Members))
			out[g.ID] = fmt.Sprintf("group %s (%s) members %v", g.PrimarySmtpAddress, g.Name, members)
		}
	}
	for _, p := range t.Policies {
		if slices.Contains(policyIDs, p.ID) {
			out[p.ID] = fmt.Sprintf("policy %s for %s, %s, approved by %s", p.ID, p.Task, p.ApprovalType, p.ApproverGroupID)
		}
	}
	return out
}
