// Package probe is the first-live-run check: it signs in exactly as the provider does, runs
// read-only calls that settle what is unverified about the services, compares each raw answer
// with what the clients' decoders expect, prints a verdict per question and writes the raw
// answers, with tokens, secrets and the local part of personal addresses redacted, to a file
// for a bug report. It sends Graph GETs and Exchange Get-* cmdlets only.
package probe

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

// Exit codes.
const (
	exitMatches = 0 // every answer matches
	exitFailed  = 1 // the probe could not run (bad flags, sign-in failed, report not written)
	exitDiffers = 2 // at least one answer differs from what the provider expects
)

// Verdicts.
const (
	verdictMatches    = "matches"
	verdictDiffers    = "differs"
	verdictUnanswered = "unanswered"
)

// answer is one question's result in the report.
type answer struct {
	ID       string           `json:"id"`
	Question string           `json:"question"`
	Verdict  string           `json:"verdict"`
	Details  []string         `json:"details,omitempty"`
	Claims   map[string]any   `json:"claims,omitempty"`
	Raw      []exchangeAnswer `json:"raw_answers,omitempty"`
}

// report is the file the user attaches to a bug report.
type report struct {
	Version      string   `json:"provider_version"`
	Started      string   `json:"started"`
	SignIn       string   `json:"sign_in"`
	TenantID     string   `json:"tenant_id"`
	Organization string   `json:"organization"`
	Graph        string   `json:"graph_endpoint"`
	Exchange     string   `json:"exchange_endpoint"`
	Answers      []answer `json:"answers"`
	SentRequests []string `json:"sent_requests"`
	Error        string   `json:"error,omitempty"`
}

// Run is the probe subcommand: `terraform-provider-o365pam probe [-out FILE] [-timeout D]
// [-test-tenant]`. It returns the exit code. stdin answers the test-tenant mode's confirmation.
func Run(ctx context.Context, version string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "probe-report.json", "where to write the raw answers (redacted)")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long the whole probe may take")
	var opts writeOptions
	fs.BoolVar(&opts.enabled, "test-tenant", false, "also run the write cmdlets on throw-away objects (a TEST tenant only; asks to type the tenant's domain)")
	fs.StringVar(&opts.defaultApproverGroup, "default-approver-group", "",
		"with -test-tenant: the tenant's current default approver group, as the admin center shows it; re-runs Enable-ElevatedAccessControl with it")
	fs.StringVar(&opts.systemAccounts, "system-accounts", "", "with -default-approver-group: the current system accounts, comma-separated")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: terraform-provider-o365pam probe [-out FILE] [-timeout DURATION] [-test-tenant]\n\n"+
			"Signs in with the provider's environment variables (ARM_*, O365PAM_*), runs read-only calls\n"+
			"against Exchange Online and Microsoft Graph, prints a verdict per question and writes the raw\n"+
			"answers, tokens, secrets and personal addresses redacted, to FILE. It changes nothing unless\n"+
			"-test-tenant is given: then, after you type the tenant's domain, it also creates throw-away\n"+
			"objects it names itself, runs the write cmdlets on them and removes them again.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitFailed
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "probe: unexpected arguments %v\n", fs.Args())
		return exitFailed
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	rec := &recorder{}
	rep := report{Version: version, Started: time.Now().UTC().Format(time.RFC3339)}
	conn, err := connect.FromEnvironment(ctx, connect.Options{
		Version:  version,
		Services: func(next http.RoundTripper) http.RoundTripper { rec.next = next; return rec },
	})
	if err != nil {
		rep.Error = "signing in as the provider would: " + err.Error()
		fmt.Fprintln(stdout, "probe: "+rep.Error)
		_ = write(*out, rep, newRedactor(nil), stdout)
		return exitFailed
	}
	rep.SignIn, rep.TenantID, rep.Organization = string(conn.SignIn), conn.TenantID, conn.Organization
	rep.Graph, rep.Exchange = conn.Cloud.GraphEndpoint, conn.Cloud.ExchangeEndpoint
	red := newRedactor(conn.Secrets)
	fmt.Fprintf(stdout, "o365pam probe %s: tenant %s, organization %s, sign-in %s\n",
		version, conn.TenantID, conn.Organization, conn.SignIn)
	rec.take() // the organization look-up, if sign-in needed one, is not a question

	questions := readQuestions(conn)
	if opts.enabled {
		w, err := confirmTestTenant(conn, rec, opts, stdin, stdout)
		if err != nil {
			rep.Error = err.Error()
			fmt.Fprintln(stdout, "probe: "+rep.Error)
			_ = write(*out, rep, red, stdout)
			return exitFailed
		}
		questions = append(questions, w.questions()...)
	}
	differs := false
	for _, q := range questions {
		a := q.ask(ctx)
		a.ID, a.Question, a.Raw = q.id, q.question, rec.take()
		if a.Verdict == verdictDiffers {
			differs = true
		}
		rep.Answers = append(rep.Answers, a)
		line := a.Verdict
		if len(a.Details) > 0 {
			line += ": " + strings.Join(a.Details, "; ")
		}
		fmt.Fprintf(stdout, "%-40s %s\n", q.question, red.text(line))
	}
	rec.mu.Lock()
	rep.SentRequests = rec.sent
	rec.mu.Unlock()
	if err := write(*out, rep, red, stdout); err != nil {
		fmt.Fprintln(stderr, "probe:", err)
		return exitFailed
	}
	if differs {
		return exitDiffers
	}
	return exitMatches
}

// write saves the report, redacted, readable only by its owner.
func write(path string, rep report, red *redactor, stdout io.Writer) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(red.text(string(data))+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	fmt.Fprintf(stdout, "Raw answers written to %s (tokens, secrets and personal addresses redacted): "+
		"attach it to a bug report.\n", path)
	return nil
}

// question is one open fact the probe settles.
type question struct {
	id, question string
	ask          func(context.Context) answer
}

// readQuestions are the read-only questions, each settling an open fact of
// docs/development/service-facts.md.
func readQuestions(conn *connect.Connection) []question {
	ex := conn.Exchange
	return []question{
		{"organization-config", "Get-OrganizationConfig PAM properties", exchangeQuestion(ex, examineOrganizationConfig)},
		{"approval-policies", "Get-ElevatedAccessApprovalPolicy output", exchangeQuestion(ex, examineApprovalPolicies)},
		{"access-requests", "Get-ElevatedAccessRequest listing", exchangeQuestion(ex, examineAccessRequests)},
		{"access-authorizations", "Get-ElevatedAccessAuthorization output", exchangeQuestion(ex, examineAuthorizations)},
		{"not-found", "a deliberate not-found", exchangeQuestion(ex, examineNotFound)},
		{"token-roles", "the token's roles", func(ctx context.Context) answer { return tokenRoles(ctx, conn) }},
		{"role-assignments", "the caller's Exchange role assignments", func(ctx context.Context) answer { return roleAssignments(ctx, conn) }},
		{"licences", "licences (Graph subscribedSkus)", func(ctx context.Context) answer { return licences(ctx, conn) }},
	}
}

// exchangeQuestion turns an examination into an answer.
func exchangeQuestion(ex *exchange.Client, examine func(context.Context, *exchange.Client) (Finding, error)) func(context.Context) answer {
	return func(ctx context.Context) answer { return fromExamination(examine(ctx, ex)) }
}

func fromExamination(f Finding, err error) answer {
	if err != nil {
		return answer{Verdict: verdictDiffers, Details: []string{"the call failed: " + err.Error()}}
	}
	return fromFinding(f)
}

// roleAssignments asks whether the signed-in user or app holds the Exchange role PAM needs.
func roleAssignments(ctx context.Context, conn *connect.Connection) answer {
	caller, err := conn.Exchange.SignedInAs(ctx)
	if err != nil {
		return answer{Verdict: verdictDiffers, Details: []string{"no Exchange token: " + err.Error()}}
	}
	return fromExamination(examineRoleAssignments(ctx, conn.Exchange, caller, !strings.Contains(caller, "@")))
}

func fromFinding(f Finding) answer {
	switch {
	case len(f.Differences) > 0:
		return answer{Verdict: verdictDiffers, Details: append(f.Differences, f.Notes...)}
	case f.Empty:
		return answer{Verdict: verdictUnanswered, Details: append([]string{"the tenant has none to compare; run the probe again once it has one"}, f.Notes...)}
	default:
		return answer{Verdict: verdictMatches, Details: f.Notes}
	}
}

// tokenRoles asks the credential for an Exchange token, as the client does, and reads its claims.
// The token itself goes nowhere.
func tokenRoles(ctx context.Context, conn *connect.Connection) answer {
	tok, err := conn.Credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{conn.Cloud.ExchangeScope}})
	if err != nil {
		return answer{Verdict: verdictDiffers, Details: []string{"no Exchange token: " + err.Error()}}
	}
	f, claims := examineToken(tok.Token)
	a := fromFinding(f)
	a.Claims = claims
	return a
}

// licences lists the tenant's subscriptions through the Graph client and applies the provider's
// licence rule to them.
func licences(ctx context.Context, conn *connect.Connection) answer {
	skus, err := conn.Graph.SubscribedSkus(ctx)
	if err != nil {
		return answer{Verdict: verdictDiffers, Details: []string{"the call failed: " + err.Error()}}
	}
	var names []string
	for _, sku := range skus {
		if sku.SkuPartNumber == "" {
			return answer{Verdict: verdictDiffers, Details: []string{"a subscription without skuPartNumber, which the client reads"}}
		}
		names = append(names, sku.SkuPartNumber)
	}
	if !pamtenant.IncludesPAM(skus) {
		return answer{Verdict: verdictDiffers, Details: []string{"no subscription includes privileged access by the provider's rule " +
			"(service plan PAM_ENTERPRISE or a listed product); subscribed: " + strings.Join(names, ", ")}}
	}
	return answer{Verdict: verdictMatches, Details: []string{"privileged access is licensed; subscribed: " + strings.Join(names, ", ")}}
}
