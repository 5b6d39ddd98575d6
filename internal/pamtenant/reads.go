package pamtenant

import (
	"context"
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

// runReads is what the run has read. Reads of many resources of one kind share one service call
// (Exchange throttles hard, and drift detection refreshes every object); every write method of
// Tenant updates or drops what it touched before it returns, so a read after a write in the same
// run sees the write.
type runReads struct {
	policies *readcache.Value[[]exchange.ApprovalPolicy]       // all of them: the service allows 30
	access   *readcache.Value[exchange.PrivilegedAccessStatus] // the organization's setting
	groups   *readcache.Batch[exchange.DistributionGroup]      // groups by lower-case GUID or address
	members  *readcache.Batch[[]graph.User]                    // group members by group object id
	users    *readcache.Batch[graph.User]                      // users by object id
	skus     *readcache.Value[[]graph.Sku]                     // the tenant's subscriptions
	role     *readcache.Value[RoleHolding]                     // the caller's Role Management

	readAhead sync.Once
}

func newRunReads(t *Tenant) *runReads {
	ex, gr := t.exchange, t.graph
	batch := func(cache string) readcache.BatchOptions {
		return readcache.BatchOptions{Size: graph.MaxIDsPerRead, Window: batchWindow, Ready: gr.SignIn, OnHit: t.cacheHitLog(cache)}
	}
	return &runReads{
		policies: readcache.NewValue(ex.ApprovalPolicies, t.cacheHitLog("approval policies")),
		access: readcache.NewValue(func(ctx context.Context) (exchange.PrivilegedAccessStatus, error) {
			status, err := ex.PrivilegedAccess(ctx)
			if err != nil {
				return exchange.PrivilegedAccessStatus{}, err
			}
			return *status, nil
		}, t.cacheHitLog("privileged access setting")),
		groups: readcache.NewBatch(func(ctx context.Context, ids []string) (map[string]exchange.DistributionGroup, error) {
			found, err := ex.DistributionGroups(ctx, ids)
			if apierr.Is(err, apierr.KindInvalidInput) {
				// The service refused the filter: every group is then read on its own.
				return map[string]exchange.DistributionGroup{}, nil
			}
			return found, err
		}, readcache.BatchOptions{Size: exchange.MaxGroupsPerFilter, Window: batchWindow, Ready: ex.SignIn, OnHit: t.cacheHitLog("approver groups")}),
		members: readcache.NewBatch(byLowerID(gr.GroupsMembers), batch("group members")),
		users:   readcache.NewBatch(byLowerID(gr.UsersByID), batch("users")),
		skus:    readcache.NewValue(gr.SubscribedSkus, t.cacheHitLog("subscribed licences")),
		role: readcache.NewValue(func(ctx context.Context) (RoleHolding, error) {
			return readRoleManagement(ctx, ex)
		}, t.cacheHitLog("caller's Role Management")),
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

// cacheHitLog logs reads of the run's shared reads that cost no service call.
func (t *Tenant) cacheHitLog(cache string) readcache.Hit {
	if t.log == nil {
		return nil
	}
	return func(ctx context.Context, key string, joined bool) {
		fields := map[string]any{"cache": cache, "source": "cached answer"}
		if joined {
			fields["source"] = "joined a read in flight"
		}
		if key != "" {
			fields["key"] = key
		}
		t.log(ctx, "read cache hit", fields)
	}
}

// SubscribedSkus lists the tenant's subscriptions, once per run.
func (t *Tenant) SubscribedSkus(ctx context.Context) ([]Sku, error) {
	return t.reads.skus.Get(ctx)
}
