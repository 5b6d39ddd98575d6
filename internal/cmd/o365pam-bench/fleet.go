package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// rssPeriod is how often the plugin processes' memory is sampled during a fleet run.
const rssPeriod = 100 * time.Millisecond

type fleetOptions struct {
	tenants, parallelism      int
	latency                   time.Duration
	mode, cli, provider, work string
}

// fleetResult is the one JSON line a fleet run prints. Per-tenant counts are those of the
// no-change plan: the most any tenant saw, and for Exchange the mean too.
type fleetResult struct {
	Tenants                    int     `json:"tenants"`
	Mode                       string  `json:"mode"`
	Parallelism                int     `json:"parallelism"`
	LatencyMS                  float64 `json:"latency_ms"`
	Resources                  int     `json:"resources"`
	ApplyWallMS                float64 `json:"apply_wall_ms"`
	PlanWallMS                 float64 `json:"plan_wall_ms"`
	PeakPluginRSSMiB           float64 `json:"peak_plugin_rss_mib"`
	PeakPluginProcesses        int     `json:"peak_plugin_processes"`
	ExchangeCallsPerTenant     int     `json:"exchange_calls_per_tenant"`
	ExchangeCallsPerTenantMean float64 `json:"exchange_calls_per_tenant_mean"`
	GraphCallsPerTenant        int     `json:"graph_calls_per_tenant"`
	TokensPerTenant            int     `json:"tokens_per_tenant"`
	CLI                        string  `json:"cli"`
}

// runFleet applies a baseline to every tenant of a multi-tenant emulator, then runs a no-change
// plan, and prints one JSON line of what that cost.
func runFleet(ctx context.Context, args []string, stdout io.Writer) error {
	var o fleetOptions
	fs := flag.NewFlagSet("o365pam-bench fleet", flag.ContinueOnError)
	fs.IntVar(&o.tenants, "tenants", 3, "how many tenants the emulator hosts; each gets the baseline")
	fs.DurationVar(&o.latency, "latency", 150*time.Millisecond, "added to every answer of the emulator")
	fs.StringVar(&o.mode, "mode", modePerResource, "per-resource (one provider, tenant_id on every object) or for-each (OpenTofu's provider for_each)")
	fs.StringVar(&o.cli, "cli", "terraform", "the terraform or tofu binary (for-each needs OpenTofu)")
	fs.StringVar(&o.provider, "provider", "", "the provider binary to measure (build it stripped, as released)")
	fs.IntVar(&o.parallelism, "parallelism", 10, "the CLI's -parallelism")
	fs.StringVar(&o.work, "work", "", "scratch folder (default: a temporary one, removed afterwards)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.provider == "" || o.tenants < 1 || o.parallelism < 1 || (o.mode != modePerResource && o.mode != modeForEach) {
		return fmt.Errorf("fleet: -provider is required, -tenants and -parallelism at least 1, -mode %s or %s", modePerResource, modeForEach)
	}
	version, err := exec.CommandContext(ctx, o.cli, "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %w", o.cli, err)
	}
	cli := cliName(string(version))
	if o.mode == modeForEach && !strings.HasPrefix(cli, "OpenTofu") {
		return fmt.Errorf("fleet: -mode %s needs OpenTofu 1.9 or later (provider for_each), but -cli %s is %q", modeForEach, o.cli, cli)
	}
	if o.provider, err = resolveBinary(o.provider); err != nil {
		return err
	}
	cleanup, err := scratch(&o.work)
	if err != nil {
		return err
	}
	defer cleanup()

	srv, err := emulator.Start(emulator.Options{Tenants: o.tenants, Latency: o.latency})
	if err != nil {
		return err
	}
	defer srv.Close()
	b, err := newFleetBench(o, srv)
	if err != nil {
		return err
	}
	r, err := measureFleet(ctx, b, o)
	if err != nil {
		return err
	}
	r.CLI = cli
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// cliName finds the CLI's name and version ("OpenTofu v1.12.6") in what `version` printed, which
// may start with warnings about the CLI configuration.
func cliName(version string) string {
	for line := range strings.Lines(version) {
		if strings.HasPrefix(line, "OpenTofu v") || strings.HasPrefix(line, "Terraform v") {
			return strings.TrimSpace(line)
		}
	}
	return strings.TrimSpace(version)
}

// newFleetBench writes the configuration and the CLI's settings into o.work. The CLI signs in
// with the emulator's app, whose secret only its environment carries; no tenant is set there,
// and none is taken from the caller's environment.
func newFleetBench(o fleetOptions, srv *emulator.Server) (*bench, error) {
	exports := map[string]string{}
	for _, e := range srv.Exports() {
		exports[e.Name] = e.Value
	}
	conn := fleetConnection{clientID: exports["ARM_CLIENT_ID"], authorityHost: exports["O365PAM_AUTHORITY_HOST"],
		graphEndpoint: exports["O365PAM_GRAPH_ENDPOINT"], exchangeEndpoint: exports["O365PAM_EXCHANGE_ENDPOINT"]}
	dir := filepath.Join(o.work, "fleet")
	cliConfig := filepath.Join(o.work, "cli.tfrc")
	if err := writeFiles(map[string]string{
		filepath.Join(dir, "main.tf"):             fleetRootConfig(o.mode, conn, fleetTenants(srv.Fleet())),
		filepath.Join(dir, "baseline", "main.tf"): baselineModule(o.mode),
		cliConfig: devOverrides(map[string]string{"zerostanding/o365pam": filepath.Dir(o.provider)}),
	}); err != nil {
		return nil, err
	}
	env := []string{"ARM_CLIENT_SECRET=" + exports["ARM_CLIENT_SECRET"], "SSL_CERT_FILE=" + exports["SSL_CERT_FILE"]}
	return &bench{opts: options{cli: o.cli}, srv: srv, provider: o.provider, pamDir: dir,
		env: append(cliEnv(withoutSignIn(os.Environ()), cliConfig), env...)}, nil
}

// withoutSignIn drops the variables the provider reads its sign-in settings from.
func withoutSignIn(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "ARM_") && !strings.HasPrefix(kv, "O365PAM_") && !strings.HasPrefix(kv, "AZURE_") {
			out = append(out, kv)
		}
	}
	return out
}

// measureFleet installs the module, runs the apply that creates the baseline in every tenant and a no-change
// plan, sampling the plugin processes' memory throughout the apply and the plan.
func measureFleet(ctx context.Context, b *bench, o fleetOptions) (*fleetResult, error) {
	r := &fleetResult{Tenants: o.tenants, Mode: o.mode, Parallelism: o.parallelism, LatencyMS: ms(o.latency),
		Resources: o.tenants * resourcesPerTenant}
	// The provider comes from dev_overrides, for which init would ask the registry: get installs
	// the local module alone.
	if _, err := b.terraform(ctx, b.pamDir, "get", "-no-color"); err != nil {
		return nil, err
	}
	parallelism := "-parallelism=" + strconv.Itoa(o.parallelism)
	stop := make(chan struct{})
	var processes int // written by the sampler until stop; read after its peak is received
	peak := watchPeak(rssPeriod, func() int64 {
		rss, n := pluginRSS("/proc", os.Getpid())
		processes = max(processes, n)
		return rss
	}, stop)
	apply, applyErr := b.terraform(ctx, b.pamDir, append(slices.Clone(applyArgs), parallelism)...)
	var plan sample
	var planErr error
	var before, after []emulator.Stats
	if applyErr == nil {
		applyErr = checkBaseline(b.srv)
	}
	if applyErr == nil {
		before = tenantStats(b.srv)
		plan, planErr = b.terraform(ctx, b.pamDir, append(slices.Clone(planArgs), parallelism)...)
		after = tenantStats(b.srv)
	}
	close(stop)
	rss := <-peak
	if applyErr != nil {
		return nil, applyErr
	}
	if planErr != nil {
		return nil, planErr
	}
	r.ApplyWallMS, r.PlanWallMS = ms(apply.wall), ms(plan.wall)
	r.PeakPluginRSSMiB, r.PeakPluginProcesses = mib(rss), processes
	r.ExchangeCallsPerTenant, r.ExchangeCallsPerTenantMean, r.GraphCallsPerTenant, r.TokensPerTenant = perTenant(before, after)
	return r, nil
}

// checkBaseline makes sure the apply reached every tenant: privileged access on and one policy per
// task of the baseline.
func checkBaseline(srv *emulator.Server) error {
	for _, h := range srv.Tenants() {
		if t := h.Snapshot(); !t.PAM.Enabled || len(t.Policies) != len(baselineTasks) {
			return fmt.Errorf("after the apply, tenant %s (%s) has privileged access on: %v, and %d policies, want %d",
				h.Organization(), h.TenantID(), t.PAM.Enabled, len(t.Policies), len(baselineTasks))
		}
	}
	return nil
}

// tenantStats takes every hosted tenant's counters, in the server's order.
func tenantStats(srv *emulator.Server) []emulator.Stats {
	var out []emulator.Stats
	for _, h := range srv.Tenants() {
		out = append(out, h.Stats())
	}
	return out
}

// perTenant is what the tenants saw between before and after: the most Exchange calls any tenant
// saw and their mean, and the most Graph calls and token requests.
func perTenant(before, after []emulator.Stats) (exchangeMax int, exchangeMean float64, graphMax, tokensMax int) {
	if len(after) == 0 {
		return 0, 0, 0, 0
	}
	var exchangeSum int
	for i := range after {
		d := after[i].Sub(before[i])
		exchangeSum += d.ExchangeRequests
		exchangeMax = max(exchangeMax, d.ExchangeRequests)
		graphMax = max(graphMax, d.GraphRequests)
		tokensMax = max(tokensMax, d.TokenRequests)
	}
	return exchangeMax, float64(exchangeSum) / float64(len(after)), graphMax, tokensMax
}

// mib is bytes in MiB, to one decimal.
func mib(bytes int64) float64 { return math.Round(float64(bytes)*10/(1<<20)) / 10 }
