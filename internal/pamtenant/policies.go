package pamtenant

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// restoreAttempts bounds how often RestoreApprovalPolicy tries to put a policy back.
const restoreAttempts = 4

// readAheadPolicies starts reading the approval policies in the background, once per run.
// Policies name approver groups, so Terraform reads them only after the groups; a run that reads
// groups nearly always reads policies next, and starting early saves that round trip.
func (t *Tenant) readAheadPolicies(ctx context.Context) {
	t.reads.readAhead.Do(func() {
		// The read outlives the request that started it; a failure shows again in the real read.
		ctx := context.WithoutCancel(ctx)
		go func() { _, _ = t.reads.policies.Get(ctx) }()
	})
}

// ApprovalPolicies lists every approval policy; the first read in a run fetches them all.
func (t *Tenant) ApprovalPolicies(ctx context.Context) ([]ApprovalPolicy, error) {
	return t.reads.policies.Get(ctx)
}

// FreshApprovalPolicies lists the policies as the service shows them after this call, for polls
// that wait for a write to show.
func (t *Tenant) FreshApprovalPolicies(ctx context.Context) ([]ApprovalPolicy, error) {
	return t.reads.policies.Fresh(ctx)
}

// CreateApprovalPolicy creates a task approval policy. The run's list gains the new policy; after a
// failure, which may or may not have taken effect, the list is read again.
func (t *Tenant) CreateApprovalPolicy(ctx context.Context, p NewPolicy) (*ApprovalPolicy, error) {
	created, err := t.exchange.NewApprovalPolicy(ctx, p)
	if err != nil || created == nil {
		t.reads.policies.Invalidate()
		return created, err
	}
	t.reads.policies.Update(func(list []ApprovalPolicy) []ApprovalPolicy {
		return append(slices.Clone(list), *created)
	})
	return created, nil
}

// RemoveApprovalPolicy removes a policy by its identity. It leaves the run's list; "not found"
// means it is gone too, and other failures make the list be read again.
func (t *Tenant) RemoveApprovalPolicy(ctx context.Context, id string) error {
	err := t.exchange.RemoveApprovalPolicy(ctx, id)
	if err != nil && !apierr.IsNotFound(err) {
		t.reads.policies.Invalidate()
		return err
	}
	t.reads.policies.Update(func(list []ApprovalPolicy) []ApprovalPolicy {
		return slices.DeleteFunc(slices.Clone(list), func(p ApprovalPolicy) bool {
			return strings.EqualFold(p.Identity, id)
		})
	})
	return err
}

// RestoreApprovalPolicy puts a policy back after its replacement could not be created, so that the
// task is not left unguarded; p.Replaces names the policy removed before. A single refusal is not
// the end: it tries again, and between tries looks whether a policy for the task is in place after
// all (a create whose answer was lost may have gone through). Such a policy is returned, whichever
// settings it has: it may be another admin's, so the caller looks at its settings before saying what
// guards the task.
func (t *Tenant) RestoreApprovalPolicy(ctx context.Context, p NewPolicy) (*ApprovalPolicy, error) {
	for attempt := 1; ; attempt++ {
		restored, err := t.CreateApprovalPolicy(ctx, p)
		if err == nil {
			return restored, nil
		}
		if policies, listErr := t.FreshApprovalPolicies(ctx); listErr == nil {
			if existing := policyInPlace(policies, p); existing != nil {
				return existing, nil
			}
		}
		if attempt == restoreAttempts {
			return nil, err
		}
		if t.clock.Sleep(ctx, time.Duration(attempt)*2*time.Second) != nil {
			return nil, err
		}
	}
}
