package provider

import (
	"fmt"
	"strings"
	"sync"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// What the plans of one configured provider have seen, for the plan-time checks of the resources
// planned after them (safety_plan.go). Terraform starts the provider for each plan or apply, so
// this memory lasts one run.

// plannedGroup is what the plan says about one approver group.
type plannedGroup struct {
	members      []string
	membersKnown bool
}

// groupBook remembers the approver groups one configured provider has planned. Terraform plans a
// resource after the resources it refers to, so a policy that names its group as
// o365pam_approver_group.<name>.primary_smtp_address is checked after that group was planned, and
// a group this configuration is about to create is not reported missing.
type groupBook struct {
	mu       sync.Mutex
	groups   map[string]plannedGroup // by lower-case primary SMTP address
	removed  map[string]bool         // lower-case addresses of the groups the plan removes
	pamGroup string                  // lower-case default approver group privileged access has in state
}

// pamUses reports whether privileged access, as planned so far, uses the group as its default.
func (c *tenantClient) pamUses(address string) bool {
	book := &c.plannedGroups
	book.mu.Lock()
	defer book.mu.Unlock()
	return book.pamGroup != "" && book.pamGroup == strings.ToLower(address)
}

// noteRemovedGroup records a group the plan removes, and reports whether privileged access, as
// planned before, uses it as its default approver group.
func (c *tenantClient) noteRemovedGroup(address string) (pamUses bool) {
	book := &c.plannedGroups
	book.mu.Lock()
	defer book.mu.Unlock()
	key := strings.ToLower(address)
	if book.removed == nil {
		book.removed = map[string]bool{}
	}
	book.removed[key] = true
	return book.pamGroup == key
}

// notePAMGroup records the default approver group privileged access has now, and reports whether a
// group planned before removes it.
func (c *tenantClient) notePAMGroup(address string) (removed bool) {
	book := &c.plannedGroups
	book.mu.Lock()
	defer book.mu.Unlock()
	book.pamGroup = strings.ToLower(address)
	return book.removed[book.pamGroup]
}

func (c *tenantClient) notePlannedGroup(address string, g plannedGroup) {
	book := &c.plannedGroups
	book.mu.Lock()
	defer book.mu.Unlock()
	book.groups[strings.ToLower(address)] = g
}

func (c *tenantClient) plannedGroup(address string) (plannedGroup, bool) {
	book := &c.plannedGroups
	book.mu.Lock()
	defer book.mu.Unlock()
	g, ok := book.groups[strings.ToLower(address)]
	return g, ok
}

// policyBook remembers the approval policies one configured provider plans (and, during an apply,
// removes), so that a plan can refuse two resources for one task and count the policies the whole
// plan leaves in the tenant. Terraform plans resources in no set order, so what the book holds when a
// resource is planned is what the resources planned before it showed.
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
// run has not planned as staying; unplanned is how many of those there are.
func (b *policyBook) projected() (count, unplanned int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	count = b.created
	for id := range b.baseline {
		switch {
		case b.removed[id]:
		case b.kept[id]:
			count++
		default:
			count++
			unplanned++
		}
	}
	return count, unplanned
}
