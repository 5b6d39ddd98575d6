package seqtest_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
	"github.com/zerostanding/terraform-provider-o365pam/internal/seqtest"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// defaultSeeds run in `make test` (about a minute): one with a quiet tenant, one whose reads lag
// writes and whose requests fail at random. Each must pass.
var defaultSeeds = []int64{1, 4}

// TestAccSequence runs random sequences of steps with the real CLI against the emulator and checks
// the invariants after every run (see check). Which sequences:
//
//	SEQ_SEED=n            one seed
//	SEQ_SEEDS=n           n seeds from SEQ_FIRST (default 1000): `make soak SEEDS=n`
//	SEQ_STEPS='a; b; ...' these steps instead of the seed's (the seed still picks the emulator's settings)
//	SEQ_ROUNDS=n          rounds per generated sequence (default 6)
//
// and otherwise defaultSeeds.
func TestAccSequence(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	seeds, rounds := defaultSeeds, envInt(t, "SEQ_ROUNDS", 6)
	if s := os.Getenv("SEQ_SEED"); s != "" {
		seeds = []int64{int64(envInt(t, "SEQ_SEED", 0))}
	} else if n := envInt(t, "SEQ_SEEDS", 0); n > 0 {
		first := envInt(t, "SEQ_FIRST", 1000)
		seeds = nil
		for i := range n {
			seeds = append(seeds, int64(first+i))
		}
	}
	for _, seed := range seeds {
		steps := seqtest.Generate(seed, rounds)
		if text := os.Getenv("SEQ_STEPS"); text != "" {
			var err error
			if steps, err = seqtest.ParseSteps(text); err != nil {
				t.Fatal(err)
			}
		}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runSequence(t, seed, steps) })
	}
}

// emulatorOptions are the seed's tenant: Exchange's replication lag and the late object id always
// (acctest's defaults), and for some seeds reads that lag writes, or random faults.
func emulatorOptions(seed int64) (emulator.Options, bool) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x0e))
	var opts emulator.Options
	if r.IntN(3) == 0 {
		opts.ConsistencyDelay = time.Second
	}
	noisy := r.IntN(3) == 0
	if noisy {
		opts.FailRate, opts.DropAfterCommitRate, opts.FaultSeed = 0.1, 0.05, seed
	}
	return opts, noisy
}

// runner carries out one sequence.
type runner struct {
	t      *testing.T
	tn     *acctest.Tenant
	tfPath string
	dir    string
	env    []string
	domain string
	seed   int64
	steps  []seqtest.Step
	at     int // index of the step being run

	model *seqtest.Model
	// saved is the configuration of the saved plan, nil when there is none.
	saved *seqtest.Config
	// excused says why the next run may fail (an injected fault, an interrupt, a policy replaced by
	// hand); "" means it must succeed. noisy seeds inject random faults, so any run may fail.
	excused string
	noisy   bool
	// The objects made by hand, and what they must keep holding.
	foreignGroups, foreignPolicies []string
	foreign                        map[string]string

	writes *writeWatch
}

func runSequence(t *testing.T, seed int64, steps []seqtest.Step) {
	opts, noisy := emulatorOptions(seed)
	watch := &writeWatch{}
	opts.Log = watch
	tn := acctest.NewTenantWith(t, opts)
	r := &runner{t: t, tn: tn, seed: seed, steps: steps, model: seqtest.NewModel(), noisy: noisy,
		domain: tn.Domain(), foreign: map[string]string{}, writes: watch}
	r.workspace()
	t.Logf("seed %d: %d steps; emulator: consistency delay %s, fail rate %v, drop-after-commit rate %v",
		seed, len(steps), opts.ConsistencyDelay, opts.FailRate, opts.DropAfterCommitRate)
	for r.at = range steps {
		r.step(steps[r.at])
	}
}

// fail stops the sequence with what broke and how to replay it.
func (r *runner) fail(format string, a ...any) {
	r.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "invariant broken at step %d (%s): %s\n\nsteps of seed %d:\n", r.at+1, r.steps[r.at], fmt.Sprintf(format, a...), r.seed)
	var lines []string
	for i, s := range r.steps {
		mark := "  "
		if i == r.at {
			mark = "=>"
		}
		fmt.Fprintf(&b, "%s %2d. %s\n", mark, i+1, s)
		lines = append(lines, s.String())
	}
	fmt.Fprintf(&b, "\nreplay: SEQ_SEED=%d TF_ACC=1 go test -count=1 -run TestAccSequence ./internal/seqtest/\n", r.seed)
	fmt.Fprintf(&b, "replay these steps (cut them down freely): SEQ_SEED=%d SEQ_STEPS='%s' TF_ACC=1 go test -count=1 -run TestAccSequence ./internal/seqtest/\n",
		r.seed, strings.Join(lines[:r.at+1], "; "))
	r.t.Fatal(b.String())
}

func (r *runner) step(s seqtest.Step) {
	r.t.Helper()
	op, _ := seqtest.LookupOp(s.Op)
	if op.Edit != nil && !op.Edit(r.model, s.Args) {
		r.t.Logf("%2d. %s: skipped, it does not fit the configuration", r.at+1, s)
		return
	}
	switch op.Kind {
	case seqtest.KindEdit:
		r.t.Logf("%2d. %s", r.at+1, s)
	case seqtest.KindOutOfBand:
		r.t.Logf("%2d. %s: %s", r.at+1, s, r.outOfBand(s))
		r.foreign = seqtest.Fingerprints(r.tn.Server.Snapshot(), r.foreignGroups, r.foreignPolicies)
	case seqtest.KindFault:
		r.tn.Server.FailCmdlet(s.Args[0], 1, emulator.FaultKind(s.Args[1]))
		r.excused = "a fault was injected"
		r.t.Logf("%2d. %s", r.at+1, s)
	case seqtest.KindRun:
		r.run(s)
		r.tn.Server.ClearFaults()
	}
}

// run carries out a CLI step and checks the invariants after it.
func (r *runner) run(s seqtest.Step) {
	r.t.Helper()
	cfg := r.model.Config
	switch s.Op {
	case "apply":
		r.writeConfig()
		r.converge("apply", cfg, "apply", "-auto-approve", "-input=false")
	case "destroy":
		r.converge("destroy", seqtest.Config{}, "destroy", "-auto-approve", "-input=false")
	case "plan-out":
		r.writeConfig()
		out, code := r.cli("plan", "-out=saved.tfplan", "-input=false")
		r.noBugText(out)
		r.t.Logf("%2d. plan-out: exit %d", r.at+1, code)
		if code == 0 {
			c := cfg.Clone()
			r.saved = &c
		}
	case "apply-saved":
		if r.saved == nil {
			r.t.Logf("%2d. apply-saved: skipped, no saved plan", r.at+1)
			return
		}
		saved := *r.saved
		r.saved = nil
		// A plan applied after the tenant changed may be refused, cleanly.
		r.excused = "the saved plan was applied after an out-of-band change"
		r.converge("apply-saved", saved, "apply", "-input=false", "saved.tfplan")
		// A saved plan does not see changes made after it, so only a fresh apply must leave the
		// tenant as the configuration says.
		r.converge("apply after the saved plan", r.model.Config, "apply", "-auto-approve", "-input=false")
	case "apply-interrupt":
		r.writeConfig()
		n, _ := strconv.Atoi(s.Args[0])
		out, code := r.interrupted(n)
		r.noBugText(out)
		r.checkForeign()
		r.excused = "the previous apply was interrupted"
		r.t.Logf("%2d. %s: exit %d %s", r.at+1, s, code, firstError(out))
	case "reimport":
		r.reimport(s.Args[0])
	}
}

// converge runs the CLI command (an apply or destroy), checks the invariants, and when the failure
// was excused runs it again, with the import blocks its errors named, up to three times: the
// tenant must then match want and the next plan be empty.
func (r *runner) converge(name string, want seqtest.Config, args ...string) {
	r.t.Helper()
	for attempt := 1; ; attempt++ {
		before := r.tn.Server.Snapshot()
		out, code := r.cli(args...)
		r.noBugText(out)
		r.checkForeign()
		r.t.Logf("%2d. %s (attempt %d): exit %d", r.at+1, name, attempt, code)
		if code == 0 {
			r.excused = ""
			if args[len(args)-1] != "saved.tfplan" {
				r.converged(want)
			}
			return
		}
		r.unguardedSaid(before, want, out)
		if r.excused == "" && !r.noisy {
			r.fail("%s failed with no fault, interrupt or out-of-band change to excuse it:\n%s", name, out)
		}
		if attempt == 3 {
			r.fail("%s still fails after %d attempts (%s):\n%s", name, attempt, r.excused, out)
		}
		r.t.Logf("    failed (excused: %s): %s", cmp.Or(r.excused, "random faults"), firstError(out))
		r.importNamed(out, want)
		if args[len(args)-1] == "saved.tfplan" {
			// A saved plan cannot be applied twice: go on with the configuration it came from.
			r.writeConfig()
			args = []string{"apply", "-auto-approve", "-input=false"}
		}
	}
}

// converged checks a successful run: the tenant holds what the configuration says and the next
// plan has nothing to do. Import blocks have done their work.
func (r *runner) converged(want seqtest.Config) {
	r.t.Helper()
	_ = os.Remove(filepath.Join(r.dir, "imports.tf"))
	if m := seqtest.Mismatches(want, r.tn.Server.Snapshot()); len(m) > 0 {
		r.fail("the run succeeded but the tenant does not match the configuration:\n  %s", strings.Join(m, "\n  "))
	}
	if len(want.Groups) == 0 && want.PAM == nil {
		return // destroyed: nothing left to plan
	}
	for attempt := 1; ; attempt++ {
		out, code := r.cli("plan", "-detailed-exitcode", "-input=false")
		r.noBugText(out)
		switch {
		case code == 0:
			return
		case code == 1 && r.noisy && attempt < 3:
			continue // a random fault beat the retries
		case code == 2:
			r.fail("the plan after a successful run is not empty:\n%s", out)
		default:
			r.fail("the plan after a successful run failed (exit %d):\n%s", code, out)
		}
	}
}

var bugText = regexp.MustCompile(`(?i)inconsistent result|bug in the provider|panic:|plugin did not respond|plugin exited`)

// noBugText: whatever happens, no run ends in Terraform's words for a provider defect.
func (r *runner) noBugText(out string) {
	r.t.Helper()
	if bugText.MatchString(out) {
		r.fail("the CLI reported a provider defect:\n%s", out)
	}
}

// checkForeign: objects the configuration does not own are never changed.
func (r *runner) checkForeign() {
	r.t.Helper()
	now := seqtest.Fingerprints(r.tn.Server.Snapshot(), r.foreignGroups, r.foreignPolicies)
	for id, was := range r.foreign {
		if now[id] != was {
			r.fail("an object the configuration does not own changed:\n  was %s\n  now %q", was, now[id])
		}
	}
}

// unguardedSaid: a failed run that leaves a task without the policy it had (and the configuration
// still wants) says so in its errors.
func (r *runner) unguardedSaid(before *emulator.Tenant, want seqtest.Config, out string) {
	r.t.Helper()
	after := r.tn.Server.Snapshot()
	guarded := func(t *emulator.Tenant, task string) bool {
		return slices.ContainsFunc(t.Policies, func(p *emulator.Policy) bool { return strings.EqualFold(p.Task, task) })
	}
	for task := range want.Policies {
		_, cmdlet, _ := strings.Cut(task, `\`)
		if guarded(before, task) && !guarded(after, task) && !strings.Contains(strings.ToLower(out), strings.ToLower(cmdlet)) {
			r.fail("the run failed and left %s unguarded without saying so:\n%s", task, out)
		}
	}
}

// importBlockRe finds the import blocks errors suggest; the resource name is the user's to fill in.
var importBlockRe = regexp.MustCompile(`to = (o365pam_[a-z_]+)\.\S*\s+id = "([^"]*)"`)

// importNamed writes the import blocks the errors named for resources of the configuration, as a
// user following the error would.
func (r *runner) importNamed(out string, want seqtest.Config) {
	snap := r.tn.Server.Snapshot()
	var blocks []string
	for _, m := range importBlockRe.FindAllStringSubmatch(out, -1) {
		typ, id := m[1], m[2]
		var label string
		switch typ {
		case "o365pam_approver_group":
			if key, ok := strings.CutPrefix(strings.ToLower(id), "seq-"); ok {
				key, _, _ = strings.Cut(key, "@")
				if _, declared := want.Groups[key]; declared {
					label = key
				}
			}
		case "o365pam_privileged_access":
			if want.PAM != nil {
				label = "this"
			}
		case "o365pam_approval_policy":
			for _, p := range snap.Policies {
				if _, declared := want.Policies[p.Task]; declared && (strings.EqualFold(p.ID, id) || strings.EqualFold(p.Task, id)) {
					label = seqtest.PolicyLabel(p.Task)
				}
			}
		}
		if label != "" {
			blocks = append(blocks, fmt.Sprintf("import {\n  to = %s.%s\n  id = %q\n}\n", typ, label, id))
		}
	}
	if len(blocks) > 0 {
		r.t.Logf("    importing as the errors say: %s", strings.Join(blocks, ""))
		r.write("imports.tf", strings.Join(blocks, "\n"))
	}
}

// reimport forgets a resource and imports it back by the id its docs give.
func (r *runner) reimport(address string) {
	typ, label, _ := strings.Cut(address, ".")
	id := map[string]string{
		"o365pam_approver_group":    seqtest.GroupAddress(label, r.domain),
		"o365pam_privileged_access": r.tn.Server.TenantID(),
	}[typ]
	for task := range r.model.Config.Policies {
		if typ == "o365pam_approval_policy" && seqtest.PolicyLabel(task) == label {
			id = task
		}
	}
	if out, code := r.cli("state", "rm", address); code != 0 || id == "" {
		r.t.Logf("%2d. reimport %s: skipped, not in state or not in the configuration: %s", r.at+1, address, firstError(out))
		return
	}
	r.write("imports.tf", fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", address, id))
	r.t.Logf("%2d. reimport %s: removed from state, import block for %q written", r.at+1, address, id)
}

// outOfBand makes a change as another admin would, over raw REST, and says what happened.
func (r *runner) outOfBand(s seqtest.Step) string {
	a := s.Args
	snap := r.tn.Server.Snapshot()
	upn := func(local string) string { return local + "@" + r.domain }
	policy := func(task string) *emulator.Policy {
		i := slices.IndexFunc(snap.Policies, func(p *emulator.Policy) bool { return strings.EqualFold(p.Task, task) })
		if i < 0 {
			return nil
		}
		return snap.Policies[i]
	}
	var err error
	switch s.Op {
	case "oob-add-member":
		_, err = r.tn.TryExchange("Add-DistributionGroupMember", map[string]any{"Identity": seqtest.GroupAddress(a[0], r.domain), "Member": upn(a[1]), "BypassSecurityGroupManagerCheck": true})
	case "oob-remove-member":
		_, err = r.tn.TryExchange("Remove-DistributionGroupMember", map[string]any{"Identity": seqtest.GroupAddress(a[0], r.domain), "Member": upn(a[1]), "BypassSecurityGroupManagerCheck": true})
	case "oob-remove-group":
		_, err = r.tn.TryExchange("Remove-DistributionGroup", map[string]any{"Identity": seqtest.GroupAddress(a[0], r.domain), "BypassSecurityGroupManagerCheck": true})
	case "oob-disable-pam":
		_, err = r.tn.TryExchange("Disable-ElevatedAccessControl", nil)
	case "oob-remove-policy", "oob-replace-policy":
		p := policy(a[0])
		if p == nil {
			return "no policy for the task"
		}
		if _, err = r.tn.TryExchange("Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p.ID}); err == nil && s.Op == "oob-replace-policy" {
			approver := slices.IndexFunc(snap.Groups, func(g *emulator.Group) bool { return g.ID == p.ApproverGroupID })
			if approver < 0 {
				return "removed; the approver group is gone, so no new policy"
			}
			_, err = r.tn.TryExchange("New-ElevatedAccessApprovalPolicy", map[string]any{
				"Task": p.Task, "ApprovalType": a[1], "ApproverGroup": snap.Groups[approver].PrimarySmtpAddress})
			// The configuration's policy is gone and another admin's stands in its place: the
			// provider must not take it over silently.
			r.excused = "another admin replaced a policy"
		}
	case "oob-foreign-group", "oob-foreign-policy":
		member := seqtest.Users[3]
		if s.Op == "oob-foreign-group" {
			member = a[0]
		}
		err = r.foreignGroup(upn(member))
		if err == nil && s.Op == "oob-foreign-policy" {
			_, err = r.tn.TryExchange("New-ElevatedAccessApprovalPolicy", map[string]any{
				"Task": a[0], "ApprovalType": a[1], "ApproverGroup": seqtest.GroupAddress(strings.TrimPrefix(seqtest.ForeignGroup, "seq-"), r.domain)})
			if err == nil {
				r.foreignPolicies = append(r.foreignPolicies, r.newPolicyID(a[0]))
			}
		}
	}
	if err != nil {
		return "the service refused: " + err.Error()
	}
	return "done"
}

// foreignGroup makes the group no configuration owns, or adds member to it.
func (r *runner) foreignGroup(member string) error {
	address := seqtest.ForeignGroup + "@" + r.domain
	if len(r.foreignGroups) > 0 {
		_, err := r.tn.TryExchange("Add-DistributionGroupMember", map[string]any{"Identity": address, "Member": member, "BypassSecurityGroupManagerCheck": true})
		return err
	}
	_, err := r.tn.TryExchange("New-DistributionGroup", map[string]any{
		"Name": seqtest.ForeignGroup, "Type": "Security", "PrimarySmtpAddress": address, "Members": []string{member}})
	if err != nil {
		return err
	}
	for _, g := range r.tn.Server.Snapshot().Groups {
		if strings.EqualFold(g.PrimarySmtpAddress, address) {
			r.foreignGroups = append(r.foreignGroups, g.ID)
		}
	}
	return nil
}

func (r *runner) newPolicyID(task string) string {
	for _, p := range r.tn.Server.Snapshot().Policies {
		if strings.EqualFold(p.Task, task) {
			return p.ID
		}
	}
	return ""
}

// interrupted starts an apply and sends it Ctrl-C once n writes have reached the service.
func (r *runner) interrupted(n int) (string, int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd, stop := r.command(ctx, "apply", "-auto-approve", "-input=false")
	defer stop()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.writes.after(n, func() { _ = cmd.Process.Signal(os.Interrupt) })
	defer r.writes.after(0, nil)
	return out.String(), exitCode(r.t, cmd.Wait())
}

// writeWatch reads the emulator's request log and calls fire once the n-th write since after was
// called has been answered.
type writeWatch struct {
	mu   sync.Mutex
	left int
	fire func()
}

func (w *writeWatch) after(n int, fire func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.left, w.fire = n, fire
}

func (w *writeWatch) Write(line []byte) (int, error) {
	fields := strings.Fields(string(line))
	if len(fields) > 2 && slices.Contains(seqtest.WriteCmdlets, fields[2]) {
		w.mu.Lock()
		if w.fire != nil {
			if w.left--; w.left <= 0 {
				w.fire()
				w.fire = nil
			}
		}
		w.mu.Unlock()
	}
	return len(line), nil
}

// providerSource is where the configuration finds the provider; every CLI run reaches the one
// this test serves in-process for that run.
const providerSource = "registry.terraform.io/zerostanding/o365pam"

// workspace prepares an initialised directory for the CLI runs.
func (r *runner) workspace() {
	r.tfPath = os.Getenv("TF_ACC_TERRAFORM_PATH")
	r.dir = r.t.TempDir()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(name, "TF_") || name == "TF_CLI_CONFIG_FILE" {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	r.writeConfig()
	if out, code := r.cli("init", "-input=false"); code != 0 {
		r.t.Fatalf("terraform init exited %d:\n%s", code, out)
	}
}

func (r *runner) writeConfig() {
	r.write("main.tf", "terraform {\n  required_providers {\n    o365pam = { source = \""+providerSource+"\" }\n  }\n}\n"+
		r.tn.ProviderConfig()+r.model.Config.HCL(r.domain))
}

func (r *runner) write(name, content string) {
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// command prepares a CLI run against a provider served in-process for this run alone, as the
// CLI would start a fresh plugin; stop ends the provider after the run.
func (r *runner) command(ctx context.Context, args ...string) (cmd *exec.Cmd, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	configCh, closed := make(chan *plugin.ReattachConfig), make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve(providerSource, func() tfprotov6.ProviderServer {
			server, err := acctest.ProviderFactories["o365pam"]()
			if err != nil {
				panic(err)
			}
			return server
		}, tf6server.WithDebug(ctx, configCh, closed), tf6server.WithGoPluginLogger(hclog.NewNullLogger()), tf6server.WithLoggingSink(r.t))
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-configCh:
	case err := <-served:
		r.t.Fatalf("serving the provider: %v", err)
	}
	reattach, _ := json.Marshal(map[string]any{providerSource: map[string]any{
		"Protocol": rc.Protocol, "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}})
	cmd = exec.CommandContext(ctx, r.tfPath, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = r.dir, append(slices.Clip(r.env), "TF_REATTACH_PROVIDERS="+string(reattach))
	return cmd, func() { cancel(); <-closed }
}

// cli runs the CLI to the end and returns its combined output and exit code.
func (r *runner) cli(args ...string) (string, int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd, stop := r.command(ctx, args...)
	defer stop()
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(r.t, err)
}

func exitCode(t *testing.T, err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// firstError is the first "Error:" line of the output, for the log.
func firstError(out string) string {
	for line := range strings.Lines(out) {
		if strings.HasPrefix(strings.TrimSpace(line), "Error:") {
			return strings.TrimSpace(line)
		}
	}
	return "(no Error: line)"
}

func envInt(t *testing.T, name string, fallback int) int {
	s := os.Getenv(name)
	if s == "" {
		return fallback
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q is not a number", name, s)
	}
	return n
}
