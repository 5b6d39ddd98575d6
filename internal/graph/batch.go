package graph

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

const (
	// MaxIDsPerRead is the most ids one batched read sends: the directory allows at most 15 values
	// in an `in` filter.
	MaxIDsPerRead = 15
	// expandLimit is the most linked objects Graph returns in one $expand; a group that shows this
	// many members may have more, and its members are then read page by page.
	expandLimit = 20
	// maxPageSize is the largest $top Graph accepts for directory objects (documented: "The default
	// page size is 100. The maximum page size is 999").
	maxPageSize = 999
	// parallelReads bounds how many batched reads of one call run at once.
	parallelReads = 4
)

// GroupsMembers lists the direct members of each group, of every kind, reading up to
// MaxIDsPerRead groups per request with `$filter=id in (...)&$expand=members(...)`. Groups that
// Graph does not know are missing from the answer.
func (c *Client) GroupsMembers(ctx context.Context, groupIDs []string) (map[string][]User, error) {
	out := make(map[string][]User, len(groupIDs))
	for _, chunk := range chunks(groupIDs) {
		if err := c.groupsMembers(ctx, chunk, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *Client) groupsMembers(ctx context.Context, ids []string, out map[string][]User) error {
	const operation = "GET /groups?$expand=members"
	tracked, sent := trackRequestID(ctx)
	resp, err := groups.NewGroupsRequestBuilderInternal(map[string]string{}, c.adapter).Get(tracked,
		&groups.GroupsRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{
				Filter: inFilter("id", ids),
				Select: []string{"id"},
				Expand: []string{"members($select=" + strings.Join(userFields, ",") + ")"},
			},
		})
	if err != nil {
		return translate(operation, sent, err)
	}
	for _, g := range resp.GetValue() {
		id := deref(g.GetId())
		linked := g.GetMembers()
		if len(linked) >= expandLimit {
			members, err := c.GroupMembers(ctx, id)
			if err != nil {
				return err
			}
			out[id] = members
			continue
		}
		members := []User{}
		for _, object := range linked {
			members = append(members, toMember(object))
		}
		out[id] = members
	}
	return nil
}

// UsersByID reads users by object id, up to MaxIDsPerRead per request. Ids Graph does not know are
// missing from the answer.
func (c *Client) UsersByID(ctx context.Context, ids []string) (map[string]User, error) {
	const operation = "GET /users"
	out := make(map[string]User, len(ids))
	for _, chunk := range chunks(ids) {
		tracked, sent := trackRequestID(ctx)
		resp, err := users.NewUsersRequestBuilderInternal(map[string]string{}, c.adapter).Get(tracked,
			&users.UsersRequestBuilderGetRequestConfiguration{
				QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: inFilter("id", chunk), Select: userFields},
			})
		if err != nil {
			return nil, translate(operation, sent, err)
		}
		for _, u := range resp.GetValue() {
			user := toUser(u)
			out[user.ID] = user
		}
	}
	return out, nil
}

// UsersByName finds the users that spellings name: object ids by id, the rest by user principal
// name and then, for those still unknown, by mail, MaxIDsPerRead values per request and a few
// requests at a time. Each user carries its assigned licences (SkuIDs) and only what telling users
// apart needs. The answer is keyed by the spellings as given, lower-cased; a spelling that names no
// user is missing. Spellings that are UPNs cost one request per MaxIDsPerRead of them.
func (c *Client) UsersByName(ctx context.Context, spellings []string) (map[string]User, error) {
	var ids, names []string
	for _, s := range spellings {
		if _, err := uuid.Parse(s); err == nil {
			ids = append(ids, s)
		} else {
			names = append(names, s)
		}
	}
	out := make(map[string]User, len(spellings))
	if err := c.usersWhere(ctx, "id", ids, out); err != nil {
		return nil, err
	}
	if err := c.usersWhere(ctx, "userPrincipalName", names, out); err != nil {
		return nil, err
	}
	var byMail []string
	for _, name := range names {
		if _, found := out[strings.ToLower(name)]; !found && strings.Contains(name, "@") {
			byMail = append(byMail, name)
		}
	}
	return out, c.usersWhere(ctx, "mail", byMail, out)
}

var licenceFields = []string{"id", "userPrincipalName", "mail", "assignedLicenses"}

// usersWhere reads the users whose property is one of values and records each under the value
// that found it.
func (c *Client) usersWhere(ctx context.Context, property string, values []string, out map[string]User) error {
	const operation = "GET /users"
	var mu sync.Mutex
	return forEachChunk(values, func(chunk []string) error {
		tracked, sent := trackRequestID(ctx)
		resp, err := users.NewUsersRequestBuilderInternal(map[string]string{}, c.adapter).Get(tracked,
			&users.UsersRequestBuilderGetRequestConfiguration{
				QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: inFilter(property, chunk), Select: licenceFields},
			})
		if err != nil {
			return translate(operation, sent, err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, u := range resp.GetValue() {
			user := toUser(u)
			for _, licence := range u.GetAssignedLicenses() {
				if id := licence.GetSkuId(); id != nil {
					user.SkuIDs = append(user.SkuIDs, id.String())
				}
			}
			for _, v := range chunk {
				if strings.EqualFold(v, user.property(property)) {
					out[strings.ToLower(v)] = user
				}
			}
		}
		return nil
	})
}

// property is the value of one of the properties usersWhere filters on.
func (u User) property(name string) string {
	switch name {
	case "id":
		return u.ID
	case "userPrincipalName":
		return u.UserPrincipalName
	}
	return u.Mail
}

// forEachChunk runs read on each chunk of MaxIDsPerRead values, parallelReads at a time, and
// returns the first error.
func forEachChunk(values []string, read func([]string) error) error {
	parts := chunks(values)
	errs := make([]error, len(parts))
	slots := make(chan struct{}, parallelReads)
	var wg sync.WaitGroup
	for i, part := range parts {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = read(part)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// inFilter builds `property in ('a','b')`; OData escapes a quote inside a string by doubling it.
func inFilter(property string, values []string) *string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	filter := property + " in (" + strings.Join(quoted, ",") + ")"
	return &filter
}

func chunks(ids []string) [][]string {
	var out [][]string
	for len(ids) > MaxIDsPerRead {
		out = append(out, ids[:MaxIDsPerRead])
		ids = ids[MaxIDsPerRead:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
