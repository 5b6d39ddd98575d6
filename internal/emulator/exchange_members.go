package emulator

import (
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
		if u := c.t.userByID(memberID); u != nil {
			out = append(out, memberOutput(u))
		}
	}
	return limit(out, size), nil
}

// groupAndMember resolves Identity (with the manager check) and Member.
func (c *exchangeCall) groupAndMember() (*Group, *User, *cmdletError) {
	g, cerr := c.managedGroup()
	if cerr != nil {
		return nil, nil, cerr
	}
	member, _ := c.text("Member")
	u := c.t.resolveUser(member)
	if u == nil {
		return nil, nil, errRecipientNotFound(member)
	}
	return g, u, nil
}

func addDistributionGroupMember(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, u, cerr := c.groupAndMember()
	if cerr != nil {
		return nil, cerr
	}
	if containsFold(g.Members, u.ID) {
		return nil, &cmdletError{http.StatusBadRequest, "", excMemberExists, "The recipient \"" + u.UserPrincipalName + "\" is already a member of the group \"" + g.Name + "\"."}
	}
	g.Members = append(g.Members, u.ID)
	g.WhenChanged = c.now
	return nil, nil
}

func removeDistributionGroupMember(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, u, cerr := c.groupAndMember()
	if cerr != nil {
		return nil, cerr
	}
	for i, id := range g.Members {
		if strings.EqualFold(id, u.ID) {
			g.Members = append(g.Members[:i], g.Members[i+1:]...)
			g.WhenChanged = c.now
			return nil, nil
		}
	}
	return nil, &cmdletError{http.StatusNotFound, "", excMemberMissing, "The recipient \"" + u.UserPrincipalName + "\" isn't a member of the group \"" + g.Name + "\"."}
}

// updateDistributionGroupMember replaces the whole member list; no Members (or $null) empties it.
func updateDistributionGroupMember(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, cerr := c.managedGroup()
	if cerr != nil {
		return nil, cerr
	}
	members, _ := c.list("Members")
	ids, cerr := c.t.resolveUsers(members)
	if cerr != nil {
		return nil, cerr
	}
	g.Members = ids
	g.WhenChanged = c.now
	return nil, nil
}
