package emulator

import (
	"regexp"
	"strings"
)

// Limits from the New-DistributionGroup documentation.
const (
	maxNameLength        = 64
	maxDisplayNameLength = 256
	maxAliasLength       = 64
)

var (
	aliasInvalidChars = regexp.MustCompile("[^A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~.]")
	validAlias        = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+(\\.[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+)*$")
	validSMTP         = regexp.MustCompile(`^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)
)

// resolveUser finds a mail user the way Exchange resolves a recipient identity: UPN, any
// proxy address, alias, Name (the object id) or object id, ignoring case.
func (t *Tenant) resolveUser(identity string) *User {
	for _, u := range t.Users {
		if strings.EqualFold(u.UserPrincipalName, identity) || strings.EqualFold(u.ID, identity) ||
			strings.EqualFold(u.Alias, identity) || strings.EqualFold(u.ExchangeGUID, identity) ||
			hasAddress(u.ProxyAddresses, identity) {
			return u
		}
	}
	return nil
}

// resolveUsers resolves a list, failing on the first unknown entry; duplicates collapse.
func (t *Tenant) resolveUsers(identities []string) ([]string, *cmdletError) {
	var ids []string
	for _, identity := range identities {
		u := t.resolveUser(identity)
		if u == nil {
			return nil, errRecipientNotFound(identity)
		}
		if !containsFold(ids, u.ID) {
			ids = append(ids, u.ID)
		}
	}
	return ids, nil
}

// resolveMember finds a recipient a group may hold as a member, as Add-DistributionGroupMember
// does: a mail user, a mail-enabled group or a mail contact. It returns the recipient's object id.
func (t *Tenant) resolveMember(identity string) (string, *cmdletError) {
	if u := t.resolveUser(identity); u != nil {
		return u.ID, nil
	}
	for _, c := range t.Contacts {
		if strings.EqualFold(c.ID, identity) || strings.EqualFold(c.Name, identity) || strings.EqualFold(c.Alias, identity) ||
			strings.EqualFold(c.ExternalEmailAddress, identity) {
			return c.ID, nil
		}
	}
	if g, cerr := t.resolveGroup(identity); cerr == nil {
		return g.ID, nil
	}
	return "", errRecipientNotFound(identity)
}

// resolveMembers resolves a member list, failing on the first unknown entry; duplicates collapse.
func (t *Tenant) resolveMembers(identities []string) ([]string, *cmdletError) {
	var ids []string
	for _, identity := range identities {
		id, cerr := t.resolveMember(identity)
		if cerr != nil {
			return nil, cerr
		}
		if !containsFold(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// resolveGroup finds a group by Name, Alias, any email address, Guid or object id.
func (t *Tenant) resolveGroup(identity string) (*Group, *cmdletError) {
	var found []*Group
	for _, g := range t.Groups {
		if strings.EqualFold(g.Name, identity) || strings.EqualFold(g.Alias, identity) ||
			strings.EqualFold(g.GUID, identity) || strings.EqualFold(g.ID, identity) ||
			hasAddress(g.EmailAddresses, identity) {
			found = append(found, g)
		}
	}
	switch len(found) {
	case 0:
		return nil, errObjectNotFound(identity)
	case 1:
		return found[0], nil
	}
	return nil, errAmbiguous(identity)
}

// approverGroup resolves an AdminGroup/ApproverGroup SMTP address: it must name an existing
// mail-enabled security group.
func (t *Tenant) approverGroup(param, address string) (*Group, *cmdletError) {
	for _, g := range t.Groups {
		if hasAddress(g.EmailAddresses, address) {
			if !g.Security {
				return nil, errInvalidOperation("The group '%s' passed to %s is a distribution group. The approver group must be a mail-enabled security group.", address, param)
			}
			return g, nil
		}
	}
	return nil, errRecipientNotFound(address)
}

// checkUnique refuses a Name, Alias or address another recipient (user or group) already uses.
func (t *Tenant) checkUnique(self *Group, name, alias string, addresses []string) *cmdletError {
	for _, u := range t.Users {
		if strings.EqualFold(u.ID, name) {
			return errNameInUse(name)
		}
		if strings.EqualFold(u.Alias, alias) {
			return errAlreadyExists("The alias \"%s\" is already being used by \"%s\". Please specify a different alias.", alias, u.ID)
		}
		for _, a := range addresses {
			if hasAddress(u.ProxyAddresses, a) || strings.EqualFold(u.UserPrincipalName, a) {
				return errAddressInUse(a)
			}
		}
	}
	for _, c := range t.Contacts {
		if strings.EqualFold(c.Name, name) {
			return errNameInUse(name)
		}
		for _, a := range addresses {
			if strings.EqualFold(c.ExternalEmailAddress, a) {
				return errAlreadyExists("The proxy address \"SMTP:%s\" is already being used by the proxy addresses or LegacyExchangeDN of \"%s\". Please choose another proxy address.", a, c.Name)
			}
		}
	}
	for _, g := range t.Groups {
		if g == self {
			continue
		}
		if strings.EqualFold(g.Name, name) {
			return errNameInUse(name)
		}
		if strings.EqualFold(g.Alias, alias) {
			return errAlreadyExists("The alias \"%s\" is already being used by \"%s\". Please specify a different alias.", alias, g.Name)
		}
		for _, a := range addresses {
			if hasAddress(g.EmailAddresses, a) {
				return errAddressInUse(a)
			}
		}
	}
	return nil
}

func checkName(name string) *cmdletError {
	if strings.TrimSpace(name) == "" {
		return errBinding("Cannot validate argument on parameter 'Name'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.")
	}
	return checkLength("Name", name, maxNameLength)
}

func checkLength(param, value string, limit int) *cmdletError {
	if n := len([]rune(value)); n > limit {
		return errBinding("Cannot validate argument on parameter '%s'. The character length of the %d argument is too long. Shorten the character length of the argument so it is fewer than or equal to \"%d\" characters, and then try the command again.", param, n, limit)
	}
	return nil
}

func checkAlias(alias string) *cmdletError {
	if !validAlias.MatchString(alias) || len(alias) > maxAliasLength {
		return errArgument("Property expression \"%s\" isn't valid. Valid values are: Strings formed with characters from A to Z (uppercase or lowercase), digits from 0-9, !, #, $, %%, &, ', *, +, -, /, =, ?, ^, _, `, {, |, } or ~. One or more periods may be embedded in an alias, but each period should be preceded and followed by at least one of the other characters.", alias)
	}
	return nil
}

// checkAddress requires a well-formed address in one of the tenant's accepted domains.
func (t *Tenant) checkAddress(addr string) *cmdletError {
	if !validSMTP.MatchString(addr) {
		return errArgument("The email address \"%s\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.", addr)
	}
	_, domain, _ := strings.Cut(addr, "@")
	if !t.acceptedDomain(domain) {
		return errArgument("The domain '%s' of the primary SMTP address \"%s\" isn't an accepted domain for your organization.", domain, addr)
	}
	return nil
}

// aliasFromName derives a default alias the way Exchange does: invalid characters dropped.
func aliasFromName(name string) string {
	alias := strings.Trim(aliasInvalidChars.ReplaceAllString(name, ""), ".")
	for strings.Contains(alias, "..") {
		alias = strings.ReplaceAll(alias, "..", ".")
	}
	if len(alias) > maxAliasLength {
		alias = alias[:maxAliasLength]
	}
	if alias == "" {
		alias = "group" + strings.ReplaceAll(newGUID(), "-", "")[:8]
	}
	return alias
}
