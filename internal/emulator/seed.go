package emulator

import (
	"fmt"
	"strings"
	"time"
)

// Fixed identifiers of the built-in tenant, so tests and demos can name them.
const (
	BuiltinTenantID     = "7f3c2a51-8d4e-4b0a-9c61-2e5f8a9d0b13"
	BuiltinDomain       = "contoso.onmicrosoft.com"
	BuiltinClientID     = "3b9f5e2c-6a1d-4f7e-8c0b-5d2a7e9f1c46"
	BuiltinClientSecret = "emulator-secret~not-a-real-credential"
	// BuiltinGraphOnlyClientID has Graph permissions but no Exchange.ManageAsApp.
	BuiltinGraphOnlyClientID     = "9a4d1c7e-2b5f-4e8a-b3c6-1f0e7d2a5b98"
	BuiltinGraphOnlyClientSecret = "emulator-graph-only-secret"
	// BuiltinPassword is every built-in user's password for the resource owner password grant.
	BuiltinPassword = "Emulator-Passw0rd!"

	skuSPEE5       = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
	servicePlanPAM = "PAM_ENTERPRISE"
)

// builtinUsers lists the seed users: object id, mail nickname, display name, licensed, roles.
var builtinUsers = []struct {
	id, alias, name string
	licensed        bool
	roles           []string
}{
	{"5c1a0e62-3f4b-4d8e-9a27-6b0c1d2e3f40", "adele.vance", "Adele Vance", true, nil},
	{"8e2b1f73-4a5c-4e9f-8b38-7c1d2e3f4a51", "alex.wilber", "Alex Wilber", true, nil},
	{"1f3c2a84-5b6d-4fa0-9c49-8d2e3f4a5b62", "megan.bowen", "Megan Bowen", true, []string{"Organization Management"}},
	{"2a4d3b95-6c7e-4ab1-8d5a-9e3f4a5b6c73", "lee.gu", "Lee Gu", true, nil},
	{"3b5e4ca6-7d8f-4bc2-9e6b-af4a5b6c7d84", "svc-sync", "Sync Service", true, nil},
	{"4c6f5db7-8e9a-4cd3-8f7c-b05b6c7d8e95", "nestor.wilke", "Nestor Wilke", false, nil},
}

// BuiltinTenant returns a fresh copy of the default tenant: licensed users, two apps, PAM off,
// no groups and no policies.
func BuiltinTenant() *Tenant {
	t := &Tenant{
		TenantID:    BuiltinTenantID,
		DisplayName: "Contoso",
		OrgGUID:     "d0c8b7a6-1e2f-4a3b-9c4d-5e6f7a8b9c0d",
		Domains:     []Domain{{Name: BuiltinDomain, IsDefault: true, IsInitial: true}},
		Skus: []Sku{{
			SkuID:         skuSPEE5,
			SkuPartNumber: "SPE_E5",
			PrepaidUnits:  25,
			ServicePlans: []ServicePlan{
				{ID: "efb87545-963c-4e0d-99df-69c6916d9eb0", Name: "EXCHANGE_S_ENTERPRISE"},
				{ID: "2f442157-a11c-46b9-ae5b-6e39ff4e5849", Name: "M365_ADVANCED_AUDITING"},
				{ID: "e26c2fcc-ab91-4a61-b35c-03cdc8dddf66", Name: "INFO_GOVERNANCE"},
				{ID: "b1188c4c-1b36-4018-b48b-ee07604f6feb", Name: servicePlanPAM},
			},
		}},
		Apps: []*App{
			{
				ClientID:      BuiltinClientID,
				ObjectID:      "6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e01",
				DisplayName:   "terraform-provider-o365pam",
				Secret:        BuiltinClientSecret,
				GraphRoles:    []string{"Group.Read.All", "User.Read.All", "Organization.Read.All"},
				ExchangeRoles: []string{"Exchange.ManageAsApp"},
				EntraRoles:    []string{"Exchange Administrator"},
			},
			{
				ClientID:    BuiltinGraphOnlyClientID,
				ObjectID:    "7e8f90a1-b2c3-4d4e-9f5a-6b7c8d9e0f12",
				DisplayName: "graph-reader",
				Secret:      BuiltinGraphOnlyClientSecret,
				GraphRoles:  []string{"Group.Read.All", "User.Read.All", "Organization.Read.All"},
			},
		},
	}
	for _, u := range builtinUsers {
		upn := u.alias + "@" + BuiltinDomain
		user := &User{
			ID:                u.id,
			ExchangeGUID:      "e" + u.id[1:],
			UserPrincipalName: upn,
			DisplayName:       u.name,
			Alias:             u.alias,
			ProxyAddresses:    []string{"SMTP:" + upn},
			AccountEnabled:    true,
			Password:          BuiltinPassword,
			Roles:             u.roles,
		}
		if u.licensed {
			user.SkuIDs = []string{skuSPEE5}
		}
		t.Users = append(t.Users, user)
	}
	return t
}

// normalize fills what a hand-written seed may leave out, so the rest of the code can rely on it.
func (t *Tenant) normalize(now time.Time) {
	for _, u := range t.Users {
		if u.Alias == "" {
			u.Alias, _, _ = strings.Cut(u.UserPrincipalName, "@")
		}
		if len(u.ProxyAddresses) == 0 {
			u.ProxyAddresses = []string{"SMTP:" + u.UserPrincipalName}
		}
	}
	for _, g := range t.Groups {
		if g.WhenCreated.IsZero() {
			g.WhenCreated = now
		}
		if g.WhenChanged.IsZero() {
			g.WhenChanged = g.WhenCreated
		}
	}
}

// addSyntheticGroups adds n mail-enabled security groups without members, named and addressed by
// number, as the other groups of a large tenant: what a provider run must not pay for. Groups
// already there (a state file saved from a seeded run) are not added twice.
func (t *Tenant) addSyntheticGroups(n int, now time.Time) {
	have := make(map[string]bool, len(t.Groups))
	for _, g := range t.Groups {
		have[g.ID] = true
	}
	domain := t.InitialDomain()
	for i := range n {
		id := fmt.Sprintf("5e000000-0000-4000-8000-%012d", i)
		if have[id] {
			continue
		}
		alias := fmt.Sprintf("synthetic-%05d", i)
		address := alias + "@" + domain
		t.Groups = append(t.Groups, &Group{
			ID: id, GUID: fmt.Sprintf("5e000000-0000-4000-9000-%012d", i),
			Name: fmt.Sprintf("Synthetic group %05d", i), DisplayName: fmt.Sprintf("Synthetic group %05d", i),
			Alias: alias, PrimarySmtpAddress: address, EmailAddresses: []string{"SMTP:" + address},
			Security: true, MemberDepartRestriction: "Closed", MemberJoinRestriction: "Closed",
			WhenCreated: now, WhenChanged: now,
		})
	}
}
