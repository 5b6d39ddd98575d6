package provider

import (
	"cmp"
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// Users are named in configurations by UPN or by an SMTP address, while the services answer with
// object ids, UPNs or primary addresses. These helpers compare people by identity, so that a
// member written one way and reported another is no diff.

// userAddresses lists every spelling that names the user, lower-cased.
func userAddresses(u pamtenant.User) []string {
	names := []string{strings.ToLower(u.ID), strings.ToLower(u.UserPrincipalName), strings.ToLower(u.Mail)}
	for _, p := range u.ProxyAddresses {
		if _, addr, ok := strings.Cut(p, ":"); ok {
			names = append(names, strings.ToLower(addr))
		}
	}
	return names
}

func userIsNamed(u pamtenant.User, spelling string) bool {
	s := strings.ToLower(strings.TrimSpace(spelling))
	for _, name := range userAddresses(u) {
		if name != "" && name == s {
			return true
		}
	}
	return false
}

// spellingsFor names each member as the prior state did when that spelling still names the same
// member, and otherwise by UPN, or, for a group or mail contact, which has none, by mail address
// (by object id when it has no address either).
func spellingsFor(users []pamtenant.User, prior []string) []string {
	byName := make(map[string]string, len(prior))
	for _, p := range prior {
		key := strings.ToLower(strings.TrimSpace(p))
		if _, taken := byName[key]; !taken {
			byName[key] = p
		}
	}
	out := make([]string, 0, len(users))
	for _, u := range users {
		name := cmp.Or(u.UserPrincipalName, u.Mail, u.ID)
		for _, address := range userAddresses(u) {
			if p, ok := byName[address]; ok && address != "" {
				name = p
				break
			}
		}
		out = append(out, name)
	}
	return out
}
