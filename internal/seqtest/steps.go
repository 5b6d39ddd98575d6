package seqtest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Step is one operation of a sequence: an op of the vocabulary and its arguments. A step prints
// as one line ("add-group g1 adele.vance,lee.gu") and ParseSteps reads such lines back, so a
// failing sequence can be cut down by hand and replayed.
type Step struct {
	Op   string
	Args []string
}

func (s Step) String() string { return strings.TrimSpace(s.Op + " " + strings.Join(s.Args, " ")) }

// The kinds of op. Edits change only the configuration; the runner carries out the others.
const (
	KindEdit      = "edit"        // a configuration edit, applied by the next run
	KindOutOfBand = "out-of-band" // a change another admin makes over raw REST
	KindFault     = "fault"       // a fault queued in the emulator for the next run
	KindRun       = "run"         // a CLI run, after which the invariants are checked
)

// Op is a word of the vocabulary. Gen proposes arguments that make sense for the model, or nil
// when the op cannot apply now. Edit, when set, changes the model and reports false (the step is
// then skipped) when the arguments do not fit the model, so that a sequence cut down by hand
// still runs. A new op needs an entry here and, unless it is an edit, an executor in the runner.
type Op struct {
	Name  string
	Kind  string
	Arity int // how many arguments the op takes
	Gen   func(r *rand.Rand, m *Model) []string
	Edit  func(m *Model, args []string) bool
}

// Vocabulary lists every op.
var Vocabulary = []Op{
	{Name: "add-group", Arity: 2, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, absent(GroupKeys, m.Config.Groups)), list(pickSome(r, Users, 1, 3)))
		},
		Edit: func(m *Model, a []string) bool {
			if _, ok := m.Config.Groups[a[0]]; ok {
				return false
			}
			m.Config.Groups[a[0]] = Group{Name: "seq-" + a[0], Members: unlist(a[1])}
			return true
		}},
	{Name: "remove-group", Arity: 1, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			var free []string
			for _, k := range slices.Sorted(maps.Keys(m.Config.Groups)) {
				if !m.Config.Referenced(k) {
					free = append(free, k)
				}
			}
			return args(pickFrom(r, free))
		},
		Edit: func(m *Model, a []string) bool {
			if _, ok := m.Config.Groups[a[0]]; !ok || m.Config.Referenced(a[0]) {
				return false
			}
			delete(m.Config.Groups, a[0])
			return true
		}},
	{Name: "rename-group", Arity: 2, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			key := pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups)))
			return args(key, fmt.Sprintf("seq-%s-r%d", key, 1+r.IntN(99)))
		},
		Edit: func(m *Model, a []string) bool { return changeGroup(m, a[0], func(g *Group) { g.Name = a[1] }) }},
	{Name: "set-members", Arity: 2, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups))), list(pickSome(r, Users, 1, 3)))
		},
		Edit: func(m *Model, a []string) bool {
			return changeGroup(m, a[0], func(g *Group) { g.Members = unlist(a[1]) })
		}},
	{Name: "set-pam", Arity: 2, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups))), list(pickSome(r, []string{SystemAccount}, 0, 1)))
		},
		Edit: func(m *Model, a []string) bool {
			if _, ok := m.Config.Groups[a[0]]; !ok {
				return false
			}
			m.Config.PAM = &PAM{Group: a[0], SystemAccounts: unlist(a[1])}
			return true
		}},
	{Name: "remove-pam", Kind: KindEdit,
		Gen: func(_ *rand.Rand, m *Model) []string {
			if m.Config.PAM == nil || len(m.Config.Policies) > 0 {
				return nil
			}
			return []string{}
		},
		Edit: func(m *Model, _ []string) bool {
			if m.Config.PAM == nil || len(m.Config.Policies) > 0 {
				return false
			}
			m.Config.PAM = nil
			return true
		}},
	{Name: "add-policy", Arity: 3, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			if m.Config.PAM == nil {
				return nil
			}
			var free []string
			for _, t := range absent(Tasks, m.Config.Policies) {
				if !m.ForeignTasks[t] {
					free = append(free, t)
				}
			}
			return args(pickFrom(r, free), approval(r), pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups))))
		},
		Edit: func(m *Model, a []string) bool {
			_, exists := m.Config.Policies[a[0]]
			if exists || m.ForeignTasks[a[0]] || m.Config.PAM == nil || !hasGroup(m, a[2]) {
				return false
			}
			m.Config.Policies[a[0]] = Policy{Approval: a[1], Group: a[2]}
			return true
		}},
	{Name: "change-policy", Arity: 3, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Policies))), approval(r), pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups))))
		},
		Edit: func(m *Model, a []string) bool {
			if _, ok := m.Config.Policies[a[0]]; !ok || !hasGroup(m, a[2]) {
				return false
			}
			m.Config.Policies[a[0]] = Policy{Approval: a[1], Group: a[2]}
			return true
		}},
	{Name: "remove-policy", Arity: 1, Kind: KindEdit,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Policies))))
		},
		Edit: func(m *Model, a []string) bool {
			if _, ok := m.Config.Policies[a[0]]; !ok {
				return false
			}
			delete(m.Config.Policies, a[0])
			return true
		}},

	{Name: "oob-add-member", Arity: 2, Kind: KindOutOfBand,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups))), pickFrom(r, Users))
		}},
	{Name: "oob-remove-member", Arity: 2, Kind: KindOutOfBand,
		Gen: func(r *rand.Rand, m *Model) []string {
			key := pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups)))
			return args(key, pickFrom(r, m.Config.Groups[key].Members))
		}},
	{Name: "oob-remove-group", Arity: 1, Kind: KindOutOfBand,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Groups))))
		}},
	{Name: "oob-remove-policy", Arity: 1, Kind: KindOutOfBand,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Policies))))
		}},
	{Name: "oob-replace-policy", Arity: 2, Kind: KindOutOfBand,
		Gen: func(r *rand.Rand, m *Model) []string {
			return args(pickFrom(r, slices.Sorted(maps.Keys(m.Config.Policies))), approval(r))
		}},
	{Name: "oob-disable-pam", Kind: KindOutOfBand,
		Gen: func(_ *rand.Rand, m *Model) []string {
			if m.Config.PAM == nil {
				return nil
			}
			return []string{}
		}},
	{Name: "oob-foreign-group", Arity: 1, Kind: KindOutOfBand,
		Gen: func(r *rand.Rand, _ *Model) []string { return args(pickFrom(r, Users)) }},
	// A policy no configuration owns, guarding a task the configuration does not name; from then
	// on the configuration leaves that task alone.
	{Name: "oob-foreign-policy", Arity: 2, Kind: KindOutOfBand,
		Gen: func(r *rand.Rand, m *Model) []string {
			var free []string
			for _, t := range absent(Tasks, m.Config.Policies) {
				if !m.ForeignTasks[t] {
					free = append(free, t)
				}
			}
			return args(pickFrom(r, free), approval(r))
		},
		Edit: func(m *Model, a []string) bool {
			if _, owned := m.Config.Policies[a[0]]; owned || m.ForeignTasks[a[0]] {
				return false
			}
			m.ForeignTasks[a[0]] = true
			return true
		}},

	{Name: "fault", Arity: 2, Kind: KindFault,
		Gen: func(r *rand.Rand, _ *Model) []string {
			return args(pickFrom(r, WriteCmdlets), pickFrom(r, []string{"refused", "server-error", "drop-after-commit", "throttled"}))
		}},

	{Name: "apply", Kind: KindRun},
	{Name: "plan-out", Kind: KindRun},                  // saves a plan to apply later
	{Name: "apply-saved", Kind: KindRun},               // applies the saved plan
	{Name: "apply-interrupt", Arity: 1, Kind: KindRun}, // Ctrl-C after the given number of writes reached the service
	{Name: "reimport", Arity: 1, Kind: KindRun},        // forgets a resource (state rm) and imports it back with an import block
	{Name: "destroy", Kind: KindRun},
}

// WriteCmdlets are the Exchange cmdlets that change the tenant, where faults are worth injecting.
var WriteCmdlets = []string{
	"New-DistributionGroup", "Set-DistributionGroup", "Update-DistributionGroupMember", "Remove-DistributionGroup",
	"Enable-ElevatedAccessControl", "Disable-ElevatedAccessControl",
	"New-ElevatedAccessApprovalPolicy", "Remove-ElevatedAccessApprovalPolicy",
}

// LookupOp finds an op of the vocabulary by name.
func LookupOp(name string) (Op, bool) {
	i := slices.IndexFunc(Vocabulary, func(o Op) bool { return o.Name == name })
	if i < 0 {
		return Op{}, false
	}
	return Vocabulary[i], true
}

// Generate returns the steps of a seed: rounds of one or two edits, maybe an out-of-band change
// and a queued fault, then a run (a plain apply, a saved plan with an out-of-band change between
// plan and apply, an interrupted apply and its rerun, or a re-import), ending with a destroy.
func Generate(seed int64, rounds int) []Step {
	g := &generator{r: rand.New(rand.NewPCG(uint64(seed), 0x5e9)), m: NewModel()}
	for range rounds {
		for range 1 + g.r.IntN(2) {
			g.pick(KindEdit)
		}
		if g.r.Float64() < 0.3 {
			g.pick(KindOutOfBand)
		}
		if g.r.Float64() < 0.15 {
			g.pick(KindFault)
		}
		switch x := g.r.Float64(); {
		case x < 0.2:
			g.emit(Step{Op: "plan-out"})
			g.pick(KindOutOfBand)
			g.emit(Step{Op: "apply-saved"})
		case x < 0.3:
			g.emit(Step{Op: "apply-interrupt", Args: []string{strconv.Itoa(1 + g.r.IntN(3))}})
			g.emit(Step{Op: "apply"})
		case x < 0.4 && len(g.m.Addresses()) > 0:
			g.emit(Step{Op: "reimport", Args: []string{pickFrom(g.r, g.m.Addresses())}})
			g.emit(Step{Op: "apply"})
		default:
			g.emit(Step{Op: "apply"})
		}
	}
	g.emit(Step{Op: "destroy"})
	return g.steps
}

type generator struct {
	r     *rand.Rand
	m     *Model
	steps []Step
}

// pick adds one op of the kind whose Gen has arguments for the model, chosen at random.
func (g *generator) pick(kind string) {
	var ops []Op
	for _, o := range Vocabulary {
		if o.Kind == kind {
			ops = append(ops, o)
		}
	}
	g.r.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
	for _, o := range ops {
		if a := o.Gen(g.r, g.m); a != nil {
			g.emit(Step{Op: o.Name, Args: a})
			return
		}
	}
}

func (g *generator) emit(s Step) {
	if o, _ := LookupOp(s.Op); o.Edit != nil {
		o.Edit(g.m, s.Args)
	}
	g.steps = append(g.steps, s)
}

// Addresses are the resource addresses the configuration declares.
func (m *Model) Addresses() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m.Config.Groups)) {
		out = append(out, "o365pam_approver_group."+k)
	}
	if m.Config.PAM != nil {
		out = append(out, "o365pam_privileged_access.this")
	}
	for _, t := range slices.Sorted(maps.Keys(m.Config.Policies)) {
		out = append(out, "o365pam_approval_policy."+PolicyLabel(t))
	}
	return out
}

// ParseSteps reads steps written one per line or separated by ";", as Step.String prints them.
func ParseSteps(text string) ([]Step, error) {
	var steps []Step
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		o, ok := LookupOp(fields[0])
		if !ok {
			return nil, fmt.Errorf("unknown op %q in %q", fields[0], line)
		}
		if len(fields)-1 != o.Arity {
			return nil, fmt.Errorf("%s takes %d arguments, not %d, in %q", o.Name, o.Arity, len(fields)-1, line)
		}
		steps = append(steps, Step{Op: fields[0], Args: fields[1:]})
	}
	return steps, nil
}

// args returns its values, or nil when one is missing (the op does not apply).
func args(values ...string) []string {
	if slices.Contains(values, "") {
		return nil
	}
	return values
}

func pickFrom(r *rand.Rand, from []string) string {
	if len(from) == 0 {
		return ""
	}
	return from[r.IntN(len(from))]
}

// pickSome picks between lo and hi distinct values, sorted.
func pickSome(r *rand.Rand, from []string, lo, hi int) []string {
	picked := slices.Clone(from)
	r.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	picked = picked[:lo+r.IntN(hi-lo+1)]
	slices.Sort(picked)
	return picked
}

func absent[V any](keys []string, in map[string]V) []string {
	var out []string
	for _, k := range keys {
		if _, ok := in[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

func approval(r *rand.Rand) string { return pickFrom(r, []string{"Manual", "Auto"}) }

// list writes values as one argument; "-" is the empty list.
func list(values []string) string {
	if len(values) == 0 {
		return "-"
	}
	return strings.Join(values, ",")
}

func unlist(arg string) []string {
	if arg == "-" || arg == "" {
		return nil
	}
	values := strings.Split(arg, ",")
	slices.Sort(values)
	return values
}

func hasGroup(m *Model, key string) bool {
	_, ok := m.Config.Groups[key]
	return ok
}

func changeGroup(m *Model, key string, change func(*Group)) bool {
	g, ok := m.Config.Groups[key]
	if !ok {
		return false
	}
	change(&g)
	m.Config.Groups[key] = g
	return true
}
