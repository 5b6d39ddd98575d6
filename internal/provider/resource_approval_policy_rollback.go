package provider

import (
	"context"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
)

// restoreAttempts bounds how often a failed update tries to put the old policy back.
const restoreAttempts = 4

// restorePolicy puts the old policy back after the new one could not be created, so that the task
// is not left unguarded. A single refusal is not the end: it tries again, and between tries looks
// whether a policy for the task is in place after all (a create whose answer was lost may have gone
// through). Such a policy is returned, whichever settings it has.
func (r *approvalPolicyResource) restorePolicy(ctx context.Context, old approvalPolicyModel) (*exchange.ApprovalPolicy, error) {
	in := newPolicyInput(old)
	in.Replaces = old.ID.ValueString()
	for attempt := 1; ; attempt++ {
		restored, err := r.client.exchange.NewApprovalPolicy(ctx, in)
		r.client.afterPolicyCreate(restored, err)
		if err == nil {
			return restored, nil
		}
		if existing := r.policyInPlace(ctx, in); existing != nil {
			return existing, nil
		}
		if attempt == restoreAttempts {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt) * 2 * time.Second):
		}
	}
}

// policyInPlace returns a policy for the task other than the one just removed, as the service
// lists them now; nil when there is none or the list cannot be read.
func (r *approvalPolicyResource) policyInPlace(ctx context.Context, in exchange.NewPolicy) *exchange.ApprovalPolicy {
	policies, err := r.client.freshApprovalPolicies(ctx)
	if err != nil {
		return nil
	}
	for i := range policies {
		if strings.EqualFold(policies[i].Task, in.Task) && !strings.EqualFold(policies[i].Identity, in.Replaces) {
			return &policies[i]
		}
	}
	return nil
}

// hasSettings reports whether the policy has the model's approval type and approver group.
func hasSettings(p exchange.ApprovalPolicy, m approvalPolicyModel) bool {
	return strings.EqualFold(p.ApprovalType, m.ApprovalType.ValueString()) &&
		strings.EqualFold(p.ApproverGroup, m.ApproverGroup.ValueString())
}
