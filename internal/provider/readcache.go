package provider

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
	"github.com/zerostanding/terraform-provider-o365pam/internal/readcache"
)

// batchWindow is how long a batched Graph read waits for more resources to ask; reads that arrive
// while the provider signs in to Graph join the batch too.
const batchWindow = 20 * time.Millisecond

// runReads is what the provider has read during this run. Terraform starts the provider for each
// plan or apply and Configure builds a new tenantClient, so nothing here outlives one run. Reads of
// many resources of one kind share one service call (Exchange throttles hard, and drift detection
// refreshes every object); every write updates or drops what it touched before it returns, so a
// read after a write in the same run sees the write.
type runReads struct {
	policies *readcache.Value[[]exchange.ApprovalPolicy]       // all of them: the service allows 30
	access   *readcache.Value[exchange.PrivilegedAccessStatus] // the organization's setting
	groups   *readcache.Batch[exchange.DistributionGroup]      // groups by lower-case GUID or address
	members  *readcache.Batch[[]graph.User]                    // group members by group object id
	users    *readcache.Batch[graph.User]                      // users by object id
	skus     *readcache.Value[[]graph.Sku]                     // the tenant's subscriptions

	readAhead sync.Once
}

func newRunReads(ex *exchange.Client, gr *graph.Client) *runReads {
	batch := readcache.BatchOptions{Size: graph.MaxIDsPerRead, Window: batchWindow, Ready: gr.SignIn}
	return &runReads{
		policies: readcache.NewValue(ex.ApprovalPolicies),
		access: readcache.NewValue(func(ctx context.Context) (exchange.PrivilegedAccessStatus, error) {
			status, err := ex.PrivilegedAccess(ctx)
			if err != nil {
				return exchange.PrivilegedAccessStatus{}, err
			}
			return *status, nil
		}),
		groups: readcache.NewBatch(func(ctx context.Context, ids []string) (map[string]exchange.DistributionGroup, error) {
			found, err := ex.DistributionGroups(ctx, ids)
			if apierr.Is(err, apierr.KindInvalidInput) {
				// The service refused the filter: every group is then read on its own.
				return map[string]exchange.DistributionGroup{}, nil
			}
			return found, err
		}, readcache.BatchOptions{Size: exchange.MaxGroupsPerFilter, Window: batchWindow, Ready: ex.SignIn}),
		members: readcache.NewBatch(byLowerID(gr.GroupsMembers), batch),
		users:   readcache.NewBatch(byLowerID(gr.UsersByID), batch),
		skus:    readcache.NewValue(gr.SubscribedSkus),
	}
}

// byLowerID keys a batched read's answer by lower-case object id, as the cache asks for them.
func byLowerID[V any](read func(context.Context, []string) (map[string]V, error)) func(context.Context, []string) (map[string]V, error) {
	return func(ctx context.Context, ids []string) (map[string]V, error) {
		answer, err := read(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[string]V, len(answer))
		for id, v := range answer {
			out[strings.ToLower(id)] = v
		}
		return out, nil
	}
}

// readAheadPolicies starts reading the approval policies in the background, once per run.
// Policies name approver groups, so Terraform reads them only after the groups; a run that reads
// groups nearly always reads policies next, and starting early saves that round trip.
func (c *tenantClient) readAheadPolicies(ctx context.Context) {
	c.reads.readAhead.Do(func() {
		// The read outlives the request that started it; a failure shows again in the real read.
		ctx := context.WithoutCancel(ctx)
		go func() { _, _ = c.reads.policies.Get(ctx) }()
	})
}

// approvalPolicies lists every approval policy; the first read in a run fetches them all.
func (c *tenantClient) approvalPolicies(ctx context.Context) ([]exchange.ApprovalPolicy, error) {
	return c.reads.policies.Get(ctx)
}

// freshApprovalPolicies lists the policies as the service shows them after this call, for polls
// that wait for a write to show.
func (c *tenantClient) freshApprovalPolicies(ctx context.Context) ([]exchange.ApprovalPolicy, error) {
	return c.reads.policies.Fresh(ctx)
}

// afterPolicyCreate records the outcome of creating a policy. A failed create may or may not have
// taken effect, so the list is read again.
func (c *tenantClient) afterPolicyCreate(created *exchange.ApprovalPolicy, err error) {
	if err != nil || created == nil {
		c.reads.policies.Invalidate()
		return
	}
	c.reads.policies.Update(func(list []exchange.ApprovalPolicy) []exchange.ApprovalPolicy {
		return append(slices.Clone(list), *created)
	})
}

// afterPolicyRemove records the outcome of removing a policy; "not found" means it is gone too.
func (c *tenantClient) afterPolicyRemove(id string, err error) {
	if err != nil && !apierr.IsNotFound(err) {
		c.reads.policies.Invalidate()
		return
	}
	c.reads.policies.Update(func(list []exchange.ApprovalPolicy) []exchange.ApprovalPolicy {
		return slices.DeleteFunc(slices.Clone(list), func(p exchange.ApprovalPolicy) bool {
			return strings.EqualFold(p.Identity, id)
		})
	})
}

func findPolicyByID(policies []exchange.ApprovalPolicy, id string) *exchange.ApprovalPolicy {
	for i := range policies {
		if strings.EqualFold(policies[i].Identity, id) {
			return &policies[i]
		}
	}
	return nil
}

// privilegedAccess reads the organization's privileged access setting once per run.
func (c *tenantClient) privilegedAccess(ctx context.Context) (exchange.PrivilegedAccessStatus, error) {
	return c.reads.access.Get(ctx)
}

// freshPrivilegedAccess reads the setting as the service shows it after this call.
func (c *tenantClient) freshPrivilegedAccess(ctx context.Context) (exchange.PrivilegedAccessStatus, error) {
	return c.reads.access.Fresh(ctx)
}

// afterPrivilegedAccessWrite drops the setting after enabling or disabling, whatever the outcome.
func (c *tenantClient) afterPrivilegedAccessWrite() {
	c.reads.access.Invalidate()
}
