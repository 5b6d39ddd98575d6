package probe

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
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
)

// This file compares the service's answers with what the Exchange client's decoders expect, for a
// first run against a real tenant. It runs Get-* cmdlets only. What each question settles is in
// docs/development/service-facts.md.

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

// values are the objects of a raw answer, as Invoke returns them.
type values = []map[string]json.RawMessage

// pamLooking matches property names that may carry privileged access settings.
var pamLooking = regexp.MustCompile(`(?i)elevated|privileged|approv|systemaccount|admingroup`)

// examineOrganizationConfig runs Get-OrganizationConfig and checks ElevatedAccessControl, whose
// type is unverified, and looks for properties naming the default approver group or the system
// accounts.
func examineOrganizationConfig(ctx context.Context, ex *exchange.Client) (Finding, error) {
	var f Finding
	out := exchange.OrganizationConfigOutput
	objects, err := ex.Invoke(ctx, out.Cmdlet, nil)
	if err != nil {
		return f, err
	}
	if len(objects) != 1 {
		f.differ("%d objects in the answer; the client reads the first of exactly one", len(objects))
		if len(objects) == 0 {
			return f, nil
		}
	}
	obj := objects[0]
	name := out.Reads[0]
	raw, _ := property(obj, name)
	raw = bytes.TrimSpace(raw)
	switch enabled, perr := exchange.ParseElevatedAccessControl(raw); {
	case len(raw) == 0:
		f.differ("no %s property; the provider would read privileged access as off", name)
	case perr != nil:
		f.differ("%s is %s, which the client cannot read", name, raw)
	default:
		f.note("%s is %s %s (read as enabled=%t)", name, jsonKind(raw), raw, enabled)
	}
	var others []string
	for key := range obj {
		if pamLooking.MatchString(key) && !strings.EqualFold(key, name) {
			others = append(others, key)
		}
	}
	sort.Strings(others)
	for _, key := range others {
		if !containsFold(exchange.OrganizationSettingProps(), key) {
			f.note("property %s = %s may name the default approver group or system accounts; the client does not read it yet", key, obj[key])
		}
	}
	if len(others) == 0 {
		f.note("no other property about privileged access (the default approver group and system accounts cannot be read back)")
	}
	return f, nil
}

// examineApprovalPolicies runs Get-ElevatedAccessApprovalPolicy and checks every policy carries
// the properties the client reads (all unverified).
func examineApprovalPolicies(ctx context.Context, ex *exchange.Client) (Finding, error) {
	out := exchange.ApprovalPolicyOutput
	objects, err := ex.Invoke(ctx, out.Cmdlet, nil)
	if err != nil {
		return Finding{}, err
	}
	f := examineObjects(objects, out)
	for i, v := range objects {
		p := exchange.DecodeApprovalPolicy(v)
		if p.ApprovalType != exchange.ApprovalManual && p.ApprovalType != exchange.ApprovalAuto {
			f.differ("policy %d: ApprovalType %q is neither %s nor %s", i+1, p.ApprovalType, exchange.ApprovalManual, exchange.ApprovalAuto)
		}
	}
	return f, nil
}

// examineAccessRequests runs Get-ElevatedAccessRequest without an Identity (whether it lists is
// unverified) and checks every request carries the properties the client reads.
func examineAccessRequests(ctx context.Context, ex *exchange.Client) (Finding, error) {
	out := exchange.AccessRequestOutput
	objects, err := ex.Invoke(ctx, out.Cmdlet, nil)
	if err != nil {
		return Finding{}, err
	}
	f := examineObjects(objects, out)
	known := []string{exchange.RequestPending, exchange.RequestApproved, exchange.RequestDenied, exchange.RequestExpired}
	for i, v := range objects {
		r := exchange.DecodeAccessRequest(v)
		if !slices.Contains(known, r.RequestStatus) {
			f.differ("request %d: status %q is not one the client knows", i+1, r.RequestStatus)
		}
		f.note("request %d asks for %q", i+1, r.Task)
	}
	return f, nil
}

// examineAuthorizations runs Get-ElevatedAccessAuthorization and checks every grant carries the
// properties the client reads and the documented ones.
func examineAuthorizations(ctx context.Context, ex *exchange.Client) (Finding, error) {
	out := exchange.AccessAuthorizationOutput
	objects, err := ex.Invoke(ctx, out.Cmdlet, nil)
	if err != nil {
		return Finding{}, err
	}
	f := examineObjects(objects, out)
	for i, v := range objects {
		if a := exchange.DecodeAccessAuthorization(v); a.Revoked && !strings.Contains(a.RevokedBy, "/") {
			f.note("grant %d: RevokedBy %q is not the documented directory path", i+1, a.RevokedBy)
		}
	}
	return f, nil
}

// examineNotFound asks Get-DistributionGroup for a GUID no object has and checks the client
// reads the answer as "not found", which is what makes a group deleted by hand leave state.
func examineNotFound(ctx context.Context, ex *exchange.Client) (Finding, error) {
	var f Finding
	identity := uuid.NewString()
	group, err := ex.GetDistributionGroup(ctx, identity)
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

// examineRoleAssignments asks Get-ManagementRoleAssignment whether the caller holds the Exchange
// role the PAM cmdlets need. An app's rights usually come from its Entra role, which the cmdlet
// does not list, so for an app none found is a note, not a difference.
func examineRoleAssignments(ctx context.Context, ex *exchange.Client, caller string, app bool) (Finding, error) {
	var f Finding
	assignments, err := ex.RoleAssignments(ctx, caller, exchange.RoleManagement)
	switch {
	case app && objectNotFound(err):
		f.note("the app is not an Exchange service principal (%v); its rights come from its Entra role "+
			"(see the token's wids)", err)
		return f, nil
	case err != nil:
		return f, err
	}
	for _, a := range assignments {
		f.note("%s holds %s through %s %s (%s)", caller, a.Role, a.RoleAssigneeType, a.RoleAssigneeName, a.AssignmentMethod)
	}
	switch {
	case len(assignments) > 0:
	case app:
		f.note("no Exchange role assignment of %s for the app; an app holds it through an Entra role such as "+
			"Exchange Administrator (see the token's wids) or an RBAC for Applications assignment", exchange.RoleManagement)
	default:
		f.differ("%s does not hold the Exchange role %s, which managing privileged access needs "+
			"(the Organization Management role group includes it)", caller, exchange.RoleManagement)
	}
	return f, nil
}

// examineToken decodes an Exchange token's claims, without checking its signature, and checks it
// carries what the client relies on: an app token the Exchange.ManageAsApp role, a user token a
// scope that runs cmdlets (AdminApi.AccessAsUser.All, measured on a real token, or Exchange.Manage)
// and a upn claim (the client anchors user calls on it). The claims it returns leave out the
// personal ones.
func examineToken(token string) (Finding, map[string]any) {
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
	userScope := slices.IndexFunc(scopes, func(s string) bool { return containsFold(userScopes, s) })
	switch {
	case delegated && !hasUPN:
		f.differ("a user token without a upn claim: the client would anchor its calls as the app (X-AnchorMailbox APP:...), which Exchange refuses for a user")
	case delegated && userScope < 0:
		f.differ("a user token without a scope that runs cmdlets (%s); scopes: %s", strings.Join(userScopes, " or "), strings.Join(scopes, " "))
	case delegated:
		f.note("a user token with the %s scope; calls anchor on its upn", scopes[userScope])
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

// userScopes are the delegated scopes that let a user run cmdlets: AdminApi.AccessAsUser.All was
// measured on a real token (observed), Exchange.Manage is the one app registrations ask for.
var userScopes = []string{"AdminApi.AccessAsUser.All", "Exchange.Manage"}

func claimList(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, item := range items {
		out = append(out, fmt.Sprint(item))
	}
	return out
}

// examineObjects checks each object has every property the client reads and every documented one:
// a property that is absent, or present in no form the client reads, differs. Properties the
// client does not read are noted.
func examineObjects(objects values, out exchange.Output) Finding {
	var f Finding
	if len(objects) == 0 {
		f.Empty = true
		return f
	}
	f.note("%d objects", len(objects))
	expected := slices.Clone(out.Reads)
	for _, name := range out.Documented {
		if !containsFold(expected, name) {
			expected = append(expected, name)
		}
	}
	missing := map[string]int{}
	unreadable := map[string]int{}
	extra := map[string]bool{}
	for _, obj := range objects {
		for _, name := range expected {
			raw, found := property(obj, name)
			switch {
			case !found:
				missing[name]++
			case !present(raw):
			case strings.HasSuffix(name, "Utc") || strings.HasSuffix(name, "UTC"):
				if _, ok := exchange.ParseTime(raw); !ok {
					unreadable[name]++
				}
			}
		}
		for name := range obj {
			if !containsFold(expected, name) {
				extra[name] = true
			}
		}
	}
	for _, name := range expected {
		if n := missing[name]; n > 0 {
			f.differ("%s missing in %d of %d objects", name, n, len(objects))
		}
		if n := unreadable[name]; n > 0 {
			f.differ("%s is not a time the client reads in %d of %d objects", name, n, len(objects))
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

// property reads a property as the client does: by name, ignoring case; false when the answer has
// no such property (null is a value).
func property(obj map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	for key, v := range obj {
		if strings.EqualFold(key, name) {
			return v, true
		}
	}
	return nil, false
}

// present reports a value that is there and not null.
func present(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
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

// objectNotFound reports an answer saying an object the call named does not exist.
func objectNotFound(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && strings.HasSuffix(e.Code, ".ManagementObjectNotFoundException")
}

func kindOf(err error) string {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Kind.String()
	}
	return "no service answer"
}
