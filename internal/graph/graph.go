package graph

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/organization"
	"github.com/microsoftgraph/msgraph-sdk-go/subscribedskus"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// Group is a Microsoft Entra group as Graph reports it.
type Group struct {
	ID              string
	DisplayName     string
	Description     string
	Mail            string
	MailNickname    string
	MailEnabled     bool
	SecurityEnabled bool
	GroupTypes      []string
	ProxyAddresses  []string
}

// User is a Microsoft Entra user. Member lists use it for every kind of member: a group or a mail
// contact there has no UserPrincipalName and is named by Mail (see toMember).
type User struct {
	ID                string
	UserPrincipalName string
	Mail              string
	DisplayName       string
	ProxyAddresses    []string
	SkuIDs            []string // assigned licences; read only by UsersByName
}

// Organization is the tenant.
type Organization struct {
	ID              string
	DisplayName     string
	InitialDomain   string // the tenant's *.onmicrosoft.com domain
	VerifiedDomains []string
}

// Sku is a licence: a subscribed product or one assigned to a user.
type Sku struct {
	SkuID         string
	SkuPartNumber string   // e.g. SPE_E5
	ServicePlans  []string // service plan names, whatever their provisioning status
}

var (
	groupFields = []string{"id", "displayName", "description", "mail", "mailNickname", "mailEnabled", "securityEnabled", "groupTypes", "proxyAddresses"}
	userFields  = []string{"id", "userPrincipalName", "mail", "displayName", "proxyAddresses"}
)

// GroupByMail finds the group whose primary SMTP address is mail.
func (c *Client) GroupByMail(ctx context.Context, mail string) (*Group, error) {
	const operation = "GET /groups"
	ctx, sent := trackRequestID(ctx)
	resp, err := groups.NewGroupsRequestBuilderInternal(map[string]string{}, c.adapter).Get(ctx,
		&groups.GroupsRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Filter: mailFilter(mail), Select: groupFields},
		})
	if err != nil {
		return nil, translate(operation, sent, err)
	}
	found := resp.GetValue()
	if len(found) == 0 {
		return nil, notFound(operation, sent, fmt.Sprintf("no group has the address %s", mail))
	}
	return toGroup(found[0]), nil
}

// GroupMembers lists the direct members of the group, of every kind (see toMember), reading every
// page of the largest size Graph allows.
func (c *Client) GroupMembers(ctx context.Context, groupID string) ([]User, error) {
	operation := "GET /groups/" + groupID + "/members"
	ctx, sent := trackRequestID(ctx)
	builder := groups.NewGroupsRequestBuilderInternal(map[string]string{}, c.adapter).ByGroupId(groupID).Members()
	top := int32(maxPageSize)
	resp, err := builder.Get(ctx, &groups.ItemMembersRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemMembersRequestBuilderGetQueryParameters{Select: userFields, Top: &top},
	})
	var members []User
	for {
		if err != nil {
			return nil, translate(operation, sent, err)
		}
		for _, object := range resp.GetValue() {
			members = append(members, toMember(object))
		}
		// The next link carries the query already.
		next := deref(resp.GetOdataNextLink())
		if next == "" {
			return members, nil
		}
		resp, err = builder.WithUrl(next).Get(ctx, nil)
	}
}

// User reads a user by object id or user principal name.
func (c *Client) User(ctx context.Context, idOrUPN string) (*User, error) {
	operation := "GET /users/" + idOrUPN
	ctx, sent := trackRequestID(ctx)
	user, err := users.NewUsersRequestBuilderInternal(map[string]string{}, c.adapter).ByUserId(idOrUPN).Get(ctx,
		&users.UserItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: userFields},
		})
	if err != nil {
		return nil, translate(operation, sent, err)
	}
	result := toUser(user)
	return &result, nil
}

// UserByMail finds the user whose primary SMTP address is mail.
func (c *Client) UserByMail(ctx context.Context, mail string) (*User, error) {
	const operation = "GET /users"
	ctx, sent := trackRequestID(ctx)
	resp, err := users.NewUsersRequestBuilderInternal(map[string]string{}, c.adapter).Get(ctx,
		&users.UsersRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: mailFilter(mail), Select: userFields},
		})
	if err != nil {
		return nil, translate(operation, sent, err)
	}
	found := resp.GetValue()
	if len(found) == 0 {
		return nil, notFound(operation, sent, fmt.Sprintf("no user has the address %s", mail))
	}
	result := toUser(found[0])
	return &result, nil
}

// Organization reads the tenant the credential signed in to.
func (c *Client) Organization(ctx context.Context) (*Organization, error) {
	const operation = "GET /organization"
	ctx, sent := trackRequestID(ctx)
	resp, err := organization.NewOrganizationRequestBuilderInternal(map[string]string{}, c.adapter).Get(ctx, nil)
	if err != nil {
		return nil, translate(operation, sent, err)
	}
	orgs := resp.GetValue()
	if len(orgs) == 0 {
		return nil, &apierr.Error{Service: service, Operation: operation, Kind: apierr.KindOther,
			Message: "the answer lists no organization", ClientRequestID: sent.last}
	}
	org := &Organization{ID: deref(orgs[0].GetId()), DisplayName: deref(orgs[0].GetDisplayName())}
	for _, domain := range orgs[0].GetVerifiedDomains() {
		name := deref(domain.GetName())
		org.VerifiedDomains = append(org.VerifiedDomains, name)
		if deref(domain.GetIsInitial()) {
			org.InitialDomain = name
		}
	}
	return org, nil
}

// SubscribedSkus lists the tenant's subscribed products.
func (c *Client) SubscribedSkus(ctx context.Context) ([]Sku, error) {
	const operation = "GET /subscribedSkus"
	ctx, sent := trackRequestID(ctx)
	resp, err := subscribedskus.NewSubscribedSkusRequestBuilderInternal(map[string]string{}, c.adapter).Get(ctx, nil)
	if err != nil {
		return nil, translate(operation, sent, err)
	}
	skus := make([]Sku, 0, len(resp.GetValue()))
	for _, sku := range resp.GetValue() {
		skus = append(skus, toSku(sku.GetSkuId(), sku.GetSkuPartNumber(), sku.GetServicePlans()))
	}
	return skus, nil
}

// mailFilter builds an OData filter on mail; OData escapes a quote inside a string by doubling it.
func mailFilter(mail string) *string {
	filter := "mail eq '" + strings.ReplaceAll(mail, "'", "''") + "'"
	return &filter
}

func notFound(operation string, sent *sentID, message string) error {
	return &apierr.Error{Service: service, Operation: operation, Kind: apierr.KindNotFound, StatusCode: http.StatusOK,
		Message: message, ClientRequestID: sent.last}
}

func toGroup(g models.Groupable) *Group {
	return &Group{
		ID:              deref(g.GetId()),
		DisplayName:     deref(g.GetDisplayName()),
		Description:     deref(g.GetDescription()),
		Mail:            deref(g.GetMail()),
		MailNickname:    deref(g.GetMailNickname()),
		MailEnabled:     deref(g.GetMailEnabled()),
		SecurityEnabled: deref(g.GetSecurityEnabled()),
		GroupTypes:      g.GetGroupTypes(),
		ProxyAddresses:  g.GetProxyAddresses(),
	}
}

// toMember converts a group member of any kind: a user, a group, a mail contact, or another
// directory object, which is known by its id alone.
func toMember(object models.DirectoryObjectable) User {
	switch m := object.(type) {
	case models.Userable:
		return toUser(m)
	case models.Groupable:
		return User{ID: deref(m.GetId()), Mail: deref(m.GetMail()), DisplayName: deref(m.GetDisplayName()), ProxyAddresses: m.GetProxyAddresses()}
	case models.OrgContactable:
		return User{ID: deref(m.GetId()), Mail: deref(m.GetMail()), DisplayName: deref(m.GetDisplayName()), ProxyAddresses: m.GetProxyAddresses()}
	}
	return User{ID: deref(object.GetId())}
}

func toUser(u models.Userable) User {
	return User{
		ID:                deref(u.GetId()),
		UserPrincipalName: deref(u.GetUserPrincipalName()),
		Mail:              deref(u.GetMail()),
		DisplayName:       deref(u.GetDisplayName()),
		ProxyAddresses:    u.GetProxyAddresses(),
	}
}

func toSku(id *uuid.UUID, partNumber *string, plans []models.ServicePlanInfoable) Sku {
	sku := Sku{SkuPartNumber: deref(partNumber)}
	if id != nil {
		sku.SkuID = id.String()
	}
	for _, plan := range plans {
		sku.ServicePlans = append(sku.ServicePlans, deref(plan.GetServicePlanName()))
	}
	return sku
}
