// Package seqtest is a seeded random-sequence tester: it walks a configuration, and the tenant
// around it, through random edits, out-of-band changes made as another admin would, saved plans
// applied later, interrupted applies, imports and injected faults, and after every step checks
// invariants against the emulator's own record of the tenant. A seed always yields the same steps,
// so a failing seed replays exactly (see README "Sequence tester").
//
// This file holds the model (the configuration the tester wants and what it knows of objects it
// made by hand); steps.go holds the step vocabulary and the generator; check.go compares a tenant
// with the model. The acceptance test in this package runs the steps with the real CLI.
package seqtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The building blocks the generator picks from: a few groups, the built-in tenant's licensed users,
// its service account, and tasks to guard.
var (
	GroupKeys     = []string{"g1", "g2", "g3"}
	Users         = []string{"adele.vance", "alex.wilber", "megan.bowen", "lee.gu"}
	SystemAccount = "svc-sync"
	Tasks         = []string{`Exchange\New-MoveRequest`, `Exchange\Add-MailboxPermission`, `Exchange\Set-Mailbox`, `Exchange\Set-TransportRule`}
)

// ForeignGroup is the local part of the address of the group the tester makes by hand: no
// configuration owns it.
const ForeignGroup = "seq-foreign"

// Group is an approver group of the configuration; Members are users' local parts, sorted.
type Group struct {
	Name    string
	Members []string
}

// Policy is an approval policy of the configuration, for the task it is keyed by.
type Policy struct {
	Approval string // Manual or Auto
	Group    string // key of the approver group
}

// PAM is the privileged access resource of the configuration.
type PAM struct {
	Group          string // key of the default approver group
	SystemAccounts []string
}

// Config is what the configuration declares.
type Config struct {
	Groups   map[string]Group  // by key
	PAM      *PAM              // nil: no privileged access resource
	Policies map[string]Policy // by task
}

// Model is the configuration and the tasks guarded by policies made by hand, which the
// configuration must not take.
type Model struct {
	Config       Config
	ForeignTasks map[string]bool
}

// NewModel is an empty configuration in an untouched tenant.
func NewModel() *Model {
	return &Model{
		Config:       Config{Groups: map[string]Group{}, Policies: map[string]Policy{}},
		ForeignTasks: map[string]bool{},
	}
}

// Clone copies the model deeply.
func (m *Model) Clone() *Model {
	c := &Model{Config: m.Config.Clone(), ForeignTasks: maps.Clone(m.ForeignTasks)}
	return c
}

// Clone copies the configuration deeply.
func (c Config) Clone() Config {
	out := Config{Groups: map[string]Group{}, Policies: maps.Clone(c.Policies)}
	for k, g := range c.Groups {
		out.Groups[k] = Group{Name: g.Name, Members: slices.Clone(g.Members)}
	}
	if c.PAM != nil {
		out.PAM = &PAM{Group: c.PAM.Group, SystemAccounts: slices.Clone(c.PAM.SystemAccounts)}
	}
	return out
}

// Referenced reports whether privileged access or a policy names the group.
func (c Config) Referenced(key string) bool {
	if c.PAM != nil && c.PAM.Group == key {
		return true
	}
	for _, p := range c.Policies {
		if p.Group == key {
			return true
		}
	}
	return false
}

// GroupAddress is the primary address of the group with key in domain.
func GroupAddress(key, domain string) string { return "seq-" + key + "@" + domain }

// PolicyLabel is the resource name of the policy for task: o365pam_approval_policy.<label>.
func PolicyLabel(task string) string {
	_, cmdlet, _ := strings.Cut(task, `\`)
	return strings.ToLower(strings.ReplaceAll(cmdlet, "-", "_"))
}

// HCL renders the configuration's resources (without a provider block) for the tenant's domain.
func (c Config) HCL(domain string) string {
	var b strings.Builder
	upns := func(locals []string) string {
		quoted := make([]string, len(locals))
		for i, l := range locals {
			quoted[i] = fmt.Sprintf("%q", l+"@"+domain)
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	ref := func(key string) string { return "o365pam_approver_group." + key + ".primary_smtp_address" }
	for _, key := range slices.Sorted(maps.Keys(c.Groups)) {
		g := c.Groups[key]
		fmt.Fprintf(&b, "\nresource \"o365pam_approver_group\" %q {\n  name                 = %q\n  primary_smtp_address = %q\n  members              = %s\n\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n",
			key, g.Name, GroupAddress(key, domain), upns(g.Members))
	}
	dependsOn := ""
	if c.PAM != nil {
		accounts := "" // unset sends none
		if len(c.PAM.SystemAccounts) > 0 {
			accounts = "  system_accounts        = " + upns(c.PAM.SystemAccounts) + "\n"
		}
		fmt.Fprintf(&b, "\nresource \"o365pam_privileged_access\" \"this\" {\n  default_approver_group = %s\n%s}\n", ref(c.PAM.Group), accounts)
		dependsOn = "\n  depends_on = [o365pam_privileged_access.this]\n"
	}
	for _, task := range slices.Sorted(maps.Keys(c.Policies)) {
		p := c.Policies[task]
		fmt.Fprintf(&b, "\nresource \"o365pam_approval_policy\" %q {\n  task           = %q\n  approval_type  = %q\n  approver_group = %s\n%s}\n",
			PolicyLabel(task), task, p.Approval, ref(p.Group), dependsOn)
	}
	return b.String()
}
