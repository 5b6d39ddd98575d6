package emulator

import (
	"strings"
	"time"
)

// Tenant is the whole emulated organisation. The state file and the seed file hold this struct
// as JSON, so a seed is simply a state file written by hand.
type Tenant struct {
	TenantID    string   `json:"tenantId"`
	DisplayName string   `json:"displayName"`
	OrgGUID     string   `json:"orgGuid"`
	Domains     []Domain `json:"domains"`
	Skus        []Sku    `json:"skus"`
	Users       []*User  `json:"users"`
	Apps        []*App   `json:"apps"`
	Groups      []*Group `json:"groups"`
	// Contacts are mail contacts: recipients outside the tenant that groups can hold as members.
	Contacts []*Contact `json:"contacts,omitempty"`
	// PAM is the tenant-wide privileged access switch and its default approver group.
	PAM      PAMConfig  `json:"pam"`
	Policies []*Policy  `json:"policies"`
	Requests []*Request `json:"requests"`
}

// Domain is an accepted (verified) domain of the tenant.
type Domain struct {
	Name      string `json:"name"`
	IsDefault bool   `json:"isDefault"`
	IsInitial bool   `json:"isInitial"`
}

// Sku is a subscribed licence with its service plans.
type Sku struct {
	SkuID         string        `json:"skuId"`
	SkuPartNumber string        `json:"skuPartNumber"`
	PrepaidUnits  int           `json:"prepaidUnits"`
	ServicePlans  []ServicePlan `json:"servicePlans"`
}

// ServicePlan is one feature inside a Sku.
type ServicePlan struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is a licensed or unlicensed user with a mailbox named after its UPN. Its Exchange
// recipient Name is its object id, as in current Exchange Online.
type User struct {
	ID                string   `json:"id"`
	ExchangeGUID      string   `json:"exchangeGuid"`
	UserPrincipalName string   `json:"userPrincipalName"`
	DisplayName       string   `json:"displayName"`
	Alias             string   `json:"alias"`
	ProxyAddresses    []string `json:"proxyAddresses"`
	AccountEnabled    bool     `json:"accountEnabled"`
	// Password enables the resource owner password grant for this user; empty disables it.
	Password string `json:"password,omitempty"`
	// Roles are admin role groups such as "Organization Management".
	Roles []string `json:"roles,omitempty"`
	// SkuIDs are the assigned licences.
	SkuIDs []string `json:"skuIds,omitempty"`
}

// App is an app registration with a client secret, the application permissions granted on each
// resource and the Entra roles its service principal holds.
type App struct {
	ClientID      string   `json:"clientId"`
	ObjectID      string   `json:"objectId"`
	DisplayName   string   `json:"displayName"`
	Secret        string   `json:"secret"`
	GraphRoles    []string `json:"graphRoles,omitempty"`
	ExchangeRoles []string `json:"exchangeRoles,omitempty"`
	// EntraRoles are Entra directory roles by name, such as "Exchange Administrator" (see
	// entraRoleTemplates); tokens list them in wids.
	EntraRoles []string `json:"entraRoles,omitempty"`
}

// Group is a distribution group or mail-enabled security group, the only group kinds the
// emulator models. ManagedBy holds user object ids; Members holds the object ids of users,
// groups and mail contacts, as Exchange lets groups nest and hold contacts.
type Group struct {
	ID                      string    `json:"id"`
	GUID                    string    `json:"guid"`
	Name                    string    `json:"name"`
	DisplayName             string    `json:"displayName"`
	Alias                   string    `json:"alias"`
	PrimarySmtpAddress      string    `json:"primarySmtpAddress"`
	EmailAddresses          []string  `json:"emailAddresses"`
	Security                bool      `json:"security"`
	ManagedBy               []string  `json:"managedBy"`
	Members                 []string  `json:"members"`
	Notes                   string    `json:"notes,omitempty"`
	Description             string    `json:"description,omitempty"`
	MemberDepartRestriction string    `json:"memberDepartRestriction"`
	MemberJoinRestriction   string    `json:"memberJoinRestriction"`
	WhenCreated             time.Time `json:"whenCreated"`
	WhenChanged             time.Time `json:"whenChanged"`
}

// Contact is a mail contact (New-MailContact): a name and an external address.
type Contact struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	DisplayName          string `json:"displayName"`
	Alias                string `json:"alias"`
	ExternalEmailAddress string `json:"externalEmailAddress"`
}

// PAMConfig is the state Enable-/Disable-ElevatedAccessControl change.
type PAMConfig struct {
	Enabled bool `json:"enabled"`
	// AdminGroupID is the default approver group's object id; kept when disabled.
	AdminGroupID   string   `json:"adminGroupId,omitempty"`
	SystemAccounts []string `json:"systemAccounts,omitempty"`
}

// Policy is an elevated access approval policy for one task.
type Policy struct {
	ID              string    `json:"id"`
	Task            string    `json:"task"`
	ApprovalType    string    `json:"approvalType"`
	ApproverGroupID string    `json:"approverGroupId"`
	WhenCreated     time.Time `json:"whenCreated"`
}

// Request is an elevated access request and, once approved, the authorization it grants.
type Request struct {
	ID            string    `json:"id"`
	Requestor     string    `json:"requestor"`
	Task          string    `json:"task"`
	Reason        string    `json:"reason"`
	DurationHours int       `json:"durationHours"`
	Created       time.Time `json:"created"`
	// Status is Pending, Approved or Denied; Expired is derived from the clock.
	Status            string    `json:"status"`
	DecidedBy         string    `json:"decidedBy,omitempty"`
	DecidedAt         time.Time `json:"decidedAt,omitzero"`
	Comment           string    `json:"comment,omitempty"`
	Revoked           bool      `json:"revoked,omitempty"`
	RevokedBy         string    `json:"revokedBy,omitempty"`
	RevokedAt         time.Time `json:"revokedAt,omitzero"`
	RevocationComment string    `json:"revocationComment,omitempty"`
}

// InitialDomain is the tenant's *.onmicrosoft.com domain.
func (t *Tenant) InitialDomain() string {
	for _, d := range t.Domains {
		if d.IsInitial {
			return d.Name
		}
	}
	if len(t.Domains) > 0 {
		return t.Domains[0].Name
	}
	return ""
}

func (t *Tenant) acceptedDomain(domain string) bool {
	for _, d := range t.Domains {
		if strings.EqualFold(d.Name, domain) {
			return true
		}
	}
	return false
}

func (t *Tenant) app(clientID string) *App {
	for _, a := range t.Apps {
		if strings.EqualFold(a.ClientID, clientID) {
			return a
		}
	}
	return nil
}

func (t *Tenant) userByID(id string) *User {
	for _, u := range t.Users {
		if strings.EqualFold(u.ID, id) {
			return u
		}
	}
	return nil
}

func (t *Tenant) userByUPN(upn string) *User {
	for _, u := range t.Users {
		if strings.EqualFold(u.UserPrincipalName, upn) {
			return u
		}
	}
	return nil
}

func (t *Tenant) groupByID(id string) *Group {
	for _, g := range t.Groups {
		if strings.EqualFold(g.ID, id) {
			return g
		}
	}
	return nil
}

func (t *Tenant) contactByID(id string) *Contact {
	for _, c := range t.Contacts {
		if strings.EqualFold(c.ID, id) {
			return c
		}
	}
	return nil
}

func (t *Tenant) sku(id string) *Sku {
	for i := range t.Skus {
		if strings.EqualFold(t.Skus[i].SkuID, id) {
			return &t.Skus[i]
		}
	}
	return nil
}

// hasServicePlan reports whether one of the user's licences includes the named plan.
func (t *Tenant) hasServicePlan(u *User, plan string) bool {
	for _, id := range u.SkuIDs {
		if s := t.sku(id); s != nil {
			for _, p := range s.ServicePlans {
				if strings.EqualFold(p.Name, plan) {
					return true
				}
			}
		}
	}
	return false
}

// PrimarySMTP is the user's primary address (the "SMTP:" proxy address), else the UPN.
func (u *User) PrimarySMTP() string {
	for _, p := range u.ProxyAddresses {
		if strings.HasPrefix(p, "SMTP:") {
			return p[len("SMTP:"):]
		}
	}
	return u.UserPrincipalName
}

// hasAddress reports whether addr is one of the proxy addresses, ignoring case and prefix.
func hasAddress(proxies []string, addr string) bool {
	for _, p := range proxies {
		if strings.EqualFold(stripSMTP(p), addr) {
			return true
		}
	}
	return false
}

// stripSMTP removes a "smtp:" prefix in any case.
func stripSMTP(p string) string {
	if len(p) > 5 && strings.EqualFold(p[:5], "smtp:") {
		return p[5:]
	}
	return p
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// adminRoleGroups are the seed roles that allow managing groups and privileged access.
var adminRoleGroups = []string{"Organization Management", "Global Administrator", "Role Management"}

// isAdmin reports whether the user holds one of the admin roles.
func (t *Tenant) isAdmin(userID string) bool {
	u := t.userByID(userID)
	if u == nil {
		return false
	}
	for _, r := range u.Roles {
		if containsFold(adminRoleGroups, r) {
			return true
		}
	}
	return false
}
