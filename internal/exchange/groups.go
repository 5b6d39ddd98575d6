package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// DistributionGroup is a distribution group or mail-enabled security group as Exchange shows it.
type DistributionGroup struct {
	Identity                  string
	GUID                      string
	ExternalDirectoryObjectID string // the Entra object id
	Name                      string
	DisplayName               string
	Alias                     string
	PrimarySmtpAddress        string
	EmailAddresses            []string // "SMTP:primary", "smtp:other"
	RecipientTypeDetails      string
	GroupType                 string
	ManagedBy                 []string // owners' recipient names
	Description               string
	MemberDepartRestriction   string
	MemberJoinRestriction     string
	WhenChangedUTC            time.Time
}

// IsSecurityGroup reports whether the group is a mail-enabled security group.
func (g *DistributionGroup) IsSecurityGroup() bool {
	return strings.EqualFold(g.RecipientTypeDetails, RecipientTypeSecurityGroup)
}

func decodeGroup(r record) DistributionGroup {
	return DistributionGroup{
		Identity:                  r.str(propGroupIdentity),
		GUID:                      r.str(propGroupGUID),
		ExternalDirectoryObjectID: r.str(propGroupExternalDirectoryObject),
		Name:                      r.str(propGroupName),
		DisplayName:               r.str(propGroupDisplayName),
		Alias:                     r.str(propGroupAlias),
		PrimarySmtpAddress:        r.str(propGroupPrimarySmtpAddress),
		EmailAddresses:            r.strs(propGroupEmailAddresses),
		RecipientTypeDetails:      r.str(propGroupRecipientTypeDetails),
		GroupType:                 r.str(propGroupGroupType),
		ManagedBy:                 r.strs(propGroupManagedBy),
		Description:               strings.Join(r.strs(propGroupDescription), "\n"),
		MemberDepartRestriction:   r.str(propGroupMemberDepartRestriction),
		MemberJoinRestriction:     r.str(propGroupMemberJoinRestriction),
		WhenChangedUTC:            r.time(propGroupWhenChangedUTC),
	}
}

// NewGroup describes a mail-enabled security group to create. Empty fields are not sent.
type NewGroup struct {
	Name               string // required, unique
	DisplayName        string
	Alias              string
	PrimarySmtpAddress string
	Description        string
	Members            []string
	ManagedBy          []string
}

// SetGroup changes a group; only the fields that are set are sent. ManagedBy, when set, must name
// at least one owner: a group must have one (documented), so an empty list is never sent.
type SetGroup struct {
	Identity           string
	Name               *string
	DisplayName        *string
	Alias              *string
	PrimarySmtpAddress *string
	Description        *string
	ManagedBy          *[]string
}

// NewSecurityGroup creates a mail-enabled security group (members may only leave when an
// owner removes them). When the outcome of the create is unknown it looks the group up by
// address (or name) and accepts a group with the same name; it creates again only when the
// lookup finds nothing.
func (c *Client) NewSecurityGroup(ctx context.Context, g NewGroup) (*DistributionGroup, error) {
	params := map[string]any{
		paramName:                    g.Name,
		paramType:                    valueSecurityGroup,
		paramMemberDepartRestriction: valueClosed,
	}
	setText(params, paramDisplayName, g.DisplayName)
	setText(params, paramAlias, g.Alias)
	setText(params, paramPrimarySmtpAddress, g.PrimarySmtpAddress)
	setText(params, paramDescription, g.Description)
	setList(params, paramMembers, g.Members)
	setList(params, paramManagedBy, g.ManagedBy)

	decode := func(values []map[string]json.RawMessage) (*DistributionGroup, error) {
		if len(values) == 0 {
			// Nothing echoed back: read what was created.
			return c.GetDistributionGroup(ctx, lookupKey(g))
		}
		group := decodeGroup(values[0])
		return &group, nil
	}
	find := func(ctx context.Context) (*DistributionGroup, bool, error) {
		found, err := c.GetDistributionGroup(ctx, lookupKey(g))
		switch {
		case apierr.IsNotFound(err):
			return nil, false, nil
		case err != nil:
			return nil, false, err
		case !strings.EqualFold(found.Name, g.Name):
			return nil, false, fmt.Errorf("%s now belongs to group %q, not %q", lookupKey(g), found.Name, g.Name)
		}
		return found, true, nil
	}
	return runOnce(ctx, c, cmdletNewDistributionGroup, params, decode, find)
}

// lookupKey is how a group being created can be found again: its address, else its name.
func lookupKey(g NewGroup) string {
	if g.PrimarySmtpAddress != "" {
		return g.PrimarySmtpAddress
	}
	return g.Name
}

// GetDistributionGroup reads a group by any identity Exchange accepts (name, alias, address, GUID).
func (c *Client) GetDistributionGroup(ctx context.Context, identity string) (*DistributionGroup, error) {
	return invokeOne(ctx, c, cmdletGetDistributionGroup, identity, map[string]any{paramIdentity: identity}, decodeGroup)
}

// SetDistributionGroup changes the set fields of a group, also when the caller is not an owner.
func (c *Client) SetDistributionGroup(ctx context.Context, s SetGroup) error {
	params := map[string]any{paramIdentity: s.Identity, paramBypassSecurityGroupManagerCheck: true}
	for name, value := range map[string]*string{
		paramName:               s.Name,
		paramDisplayName:        s.DisplayName,
		paramAlias:              s.Alias,
		paramPrimarySmtpAddress: s.PrimarySmtpAddress,
		paramDescription:        s.Description,
	} {
		if value != nil {
			params[name] = *value
		}
	}
	if s.ManagedBy != nil {
		if len(*s.ManagedBy) == 0 {
			return &apierr.Error{Service: serviceName, Operation: cmdletSetDistributionGroup, Kind: apierr.KindInvalidInput,
				Message: "a group must have at least one owner: not sending an empty ManagedBy for " + s.Identity}
		}
		params[paramManagedBy] = *s.ManagedBy
	}
	_, err := c.Invoke(ctx, cmdletSetDistributionGroup, params)
	return err
}

// RemoveDistributionGroup deletes a group, also when the caller is not an owner.
func (c *Client) RemoveDistributionGroup(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, cmdletRemoveDistributionGroup, map[string]any{
		paramIdentity:                        identity,
		paramBypassSecurityGroupManagerCheck: true,
	})
	return err
}

// ReplaceGroupMembers makes members the group's whole member list.
func (c *Client) ReplaceGroupMembers(ctx context.Context, identity string, members []string) error {
	_, err := c.Invoke(ctx, cmdletUpdateDistributionGroupMember, map[string]any{
		paramIdentity:                        identity,
		paramMembers:                         nonNil(members),
		paramBypassSecurityGroupManagerCheck: true,
	})
	return err
}

func setText(params map[string]any, name, value string) {
	if value != "" {
		params[name] = value
	}
}

func setList(params map[string]any, name string, values []string) {
	if len(values) > 0 {
		params[name] = values
	}
}

// nonNil makes an empty list travel as [] rather than null.
func nonNil(values []string) []string {
	if values == nil {
		return []string{}
	}
	return values
}
