package graph

import (
	"context"
	"strings"

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
				Filter: idFilter(ids),
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
				QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: idFilter(chunk), Select: userFields},
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

// idFilter builds `id in ('a','b')`; OData escapes a quote inside a string by doubling it.
func idFilter(ids []string) *string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + strings.ReplaceAll(id, "'", "''") + "'"
	}
	filter := "id in (" + strings.Join(quoted, ",") + ")"
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
