package seqtest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// A seed gives the same steps every time, and other seeds give other steps.
func TestGenerateIsRepeatable(t *testing.T) {
	a, b := Generate(42, 8), Generate(42, 8)
	if !slices.EqualFunc(a, b, func(x, y Step) bool { return x.String() == y.String() }) {
		t.Fatalf("seed 42 gave two sequences:\n%v\n%v", a, b)
	}
	if c := Generate(43, 8); slices.EqualFunc(a, c, func(x, y Step) bool { return x.String() == y.String() }) {
		t.Fatalf("seeds 42 and 43 gave the same sequence %v", a)
	}
}

// Every generated step fits the model it is replayed on, prints as a line ParseSteps reads back,
// and every configuration on the way is one a user could apply: policies and privileged access
// name declared groups, policies come with privileged access, and no task is both the
// configuration's and guarded by hand.
func TestGeneratedSequencesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for seed := range int64(200) {
		steps := Generate(seed, 8)
		if steps[len(steps)-1].Op != "destroy" {
			t.Fatalf("seed %d does not end with destroy: %v", seed, steps)
		}
		var text []string
		m := NewModel()
		for i, s := range steps {
			seen[s.Op] = true
			text = append(text, s.String())
			op, ok := LookupOp(s.Op)
			if !ok || len(s.Args) != op.Arity {
				t.Fatalf("seed %d step %d %q: unknown op or wrong arity", seed, i+1, s)
			}
			if op.Edit != nil && !op.Edit(m, s.Args) {
				t.Fatalf("seed %d step %d %q does not fit the model it was generated for", seed, i+1, s)
			}
			if err := valid(m); err != "" {
				t.Fatalf("seed %d after step %d %q: %s", seed, i+1, s, err)
			}
		}
		parsed, err := ParseSteps(strings.Join(text, "; "))
		if err != nil || !slices.EqualFunc(parsed, steps, func(x, y Step) bool { return x.String() == y.String() }) {
			t.Fatalf("seed %d does not read back (%v):\n%v\n%v", seed, err, steps, parsed)
		}
	}
	for _, op := range Vocabulary {
		if !seen[op.Name] {
			t.Errorf("no seed of 200 generated %s", op.Name)
		}
	}
}

func valid(m *Model) string {
	c := m.Config
	if c.PAM != nil && !hasGroup(m, c.PAM.Group) {
		return "privileged access names an undeclared group"
	}
	if len(c.Policies) > 0 && c.PAM == nil {
		return "policies without privileged access"
	}
	for task, p := range c.Policies {
		if !hasGroup(m, p.Group) {
			return "policy for " + task + " names an undeclared group"
		}
		if m.ForeignTasks[task] {
			return task + " is guarded by hand and by the configuration"
		}
	}
	return ""
}

func TestParseStepsRefusesWhatItCannotRun(t *testing.T) {
	for _, text := range []string{"add-grop g1 lee.gu", "add-group g1", "apply now"} {
		if _, err := ParseSteps(text); err == nil {
			t.Errorf("ParseSteps(%q) took it", text)
		}
	}
	// An edit that does not fit the model is skipped, not run: a sequence cut down by hand may
	// have lost the step that made its group.
	m := NewModel()
	if op, _ := LookupOp("set-members"); op.Edit(m, []string{"g1", "lee.gu"}) {
		t.Fatal("set-members on an undeclared group changed the model")
	}
}

func TestHCL(t *testing.T) {
	c := Config{
		Groups:   map[string]Group{"g1": {Name: "seq-g1", Members: []string{"lee.gu"}}},
		PAM:      &PAM{Group: "g1"},
		Policies: map[string]Policy{`Exchange\Set-Mailbox`: {Approval: "Auto", Group: "g1"}},
	}
	got := c.HCL("d.example")
	for _, want := range []string{
		`resource "o365pam_approver_group" "g1" {`, `primary_smtp_address = "seq-g1@d.example"`, `members              = ["lee.gu@d.example"]`,
		`default_approver_group = o365pam_approver_group.g1.primary_smtp_address` + "\n}",
		`resource "o365pam_approval_policy" "set_mailbox" {`, `task           = "Exchange\\Set-Mailbox"`,
		`depends_on = [o365pam_privileged_access.this]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("HCL lacks %q:\n%s", want, got)
		}
	}
}

// Mismatches passes a tenant that holds the configuration and names each way one can differ.
func TestMismatches(t *testing.T) {
	c := Config{
		Groups:   map[string]Group{"g1": {Name: "seq-g1", Members: []string{"lee.gu"}}},
		PAM:      &PAM{Group: "g1", SystemAccounts: []string{"svc-sync"}},
		Policies: map[string]Policy{`Exchange\Set-Mailbox`: {Approval: "Auto", Group: "g1"}},
	}
	tenant := func() *emulator.Tenant {
		tn := emulator.BuiltinTenant()
		user := func(local string) string {
			i := slices.IndexFunc(tn.Users, func(u *emulator.User) bool { return strings.HasPrefix(u.UserPrincipalName, local+"@") })
			return tn.Users[i].ID
		}
		tn.Groups = []*emulator.Group{{ID: "G1", Name: "seq-g1", PrimarySmtpAddress: GroupAddress("g1", tn.InitialDomain()), Members: []string{user("lee.gu")}}}
		tn.PAM = emulator.PAMConfig{Enabled: true, AdminGroupID: "G1", SystemAccounts: []string{user("svc-sync")}}
		tn.Policies = []*emulator.Policy{{ID: "P1", Task: `Exchange\Set-Mailbox`, ApprovalType: "Auto", ApproverGroupID: "G1", WhenCreated: time.Now()}}
		return tn
	}
	if m := Mismatches(c, tenant()); len(m) != 0 {
		t.Fatalf("a matching tenant has mismatches: %v", m)
	}
	for name, change := range map[string]func(*emulator.Tenant){
		"members":         func(tn *emulator.Tenant) { tn.Groups[0].Members = nil },
		"name":            func(tn *emulator.Tenant) { tn.Groups[0].Name = "other" },
		"group gone":      func(tn *emulator.Tenant) { tn.Groups = nil },
		"pam off":         func(tn *emulator.Tenant) { tn.PAM.Enabled = false },
		"system accounts": func(tn *emulator.Tenant) { tn.PAM.SystemAccounts = nil },
		"approval type":   func(tn *emulator.Tenant) { tn.Policies[0].ApprovalType = "Manual" },
		"policy gone":     func(tn *emulator.Tenant) { tn.Policies = nil },
		"leftover group": func(tn *emulator.Tenant) {
			tn.Groups = append(tn.Groups, &emulator.Group{ID: "G2", PrimarySmtpAddress: GroupAddress("g2", tn.InitialDomain())})
		},
	} {
		tn := tenant()
		change(tn)
		if m := Mismatches(c, tn); len(m) == 0 {
			t.Errorf("%s: no mismatch found", name)
		}
	}
	if m := Mismatches(Config{}, tenant()); len(m) < 2 {
		t.Errorf("an empty configuration against a full tenant: %v, want the group and privileged access named", m)
	}
}
