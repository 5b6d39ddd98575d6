package pamtenant

import (
	"context"
	"sync"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
)

// Readiness is what a tenant shows about whether it can take privileged access management. It
// costs the same few calls whatever the tenant's size, all of them reads the run shares with the
// resources. Each part carries its own error, so a part that cannot be read hides none of the others.
type Readiness struct {
	PrivilegedAccess    PrivilegedAccessStatus
	PrivilegedAccessErr error
	Policies            int // how many approval policies the tenant holds
	PoliciesErr         error
	Subscribed          []Sku // the tenant's subscriptions
	SubscribedErr       error
	Role                RoleHolding
	RoleErr             error
}

// Readiness reads the tenant's privileged access setting, its approval policies, its subscriptions
// and the signed-in caller's Role Management, side by side.
func (t *Tenant) Readiness(ctx context.Context) Readiness {
	var r Readiness
	var wg sync.WaitGroup
	wg.Go(func() { r.PrivilegedAccess, r.PrivilegedAccessErr = t.PrivilegedAccess(ctx) })
	wg.Go(func() {
		policies, err := t.ApprovalPolicies(ctx)
		r.Policies, r.PoliciesErr = len(policies), err
	})
	wg.Go(func() { r.Subscribed, r.SubscribedErr = t.SubscribedSkus(ctx) })
	wg.Go(func() { r.Role, r.RoleErr = t.RoleManagement(ctx) })
	wg.Wait()
	return r
}

// RoleHolding says whether the signed-in caller holds Exchange's Role Management role, which
// managing privileged access needs (documented).
type RoleHolding struct {
	Caller string // a user's UPN, or an app's id
	App    bool
	// Known is false when neither the token nor Exchange can tell: an app whose token lists no
	// Entra roles and for which Exchange lists no Role Management assignment.
	Known bool
	Held  bool
}

// RoleManagement reads whether the signed-in caller holds the Role Management role, once per run.
func (t *Tenant) RoleManagement(ctx context.Context) (RoleHolding, error) {
	return t.reads.role.Get(ctx)
}

// readRoleManagement asks the token first: an Entra role that holds every Exchange right settles
// it without a call. Otherwise Exchange lists the caller's Role Management assignments, direct or
// through role groups. A caller refused the listing holds no Role Management, whose cmdlets
// include it (documented: the role manages role assignments); an app Exchange does not know has
// no assignment either. Whether such an app holds an Entra role is known only when its token
// lists its roles.
func readRoleManagement(ctx context.Context, ex *exchange.Client) (RoleHolding, error) {
	caller, err := ex.Caller(ctx)
	if err != nil {
		return RoleHolding{}, err
	}
	h := RoleHolding{Caller: caller.Name, App: caller.App}
	if caller.ExchangeAdminRole() != "" {
		h.Known, h.Held = true, true
		return h, nil
	}
	assignments, err := ex.RoleAssignments(ctx, caller.Name, exchange.RoleManagement)
	switch {
	case apierr.Is(err, apierr.KindForbidden), caller.App && apierr.IsNotFound(err):
	case err != nil:
		return RoleHolding{}, err
	case len(assignments) > 0:
		h.Known, h.Held = true, true
		return h, nil
	}
	h.Known = !caller.App || caller.EntraRoles != nil
	return h, nil
}
