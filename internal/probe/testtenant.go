package probe

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

// The test-tenant mode settles the open questions only a write can answer (re-running Enable,
// two policies for one task, app-only rights for the PAM write cmdlets, the error texts of
// duplicates) on throw-away objects it names itself, and removes them again whatever happened.
// Its transport lets through only writes on those objects.

// probeTask is the task of the throw-away policy: a cmdlet a test tenant is unlikely to run while
// the probe holds a policy for it.
const probeTask = `Exchange\New-JournalRule`

// cleanupTime bounds the removal of what the run made, which runs even after the probe's own
// deadline has passed.
const cleanupTime = 3 * time.Minute

type writeOptions struct {
	enabled              bool
	defaultApproverGroup string // the tenant's current default approver group, to re-run Enable with
	systemAccounts       string // and its current system accounts, comma-separated
}

// testTenant is one test-tenant run: what it may touch and what it made.
type testTenant struct {
	ex      *exchange.Client
	opts    writeOptions
	name    string // the throw-away group's name, also its alias
	address string // the throw-away group's address
	pamOn   bool   // privileged access was on before the run
	refusal string // why the tenant is refused; "" when the run may write

	mu       sync.Mutex
	group    *exchange.DistributionGroup
	policies []string // identities of the policies the run made
}

// confirmTestTenant asks the user to type the tenant's domain and sets up the run's guard.
func confirmTestTenant(conn *connect.Connection, rec *recorder, opts writeOptions, stdin io.Reader, stdout io.Writer) (*testTenant, error) {
	fmt.Fprintf(stdout, "-test-tenant creates and removes throw-away objects in %s, a policy for %s among them.\n"+
		"Type the tenant's domain to go on: ", conn.Organization, probeTask)
	typed, _ := bufio.NewReader(stdin).ReadString('\n')
	fmt.Fprintln(stdout)
	if !strings.EqualFold(strings.TrimSpace(typed), conn.Organization) {
		return nil, fmt.Errorf("the typed domain %q is not %s: nothing was changed", strings.TrimSpace(typed), conn.Organization)
	}
	suffix := strings.SplitN(uuid.NewString(), "-", 2)[0]
	w := &testTenant{ex: conn.Exchange, opts: opts, name: "o365pam-probe-" + suffix,
		address: "o365pam-probe-" + suffix + "@" + conn.Organization}
	rec.allowWrite = w.guard
	return w, nil
}

func (w *testTenant) questions() []question {
	return []question{
		{"write-preconditions", "test tenant: nothing of its own is touched", w.preconditions},
		{"write-group", "test tenant: New-DistributionGroup", w.step(w.newGroup)},
		{"write-duplicate-group", "test tenant: a second group of the same name", w.step(w.duplicateGroup)},
		{"write-policy", "test tenant: New-ElevatedAccessApprovalPolicy", w.step(w.newPolicy)},
		{"write-duplicate-policy", "test tenant: two policies for one task", w.step(w.duplicatePolicy)},
		{"write-enable-again", "test tenant: Enable-ElevatedAccessControl again", w.step(w.enableAgain)},
		{"write-cleanup", "test tenant: everything made is removed", w.cleanup},
	}
}

// guard lets through the writes on what this run made, and refuses every other.
func (w *testTenant) guard(rec exchangeAnswer) error {
	var params map[string]any
	_ = json.Unmarshal(rec.Params, &params)
	text := func(name string) string { s, _ := params[name].(string); return strings.ToLower(s) }
	w.mu.Lock()
	defer w.mu.Unlock()
	ours := map[string]bool{strings.ToLower(w.name): true, strings.ToLower(w.address): true}
	if w.group != nil {
		ours[strings.ToLower(w.group.GUID)], ours[strings.ToLower(w.group.Identity)] = true, true
	}
	for _, id := range w.policies {
		ours[strings.ToLower(id)] = true
	}
	allowed := false
	switch rec.Cmdlet {
	case "New-DistributionGroup":
		allowed = ours[text("Name")]
	case "Remove-DistributionGroup", "Remove-ElevatedAccessApprovalPolicy":
		allowed = ours[text("Identity")]
	case "New-ElevatedAccessApprovalPolicy":
		allowed = ours[text("ApproverGroup")] && strings.EqualFold(text("Task"), probeTask)
	case "Enable-ElevatedAccessControl":
		allowed = w.pamOn && w.opts.defaultApproverGroup != "" && strings.EqualFold(text("AdminGroup"), w.opts.defaultApproverGroup)
	}
	if !allowed || w.refusal != "" {
		return fmt.Errorf("the probe's test-tenant mode refused to send %s: it changes only what it made itself", rec.Cmdlet)
	}
	return nil
}

// preconditions refuses a tenant where the run would touch what it did not make: a policy for
// its task, or a group of its name.
func (w *testTenant) preconditions(ctx context.Context) answer {
	status, err := w.ex.PrivilegedAccess(ctx)
	if err == nil {
		w.pamOn = status.Enabled
		var policies []exchange.ApprovalPolicy
		policies, err = w.ex.ApprovalPolicies(ctx)
		for _, p := range policies {
			if strings.EqualFold(p.Task, probeTask) {
				w.refusal = fmt.Sprintf("the tenant already has a policy for %s (%s); the probe would share its task", probeTask, p.Identity)
			}
		}
	}
	if err == nil {
		_, err = w.ex.GetDistributionGroup(ctx, w.address)
		switch {
		case err == nil:
			w.refusal = "a group named " + w.address + " exists"
		case apierr.IsNotFound(err):
			err = nil
		}
	}
	if err != nil {
		w.refusal = "the tenant could not be read: " + err.Error()
	}
	if w.refusal != "" {
		return answer{Verdict: verdictDiffers, Details: []string{"refused, nothing was changed: " + w.refusal}}
	}
	return answer{Verdict: verdictMatches, Details: []string{fmt.Sprintf("privileged access is %s; no policy for %s; the run names its objects %s",
		map[bool]string{true: "on", false: "off"}[w.pamOn], probeTask, w.name)}}
}

// step skips a write once the tenant is refused.
func (w *testTenant) step(write func(context.Context) answer) func(context.Context) answer {
	return func(ctx context.Context) answer {
		if w.refusal != "" {
			return answer{Verdict: verdictUnanswered, Details: []string{"not run: " + w.refusal}}
		}
		return write(ctx)
	}
}

func (w *testTenant) newGroup(ctx context.Context) answer {
	group, err := w.ex.NewSecurityGroup(ctx, exchange.NewGroup{Name: w.name, Alias: w.name, PrimarySmtpAddress: w.address,
		DisplayName: w.name, Description: "Made by the o365pam probe; removed at the end of its run."})
	if err != nil {
		return failed("the create failed", err)
	}
	w.mu.Lock()
	w.group = group
	w.mu.Unlock()
	return answer{Verdict: verdictMatches, Details: []string{fmt.Sprintf("created %s (Guid %s, RecipientTypeDetails %s)",
		group.PrimarySmtpAddress, group.GUID, group.RecipientTypeDetails)}}
}

// duplicateGroup records the service's words for a second group of a taken name.
func (w *testTenant) duplicateGroup(ctx context.Context) answer {
	if w.made() == nil {
		return answer{Verdict: verdictUnanswered, Details: []string{"no group was made to copy"}}
	}
	twin, err := w.ex.NewSecurityGroup(ctx, exchange.NewGroup{Name: w.name})
	if err == nil {
		return answer{Verdict: verdictDiffers, Details: []string{"a second group of the same name was created (" + twin.GUID +
			"); the provider expects a refusal. Remove it by hand."}}
	}
	return refusal(err, apierr.KindAlreadyExists)
}

func (w *testTenant) newPolicy(ctx context.Context) answer {
	group := w.made()
	if group == nil {
		return answer{Verdict: verdictUnanswered, Details: []string{"no approver group was made"}}
	}
	policy, err := w.ex.NewApprovalPolicy(ctx, exchange.NewPolicy{Task: probeTask, ApprovalType: exchange.ApprovalManual,
		ApproverGroup: group.PrimarySmtpAddress})
	if err != nil {
		return failed("the create failed (for an app, this settles whether app-only tokens may run it)", err)
	}
	w.notePolicy(policy.Identity)
	return answer{Verdict: verdictMatches, Details: []string{"created policy " + policy.Identity + " for " + policy.Task +
		"; this caller may run the PAM write cmdlets"}}
}

// duplicatePolicy asks for a second policy for the same task.
func (w *testTenant) duplicatePolicy(ctx context.Context) answer {
	group := w.made()
	if group == nil || len(w.madePolicies()) == 0 {
		return answer{Verdict: verdictUnanswered, Details: []string{"no first policy was made"}}
	}
	policy, err := w.ex.NewApprovalPolicy(ctx, exchange.NewPolicy{Task: probeTask, ApprovalType: exchange.ApprovalAuto,
		ApproverGroup: group.PrimarySmtpAddress})
	if err == nil {
		w.notePolicy(policy.Identity)
		return answer{Verdict: verdictDiffers, Details: []string{"the service accepted a second policy for " + probeTask +
			" (" + policy.Identity + "); the provider expects one policy per task"}}
	}
	return refusal(err, apierr.KindAlreadyExists)
}

// enableAgain re-runs Enable-ElevatedAccessControl with the settings the user says the tenant has,
// so a run that is accepted changes nothing.
func (w *testTenant) enableAgain(ctx context.Context) answer {
	switch {
	case !w.pamOn:
		return answer{Verdict: verdictUnanswered, Details: []string{"privileged access is off: turning it on would change the tenant"}}
	case w.opts.defaultApproverGroup == "":
		return answer{Verdict: verdictUnanswered, Details: []string{"no property shows the default approver group: run again with " +
			"-default-approver-group (and -system-accounts) as the admin center shows them"}}
	}
	var accounts []string
	for _, a := range strings.Split(w.opts.systemAccounts, ",") {
		if a = strings.TrimSpace(a); a != "" {
			accounts = append(accounts, a)
		}
	}
	if err := w.ex.EnablePrivilegedAccess(ctx, w.opts.defaultApproverGroup, accounts, true); err != nil {
		return answer{Verdict: verdictMatches, Details: []string{"settled: re-running Enable is refused while on, and the " +
			"provider disables first: " + err.Error()}}
	}
	return answer{Verdict: verdictMatches, Details: []string{"re-running Enable while on is accepted"}}
}

// cleanup removes every policy the run made, and every policy naming its group (a create whose
// answer was lost), then the group, and lists again to show nothing is left. It runs on its own
// deadline, so that a probe out of time still cleans up.
func (w *testTenant) cleanup(ctx context.Context) answer {
	if w.refusal != "" {
		return answer{Verdict: verdictMatches, Details: []string{"nothing was made"}}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTime)
	defer cancel()
	var details []string
	var errs []error
	policies, err := w.ex.ApprovalPolicies(ctx)
	errs = append(errs, err)
	for _, p := range policies {
		if strings.EqualFold(p.ApproverGroup, w.address) {
			w.notePolicy(p.Identity)
		}
	}
	for _, id := range w.madePolicies() {
		err := w.ex.RemoveApprovalPolicy(ctx, id)
		if apierr.IsNotFound(err) {
			err = nil
		}
		errs = append(errs, err)
		details = append(details, "removed policy "+id)
	}
	err = w.ex.RemoveDistributionGroup(ctx, w.address)
	switch {
	case apierr.IsNotFound(err) && w.made() == nil:
		err = nil
	case err == nil:
		details = append(details, "removed group "+w.address)
	}
	errs = append(errs, err)
	left, err := w.leftovers(ctx)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil || len(left) > 0 {
		return answer{Verdict: verdictDiffers, Details: append(details, append(left,
			fmt.Sprintf("REMOVE BY HAND what is left of %s: %v", w.name, err))...)}
	}
	return answer{Verdict: verdictMatches, Details: append(details, "listed again: no policy names "+w.address+", the group is not found")}
}

// leftovers lists what the run made that is still there.
func (w *testTenant) leftovers(ctx context.Context) ([]string, error) {
	var left []string
	policies, err := w.ex.ApprovalPolicies(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range policies {
		if strings.EqualFold(p.ApproverGroup, w.address) {
			left = append(left, "policy "+p.Identity+" is still listed")
		}
	}
	switch _, err := w.ex.GetDistributionGroup(ctx, w.address); {
	case err == nil:
		left = append(left, "group "+w.address+" is still there")
	case !apierr.IsNotFound(err):
		return left, err
	}
	return left, nil
}

func (w *testTenant) made() *exchange.DistributionGroup {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.group
}

func (w *testTenant) madePolicies() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.policies...)
}

func (w *testTenant) notePolicy(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, known := range w.policies {
		if strings.EqualFold(known, id) {
			return
		}
	}
	w.policies = append(w.policies, id)
}

func failed(what string, err error) answer {
	return answer{Verdict: verdictDiffers, Details: []string{what + ": " + err.Error()}}
}

// refusal records how the service refused a duplicate: matches when the client reads it as the
// kind the provider acts on.
func refusal(err error, want apierr.Kind) answer {
	var e *apierr.Error
	if !errors.As(err, &e) {
		return failed("no answer", err)
	}
	detail := fmt.Sprintf("refused: HTTP %d, code %s, error id %q, read as %s: %s", e.StatusCode, e.Code, e.ErrorID, e.Kind, e.Message)
	if e.Kind != want {
		return answer{Verdict: verdictDiffers, Details: []string{detail + "; the provider expects " + want.String()}}
	}
	return answer{Verdict: verdictMatches, Details: []string{detail}}
}
