package exchange

import (
	"context"
	"strings"

	"github.com/google/uuid"
)

// MaxGroupsPerFilter is the most groups one batched read names. No limit on the length of a
// filter is documented; twenty clauses keep it near a kilobyte.
const MaxGroupsPerFilter = 20

// DistributionGroups reads the groups that identities name, each a GUID or an SMTP address, with
// one Get-DistributionGroup -Filter run per MaxGroupsPerFilter identities, so that reading the
// groups a configuration holds costs what the configuration holds, not what the tenant holds.
// The answer is keyed by the identities as given, lower-cased; an identity that names no group,
// or that is neither a GUID nor an address, is missing from it.
func (c *Client) DistributionGroups(ctx context.Context, identities []string) (map[string]DistributionGroup, error) {
	found := make(map[string]DistributionGroup, len(identities))
	for start := 0; start < len(identities); start += MaxGroupsPerFilter {
		chunk := identities[start:min(start+MaxGroupsPerFilter, len(identities))]
		filter := groupFilter(chunk)
		if filter == "" {
			continue
		}
		err := c.invokeEach(ctx, cmdletGetDistributionGroup, map[string]any{paramFilter: filter}, func(r record) {
			g := decodeGroup(r)
			for _, id := range chunk {
				if g.isNamedBy(id) {
					found[strings.ToLower(id)] = g
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return found, nil
}

// groupFilter is the OPATH filter that finds the groups identities name: GUIDs by Guid, addresses
// by EmailAddresses (which matches any of a group's addresses, as Identity does).
func groupFilter(identities []string) string {
	var clauses []string
	for _, id := range identities {
		switch {
		case isGUID(id):
			clauses = append(clauses, opathEquals(filterGUID, id))
		case strings.Contains(id, "@"):
			clauses = append(clauses, opathEquals(filterEmailAddresses, id))
		}
	}
	return strings.Join(clauses, " "+opathOr+" ")
}

// opathEquals is one clause `Property -eq 'value'`; a quote inside the value is doubled.
func opathEquals(property, value string) string {
	return "(" + property + " " + opathEq + " '" + strings.ReplaceAll(value, "'", "''") + "')"
}

func isGUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// isNamedBy reports whether id is the group's GUID or one of its addresses.
func (g *DistributionGroup) isNamedBy(id string) bool {
	if strings.EqualFold(g.GUID, id) || strings.EqualFold(g.PrimarySmtpAddress, id) {
		return true
	}
	for _, proxy := range g.EmailAddresses {
		if _, addr, ok := strings.Cut(proxy, ":"); ok && strings.EqualFold(addr, id) {
			return true
		}
	}
	return false
}
