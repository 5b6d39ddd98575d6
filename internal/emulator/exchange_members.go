package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

func getDistributionGroupMember(c *exchangeCall) ([]map[string]any, *cmdletError) {
	size, cerr := c.resultSize()
	if cerr != nil {
		return nil, cerr
	}
	id, _ := c.text("Identity")
	g, cerr := c.t.resolveGroup(id)
	if cerr != nil {
		return nil, cerr
	}
	var out []map[string]any
	for _, memberID := range g.Members {
		if m := c.t.memberOutput(memberID); m != nil {
			out = append(out, m)
		}
	}
	return limit(out, size), nil
}

// groupAndMember resolves Identity (with the manager check) and Member, a user, group or mail
// contact; it returns the member's object id and the name the caller gave.
func (c *exchangeCall) groupAndMember() (*Group, string, string, *cmdletError) {
	g, cerr := c.managedGroup()
	if cerr != nil {
		return nil, "", "", cerr
	}
	member, _ := c.text("Member")
	id, cerr := c.t.resolveMember(member)
	if cerr != nil {
		return nil, "", "", cerr
	}
	if strings.EqualFold(id, g.ID) {
		return nil, "", "", errInvalidOperation("The group \"%s\" can't be a member of itself.", g.Name)
	}
	return g, id, member, nil
}

func addDistributionGroupMember(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, id, member, cerr := c.groupAndMember()
	if cerr != nil {
		return nil, cerr
	}
	if containsFold(g.Members, id) {
		return nil, &cmdletError{http.StatusBadRequest, "", excMemberExists, fmt.Sprintf("The recipient \"%s\" is already a member of the group \"%s\".", member, g.Name)}
	}
	g.Members = append(g.Members, id)
	g.WhenChanged = c.now
	return nil, nil
}

func removeDistributionGroupMember(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, id, member, cerr := c.groupAndMember()
	if cerr != nil {
		return nil, cerr
	}
	for i, m := range g.Members {
		if strings.EqualFold(m, id) {
			g.Members = append(g.Members[:i], g.Members[i+1:]...)
			g.WhenChanged = c.now
			return nil, nil
		}
	}
	return nil, &cmdletError{http.StatusNotFound, "", excMemberMissing, fmt.Sprintf("The recipient \"%s\" isn't a member of the group \"%s\".", member, g.Name)}
}

// updateDistributionGroupMember replaces the whole member list; no Members (or $null) empties it.
func updateDistributionGroupMember(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, cerr := c.managedGroup()
	if cerr != nil {
		return nil, cerr
	}
	members, _ := c.list("Members")
	ids, cerr := c.t.resolveMembers(members)
	if cerr != nil {
		return nil, cerr
	}
	g.Members = ids
	g.WhenChanged = c.now
	return nil, nil
}

// newMailContact creates a mail contact, which groups can then hold as a member.
func newMailContact(c *exchangeCall) ([]map[string]any, *cmdletError) {
	name, _ := c.text("Name")
	if cerr := checkName(name); cerr != nil {
		return nil, cerr
	}
	address, _ := c.text("ExternalEmailAddress")
	address = stripSMTP(address)
	if !validSMTP.MatchString(address) {
		return nil, errArgument("The email address \"%s\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.", address)
	}
	contact := &Contact{ID: newGUID(), Name: name, DisplayName: name, Alias: aliasFromName(name), ExternalEmailAddress: address}
	if displayName, given := c.text("DisplayName"); given {
		contact.DisplayName = displayName
	}
	if alias, given := c.text("Alias"); given {
		if cerr := checkAlias(alias); cerr != nil {
			return nil, cerr
		}
		contact.Alias = alias
	}
	if cerr := c.t.checkUnique(nil, contact.Name, contact.Alias, []string{address}); cerr != nil {
		return nil, cerr
	}
	c.t.Contacts = append(c.t.Contacts, contact)
	return []map[string]any{c.t.memberOutput(contact.ID)}, nil
}
