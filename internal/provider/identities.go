package provider

import (
	"cmp"
	"context"
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
)

// Users are named in configurations by UPN or by an SMTP address, while the services answer with
// object ids, UPNs or primary addresses. These helpers compare people by identity, so that a
// member written one way and reported another is no diff.

// userAddresses lists every spelling that names the user, lower-cased.
func userAddresses(u graph.User) []string {
	names := []string{strings.ToLower(u.ID), strings.ToLower(u.UserPrincipalName), strings.ToLower(u.Mail)}
	for _, p := range u.ProxyAddresses {
		if _, addr, ok := strings.Cut(p, ":"); ok {
			names = append(names, strings.ToLower(addr))
		}
	}
	return names
}

func userIsNamed(u graph.User, spelling string) bool {
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
func spellingsFor(users []graph.User, prior []string) []string {
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

// resolveUser finds a user by object id or UPN, then by SMTP address. It returns a NotFound
// *apierr.Error when neither knows the name.
func (c *tenantClient) resolveUser(ctx context.Context, spelling string) (*graph.User, error) {
	u, err := c.graph.User(ctx, spelling)
	if err == nil || !apierr.IsNotFound(err) || !strings.Contains(spelling, "@") {
		return u, err
	}
	return c.graph.UserByMail(ctx, spelling)
}
