package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// PrivilegedAccessStatus is the organization's privileged access setting. AdminGroup and
// SystemAccounts stay empty while no output property for them is known (see cmdlets.go).
type PrivilegedAccessStatus struct {
	Enabled        bool
	AdminGroup     string
	SystemAccounts []string
}

// ApprovalPolicy is one elevated access approval policy.
type ApprovalPolicy struct {
	Identity       string // the policy's GUID
	GUID           string
	Task           string // e.g. Exchange\New-MoveRequest
	ApprovalType   string // ApprovalManual or ApprovalAuto
	ApproverGroup  string
	Type           string
	Scope          string
	WhenCreatedUTC time.Time
}

// NewPolicy describes an approval policy to create.
type NewPolicy struct {
	Task          string
	ApprovalType  string
	ApproverGroup string
	// Replaces is the identity of a policy for the same task removed just before, which reads
	// may still show for a while; it is never taken for the new one.
	Replaces string
}

// madeBy reports whether p is the policy this request creates: same task and settings, and not
// the policy it replaces.
func (n NewPolicy) madeBy(p ApprovalPolicy) bool {
	return strings.EqualFold(p.Task, n.Task) && strings.EqualFold(p.ApprovalType, n.ApprovalType) &&
		strings.EqualFold(p.ApproverGroup, n.ApproverGroup) && (n.Replaces == "" || !strings.EqualFold(p.Identity, n.Replaces))
}

// AccessRequest is one elevated access request.
type AccessRequest struct {
	Identity      string
	RequestStatus string // RequestPending, RequestApproved, RequestDenied, RequestExpired, or as the service says
	RequestorUPN  string // who asked: a UPN, or an app's id for an app-only caller (unverified)
	// Task is what was requested, Exchange\<Verb>-<Noun>, read from Service and RequestedAccess;
	// a request another service filed reads as, say, Office365\Data Access Request.
	Task              string
	Reason            string
	DurationHours     int
	CreationTimeUTC   time.Time
	ExpirationTimeUTC time.Time
	ApprovedBy        string
	Comment           string
}

// AccessAuthorization is access granted by an approved request, as Get-ElevatedAccessAuthorization
// lists it; a revoked one stays listed, marked Revoked.
type AccessAuthorization struct {
	Identity          string
	AuthorizedBy      string // who approved, or the service's name for an Auto policy
	Type              string // e.g. Task
	AuthorizedAccess  string // what was granted: for a task, Exchange\<Verb>-<Noun>
	StartTimeUTC      time.Time
	EndTimeUTC        time.Time
	Revoked           bool
	RevocationTimeUTC time.Time
	RevokedBy         string
	RevocationComment string
}

func decodePolicy(r record) ApprovalPolicy {
	return ApprovalPolicy{
		Identity:       r.str(propPolicyIdentity),
		GUID:           r.str(propPolicyGUID),
		Task:           r.str(propPolicyTask),
		ApprovalType:   canonical(r.str(propPolicyApprovalType), ApprovalManual, ApprovalAuto),
		ApproverGroup:  r.str(propPolicyApproverGroup),
		Type:           r.str(propPolicyType),
		Scope:          r.str(propPolicyScope),
		WhenCreatedUTC: r.time(propPolicyWhenCreatedUTC),
	}
}

func decodeRequest(r record) AccessRequest {
	return AccessRequest{
		Identity:          r.str(propRequestIdentity),
		RequestStatus:     canonical(r.str(propRequestStatus), RequestPending, RequestApproved, RequestDenied, RequestExpired),
		RequestorUPN:      r.str(propRequestRequestorUPN),
		Task:              requestedTask(r.str(propRequestService), r.str(propRequestRequestedAccess)),
		Reason:            r.str(propRequestReason),
		DurationHours:     r.integer(propRequestDurationHours),
		CreationTimeUTC:   r.time(propRequestCreationTimeUTC),
		ExpirationTimeUTC: r.time(propRequestExpirationTimeUTC),
		ApprovedBy:        r.str(propRequestApprovedBy),
		Comment:           r.str(propRequestComment),
	}
}

// requestedTask joins a request's service and requested access into a task name, unless the
// access already names its service.
func requestedTask(service, access string) string {
	if service == "" || strings.Contains(access, `\`) {
		return access
	}
	return service + `\` + access
}

func decodeAuthorization(r record) AccessAuthorization {
	return AccessAuthorization{
		Identity:          r.str(propAuthorizationIdentity),
		AuthorizedBy:      r.str(propAuthorizationAuthorizedBy),
		Type:              r.str(propAuthorizationType),
		AuthorizedAccess:  r.str(propAuthorizationAuthorizedAccess),
		StartTimeUTC:      r.time(propAuthorizationStartTimeUTC),
		EndTimeUTC:        r.time(propAuthorizationEndTimeUTC),
		Revoked:           r.boolean(propAuthorizationRevoked),
		RevocationTimeUTC: r.time(propAuthorizationRevocationTimeUTC),
		RevokedBy:         r.str(propAuthorizationRevokedBy),
		RevocationComment: r.str(propAuthorizationRevocationComment),
	}
}

// PrivilegedAccess reads whether privileged access is on, from Get-OrganizationConfig.
func (c *Client) PrivilegedAccess(ctx context.Context) (*PrivilegedAccessStatus, error) {
	values, err := c.Invoke(ctx, cmdletGetOrganizationConfig, nil)
	if err != nil {
		return nil, err
	}
	r, err := single(cmdletGetOrganizationConfig, "", values)
	if err != nil {
		return nil, err
	}
	enabled, err := parseEnabled(r.raw(propOrgElevatedAccessControl))
	if err != nil {
		return nil, err
	}
	status := &PrivilegedAccessStatus{Enabled: enabled}
	for _, name := range orgAdminGroupProps {
		if r.has(name) {
			status.AdminGroup = r.str(name)
			break
		}
	}
	for _, name := range orgSystemAccountsProps {
		if r.has(name) {
			status.SystemAccounts = r.strs(name)
			break
		}
	}
	return status, nil
}

// parseEnabled reads ElevatedAccessControl, whose type is unverified: a JSON boolean or a text
// such as "Enabled", "Disabled", "True" or "False". Absent means the feature is off.
func parseEnabled(v json.RawMessage) (bool, error) {
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return b, nil
	}
	switch s := strings.ToLower(strings.TrimSpace(rawString(v))); s {
	case "", "disabled", "false":
		return false, nil
	case "enabled", "true":
		return true, nil
	default:
		return false, fmt.Errorf("%s %s: unrecognised value %q", serviceName, propOrgElevatedAccessControl, s)
	}
}

// EnablePrivilegedAccess turns privileged access on with a default approver group and
// optional system accounts (UPNs excluded from the control). When the outcome is unknown it
// reads the organization's setting and enables again only if it is still off.
func (c *Client) EnablePrivilegedAccess(ctx context.Context, adminGroup string, systemAccounts []string, alreadyOn bool) error {
	params := map[string]any{paramAdminGroup: adminGroup}
	setList(params, paramSystemAccounts, systemAccounts)
	find := func(ctx context.Context) (struct{}, bool, error) {
		status, err := c.PrivilegedAccess(ctx)
		if err != nil {
			return struct{}{}, false, err
		}
		// With no readable admin group, "enabled" proves the send took effect only when PAM was off
		// before it; a change of settings while on cannot be confirmed by reading.
		took := status.Enabled && (strings.EqualFold(status.AdminGroup, adminGroup) || (status.AdminGroup == "" && !alreadyOn))
		return struct{}{}, took, nil
	}
	_, err := runOnce(ctx, c, cmdletEnableElevatedAccessControl, params, noOutput, find)
	return err
}

// DisablePrivilegedAccess turns privileged access off; policies and groups stay. When the
// outcome is unknown it reads the organization's setting and disables again only if it is
// still on.
func (c *Client) DisablePrivilegedAccess(ctx context.Context) error {
	find := func(ctx context.Context) (struct{}, bool, error) {
		status, err := c.PrivilegedAccess(ctx)
		if err != nil {
			return struct{}{}, false, err
		}
		return struct{}{}, !status.Enabled, nil
	}
	_, err := runOnce(ctx, c, cmdletDisableElevatedAccessControl, nil, noOutput, find)
	return err
}

// ApprovalPolicies lists every approval policy.
func (c *Client) ApprovalPolicies(ctx context.Context) ([]ApprovalPolicy, error) {
	values, err := c.Invoke(ctx, cmdletGetElevatedAccessApprovalPolicy, nil)
	if err != nil {
		return nil, err
	}
	return decodeAll(values, decodePolicy), nil
}

// NewApprovalPolicy creates a task approval policy. When the outcome is unknown, or the
// service echoes nothing back, it looks for a policy with the task and settings (ignoring case)
// other than the one it replaces; it creates again only when there is none. Reads may show a
// policy removed moments ago, so a policy with the task alone is not proof.
func (c *Client) NewApprovalPolicy(ctx context.Context, p NewPolicy) (*ApprovalPolicy, error) {
	params := map[string]any{
		paramTask:          p.Task,
		paramApprovalType:  canonical(p.ApprovalType, ApprovalManual, ApprovalAuto), // the service's spelling, whatever the user's
		paramApproverGroup: p.ApproverGroup,
	}
	find := func(ctx context.Context) (*ApprovalPolicy, bool, error) {
		policies, err := c.ApprovalPolicies(ctx)
		if err != nil {
			return nil, false, err
		}
		for i := range policies {
			if p.madeBy(policies[i]) {
				return &policies[i], true, nil
			}
		}
		return nil, false, nil
	}
	decode := func(values []map[string]json.RawMessage) (*ApprovalPolicy, error) {
		if len(values) > 0 {
			policy := decodePolicy(values[0])
			return &policy, nil
		}
		policy, found, err := find(ctx)
		if err == nil && !found {
			err = &apierr.Error{Service: serviceName, Operation: cmdletNewElevatedAccessApprovalPolicy,
				Kind: apierr.KindNotFound, Message: "the new policy for " + p.Task + " could not be read back"}
		}
		return policy, err
	}
	return runOnce(ctx, c, cmdletNewElevatedAccessApprovalPolicy, params, decode, find)
}

// RemoveApprovalPolicy deletes an approval policy by its identity (GUID).
func (c *Client) RemoveApprovalPolicy(ctx context.Context, identity string) error {
	_, err := c.Invoke(ctx, cmdletRemoveElevatedAccessApprovalPolicy, map[string]any{paramIdentity: identity})
	return err
}

// NewAccessRequest asks for a task for durationHours. It is not re-sent after an ambiguous
// failure (that would file a second request); IsAmbiguous tells the caller.
func (c *Client) NewAccessRequest(ctx context.Context, task, reason string, durationHours int) (*AccessRequest, error) {
	return invokeOne(ctx, c, cmdletNewElevatedAccessRequest, task, map[string]any{
		paramTask:          task,
		paramReason:        reason,
		paramDurationHours: durationHours,
	}, decodeRequest)
}

// AccessRequest reads one request by its identity (GUID).
func (c *Client) AccessRequest(ctx context.Context, identity string) (*AccessRequest, error) {
	return invokeOne(ctx, c, cmdletGetElevatedAccessRequest, identity, map[string]any{paramIdentity: identity}, decodeRequest)
}

// AccessRequests lists requests. That Get-ElevatedAccessRequest lists without an identity,
// and which requests it then shows, is unverified.
func (c *Client) AccessRequests(ctx context.Context) ([]AccessRequest, error) {
	values, err := c.Invoke(ctx, cmdletGetElevatedAccessRequest, nil)
	if err != nil {
		return nil, err
	}
	return decodeAll(values, decodeRequest), nil
}

// AccessAuthorizations lists the access that approved requests granted, revoked grants included.
func (c *Client) AccessAuthorizations(ctx context.Context) ([]AccessAuthorization, error) {
	values, err := c.Invoke(ctx, cmdletGetElevatedAccessAuthorization, nil)
	if err != nil {
		return nil, err
	}
	return decodeAll(values, decodeAuthorization), nil
}

// ApproveAccessRequest approves a pending request with a comment, as the signed-in approver.
func (c *Client) ApproveAccessRequest(ctx context.Context, requestID, comment string) error {
	return c.decideAccessRequest(ctx, cmdletApproveElevatedAccessRequest, RequestApproved, requestID, comment)
}

// DenyAccessRequest denies a pending request with a comment, as the signed-in approver.
func (c *Client) DenyAccessRequest(ctx context.Context, requestID, comment string) error {
	return c.decideAccessRequest(ctx, cmdletDenyElevatedAccessRequest, RequestDenied, requestID, comment)
}

// decideAccessRequest answers a request. When the outcome is unknown it reads the request and
// answers again only while it is still pending; a request that shows the answer took it.
func (c *Client) decideAccessRequest(ctx context.Context, cmdlet, status, requestID, comment string) error {
	params := map[string]any{paramRequestID: requestID}
	setText(params, paramComment, comment)
	find := func(ctx context.Context) (struct{}, bool, error) {
		r, err := c.AccessRequest(ctx, requestID)
		if err != nil {
			return struct{}{}, false, err
		}
		return struct{}{}, r.RequestStatus == status, nil
	}
	_, err := runOnce(ctx, c, cmdlet, params, noOutput, find)
	return err
}

// The decoders of the outputs the probe examines, for it to compare a raw answer with what the
// client makes of it.

// DecodeApprovalPolicy reads one object of Get-ElevatedAccessApprovalPolicy's answer.
func DecodeApprovalPolicy(v map[string]json.RawMessage) ApprovalPolicy { return decodePolicy(v) }

// DecodeAccessRequest reads one object of Get-ElevatedAccessRequest's answer.
func DecodeAccessRequest(v map[string]json.RawMessage) AccessRequest { return decodeRequest(v) }

// DecodeAccessAuthorization reads one object of Get-ElevatedAccessAuthorization's answer.
func DecodeAccessAuthorization(v map[string]json.RawMessage) AccessAuthorization {
	return decodeAuthorization(v)
}

// ParseElevatedAccessControl reads Get-OrganizationConfig's ElevatedAccessControl value as
// PrivilegedAccess does.
func ParseElevatedAccessControl(v json.RawMessage) (bool, error) { return parseEnabled(v) }

// ParseTime reads a time as the decoders do; false when it is not one they read.
func ParseTime(v json.RawMessage) (time.Time, bool) { return parseTime(v) }

// RoleAssignment is one Exchange management role assignment.
type RoleAssignment struct {
	Name             string
	Role             string
	RoleAssigneeName string
	RoleAssigneeType string // User, RoleGroup, ServicePrincipal, ...
	AssignmentMethod string // Direct, RoleGroup, ...
}

// RoleAssignments lists the assignments of role that reach assignee (a UPN or an app's service
// principal).
func (c *Client) RoleAssignments(ctx context.Context, assignee, role string) ([]RoleAssignment, error) {
	values, err := c.Invoke(ctx, cmdletGetManagementRoleAssignment, map[string]any{paramRoleAssignee: assignee, paramRole: role})
	if err != nil {
		return nil, err
	}
	return decodeAll(values, func(r record) RoleAssignment {
		return RoleAssignment{Name: r.str(propAssignmentName), Role: r.str(propAssignmentRole),
			RoleAssigneeName: r.str(propAssignmentRoleAssigneeName), RoleAssigneeType: r.str(propAssignmentRoleAssigneeType),
			AssignmentMethod: r.str(propAssignmentAssignmentMethod)}
	}), nil
}
