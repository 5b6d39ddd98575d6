package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

// tenantClient is one tenant as resources see it: the tenant layer, which alone reads and writes,
// plus what plans of this run have seen in that tenant. Resources never see tokens or the service
// clients.
type tenantClient struct {
	tenant *pamtenant.Tenant
	// tenantID is the tenant's GUID; configuredTenant is the tenant as the configuration named it
	// (a GUID or a domain, or empty), which older states may hold.
	tenantID         string
	configuredTenant string
	organization     string
	plannedGroups    groupBook  // approver groups planned in this run, for the safety checks
	policies         policyBook // approval policies planned (and removed) in this run
}

func newTenantClient(conn *connect.Connection, configuredTenant string) *tenantClient {
	return &tenantClient{
		tenant: pamtenant.New(conn.Clients), tenantID: conn.TenantID, configuredTenant: configuredTenant,
		organization:  conn.Organization,
		plannedGroups: groupBook{groups: map[string]plannedGroup{}},
		policies:      newPolicyBook(),
	}
}

// tenantPool is what the provider hands to every resource, data source, list, ephemeral resource
// and action: the provider's own tenant, and every other tenant an object names by its tenant_id,
// signed in on first use with the provider's credential. One provider process so serves a fleet;
// each tenant keeps its own tokens, shared reads and plan bookkeeping, so the safety checks work
// per tenant and a tenant that cannot be reached fails only its own objects.
type tenantPool struct {
	fleet *connect.Fleet
	// home is the provider's own tenant, nil when the settings name none (every object then names
	// its own).
	home *tenantClient

	mu      sync.Mutex
	tenants map[string]*pooledTenant // by lower-case GUID
}

// pooledTenant is a tenant being signed in to, or signed in: ready closes when client or err is set.
type pooledTenant struct {
	ready  chan struct{}
	client *tenantClient
	err    error
	// reported is set once a refresh has reported err, which the tenant's other refreshes then skip.
	reported atomic.Bool
}

func newTenantPool(ctx context.Context, s connect.Settings, version, terraformVersion string) (*tenantPool, error) {
	fleet, err := connect.NewFleet(s, connect.Options{Version: version, TerraformVersion: terraformVersion, Log: debugLog})
	if err != nil {
		return nil, err
	}
	p := &tenantPool{fleet: fleet, tenants: map[string]*pooledTenant{}}
	// The provider's own tenant is signed in to now, so that a wrong setting fails the provider's
	// configuration as it always has; settings that name no tenant and cannot find one by
	// themselves (an app's credential) leave every object to name its tenant.
	if fleet.Tenant() == "" && !fleet.SignInWithoutTenant() {
		return p, nil
	}
	conn, err := fleet.Connect(ctx, fleet.Tenant(), s.Organization)
	if err != nil {
		return nil, err
	}
	p.home = newTenantClient(conn, fleet.Tenant())
	return p, nil
}

// poolFrom recovers the tenantPool that Configure stored, or reports a provider bug. A nil
// ProviderData is normal early in the plan, before the provider is configured.
func poolFrom(data any, diags *diag.Diagnostics) *tenantPool {
	if data == nil {
		return nil
	}
	p, ok := data.(*tenantPool)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *tenantPool, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return p
}

// homeID is the provider's own tenant's GUID, empty when it has none.
func (p *tenantPool) homeID() string {
	if p.home == nil {
		return ""
	}
	return p.home.tenantID
}

// client returns the tenant a GUID names, signing in to it on first use; empty = the provider's
// own tenant. Concurrent callers for one tenant wait for one sign-in.
func (p *tenantPool) client(ctx context.Context, tenant string) (*tenantClient, error) {
	if tenant == "" || strings.EqualFold(tenant, p.homeID()) {
		if p.home == nil {
			return nil, errNoTenant
		}
		return p.home, nil
	}
	entry := p.entry(ctx, tenant)
	select {
	case <-entry.ready:
		return entry.client, entry.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// entry is a tenant's place in the pool; the first caller starts its sign-in, which outlives the
// object that asked for it: other objects of the tenant share it.
func (p *tenantPool) entry(ctx context.Context, tenant string) *pooledTenant {
	key := strings.ToLower(tenant)
	p.mu.Lock()
	entry, started := p.tenants[key]
	if !started {
		entry = &pooledTenant{ready: make(chan struct{})}
		p.tenants[key] = entry
	}
	p.mu.Unlock()
	if !started {
		go func() {
			// Without the caller's deadline, but with its logger.
			conn, err := p.fleet.Connect(context.WithoutCancel(ctx), key, "")
			if err == nil && tenantGUIDPattern.MatchString(key) && !strings.EqualFold(conn.TenantID, key) {
				err = fmt.Errorf("the sign-in answered for tenant %s", conn.TenantID)
			}
			if err != nil {
				entry.err = err
			} else {
				entry.client = newTenantClient(conn, key)
			}
			close(entry.ready)
		}()
	}
	return entry
}

var errNoTenant = errors.New("no tenant")

// tenantAt is the tenant an object lives in (tenant: a GUID, or null for the provider's own), or
// nil after a diagnostic on attr that names the object and says what to do.
func (p *tenantPool) tenantAt(ctx context.Context, attr path.Path, object string, tenant types.String, diags *diag.Diagnostics) *tenantClient {
	return p.reach(ctx, attr, object, tenant, false, diags)
}

// tenantToRefresh is tenantAt for a read or plan of an object in state, which a plan refreshes:
// a tenant that cannot be reached is reported on the first of its objects only, so that a fleet's
// plan says once per tenant what failed. The others return nil without a diagnostic and keep their
// state; the plan fails on the one error, so nothing is applied from it.
func (p *tenantPool) tenantToRefresh(ctx context.Context, object string, tenant types.String, diags *diag.Diagnostics) *tenantClient {
	return p.reach(ctx, pathTenantID, object, tenant, true, diags)
}

func (p *tenantPool) reach(ctx context.Context, attr path.Path, object string, tenant types.String, oncePerTenant bool, diags *diag.Diagnostics) *tenantClient {
	if p == nil {
		diags.AddError("Provider not configured", "The o365pam provider must be configured before the "+object+" can be reached.")
		return nil
	}
	id := ""
	if !tenant.IsNull() && !tenant.IsUnknown() {
		id = tenant.ValueString()
	}
	c, err := p.client(ctx, id)
	switch {
	case errors.Is(err, errNoTenant):
		diags.AddAttributeError(attr, "No tenant for this object",
			fmt.Sprintf("The %s names no tenant_id, and the provider names no tenant either. Set tenant_id on it "+
				"(the tenant's GUID), or the provider's tenant_id (O365PAM_TENANT_ID or ARM_TENANT_ID).", object))
	case err != nil && oncePerTenant && id != "" && p.entry(ctx, id).reported.Swap(true):
		// Reported on another object of the tenant.
	case err != nil:
		home := "The provider names no tenant of its own."
		if p.home != nil {
			home = fmt.Sprintf("The provider's own tenant is %s (%s).", p.home.tenantID, p.home.organization)
		}
		diags.AddAttributeError(attr, "Cannot reach tenant "+id,
			fmt.Sprintf("Signing in to tenant %s failed, so its objects were not read or changed; objects of "+
				"other tenants are not affected. A plan reports this on one object of the tenant only. %s\n\n"+
				"Check that the app is consented in tenant %s and holds its Exchange role there (see the guide "+
				"\"Manage many tenants\"), or, if the object's tenant is wrong, correct its tenant_id.\n\n%s", id, home, id, err))
	}
	return c
}

// tenantBinding is embedded by every resource, data source, list, ephemeral resource and action:
// the pool, and, in a copy made for one call, the tenant of the object at hand, through which the
// type's helpers reach that tenant.
type tenantBinding struct {
	tenants *tenantPool
	client  *tenantClient
}

func (b *tenantBinding) binding() *tenantBinding { return b }

// Configure takes the pool the provider's Configure built.
func (b *tenantBinding) configure(data any, diags *diag.Diagnostics) {
	b.tenants = poolFrom(data, diags)
}

type tenantBound[T any] interface {
	*T
	binding() *tenantBinding
}

// inTenant is a copy of r bound to tenant c; nil when c is nil.
func inTenant[T any, P tenantBound[T]](r P, c *tenantClient) P {
	if c == nil {
		return nil
	}
	bound := P(new(T))
	*bound = *r
	bound.binding().client = c
	return bound
}

// atTenant is a copy of r bound to the tenant an object records (null: the provider's own), or nil
// after a diagnostic.
func atTenant[T any, P tenantBound[T]](ctx context.Context, r P, object string, tenant types.String, diags *diag.Diagnostics) P {
	return inTenant(r, r.binding().tenants.tenantOf(ctx, object, tenant, diags))
}

// refreshIn is atTenant for a Read, which reports a tenant that cannot be reached once per tenant
// (see tenantToRefresh): nil without a diagnostic means the state stays as it is.
func refreshIn[T any, P tenantBound[T]](ctx context.Context, r P, object string, tenant types.String, diags *diag.Diagnostics) P {
	return inTenant(r, r.binding().tenants.tenantToRefresh(ctx, object, recordedTenant(tenant), diags))
}

// planIn is r bound to the tenant of a planned object (see tenantForPlan), or nil when the plan
// cannot go on in any tenant: the provider is not configured yet, or a diagnostic says why.
func planIn[T any, P tenantBound[T]](ctx context.Context, r P, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse,
	object string, recorded types.String,
) P {
	if r.binding().tenants == nil {
		return nil
	}
	return inTenant(r, r.binding().tenants.tenantForPlan(ctx, req, resp, object, recorded))
}

// dataTenant is the tenant a data source reads: its tenant_id, else the provider's own, whose GUID
// it then writes into tenant_id; nil after a diagnostic.
func (b *tenantBinding) dataTenant(ctx context.Context, object string, tenantID *types.String, diags *diag.Diagnostics) *tenantClient {
	c := b.tenants.tenantAt(ctx, pathTenantID, object, *tenantID, diags)
	if c != nil {
		*tenantID = types.StringValue(c.tenantID)
	}
	return c
}
