package emulator

import (
	"reflect"
	"strconv"
	"strings"
)

// recipientTypeOf is the group's RecipientTypeDetails.
func recipientTypeOf(g *Group) string {
	if g.Security {
		return "MailUniversalSecurityGroup"
	}
	return "MailUniversalDistributionGroup"
}

// groupOutput shows a group; a group newer than Options.ObjectIDLag has no Entra object id yet.
func (c *exchangeCall) groupOutput(g *Group) map[string]any {
	objectID := g.ID
	if c.now.Before(g.WhenCreated.Add(c.idLag)) {
		objectID = ""
	}
	recipientType, groupType := recipientTypeOf(g), "Universal"
	if g.Security {
		groupType = "Universal, SecurityEnabled"
	}
	description := []string{}
	if g.Description != "" {
		description = []string{g.Description}
	}
	return map[string]any{
		"Identity":                  g.Name,
		"Guid":                      exoGUID(g.GUID),
		"ExternalDirectoryObjectId": objectID,
		"Name":                      g.Name,
		"DisplayName":               g.DisplayName,
		"Alias":                     g.Alias,
		"PrimarySmtpAddress":        g.PrimarySmtpAddress,
		"WindowsEmailAddress":       g.PrimarySmtpAddress,
		"EmailAddresses":            append([]string(nil), g.EmailAddresses...),
		"RecipientType":             recipientType,
		"RecipientTypeDetails":      recipientType,
		"GroupType":                 groupType,
		"ManagedBy":                 append([]string(nil), g.ManagedBy...),
		"Notes":                     g.Notes,
		"Description":               description,
		"MemberDepartRestriction":   g.MemberDepartRestriction,
		"MemberJoinRestriction":     g.MemberJoinRestriction,
		"IsDirSynced":               false,
		"WhenCreatedUTC":            g.WhenCreated,
		"WhenChangedUTC":            g.WhenChanged,
	}
}

// memberOutput is a member as Get-DistributionGroupMember shows it, of whatever kind; nil for an
// id the tenant no longer knows.
func (t *Tenant) memberOutput(id string) map[string]any {
	if u := t.userByID(id); u != nil {
		return map[string]any{
			"Identity":                  u.ID,
			"Name":                      u.ID,
			"Guid":                      exoGUID(u.ExchangeGUID),
			"ExternalDirectoryObjectId": u.ID,
			"DisplayName":               u.DisplayName,
			"Alias":                     u.Alias,
			"PrimarySmtpAddress":        u.PrimarySMTP(),
			"WindowsLiveID":             u.UserPrincipalName,
			"RecipientType":             "UserMailbox",
			"RecipientTypeDetails":      "UserMailbox",
		}
	}
	if g := t.groupByID(id); g != nil {
		details := "MailUniversalDistributionGroup"
		if g.Security {
			details = "MailUniversalSecurityGroup"
		}
		return map[string]any{
			"Identity": g.Name, "Name": g.Name, "Guid": exoGUID(g.GUID), "ExternalDirectoryObjectId": g.ID,
			"DisplayName": g.DisplayName, "Alias": g.Alias, "PrimarySmtpAddress": g.PrimarySmtpAddress,
			"RecipientType": details, "RecipientTypeDetails": details,
		}
	}
	if c := t.contactByID(id); c != nil {
		return map[string]any{
			"Identity": c.Name, "Name": c.Name, "ExternalDirectoryObjectId": c.ID, "DisplayName": c.DisplayName,
			"Alias": c.Alias, "PrimarySmtpAddress": c.ExternalEmailAddress, "ExternalEmailAddress": "SMTP:" + c.ExternalEmailAddress,
			"RecipientType": "MailContact", "RecipientTypeDetails": "MailContact",
		}
	}
	return nil
}

// checkDepartRestriction refuses an Open departure policy on a security group.
func checkDepartRestriction(g *Group) *cmdletError {
	if g.Security && g.MemberDepartRestriction == "Open" {
		return errValidation("MemberDepartRestriction can't be set to Open for the security group '%s'. Security groups allow only Closed.", g.Name)
	}
	return nil
}

// requireManager applies the group manager check: a caller not in ManagedBy (an app never is)
// needs BypassSecurityGroupManagerCheck.
func (c *exchangeCall) requireManager(g *Group) *cmdletError {
	if c.flag("BypassSecurityGroupManagerCheck") || (!c.p.appOnly() && containsFold(g.ManagedBy, c.p.userID)) {
		return nil
	}
	return errInvalidOperation("You don't have sufficient permissions. This operation can only be performed by a manager of the group '%s'. To change a group you don't manage, use the BypassSecurityGroupManagerCheck switch.", g.Name)
}

func newDistributionGroup(c *exchangeCall) ([]map[string]any, *cmdletError) {
	name, _ := c.text("Name")
	if cerr := checkName(name); cerr != nil {
		return nil, cerr
	}
	groupType, _ := c.text("Type")
	g := &Group{
		ID: newGUID(), GUID: newGUID(), Name: name, DisplayName: name,
		Security: groupType == "Security", MemberJoinRestriction: "Closed", MemberDepartRestriction: "Open",
		WhenCreated: c.now, WhenChanged: c.now,
	}
	if g.Security {
		g.MemberDepartRestriction = "Closed"
	}
	g.Alias = aliasFromName(name)
	if cerr := c.applyGroupSettings(g); cerr != nil {
		return nil, cerr
	}
	if _, given := c.text("PrimarySmtpAddress"); !given {
		g.PrimarySmtpAddress = g.Alias + "@" + c.t.InitialDomain()
		g.EmailAddresses = []string{"SMTP:" + g.PrimarySmtpAddress}
	}
	if cerr := c.store.checkUnique(nil, g.Name, g.Alias, addressesOf(g)); cerr != nil {
		return nil, cerr
	}
	if notes, given := c.text("Notes"); given {
		g.Notes = notes
	}
	owners, given := c.list("ManagedBy")
	switch {
	case given:
		ids, cerr := c.t.resolveUsers(owners)
		if cerr != nil {
			return nil, cerr
		}
		g.ManagedBy = ids
	case !c.p.appOnly():
		g.ManagedBy = []string{c.p.userID}
	}
	members, _ := c.list("Members")
	ids, cerr := c.t.resolveMembers(members)
	if cerr != nil {
		return nil, cerr
	}
	g.Members = ids
	if c.flag("CopyOwnerToMember") {
		for _, owner := range g.ManagedBy {
			if !containsFold(g.Members, owner) {
				g.Members = append(g.Members, owner)
			}
		}
	}
	c.t.Groups = append(c.t.Groups, g)
	return []map[string]any{c.groupOutput(g)}, nil
}

// applyGroupSettings applies the settable properties shared by New- and Set-DistributionGroup.
func (c *exchangeCall) applyGroupSettings(g *Group) *cmdletError {
	if v, given := c.text("DisplayName"); given {
		if cerr := checkLength("DisplayName", v, maxDisplayNameLength); cerr != nil {
			return cerr
		}
		g.DisplayName = v
	}
	if v, given := c.text("Alias"); given {
		if cerr := checkAlias(v); cerr != nil {
			return cerr
		}
		g.Alias = v
	}
	if v, given := c.text("PrimarySmtpAddress"); given {
		if cerr := c.t.checkAddress(v); cerr != nil {
			return cerr
		}
		setPrimaryAddress(g, v)
	}
	if v, given := c.text("Description"); given {
		g.Description = v
	}
	if v, given := c.text("MemberDepartRestriction"); given {
		g.MemberDepartRestriction = v
	}
	if v, given := c.text("MemberJoinRestriction"); given {
		g.MemberJoinRestriction = v
	}
	return checkDepartRestriction(g)
}

// setPrimaryAddress makes addr primary and keeps the previous primary as a secondary address.
func setPrimaryAddress(g *Group, addr string) {
	var out []string
	out = append(out, "SMTP:"+addr)
	for _, p := range g.EmailAddresses {
		if strings.EqualFold(stripSMTP(p), addr) {
			continue
		}
		if strings.HasPrefix(p, "SMTP:") {
			p = "smtp:" + p[len("SMTP:"):]
		}
		out = append(out, p)
	}
	g.PrimarySmtpAddress, g.EmailAddresses = addr, out
}

func addressesOf(g *Group) []string {
	out := make([]string, 0, len(g.EmailAddresses))
	for _, p := range g.EmailAddresses {
		out = append(out, stripSMTP(p))
	}
	return out
}

// resultSize reads ResultSize ("Unlimited" or a number); 0 means no limit.
func (c *exchangeCall) resultSize() (int, *cmdletError) {
	v, given := c.text("ResultSize")
	if !given || strings.EqualFold(v, "Unlimited") {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, errBinding("Cannot process argument transformation on parameter 'ResultSize'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\".", v)
	}
	return n, nil
}

func limit[T any](values []T, n int) []T {
	if n > 0 && len(values) > n {
		return values[:n]
	}
	return values
}

// getDistributionGroup reads one group by Identity, or lists the groups that match Filter and
// RecipientTypeDetails. Matching walks the tenant's groups, which is cheap; only the page served
// is built.
func getDistributionGroup(c *exchangeCall) (lazyOutput, *cmdletError) {
	size, cerr := c.resultSize()
	if cerr != nil {
		return lazyOutput{}, cerr
	}
	var matched []*Group
	if id, given := c.text("Identity"); given {
		g, cerr := c.t.resolveGroup(id)
		if cerr != nil {
			return lazyOutput{}, cerr
		}
		matched = []*Group{g}
	} else if matched, cerr = c.filterGroups(); cerr != nil {
		return lazyOutput{}, cerr
	}
	matched = limit(matched, size)
	return lazyOutput{count: len(matched), render: func(i int) map[string]any { return c.groupOutput(matched[i]) }}, nil
}

// filterGroups lists the groups of the kinds RecipientTypeDetails names that match Filter.
func (c *exchangeCall) filterGroups() ([]*Group, *cmdletError) {
	types, _ := c.list("RecipientTypeDetails")
	for _, typ := range types {
		if !containsFold(recipientTypes, typ) {
			return nil, errBinding("Cannot process argument transformation on parameter 'RecipientTypeDetails'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails\".", typ)
		}
	}
	var filter opathFilter
	if text, given := c.text("Filter"); given {
		var cerr *cmdletError
		if filter, cerr = parseOPATH(text); cerr != nil {
			return nil, cerr
		}
	}
	var out []*Group
	for _, g := range c.t.Groups {
		if (len(types) == 0 || containsFold(types, recipientTypeOf(g))) && (filter == nil || filter.matches(g)) {
			out = append(out, g)
		}
	}
	return out, nil
}

// managedGroup resolves Identity and applies the manager check.
func (c *exchangeCall) managedGroup() (*Group, *cmdletError) {
	id, _ := c.text("Identity")
	g, cerr := c.t.resolveGroup(id)
	if cerr != nil {
		return nil, cerr
	}
	if cerr := c.requireManager(g); cerr != nil {
		return nil, cerr
	}
	return g, nil
}

// setDistributionGroup changes a copy, validates it, then commits, so a refused change
// leaves the group untouched.
func setDistributionGroup(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, cerr := c.managedGroup()
	if cerr != nil {
		return nil, cerr
	}
	changed := *g
	changed.EmailAddresses = append([]string(nil), g.EmailAddresses...)
	if name, given := c.text("Name"); given {
		if cerr := checkName(name); cerr != nil {
			return nil, cerr
		}
		changed.Name = name
	}
	if cerr := c.applyGroupSettings(&changed); cerr != nil {
		return nil, cerr
	}
	if owners, given := c.list("ManagedBy"); given {
		if len(owners) == 0 {
			return nil, errValidation("ManagedBy can't be empty for the group '%s'. A group must have at least one owner.", g.Name)
		}
		ids, cerr := c.t.resolveUsers(owners)
		if cerr != nil {
			return nil, cerr
		}
		changed.ManagedBy = ids
	}
	if cerr := c.store.checkUnique(g, changed.Name, changed.Alias, addressesOf(&changed)); cerr != nil {
		return nil, cerr
	}
	if reflect.DeepEqual(changed, *g) {
		c.warn("The command completed successfully but no settings of '%s' have been modified.", g.Name)
		return nil, nil
	}
	changed.WhenChanged = c.now
	*g = changed
	return nil, nil
}

func removeDistributionGroup(c *exchangeCall) ([]map[string]any, *cmdletError) {
	g, cerr := c.managedGroup()
	if cerr != nil {
		return nil, cerr
	}
	if c.t.PAM.Enabled && strings.EqualFold(c.t.PAM.AdminGroupID, g.ID) {
		return nil, errInvalidOperation("The group '%s' is the default approver group of elevated access control and can't be removed while elevated access control is enabled.", g.Name)
	}
	for _, pol := range c.store.Policies {
		if strings.EqualFold(pol.ApproverGroupID, g.ID) {
			return nil, errInvalidOperation("The group '%s' is the approver group of elevated access approval policy '%s' and can't be removed.", g.Name, pol.ID)
		}
	}
	for i, other := range c.t.Groups {
		if other == g {
			c.t.Groups = append(c.t.Groups[:i], c.t.Groups[i+1:]...)
			break
		}
	}
	return nil, nil
}
