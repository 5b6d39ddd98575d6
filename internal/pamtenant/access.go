package pamtenant

import "context"

// PrivilegedAccess reads the organization's privileged access setting once per run.
func (t *Tenant) PrivilegedAccess(ctx context.Context) (PrivilegedAccessStatus, error) {
	return t.reads.access.Get(ctx)
}

// FreshPrivilegedAccess reads the setting as the service shows it after this call.
func (t *Tenant) FreshPrivilegedAccess(ctx context.Context) (PrivilegedAccessStatus, error) {
	return t.reads.access.Fresh(ctx)
}

// EnablePrivilegedAccess turns privileged access on, or sends new settings when alreadyOn. The
// run's setting is read again afterwards, whatever the outcome.
func (t *Tenant) EnablePrivilegedAccess(ctx context.Context, adminGroup string, systemAccounts []string, alreadyOn bool) error {
	err := t.exchange.EnablePrivilegedAccess(ctx, adminGroup, systemAccounts, alreadyOn)
	t.reads.access.Invalidate()
	return err
}

// DisablePrivilegedAccess turns privileged access off. The run's setting is read again
// afterwards, whatever the outcome.
func (t *Tenant) DisablePrivilegedAccess(ctx context.Context) error {
	err := t.exchange.DisablePrivilegedAccess(ctx)
	t.reads.access.Invalidate()
	return err
}

// Access requests are the signed-in identity's own and change outside the run all the time, so
// they are never kept between calls.

// SignedInAs names the identity the Exchange client signs in as, as requests name their requester.
func (t *Tenant) SignedInAs(ctx context.Context) (string, error) { return t.exchange.SignedInAs(ctx) }

// AccessRequests lists the access requests.
func (t *Tenant) AccessRequests(ctx context.Context) ([]AccessRequest, error) {
	return t.exchange.AccessRequests(ctx)
}

// AccessRequest reads one request by its identity.
func (t *Tenant) AccessRequest(ctx context.Context, id string) (*AccessRequest, error) {
	return t.exchange.AccessRequest(ctx, id)
}

// NewAccessRequest files a request for a task; see exchange.Client.NewAccessRequest.
func (t *Tenant) NewAccessRequest(ctx context.Context, task, reason string, durationHours int) (*AccessRequest, error) {
	return t.exchange.NewAccessRequest(ctx, task, reason, durationHours)
}

// AccessAuthorizations lists the access approved requests granted.
func (t *Tenant) AccessAuthorizations(ctx context.Context) ([]AccessAuthorization, error) {
	return t.exchange.AccessAuthorizations(ctx)
}

// ApproveAccessRequest approves a pending request with a comment; see exchange.Client.ApproveAccessRequest.
func (t *Tenant) ApproveAccessRequest(ctx context.Context, id, comment string) error {
	return t.exchange.ApproveAccessRequest(ctx, id, comment)
}

// DenyAccessRequest denies a pending request with a comment.
func (t *Tenant) DenyAccessRequest(ctx context.Context, id, comment string) error {
	return t.exchange.DenyAccessRequest(ctx, id, comment)
}
