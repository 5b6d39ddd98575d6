package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// policyLimitWait bounds how long a planned creation that would pass the tenant's policy limit waits
// for the rest of the run to show the policies it removes.
const policyLimitWait = 10 * time.Second

// policyBook remembers the approval policies one configured provider plans (and, during an apply,
// removes), so that a plan can refuse two resources for one task and count the policies the whole
// plan leaves in the tenant. Terraform plans resources in parallel and in no set order, so a count
// that passes the limit waits a little for the removals planned alongside.
type policyBook struct {
	mu       sync.Mutex
	tasks    map[string]taskClaim // by lower-case task
	baseline map[string]bool      // lower-case ids of the tenant's policies when the run first looked; nil until then
	removed  map[string]bool      // lower-case ids of baseline policies this run removes
	kept     map[string]bool      // lower-case ids of baseline policies this run keeps
	created  int                  // policies this run creates
	newKeys  int
}

// taskClaim is the resource that plans a task's policy: its policy id, or a key of its own while it
// has none, and the task as it spells it.
type taskClaim struct{ key, spelling string }

func newPolicyBook() policyBook {
	return policyBook{tasks: map[string]taskClaim{}, removed: map[string]bool{}, kept: map[string]bool{}}
}

// claimTask notes that the resource named by key plans a policy for task. When another resource
// planned the task already, it returns that resource's spelling of it.
func (b *policyBook) claimTask(task, key string) (other string, taken bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := strings.ToLower(task)
	if claim, ok := b.tasks[k]; ok && claim.key != key {
		return claim.spelling, true
	}
	b.tasks[k] = taskClaim{key: key, spelling: task}
	return "", false
}

// newKey names a resource that has no policy yet.
func (b *policyBook) newKey() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.newKeys++
	return fmt.Sprintf("new-%d", b.newKeys)
}

// noteKept, noteRemoved and noteCreated record what the run does to the tenant's policies.
func (b *policyBook) noteKept(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id := strings.ToLower(id); !b.removed[id] {
		b.kept[id] = true
	}
}

func (b *policyBook) noteRemoved(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id = strings.ToLower(id)
	delete(b.kept, id)
	b.removed[id] = true
}

func (b *policyBook) noteCreated() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.created++
}

// setBaseline records the tenant's policies the first time the run looks.
func (b *policyBook) setBaseline(policies []pamtenant.ApprovalPolicy) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.baseline != nil {
		return
	}
	b.baseline = make(map[string]bool, len(policies))
	for _, p := range policies {
		b.baseline[strings.ToLower(p.Identity)] = true
	}
}

// projected is how many policies the tenant holds once the run is done, counting every policy this
// run has not planned as staying; settled is true when every one of them has been planned.
func (b *policyBook) projected() (count int, settled bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	count, settled = b.created, true
	for id := range b.baseline {
		switch {
		case b.removed[id]:
		case b.kept[id]:
			count++
		default:
			count++
			settled = false
		}
	}
	return count, settled
}

// checkPolicyLimit refuses a planned creation that leaves the tenant with more policies than Exchange
// allows, counting what the same plan creates and removes. Removals are planned in no set order, so
// while the count is too high and some tenant policies have not been planned yet it waits (at most
// policyLimitWait) for them.
func (c *tenantClient) checkPolicyLimit(ctx context.Context, task string) (*finding, error) {
	policies, err := c.tenant.ApprovalPolicies(ctx)
	if err != nil {
		return nil, err
	}
	book := &c.policies
	book.setBaseline(policies)
	clock := c.tenant.Clock()
	deadline := clock.Now().Add(policyLimitWait)
	for {
		count, settled := book.projected()
		if count <= maxApprovalPolicies {
			return nil, nil
		}
		if settled || clock.Now().After(deadline) {
			return policyLimitFinding(count, task), nil
		}
		if clock.Sleep(ctx, 100*time.Millisecond) != nil {
			return policyLimitFinding(count, task), nil
		}
	}
}
