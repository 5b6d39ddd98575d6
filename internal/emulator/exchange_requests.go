package emulator

import (
	"strings"
	"time"
)

const (
	requestLifetime      = 24 * time.Hour
	defaultDurationHours = 4
	autoApprover         = "Auto Approval"
)

// statusAt derives the status the service reports at now: a pending request expires 24 hours
// after submission.
func (r *Request) statusAt(now time.Time) string {
	if r.Status == "Pending" && !now.Before(r.Created.Add(requestLifetime)) {
		return "Expired"
	}
	return r.Status
}

// expiresAt is when the request (if undecided) or the granted access (if approved) ends.
func (r *Request) expiresAt() time.Time {
	if r.Status == "Approved" {
		return r.DecidedAt.Add(time.Duration(r.DurationHours) * time.Hour)
	}
	return r.Created.Add(requestLifetime)
}

// requestOutput has the documented properties (RequestorUPN, Service, RequestedAccess, Identity,
// RequestStatus, Context) and the unverified ones the provider reads. A task request's Service is
// the part of the task before the backslash, its RequestedAccess the cmdlet (chosen).
func (c *exchangeCall) requestOutput(r *Request) map[string]any {
	service, access, _ := strings.Cut(r.Task, `\`)
	return map[string]any{
		"Identity":          r.ID,
		"RequestStatus":     r.statusAt(c.now),
		"RequestorUPN":      r.Requestor,
		"Service":           service,
		"RequestedAccess":   access,
		"Context":           nil,
		"Reason":            r.Reason,
		"DurationHours":     r.DurationHours,
		"CreationTimeUtc":   r.Created,
		"ExpirationTimeUtc": r.expiresAt(),
		"ApprovedBy":        r.DecidedBy,
		"Comment":           r.Comment,
	}
}

// requireLicensedUser refuses a user without a privileged access licence; apps pass.
func (c *exchangeCall) requireLicensedUser() *cmdletError {
	if c.p.appOnly() {
		return nil
	}
	if u := c.t.userByID(c.p.userID); u == nil || !c.t.hasServicePlan(u, servicePlanPAM) {
		return errInvalidOperation("The user '%s' doesn't have a license that includes privileged access management.", c.p.upn)
	}
	return nil
}

func newAccessRequest(c *exchangeCall) ([]map[string]any, *cmdletError) {
	task, _ := c.text("Task")
	reason, _ := c.text("Reason")
	hours, given := c.integer("DurationHours")
	if !given {
		hours = defaultDurationHours
	}
	if hours < 1 {
		return nil, errArgument("DurationHours must be at least 1; %d was given.", hours)
	}
	if !c.t.PAM.Enabled {
		return nil, errInvalidOperation("Elevated access control isn't enabled for this organization.")
	}
	if cerr := c.requireLicensedUser(); cerr != nil {
		return nil, cerr
	}
	policy := c.t.policyForTask(task)
	if policy == nil {
		return nil, errInvalidOperation("No elevated access approval policy exists for task '%s'.", task)
	}
	r := &Request{
		ID: newGUID(), Requestor: c.caller(), Task: policy.Task, Reason: reason,
		DurationHours: hours, Created: c.now, Status: "Pending",
	}
	if policy.ApprovalType == "Auto" {
		r.Status, r.DecidedBy, r.DecidedAt = "Approved", autoApprover, c.now
	}
	c.t.Requests = append(c.t.Requests, r)
	return []map[string]any{c.requestOutput(r)}, nil
}

func (t *Tenant) request(id string) *Request {
	for _, r := range t.Requests {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

func getAccessRequest(c *exchangeCall) ([]map[string]any, *cmdletError) {
	if id, given := c.text("Identity"); given {
		r := c.t.request(id)
		if r == nil {
			return nil, errObjectNotFound(id)
		}
		return []map[string]any{c.requestOutput(r)}, nil
	}
	var out []map[string]any
	for _, r := range c.t.Requests {
		out = append(out, c.requestOutput(r))
	}
	return out, nil
}

// decide approves or denies a pending request as a member of its policy's approver group
// other than the requester.
func (c *exchangeCall) decide(status string) ([]map[string]any, *cmdletError) {
	id, _ := c.text("RequestId")
	r := c.t.request(id)
	if r == nil {
		return nil, errObjectNotFound(id)
	}
	if current := r.statusAt(c.now); current != "Pending" {
		return nil, errInvalidOperation("The request '%s' is %s and can no longer be approved or denied.", r.ID, current)
	}
	if strings.EqualFold(r.Requestor, c.caller()) {
		return nil, errInvalidOperation("You can't approve or deny your own request '%s'.", r.ID)
	}
	policy := c.t.policyForTask(r.Task)
	if policy == nil {
		return nil, errInvalidOperation("No elevated access approval policy exists for task '%s'.", r.Task)
	}
	g := c.t.groupByID(policy.ApproverGroupID)
	if c.p.appOnly() || g == nil || !containsFold(g.Members, c.p.userID) {
		return nil, errInvalidOperation("'%s' isn't a member of the approver group of the policy for task '%s'.", c.caller(), r.Task)
	}
	if cerr := c.requireLicensedUser(); cerr != nil {
		return nil, cerr
	}
	comment, _ := c.text("Comment")
	r.Status, r.DecidedBy, r.DecidedAt, r.Comment = status, c.caller(), c.now, comment
	return nil, nil
}

func approveAccessRequest(c *exchangeCall) ([]map[string]any, *cmdletError) {
	return c.decide("Approved")
}
func denyAccessRequest(c *exchangeCall) ([]map[string]any, *cmdletError) { return c.decide("Denied") }

// authorizationOutput has the documented properties of Revoke-ElevatedAccessAuthorization's
// output. DateCreatedUtc is .NET's default time, as in the only documented example.
func (c *exchangeCall) authorizationOutput(r *Request) map[string]any {
	updated := r.DecidedAt
	if r.Revoked {
		updated = r.RevokedAt
	}
	return map[string]any{
		"Identity":              r.ID,
		"AuthorizedBy":          r.DecidedBy,
		"Type":                  "Task",
		"AuthorizedAccess":      r.Task,
		"StartTimeUtc":          r.DecidedAt,
		"EndTimeUtc":            r.expiresAt(),
		"Revoked":               r.Revoked,
		"RevocationDateTimeUtc": r.RevokedAt,
		"RevokedBy":             r.RevokedBy,
		"RevocationComment":     r.RevocationComment,
		"DateCreatedUtc":        dotnetDefaultTime{},
		"DateUpdatedUtc":        updated,
	}
}

func getAccessAuthorization(c *exchangeCall) ([]map[string]any, *cmdletError) {
	var out []map[string]any
	for _, r := range c.t.Requests {
		if r.Status == "Approved" {
			out = append(out, c.authorizationOutput(r))
		}
	}
	return out, nil
}

func revokeAccessAuthorization(c *exchangeCall) ([]map[string]any, *cmdletError) {
	id, _ := c.text("RequestId")
	r := c.t.request(id)
	if r == nil || r.Status != "Approved" {
		return nil, errObjectNotFound(id)
	}
	if r.Revoked {
		return nil, errInvalidOperation("The authorization for request '%s' was already revoked.", r.ID)
	}
	comment, _ := c.text("Comment")
	r.Revoked, r.RevokedBy, r.RevokedAt, r.RevocationComment = true, c.directoryPath(), c.now, comment
	return []map[string]any{c.authorizationOutput(r)}, nil
}
