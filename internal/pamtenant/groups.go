package pamtenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// Approver groups are read from two services: the group from Exchange and members and owners from
// Microsoft Graph, each many groups per call, so that a run reads only the groups it names.

// GroupSnapshot is one consistent read of a group from both services.
type GroupSnapshot struct {
	Group   DistributionGroup
	Members []User
	Owners  []User
}

// GroupSnapshot reads a group by GUID or primary SMTP address through the run's shared reads.
// objectID, when the caller knows it (from state), lets the members be read from Graph while
// Exchange answers.
func (t *Tenant) GroupSnapshot(ctx context.Context, id, objectID string) (*GroupSnapshot, error) {
	t.readAheadPolicies(ctx)
	var early chan membersAnswer
	if objectID != "" {
		early = make(chan membersAnswer, 1)
		go func() {
			members, err := t.groupMembers(ctx, objectID, false)
			early <- membersAnswer{members, err}
		}()
	}
	group, err := t.SecurityGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	var members []User
	if early != nil && strings.EqualFold(group.ExternalDirectoryObjectID, objectID) {
		answer := <-early
		members, err = answer.members, answer.err
	} else {
		members, err = t.groupMembers(ctx, group.ExternalDirectoryObjectID, false)
	}
	if err != nil {
		return nil, err
	}
	return t.completeSnapshot(ctx, group, members)
}

// FreshGroupSnapshot reads a group as both services show it after this call, for polls that wait
// for a write to show. known is the group as a write just returned it, which spares the Exchange read.
func (t *Tenant) FreshGroupSnapshot(ctx context.Context, id string, known *DistributionGroup) (*GroupSnapshot, error) {
	group := known
	if group == nil || group.ExternalDirectoryObjectID == "" {
		// Without the Entra object id Graph cannot be asked; Exchange fills it in once the group
		// has reached the directory.
		var err error
		if group, err = t.exchange.GetDistributionGroup(ctx, id); err != nil {
			return nil, err
		}
	}
	members, err := t.groupMembers(ctx, group.ExternalDirectoryObjectID, true)
	if err != nil {
		return nil, err
	}
	return t.completeSnapshot(ctx, group, members)
}

type membersAnswer struct {
	members []User
	err     error
}

func (t *Tenant) completeSnapshot(ctx context.Context, group *DistributionGroup, members []User) (*GroupSnapshot, error) {
	owners, err := t.groupOwners(ctx, group.ManagedBy)
	if err != nil {
		return nil, err
	}
	return &GroupSnapshot{Group: *group, Members: members, Owners: owners}, nil
}

// SecurityGroup reads a group by GUID or address through the run's batched reads. A group missing
// from a batch answer is read on its own: that confirms it is gone (a NotFound error), so that only
// the service's own "not found" removes a resource from state.
func (t *Tenant) SecurityGroup(ctx context.Context, id string) (*DistributionGroup, error) {
	g, found, err := t.reads.groups.Get(ctx, strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	if found {
		return &g, nil
	}
	return t.exchange.GetDistributionGroup(ctx, id)
}

// LookupGroup reads a group by any identity Exchange accepts (name, alias, address, GUID) as the
// service shows it now, outside the run's shared reads: for imports and for explaining a refusal.
func (t *Tenant) LookupGroup(ctx context.Context, identity string) (*DistributionGroup, error) {
	return t.exchange.GetDistributionGroup(ctx, identity)
}

// SecurityGroups lists the tenant's mail-enabled security groups, at most limit of them (0: all),
// outside the run's shared reads: for terraform query, which lists once.
func (t *Tenant) SecurityGroups(ctx context.Context, limit int) ([]DistributionGroup, error) {
	return t.exchange.SecurityGroups(ctx, limit)
}

// GroupMembers reads a group's members by its Entra object id as Graph shows them now.
func (t *Tenant) GroupMembers(ctx context.Context, objectID string) ([]User, error) {
	return t.graph.GroupMembers(ctx, objectID)
}

// groupMembers reads a group's members through the run's batched Graph reads; fresh skips what
// was read before. A group the batched read did not return is read on its own, which gives the
// service's own answer (usually "not found").
func (t *Tenant) groupMembers(ctx context.Context, objectID string, fresh bool) ([]User, error) {
	if objectID == "" {
		return nil, graphLag(objectID, errors.New("Exchange reports no Entra object id for it yet")) //nolint:staticcheck // ST1005: starts with a product name
	}
	read := t.reads.members.Get
	if fresh {
		read = t.reads.members.Fresh
	}
	members, found, err := read(ctx, strings.ToLower(objectID))
	if err != nil || found {
		return members, err
	}
	members, err = t.graph.GroupMembers(ctx, objectID)
	if apierr.IsNotFound(err) {
		return nil, graphLag(objectID, err)
	}
	return members, err
}

// ErrGraphLag marks a group that Exchange has and Microsoft Graph does not show yet. It is not a
// "not found": only Exchange's word that the group is gone removes a resource from state.
var ErrGraphLag = errors.New("Microsoft Graph does not show the group yet") //nolint:staticcheck // ST1005: starts with a product name

func graphLag(objectID string, cause error) error {
	// cause is formatted, not wrapped, so that its NotFound kind does not leak through.
	return fmt.Errorf("group %q exists in Exchange Online, but %w (directory sync can take a few minutes; "+
		"try again shortly): %v", objectID, ErrGraphLag, cause)
}

// groupOwners resolves Exchange's ManagedBy names to users. Names that are object ids (as
// Exchange Online reports them) are read together in one batched call; others one by one. A name
// Graph does not know is reported as Exchange gave it.
func (t *Tenant) groupOwners(ctx context.Context, names []string) ([]User, error) {
	owners := make([]User, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { owners[i], errs[i] = t.owner(ctx, name) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return owners, nil
}

func (t *Tenant) owner(ctx context.Context, name string) (User, error) {
	if _, err := uuid.Parse(name); err == nil {
		u, found, err := t.reads.users.Get(ctx, strings.ToLower(name))
		if err != nil || found {
			return u, err
		}
		return User{UserPrincipalName: name}, nil
	}
	u, err := t.ResolveUser(ctx, name)
	if apierr.IsNotFound(err) {
		return User{UserPrincipalName: name}, nil
	}
	if err != nil {
		return User{}, err
	}
	return *u, nil
}

// CreateGroup creates a mail-enabled security group. The run's group reads are dropped and the
// group as the create returned it is kept under its GUID.
func (t *Tenant) CreateGroup(ctx context.Context, g NewGroup) (*DistributionGroup, error) {
	created, err := t.exchange.NewSecurityGroup(ctx, g)
	t.afterGroupWrite("", created, err)
	return created, err
}

// UpdateGroup changes the set fields of a group. objectID, the group's Entra object id when known,
// names the members read to drop.
func (t *Tenant) UpdateGroup(ctx context.Context, objectID string, change SetGroup) error {
	err := t.exchange.SetDistributionGroup(ctx, change)
	t.afterGroupWrite(objectID, nil, err)
	return err
}

// ReplaceGroupMembers makes members the group's whole member list.
func (t *Tenant) ReplaceGroupMembers(ctx context.Context, id, objectID string, members []string) error {
	err := t.exchange.ReplaceGroupMembers(ctx, id, members)
	t.afterGroupWrite(objectID, nil, err)
	return err
}

// RemoveGroup deletes a group.
func (t *Tenant) RemoveGroup(ctx context.Context, id, objectID string) error {
	err := t.exchange.RemoveDistributionGroup(ctx, id)
	t.afterGroupWrite(objectID, nil, err)
	return err
}

// afterGroupWrite brings the run's reads up to date after a write to a group, whatever its
// outcome. What the run has read of groups is dropped, since a write can change an address that
// another read names; the group as a successful write returned it is kept under its GUID. Its
// members are read again in any case.
func (t *Tenant) afterGroupWrite(objectID string, written *DistributionGroup, err error) {
	t.reads.groups.InvalidateAll()
	if written != nil && err == nil {
		t.reads.groups.Store(strings.ToLower(written.GUID), *written)
	}
	if objectID != "" {
		t.reads.members.Invalidate(strings.ToLower(objectID))
	}
}

// ResolveUser finds a user by object id or UPN, then by SMTP address. It returns a NotFound
// *apierr.Error when neither knows the name.
func (t *Tenant) ResolveUser(ctx context.Context, spelling string) (*User, error) {
	u, err := t.graph.User(ctx, spelling)
	if err == nil || !apierr.IsNotFound(err) || !strings.Contains(spelling, "@") {
		return u, err
	}
	return t.graph.UserByMail(ctx, spelling)
}

// UsersByName looks people up by UPN or SMTP address, many per Graph call, with their licences.
func (t *Tenant) UsersByName(ctx context.Context, spellings []string) (map[string]User, error) {
	return t.graph.UsersByName(ctx, spellings)
}
