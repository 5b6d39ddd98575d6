package emulator

import (
	"strings"
	"time"
)

// userDefaultProperties are what Graph v1.0 returns for a user without $select; the rest
// (accountEnabled, proxyAddresses, ...) come only when selected.
var userDefaultProperties = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail",
	"mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

// view applies $select, or the default property set when there is none.
func view(obj map[string]any, selected, defaults []string) map[string]any {
	if len(selected) == 0 && defaults != nil {
		selected = defaults
	}
	return selectProperties(obj, selected)
}

func graphUserJSON(u *User) map[string]any {
	given, surname, _ := strings.Cut(u.DisplayName, " ")
	return map[string]any{
		"@odata.type":       "#microsoft.graph.user",
		"id":                u.ID,
		"businessPhones":    []string{},
		"displayName":       u.DisplayName,
		"givenName":         given,
		"surname":           surname,
		"jobTitle":          nil,
		"mail":              u.PrimarySMTP(),
		"mailNickname":      u.Alias,
		"mobilePhone":       nil,
		"officeLocation":    nil,
		"preferredLanguage": "en-US",
		"userPrincipalName": u.UserPrincipalName,
		"accountEnabled":    u.AccountEnabled,
		"proxyAddresses":    nonNil(u.ProxyAddresses),
		"usageLocation":     "US",
		"assignedLicenses":  assignedLicenses(u),
	}
}

// assignedLicenses is the user's assignedLicenses: one entry per licence, no plan disabled.
func assignedLicenses(u *User) []map[string]any {
	out := make([]map[string]any, 0, len(u.SkuIDs))
	for _, id := range u.SkuIDs {
		out = append(out, map[string]any{"skuId": id, "disabledPlans": []string{}})
	}
	return out
}

func userFilterable(u *User) filterable {
	return filterable{
		scalars: map[string]string{
			"id": u.ID, "mail": u.PrimarySMTP(), "userprincipalname": u.UserPrincipalName,
			"displayname": u.DisplayName, "mailnickname": u.Alias, "accountenabled": boolText(u.AccountEnabled),
		},
		collections: map[string][]string{"proxyaddresses": u.ProxyAddresses},
	}
}

func graphGroupJSON(g *Group) map[string]any {
	var description any
	if g.Description != "" {
		description = g.Description
	}
	return map[string]any{
		"@odata.type":                   "#microsoft.graph.group",
		"id":                            g.ID,
		"createdDateTime":               graphTime(g.WhenCreated),
		"description":                   description,
		"displayName":                   g.DisplayName,
		"groupTypes":                    []string{},
		"mail":                          g.PrimarySmtpAddress,
		"mailEnabled":                   true,
		"mailNickname":                  g.Alias,
		"proxyAddresses":                nonNil(g.EmailAddresses),
		"securityEnabled":               g.Security,
		"onPremisesSyncEnabled":         nil,
		"visibility":                    nil,
		"renewedDateTime":               graphTime(g.WhenCreated),
		"resourceProvisioningOptions":   []string{},
		"securityIdentifier":            "S-1-12-1-" + strings.ReplaceAll(g.GUID, "-", ""),
		"isAssignableToRole":            nil,
		"membershipRule":                nil,
		"membershipRuleProcessingState": nil,
	}
}

func groupFilterable(g *Group) filterable {
	return filterable{
		scalars: map[string]string{
			"id": g.ID, "mail": g.PrimarySmtpAddress, "displayname": g.DisplayName, "mailnickname": g.Alias,
			"mailenabled": "true", "securityenabled": boolText(g.Security),
		},
		collections: map[string][]string{"proxyaddresses": g.EmailAddresses, "grouptypes": {}},
	}
}

func graphServicePlans(s *Sku) []map[string]any {
	plans := []map[string]any{}
	for _, p := range s.ServicePlans {
		plans = append(plans, map[string]any{
			"servicePlanId": p.ID, "servicePlanName": p.Name, "provisioningStatus": "Success", "appliesTo": "User",
		})
	}
	return plans
}

func graphSubscribedSkuJSON(t *Tenant, s *Sku) map[string]any {
	consumed := 0
	for _, u := range t.Users {
		if containsFold(u.SkuIDs, s.SkuID) {
			consumed++
		}
	}
	return map[string]any{
		"accountId":        t.TenantID,
		"accountName":      t.DisplayName,
		"appliesTo":        "User",
		"capabilityStatus": "Enabled",
		"consumedUnits":    consumed,
		"id":               t.TenantID + "_" + s.SkuID,
		"skuId":            s.SkuID,
		"skuPartNumber":    s.SkuPartNumber,
		"subscriptionIds":  []string{},
		"prepaidUnits":     map[string]int{"enabled": s.PrepaidUnits, "suspended": 0, "warning": 0, "lockedOut": 0},
		"servicePlans":     graphServicePlans(s),
	}
}

func graphLicenseDetailJSON(s *Sku) map[string]any {
	return map[string]any{
		"id":            strings.ReplaceAll(s.SkuID, "-", ""),
		"skuId":         s.SkuID,
		"skuPartNumber": s.SkuPartNumber,
		"servicePlans":  graphServicePlans(s),
	}
}

func graphOrganizationJSON(t *Tenant) map[string]any {
	domains := []map[string]any{}
	for _, d := range t.Domains {
		domains = append(domains, map[string]any{
			"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": d.IsDefault,
			"isInitial": d.IsInitial, "name": d.Name, "type": "Managed",
		})
	}
	return map[string]any{
		"@odata.type":     "#microsoft.graph.organization",
		"id":              t.TenantID,
		"displayName":     t.DisplayName,
		"tenantType":      "AAD",
		"verifiedDomains": domains,
	}
}

func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func graphContactJSON(c *Contact) map[string]any {
	return map[string]any{
		"@odata.type":    "#microsoft.graph.orgContact",
		"id":             c.ID,
		"displayName":    c.DisplayName,
		"mail":           c.ExternalEmailAddress,
		"mailNickname":   c.Alias,
		"proxyAddresses": []string{"SMTP:" + c.ExternalEmailAddress},
	}
}

// graphMemberJSON is a group member of any kind as Graph lists it under members, with the
// selected properties that its kind has; nil for an id the tenant no longer knows.
func (t *Tenant) graphMemberJSON(id string, selected []string) map[string]any {
	if u := t.userByID(id); u != nil {
		return view(graphUserJSON(u), selected, userDefaultProperties)
	}
	if g := t.groupByID(id); g != nil {
		return view(graphGroupJSON(g), selected, nil)
	}
	if c := t.contactByID(id); c != nil {
		return view(graphContactJSON(c), selected, nil)
	}
	return nil
}
