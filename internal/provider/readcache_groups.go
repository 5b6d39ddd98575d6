package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
)

// Approver groups are read from two services: the group from Exchange and members and owners from
// Microsoft Graph, each many groups per call, so that a run reads only the groups it names.

// cachedGroupSnapshot reads a group by GUID or primary SMTP address. objectID, when the caller
// knows it (from state), lets the members be read from Graph while Exchange answers.
func (c *tenantClient) cachedGroupSnapshot(ctx context.Context, id, objectID string) (*groupSnapshot, error) {
	c.readAheadPolicies(ctx)
	var early chan membersAnswer
	if objectID != "" {
		early = make(chan membersAnswer, 1)
		go func() {
			members, err := c.groupMembers(ctx, objectID, false)
			early <- membersAnswer{members, err}
		}()
	}
	group, err := c.securityGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	var members []graph.User
	if early != nil && strings.EqualFold(group.ExternalDirectoryObjectID, objectID) {
		answer := <-early
		members, err = answer.members, answer.err
	} else {
		members, err = c.groupMembers(ctx, group.ExternalDirectoryObjectID, false)
	}
	if err != nil {
		return nil, err
	}
	return c.completeSnapshot(ctx, group, members)
}

// freshGroupSnapshot reads a group as both services show it after this call, for polls that wait
// for a write to show. known is the group as a write just returned it, which spares the Exchange read.
func (c *tenantClient) freshGroupSnapshot(ctx context.Context, id string, known *exchange.DistributionGroup) (*groupSnapshot, error) {
	group := known
	if group == nil || group.ExternalDirectoryObjectID == "" {
		// Without the Entra object id Graph cannot be asked; Exchange fills it in once the group
		// has reached the directory.
		var err error
		if group, err = c.exchange.GetDistributionGroup(ctx, id); err != nil {
			return nil, err
		}
	}
	members, err := c.groupMembers(ctx, group.ExternalDirectoryObjectID, true)
	if err != nil {
		return nil, err
	}
	return c.completeSnapshot(ctx, group, members)
}

type membersAnswer struct {
	members []graph.User
	err     error
}

func (c *tenantClient) completeSnapshot(ctx context.Context, group *exchange.DistributionGroup, members []graph.User) (*groupSnapshot, error) {
	owners, err := c.groupOwners(ctx, group.ManagedBy)
	if err != nil {
		return nil, err
	}
	return &groupSnapshot{group: *group, members: members, owners: owners}, nil
}

// securityGroup reads a group by GUID or address through the run's batched reads. A group missing
// from a batch answer is read on its own: that confirms it is gone (a NotFound error), so that only
// the service's own "not found" removes a resource from state.
func (c *tenantClient) securityGroup(ctx context.Context, id string) (*exchange.DistributionGroup, error) {
	g, found, err := c.reads.groups.Get(ctx, strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	if found {
		return &g, nil
	}
	return c.exchange.GetDistributionGroup(ctx, id)
}

// groupMembers reads a group's members through the run's batched Graph reads; fresh skips what
// was read before. A group the batched read did not return is read on its own, which gives the
// service's own answer (usually "not found").
func (c *tenantClient) groupMembers(ctx context.Context, objectID string, fresh bool) ([]graph.User, error) {
	if objectID == "" {
		return nil, graphLag(objectID, errors.New("Exchange reports no Entra object id for it yet")) //nolint:staticcheck // ST1005: starts with a product name
	}
	read := c.reads.members.Get
	if fresh {
		read = c.reads.members.Fresh
	}
	members, found, err := read(ctx, strings.ToLower(objectID))
	if err != nil || found {
		return members, err
	}
	members, err = c.graph.GroupMembers(ctx, objectID)
	if apierr.IsNotFound(err) {
		return nil, graphLag(objectID, err)
	}
	return members, err
}

// errGraphLag marks a group that Exchange has and Microsoft Graph does not show yet. It is not a
// "not found": only Exchange's word that the group is gone removes a resource from state.
var errGraphLag = errors.New("Microsoft Graph does not show the group yet") //nolint:staticcheck // ST1005: starts with a product name

func graphLag(objectID string, cause error) error {
	// cause is formatted, not wrapped, so that its NotFound kind does not leak through.
	return fmt.Errorf("group %q exists in Exchange Online, but %w (directory sync can take a few minutes; "+
		"try again shortly): %v", objectID, errGraphLag, cause)
}

// groupOwners resolves Exchange's ManagedBy names to users. Names that are object ids (as
// Exchange Online reports them) are read together in one batched call; others one by one. A name
// Graph does not know is reported as Exchange gave it.
func (c *tenantClient) groupOwners(ctx context.Context, names []string) ([]graph.User, error) {
	owners := make([]graph.User, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { owners[i], errs[i] = c.owner(ctx, name) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return owners, nil
}

func (c *tenantClient) owner(ctx context.Context, name string) (graph.User, error) {
	if _, err := uuid.Parse(name); err == nil {
		u, found, err := c.reads.users.Get(ctx, strings.ToLower(name))
		if err != nil || found {
			return u, err
		}
		return graph.User{UserPrincipalName: name}, nil
	}
	u, err := c.resolveUser(ctx, name)
	if apierr.IsNotFound(err) {
		return graph.User{UserPrincipalName: name}, nil
	}
	if err != nil {
		return graph.User{}, err
	}
	return *u, nil
}

// afterGroupWrite records the outcome of a write to a group. What the run has read of groups is
// dropped, since a write can change an address that another read names; the group as a successful
// write returned it is kept under its GUID. Its members are read again in any case.
func (c *tenantClient) afterGroupWrite(objectID string, written *exchange.DistributionGroup, err error) {
	c.reads.groups.InvalidateAll()
	if written != nil && err == nil {
		c.reads.groups.Store(strings.ToLower(written.GUID), *written)
	}
	if objectID != "" {
		c.reads.members.Invalidate(strings.ToLower(objectID))
	}
}
