package provider_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

const quickstartPath = "../../examples/quickstart/main.tf"

// quickstartTasks are the tasks and approval types examples/quickstart/main.tf guards.
var quickstartTasks = map[string]string{
	`Exchange\New-MoveRequest`:       "Manual",
	`Exchange\Add-MailboxPermission`: "Manual",
	`Exchange\Set-Mailbox`:           "Auto",
}

// quickstartConfig is examples/quickstart/main.tf with the tenant's provider block in place of its
// terraform and provider blocks (the test harness serves the provider itself).
func quickstartConfig(t *testing.T, tn *acctest.Tenant) string {
	t.Helper()
	raw, err := os.ReadFile(quickstartPath)
	if err != nil {
		t.Fatal(err)
	}
	_, body, found := strings.Cut(string(raw), "provider \"o365pam\" {}\n")
	if !found {
		t.Fatalf("%s no longer has an empty provider block to replace", quickstartPath)
	}
	return tn.ProviderConfig() + body
}

// checkQuickstartState checks the tenant itself (not what reads show) after the quickstart was
// applied: one group per address with the configured members, PAM on with that group and the
// system account, and exactly one policy per task with the configured settings.
func checkQuickstartState(tn *acctest.Tenant) error {
	snap := tn.Server.Snapshot()
	address := tn.Address("pam-approvers")
	var group *emulator.Group
	for _, g := range snap.Groups {
		if strings.EqualFold(g.PrimarySmtpAddress, address) {
			if group != nil {
				return fmt.Errorf("two groups have the address %s", address)
			}
			group = g
		}
	}
	if group == nil {
		return fmt.Errorf("no group has the address %s", address)
	}
	if len(snap.Groups) != 1 {
		return fmt.Errorf("want exactly one group, the tenant has %d", len(snap.Groups))
	}
	var members []string
	for _, id := range group.Members {
		for _, u := range snap.Users {
			if u.ID == id {
				members = append(members, u.UserPrincipalName)
			}
		}
	}
	sort.Strings(members)
	want := []string{tn.Address("adele.vance"), tn.Address("alex.wilber"), tn.Address("megan.bowen")}
	if strings.Join(members, ",") != strings.Join(want, ",") {
		return fmt.Errorf("group members %v, want %v", members, want)
	}
	if !snap.PAM.Enabled || snap.PAM.AdminGroupID != group.ID || len(snap.PAM.SystemAccounts) != 1 {
		return fmt.Errorf("privileged access is %+v, want enabled with group %s and one system account", snap.PAM, group.ID)
	}
	seen := map[string]int{}
	for _, p := range snap.Policies {
		seen[strings.ToLower(p.Task)]++
		approvalType, wanted := quickstartTasks[p.Task]
		if !wanted || p.ApprovalType != approvalType || p.ApproverGroupID != group.ID {
			return fmt.Errorf("unexpected policy %+v", *p)
		}
	}
	for task := range quickstartTasks {
		if seen[strings.ToLower(task)] != 1 {
			return fmt.Errorf("task %s has %d policies, want 1", task, seen[strings.ToLower(task)])
		}
	}
	return nil
}

// tenantCheck runs check against the tenant as a state check (the legacy Check functions do not
// support for_each), and logs that it passed.
func tenantCheck(t *testing.T, when string, check func() error) statecheck.StateCheck {
	return tenantStateCheck{t: t, when: when, check: check}
}

type tenantStateCheck struct {
	t     *testing.T
	when  string
	check func() error
}

func (c tenantStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check()
	if resp.Error == nil {
		c.t.Logf("tenant state %s checked", c.when)
	}
}

// checkNothingLeft checks that destroy removed every group and policy and turned PAM off.
func checkNothingLeft(tn *acctest.Tenant) error {
	snap := tn.Server.Snapshot()
	if len(snap.Groups) != 0 || len(snap.Policies) != 0 || snap.PAM.Enabled {
		return fmt.Errorf("destroy left %d groups, %d policies, PAM enabled=%v", len(snap.Groups), len(snap.Policies), snap.PAM.Enabled)
	}
	return nil
}

// faultScenario applies the quickstart under the given faults, checks the tenant, plans again
// expecting no change, destroys under the same faults and checks nothing is left. It logs how many
// requests were faulted.
func faultScenario(t *testing.T, opts emulator.Options) {
	tn := acctest.NewTenantWith(t, opts)
	cfg := quickstartConfig(t, tn)
	vars := config.Variables{"domain": config.StringVariable(tn.Domain())}
	started := time.Now()
	t.Cleanup(func() {
		st := tn.Server.Stats()
		t.Logf("fault scenario (seed %d): %d of %d Graph and Exchange requests faulted %v, %d token requests, in %s",
			opts.FaultSeed, st.FaultedRequests, st.GraphRequests+st.ExchangeRequests, st.Faults, st.TokenRequests,
			time.Since(started).Round(time.Second))
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigVariables:   vars,
				ConfigStateChecks: []statecheck.StateCheck{tenantCheck(t, "after apply", func() error { return checkQuickstartState(tn) })},
			},
			// Plan again under the same faults: nothing to change.
			{Config: cfg, ConfigVariables: vars, PlanOnly: true},
			// Destroy everything under the same faults (by removing it from the configuration, because
			// the harness's CheckDestroy cannot read for_each state).
			{
				Config:            tn.ProviderConfig(),
				ConfigStateChecks: []statecheck.StateCheck{tenantCheck(t, "after destroy", func() error { return checkNothingLeft(tn) })},
			},
		},
	})
	if tn.Server.Stats().FaultedRequests == 0 {
		t.Fatal("no request was faulted; the scenario proved nothing")
	}
}

// The quickstart converges under a small fault load; this runs in `make test`.
func TestAccFaults_quickstartSmall(t *testing.T) {
	t.Parallel()
	faultScenario(t, emulator.Options{
		FailRate: 0.2, DropAfterCommitRate: 0.1, FaultSeed: 17,
		ConsistencyDelay: 2 * time.Second, TokenLifetime: 30 * time.Second,
	})
}

func TestAccFaults_quickstartFull(t *testing.T) {
	t.Parallel()
	faultScenario(t, emulator.Options{
		FailRate: 0.3, DropAfterCommitRate: 0.1, FaultSeed: 2,
		ConsistencyDelay: 10 * time.Second, TokenLifetime: 30 * time.Second,
	})
}

// policiesInTenant returns the approval types of the tenant's policies for a task, from the
// tenant itself rather than from reads that may lag.
func policiesInTenant(tn *acctest.Tenant, task string) []string {
	var out []string
	for _, p := range tn.Server.Snapshot().Policies {
		if strings.EqualFold(p.Task, task) {
			out = append(out, p.ApprovalType)
		}
	}
	return out
}

// An update removes the old policy and creates the new one (Exchange cannot change a policy).
// Whichever step fails, the task keeps exactly one policy: the old one, or the new one.
func TestAccFaults_policyUpdateFailurePoints(t *testing.T) {
	type forced struct {
		cmdlet string
		kind   emulator.FaultKind
	}
	cases := map[string]struct {
		faults []forced
		delay  time.Duration // reads lag writes by this much
		want   string        // ExpectError phrase; "" when the update must succeed
		after  string        // the approval type the task must have after the failed update
	}{
		"remove refused": {
			faults: []forced{{"Remove-ElevatedAccessApprovalPolicy", emulator.FaultRefused}},
			want:   "The old policy is still in place", after: "Manual",
		},
		"create refused": {
			faults: []forced{{"New-ElevatedAccessApprovalPolicy", emulator.FaultRefused}},
			want:   "with the old settings", after: "Manual",
		},
		"create and the first restore refused": {
			faults: []forced{
				{"New-ElevatedAccessApprovalPolicy", emulator.FaultRefused},
				{"New-ElevatedAccessApprovalPolicy", emulator.FaultServerError},
			},
			want: "with the old settings", after: "Manual",
		},
		"create failed, the restore's answer lost": {
			faults: []forced{
				{"New-ElevatedAccessApprovalPolicy", emulator.FaultServerError},
				{"New-ElevatedAccessApprovalPolicy", emulator.FaultDropAfterCommit},
			},
			delay: 3 * time.Second,
			want:  "with the old settings", after: "Manual",
		},
		"create's answer lost after it committed": {
			faults: []forced{{"New-ElevatedAccessApprovalPolicy", emulator.FaultDropAfterCommit}},
			delay:  3 * time.Second,
			after:  "Auto",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tn := acctest.NewTenantWith(t, emulator.Options{ConsistencyDelay: tc.delay})
			base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"))
			checkOne := func(want string) error {
				if got := policiesInTenant(tn, moveTask); len(got) != 1 || got[0] != want {
					return fmt.Errorf("task %s has policies %v, want exactly one %s policy", moveTask, got, want)
				}
				return nil
			}
			update := resource.TestStep{
				PreConfig: func() {
					for _, f := range tc.faults {
						tn.Server.FailCmdlet(f.cmdlet, 1, f.kind)
					}
				},
				Config:            base + policyHCL("move", moveTask, "Auto"),
				ConfigStateChecks: []statecheck.StateCheck{tenantCheck(t, "after the update", func() error { return checkOne(tc.after) })},
			}
			if tc.want != "" {
				update.ExpectError = errorMatching(tc.want)
				update.ConfigStateChecks = nil
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{
					{Config: base + policyHCL("move", moveTask, "Manual")},
					update,
					// Whatever happened, the task has one policy, and the next apply converges.
					{
						PreConfig: func() {
							if err := checkOne(tc.after); err != nil {
								t.Fatalf("after the update: %v", err)
							}
						},
						Config:            base + policyHCL("move", moveTask, "Auto"),
						ConfigStateChecks: []statecheck.StateCheck{tenantCheck(t, "after the next apply", func() error { return checkOne("Auto") })},
					},
				},
			})
		})
	}
}

// A refresh that cannot finish within the resource's timeouts.read fails, naming the resource and
// how to give it more time, instead of waiting out the service's throttling.
func TestAccFaults_readTimeout(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenantWith(t, emulator.Options{})
	config := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance")) + fmt.Sprintf(`
resource "o365pam_approval_policy" "move" {
  task           = %q
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
  timeouts = {
    read = "2s"
  }
}
`, moveTask)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// Three throttled answers with Retry-After: 1 hold the policy list past 2 seconds.
				PreConfig:   func() { tn.Server.FailCmdlet("Get-ElevatedAccessApprovalPolicy", 3, emulator.FaultThrottled) },
				Config:      config,
				PlanOnly:    true,
				ExpectError: errorMatching("read approval policy", "ran out of time", "timeouts"),
			},
		},
	})
}
