// Command o365pam-bench measures what drift detection costs: it applies a configuration of approver
// groups and approval policies against the tenant emulator with an added latency, then runs
// no-change plans, alternating with a configuration of as many terraform_data resources (the CLI's
// own floor) and one of as many objects of a plugin provider that calls no service (what any
// framework provider costs the CLI; see nullprovider). It prints, per step, the median wall time,
// the time over the floor in round trips of the added latency, and the Exchange, Graph and token
// requests the emulator saw; then the provider binary's size and cold start. `make bench` runs it;
// -out writes the figures as JSON.
//
// `o365pam-bench fleet` measures one configuration that manages many tenants of one emulator
// (fleet.go); `make bench-fleet` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "fleet" {
		err = runFleet(context.Background(), os.Args[2:], os.Stdout)
	} else {
		err = run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "o365pam-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	cli, provider, nullProvider, out, work string
	latency                                time.Duration
	rounds                                 int
}

func run() error {
	ctx := context.Background()
	var o options
	flag.StringVar(&o.cli, "cli", "terraform", "the terraform or tofu binary")
	flag.StringVar(&o.provider, "provider", "", "the provider binary to measure (build it stripped, as released)")
	flag.StringVar(&o.nullProvider, "null-provider", "", "the nullprovider binary, named terraform-provider-benchnull")
	flag.StringVar(&o.out, "out", "bench.json", "where to write the figures")
	flag.StringVar(&o.work, "work", "", "scratch folder (default: a temporary one, removed afterwards)")
	flag.DurationVar(&o.latency, "latency", 150*time.Millisecond, "added to every answer of the emulator")
	flag.IntVar(&o.rounds, "rounds", 9, "no-change plans per configuration")
	flag.Parse()
	if o.provider == "" || o.nullProvider == "" {
		return fmt.Errorf("-provider and -null-provider are required")
	}
	provider, err := resolveBinary(o.provider)
	if err != nil {
		return err
	}
	if o.nullProvider, err = filepath.Abs(o.nullProvider); err != nil {
		return err
	}
	cleanup, err := scratch(&o.work)
	if err != nil {
		return err
	}
	defer cleanup()

	srv, err := emulator.Start(emulator.Options{Seed: benchTenant(), Latency: o.latency})
	if err != nil {
		return err
	}
	defer srv.Close()
	b, err := newBench(o, srv, provider)
	if err != nil {
		return err
	}
	r, err := b.measure(ctx)
	if err != nil {
		return err
	}
	if r.Scale, r.LargeApply, err = measureScale(ctx, o, provider); err != nil {
		return err
	}
	r.print(os.Stdout)
	return r.write(o.out)
}

// resolveBinary is the absolute path of the file a binary's path leads to, as /proc shows a
// running process's executable.
func resolveBinary(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// scratch sets an empty *work to a new temporary folder, which cleanup removes.
func scratch(work *string) (cleanup func(), err error) {
	if *work != "" {
		return func() {}, nil
	}
	if *work, err = os.MkdirTemp("", "o365pam-bench-"); err != nil {
		return nil, err
	}
	dir := *work
	return func() { _ = os.RemoveAll(dir) }, nil
}

// bench runs the CLI in three working folders against one emulator.
type bench struct {
	opts                      options
	srv                       *emulator.Server
	provider                  string
	pamDir, floorDir, nullDir string
	env                       []string
	watchRSS                  bool // sample the provider's peak memory during each run
}

func newBench(o options, srv *emulator.Server, provider string) (*bench, error) {
	b := &bench{opts: o, srv: srv, provider: provider, pamDir: filepath.Join(o.work, "pam"),
		floorDir: filepath.Join(o.work, "floor"), nullDir: filepath.Join(o.work, "null")}
	cliConfig := filepath.Join(o.work, "cli.tfrc")
	if err := writeFiles(map[string]string{
		filepath.Join(b.pamDir, "main.tf"):   pamConfig(),
		filepath.Join(b.floorDir, "main.tf"): floorConfig(),
		filepath.Join(b.nullDir, "main.tf"):  nullConfig(),
		cliConfig: devOverrides(map[string]string{
			"zerostanding/o365pam": filepath.Dir(provider), "zerostanding/benchnull": filepath.Dir(o.nullProvider)}),
	}); err != nil {
		return nil, err
	}
	b.env = cliEnv(os.Environ(), cliConfig)
	for _, e := range srv.Exports() {
		b.env = append(b.env, e.Name+"="+e.Value)
	}
	return b, nil
}

// writeFiles writes each file's text, making its folder first.
func writeFiles(files map[string]string) error {
	for path, text := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// devOverrides is a CLI configuration that takes each provider source from the folder of its
// binary, so the CLI needs no registry for it.
func devOverrides(folders map[string]string) string {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, source := range slices.Sorted(maps.Keys(folders)) {
		fmt.Fprintf(&b, "    %q = %q\n", source, folders[source])
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// cliEnv is environ with the CLI configuration cliConfig and the CLI quiet and non-interactive.
func cliEnv(environ []string, cliConfig string) []string {
	return append(slices.Clone(environ), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
}

// sample is one CLI run: its wall time, what the emulator saw during it and, when watched, the
// provider's peak resident memory.
type sample struct {
	wall    time.Duration
	stats   emulator.Stats
	peakRSS int64
}

// terraform runs one CLI command in dir; a plan must find nothing to change.
func (b *bench) terraform(ctx context.Context, dir string, args ...string) (sample, error) {
	before := b.srv.Stats()
	cmd := exec.CommandContext(ctx, b.opts.cli, args...)
	cmd.Dir, cmd.Env = dir, b.env
	var stop chan struct{}
	var peak <-chan int64
	if b.watchRSS {
		stop = make(chan struct{})
		peak = watchPeak(20*time.Millisecond, func() int64 { return peakRSSOf(b.provider) }, stop)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	s := sample{wall: wall, stats: b.srv.Stats().Sub(before)}
	if b.watchRSS {
		close(stop)
		s.peakRSS = <-peak
	}
	if err != nil {
		return sample{}, fmt.Errorf("%s %s in %s: %w\n%s", filepath.Base(b.opts.cli), strings.Join(args, " "), dir, err, out)
	}
	return s, nil
}

var (
	applyArgs = []string{"apply", "-auto-approve", "-no-color", "-lock=false"}
	planArgs  = []string{"plan", "-detailed-exitcode", "-no-color", "-lock=false"}
)

func (b *bench) measure(ctx context.Context) (*report, error) {
	r := &report{Latency: b.opts.latency, Rounds: b.opts.rounds, Objects: groupCount + policyCount}
	version, _ := exec.CommandContext(ctx, b.opts.cli, "version").Output()
	r.CLI = cliName(string(version))

	var applies [3]sample
	for i, dir := range []string{b.pamDir, b.floorDir, b.nullDir} {
		var err error
		if applies[i], err = b.terraform(ctx, dir, applyArgs...); err != nil {
			return nil, err
		}
	}
	r.add("apply", applies[:1], applies[1:2], applies[2:])

	// Plans without refresh make no service calls: what they cost over the floor is the CLI's work
	// with a plugin provider, which the provider that calls no service shows on its own.
	for _, plan := range []struct {
		name string
		args []string
	}{{"no-change plan", planArgs}, {"plan, no refresh", append(slices.Clone(planArgs), "-refresh=false")}} {
		var runs [3][]sample
		for range b.opts.rounds {
			for i, dir := range []string{b.pamDir, b.floorDir, b.nullDir} {
				s, err := b.terraform(ctx, dir, plan.args...)
				if err != nil {
					return nil, err
				}
				runs[i] = append(runs[i], s)
			}
		}
		r.add(plan.name, runs[0], runs[1], runs[2])
	}

	info, err := os.Stat(b.provider)
	if err != nil {
		return nil, err
	}
	r.BinaryBytes = info.Size()
	var handshakes, schemas []time.Duration
	for range 5 {
		h, s, err := coldStart(b.provider)
		if err != nil {
			return nil, fmt.Errorf("cold start: %w", err)
		}
		handshakes, schemas = append(handshakes, h), append(schemas, s)
	}
	r.ColdStartHandshake, r.ColdStartSchema = median(handshakes), median(schemas)
	return r, nil
}
