package exchange

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// This file compares the service's answers with what the decoders above expect, for a first run
// against a real tenant. It runs Get-* cmdlets only.

// Finding is how one answer compares with what the client reads from it.
type Finding struct {
	Differences []string // what the client would misread; empty means the answer matches
	Notes       []string // what the answer showed, to settle the facts marked unverified
	Empty       bool     // the answer held no object to compare (nothing settled)
}

func (f *Finding) differ(format string, args ...any) {
	f.Differences = append(f.Differences, fmt.Sprintf(format, args...))
}

func (f *Finding) note(format string, args ...any) {
	f.Notes = append(f.Notes, fmt.Sprintf(format, args...))
}

// pamLooking matches property names that may carry privileged access settings.
var pamLooking = regexp.MustCompile(`(?i)elevated|privileged|approv|systemaccount|admingroup`)

// ExamineOrganizationConfig runs Get-OrganizationConfig and checks ElevatedAccessControl, whose
// type is unverified, and looks for properties naming the default approver group or the system
// accounts.
func (c *Client) ExamineOrganizationConfig(ctx context.Context) (Finding, error) {
	var f Finding
	values, err := c.Invoke(ctx, cmdletGetOrganizationConfig, nil)
	if err != nil {
		return f, err
	}
	if len(values) != 1 {
		f.differ("%d objects in the answer; the client reads the first of exactly one", len(values))
		if len(values) == 0 {
			return f, nil
		}
	}
	r := record(values[0])
	raw := bytes.TrimSpace(r.raw(propOrgElevatedAccessControl))
	switch enabled, perr := parseEnabled(raw); {
	case len(raw) == 0:
		f.differ("no %s property; the provider would read privileged access as off", propOrgElevatedAccessControl)
	case perr != nil:
		f.differ("%s is %s, which the client cannot read", propOrgElevatedAccessControl, raw)
	default:
		f.note("%s is %s %s (read as enabled=%t)", propOrgElevatedAccessControl, jsonKind(raw), raw, enabled)
	}
	var others []string
	for name := range r {
		if pamLooking.MatchString(name) && !strings.EqualFold(name, propOrgElevatedAccessControl) {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	known := append(slices.Clone(orgAdminGroupProps), orgSystemAccountsProps...)
	for _, name := range others {
		if !slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, name) }) {
			f.note("property %s = %s may name the default approver group or system accounts; the client does not read it yet", name, r.raw(name))
		}
	}
	if len(others) == 0 {
		f.note("no other property about privileged access (the default approver group and system accounts cannot be read back)")
	}
	return f, nil
}

// ExamineApprovalPolicies runs Get-ElevatedAccessApprovalPolicy and checks every policy carries
// the properties the client reads (all unverified).
func (c *Client) ExamineApprovalPolicies(ctx context.Context) (Finding, error) {
	values, err := c.Invoke(ctx, cmdletGetElevatedAccessApprovalPolicy, nil)
	if err != nil {
		return Finding{}, err
	}
	f := examineObjects(values,
		[]string{propPolicyIdentity, propPolicyTask, propPolicyApprovalType, propPolicyApproverGroup},
		[]string{propPolicyGUID, propPolicyType, propPolicyScope, propPolicyWhenCreatedUTC})
	for i, v := range values {
		p := decodePolicy(v)
		if p.ApprovalType != "" && p.ApprovalType != ApprovalManual && p.ApprovalType != ApprovalAuto {
			f.differ("policy %d: ApprovalType %q is neither %s nor %s", i+1, p.ApprovalType, ApprovalManual, ApprovalAuto)
		}
		if record(v).has(propPolicyWhenCreatedUTC) && p.WhenCreatedUTC.IsZero() {
			f.differ("policy %d: %s %s is not a time the client reads", i+1, propPolicyWhenCreatedUTC, record(v).raw(propPolicyWhenCreatedUTC))
		}
	}
	return f, nil
}

// ExamineAccessRequests runs Get-ElevatedAccessRequest without an Identity (whether it lists is
// unverified) and checks every request carries the properties the client reads.
func (c *Client) ExamineAccessRequests(ctx context.Context) (Finding, error) {
	values, err := c.Invoke(ctx, cmdletGetElevatedAccessRequest, nil)
	if err != nil {
		return Finding{}, err
	}
	f := examineObjects(values,
		[]string{propRequestIdentity, propRequestStatus},
		[]string{propRequestRequestor, propRequestTask, propRequestReason, propRequestDurationHours,
			propRequestCreationTimeUTC, propRequestExpirationTimeUTC, propRequestApprovedBy, propRequestComment})
	for i, v := range values {
		status := decodeRequest(v).RequestStatus
		if status != "" && !slices.Contains([]string{RequestPending, RequestApproved, RequestDenied, RequestExpired}, status) {
			f.note("request %d: status %q is not one the client knows", i+1, status)
		}
	}
	return f, nil
}

// ExamineNotFound asks Get-DistributionGroup for a GUID no object has and checks the client
// reads the answer as "not found", which is what makes a group deleted by hand leave state.
func (c *Client) ExamineNotFound(ctx context.Context) (Finding, error) {
	var f Finding
	identity := uuid.NewString()
	group, err := c.GetDistributionGroup(ctx, identity)
	var e *apierr.Error
	switch {
	case err == nil:
		f.differ("Get-DistributionGroup -Identity %s answered with a group (%s) instead of not found", identity, group.Identity)
	case apierr.IsNotFound(err):
		if errors.As(err, &e) && e.StatusCode != 0 {
			f.note("HTTP %d, code %s, read as not found", e.StatusCode, e.Code)
		}
	default:
		f.differ("the client reads the answer as %q, not as not found: %v", kindOf(err), err)
	}
	return f, nil
}

// ExamineToken decodes an Exchange token's claims, without checking its signature, and checks it
// carries what the client relies on: an app token the Exchange.ManageAsApp role, a user token the
// Exchange.Manage scope and a upn claim (the client anchors user calls on it). The claims it
// returns leave out the personal ones.
func ExamineToken(token string) (Finding, map[string]any) {
	var f Finding
	claims := map[string]any{}
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		f.differ("the token is not a JWT")
		return f, nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		f.differ("the token's claims are unreadable")
		return f, nil
	}
	kept := map[string]any{}
	for _, name := range []string{"aud", "iss", "tid", "appid", "azp", "app_displayname", "idtyp", "roles", "scp", "wids", "ver"} {
		if v, ok := claims[name]; ok {
			kept[name] = v
		}
	}
	_, hasUPN := claims["upn"]
	kept["has_upn"] = hasUPN
	roles := claimList(claims["roles"])
	scopes := strings.Fields(fmt.Sprint(claims["scp"]))
	delegated := claims["scp"] != nil || claims["idtyp"] == "user"
	switch {
	case delegated && !hasUPN:
		f.differ("a user token without a upn claim: the client would anchor its calls as the app (X-AnchorMailbox APP:...), which Exchange refuses for a user")
	case delegated && !slices.Contains(scopes, "Exchange.Manage"):
		f.differ("a user token without the Exchange.Manage scope (scopes: %s)", strings.Join(scopes, " "))
	case delegated:
		f.note("a user token with the Exchange.Manage scope; calls anchor on its upn")
	case !slices.Contains(roles, "Exchange.ManageAsApp"):
		f.differ("an app token without the Exchange.ManageAsApp role (roles: %s)", strings.Join(roles, " "))
	default:
		f.note("an app token with the Exchange.ManageAsApp role; calls anchor on the organization's system mailbox")
	}
	if wids := claimList(claims["wids"]); len(wids) > 0 {
		f.note("Entra role template ids (wids): %s", strings.Join(wids, " "))
	}
	return f, kept
}

func claimList(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, item := range items {
		out = append(out, fmt.Sprint(item))
	}
	return out
}

// examineObjects checks each object has the required properties and notes the optional ones
// missing and the properties the client does not read.
func examineObjects(values []map[string]json.RawMessage, required, optional []string) Finding {
	var f Finding
	if len(values) == 0 {
		f.Empty = true
		return f
	}
	f.note("%d objects", len(values))
	missing := map[string]int{}
	extra := map[string]bool{}
	for _, v := range values {
		r := record(v)
		for _, name := range append(slices.Clone(required), optional...) {
			if !r.has(name) {
				missing[name]++
			}
		}
		for name := range v {
			if !containsFold(required, name) && !containsFold(optional, name) {
				extra[name] = true
			}
		}
	}
	for _, name := range required {
		if n := missing[name]; n > 0 {
			f.differ("%s missing in %d of %d objects", name, n, len(values))
		}
	}
	for _, name := range optional {
		if n := missing[name]; n > 0 {
			f.note("%s (read, not required) missing in %d of %d objects", name, n, len(values))
		}
	}
	if len(extra) > 0 {
		names := make([]string, 0, len(extra))
		for name := range extra {
			names = append(names, name)
		}
		sort.Strings(names)
		f.note("properties the client does not read: %s", strings.Join(names, ", "))
	}
	return f
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func jsonKind(raw json.RawMessage) string {
	switch {
	case len(raw) == 0:
		return "absent"
	case raw[0] == '"':
		return "text"
	case raw[0] == 't' || raw[0] == 'f':
		return "boolean"
	case raw[0] == 'n':
		return "null"
	default:
		return "a JSON value"
	}
}

func kindOf(err error) string {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Kind.String()
	}
	return "no service answer"
}
