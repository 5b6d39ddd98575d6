package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

var testTenants = fleetTenants([]emulator.FleetEntry{
	{TenantID: "7f3c2a51-8d4e-4b0a-9c61-2e5f8a9d0b13", Organization: "contoso.onmicrosoft.com"},
	{TenantID: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", Organization: "fleet0001.onmicrosoft.com"},
})

var testConn = fleetConnection{clientID: "client", authorityHost: "https://127.0.0.1:1/",
	graphEndpoint: "https://127.0.0.1:1/graph", exchangeEndpoint: "https://127.0.0.1:1/exchange"}

func TestFleetTenantsAreKeyedByDomainLabel(t *testing.T) {
	var keys []string
	for _, tenant := range testTenants {
		keys = append(keys, tenant.key)
	}
	if want := []string{"contoso", "fleet0001"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

// parse parses HCL and fails the test on any error.
func parse(t *testing.T, text string) *hclsyntax.Body {
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(text), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%v\n%s", diags, text)
	}
	return file.Body.(*hclsyntax.Body)
}

func blocksOf(body *hclsyntax.Body, kind string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == kind {
			out = append(out, b)
		}
	}
	return out
}

func attrNames(body *hclsyntax.Body) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for name := range body.Attributes {
			if !yield(name) {
				return
			}
		}
	})
}

func TestFleetRootConfig(t *testing.T) {
	for mode, want := range map[string]struct{ provider, module []string }{
		modePerResource: {
			provider: []string{"authority_host", "client_id", "exchange_endpoint", "graph_endpoint", "use_cli"},
			module:   []string{"for_each", "organization", "source", "tenant_id"},
		},
		modeForEach: {
			provider: []string{"alias", "authority_host", "client_id", "exchange_endpoint", "for_each", "graph_endpoint",
				"organization", "tenant_id", "use_cli"},
			module: []string{"for_each", "organization", "providers", "source", "tenant_id"},
		},
	} {
		t.Run(mode, func(t *testing.T) {
			text := fleetRootConfig(mode, testConn, testTenants)
			body := parse(t, text)
			providers, modules := blocksOf(body, "provider"), blocksOf(body, "module")
			if len(providers) != 1 || len(modules) != 1 {
				t.Fatalf("%d provider and %d module blocks, want one of each:\n%s", len(providers), len(modules), text)
			}
			if got := attrNames(providers[0].Body); !slices.Equal(got, want.provider) {
				t.Errorf("provider settings %v, want %v", got, want.provider)
			}
			if got := attrNames(modules[0].Body); !slices.Equal(got, want.module) {
				t.Errorf("module arguments %v, want %v", got, want.module)
			}
			// No secret is written into the configuration.
			if strings.Contains(text, "client_secret") {
				t.Errorf("the configuration names a client secret:\n%s", text)
			}
			for _, tenant := range testTenants {
				if !strings.Contains(text, tenant.key+" = { tenant_id = \""+tenant.tenantID+"\", organization = \""+tenant.organization+"\" }") {
					t.Errorf("tenant %s is not in the tenants map:\n%s", tenant.key, text)
				}
			}
		})
	}
}

func TestBaselineModule(t *testing.T) {
	for mode, wantTenant := range map[string]bool{modePerResource: true, modeForEach: false} {
		t.Run(mode, func(t *testing.T) {
			text := baselineModule(mode)
			resources := blocksOf(parse(t, text), "resource")
			var kinds []string
			for _, r := range resources {
				kinds = append(kinds, r.Labels[0])
				if _, has := r.Body.Attributes["tenant_id"]; has != wantTenant {
					t.Errorf("%s.%s sets tenant_id: %v, want %v", r.Labels[0], r.Labels[1], has, wantTenant)
				}
			}
			want := []string{"o365pam_approver_group", "o365pam_privileged_access",
				"o365pam_approval_policy", "o365pam_approval_policy", "o365pam_approval_policy"}
			if !slices.Equal(kinds, want) || len(resources) != resourcesPerTenant {
				t.Errorf("resources %v, want %v", kinds, want)
			}
			for _, s := range append(slices.Clone(baselineTasks), `"adele.vance@${var.organization}"`) {
				if !strings.Contains(text, strings.ReplaceAll(s, `\`, `\\`)) {
					t.Errorf("the module lacks %s:\n%s", s, text)
				}
			}
		})
	}
}

// fakeProcess is one entry of a /proc-like folder.
type fakeProcess struct {
	pid, ppid int
	exe       string
	rssKB     int
}

// fakeProc writes a /proc-like folder of those processes, and a folder that is no process.
func fakeProc(t *testing.T, processes ...fakeProcess) string {
	t.Helper()
	root := t.TempDir()
	for _, p := range processes {
		dir := filepath.Join(root, strconv.Itoa(p.pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p.exe, filepath.Join(dir, "exe")); err != nil {
			t.Fatal(err)
		}
		status := fmt.Sprintf("Name:\tx\nPPid:\t%d\nVmHWM:\t  999999 kB\nVmRSS:\t   %d kB\nThreads:\t9\n", p.ppid, p.rssKB)
		if err := os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestPluginRSSSumsThePluginsOfThisRun(t *testing.T) {
	const bench, cli = 50, 60
	root := fakeProc(t,
		fakeProcess{bench, 1, "/tmp/go-build/o365pam-bench", 30000},
		fakeProcess{cli, bench, "/usr/bin/tofu", 50000},
		fakeProcess{61, cli, "/build/terraform-provider-o365pam", 1000},
		fakeProcess{62, cli, "/plugins/terraform-provider-o365pam_v0.1.0_x5", 2000},
		fakeProcess{63, cli, "/build/terraform-provider-benchnull", 4000},
		// Another run on the machine: its CLI is no child of the benchmark.
		fakeProcess{90, 1, "/usr/bin/terraform", 50000},
		fakeProcess{91, 90, "/other/terraform-provider-o365pam", 8000},
	)
	rss, n := pluginRSS(root, bench)
	if rss != 3000<<10 || n != 2 {
		t.Errorf("pluginRSS = %d bytes in %d processes, want %d in 2", rss, n, 3000<<10)
	}
}

func TestStatusBytes(t *testing.T) {
	status := []byte("Name:\ttofu\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n")
	if got := statusBytes(status, "VmRSS"); got != 10<<20 {
		t.Errorf("VmRSS = %d, want %d", got, 10<<20)
	}
	if got := statusBytes(status, "VmSwap"); got != 0 {
		t.Errorf("a missing field reads %d, want 0", got)
	}
}

func TestPerTenantCountsTheDifference(t *testing.T) {
	before := []emulator.Stats{{ExchangeRequests: 10, TokenRequests: 2, GraphRequests: 5}, {ExchangeRequests: 7}}
	after := []emulator.Stats{{ExchangeRequests: 13, TokenRequests: 4, GraphRequests: 6}, {ExchangeRequests: 9, TokenRequests: 3}}
	exchangeMax, exchangeMean, graphMax, tokensMax := perTenant(before, after)
	if exchangeMax != 3 || exchangeMean != 2.5 || graphMax != 1 || tokensMax != 3 {
		t.Errorf("perTenant = %d, %v, %d, %d; want 3, 2.5, 1, 3", exchangeMax, exchangeMean, graphMax, tokensMax)
	}
}

func TestFleetResultJSONNames(t *testing.T) {
	line, err := json.Marshal(fleetResult{Tenants: 50, Mode: modePerResource, CLI: "OpenTofu v1.12.6"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tenants", "mode", "parallelism", "apply_wall_ms", "plan_wall_ms", "peak_plugin_rss_mib",
		"exchange_calls_per_tenant", "tokens_per_tenant", "cli"} {
		if _, ok := got[name]; !ok {
			t.Errorf("the JSON line has no %q: %s", name, line)
		}
	}
	if bytes.ContainsRune(line, '\n') {
		t.Errorf("the JSON line spans lines: %s", line)
	}
}

func TestFleetForEachRefusesTerraform(t *testing.T) {
	cli := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(cli, []byte("#!/bin/sh\necho Terraform v1.11.4\necho on linux_amd64\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := runFleet(context.Background(), []string{"-mode", modeForEach, "-cli", cli, "-provider", cli}, &out)
	if err == nil || !strings.Contains(err.Error(), "needs OpenTofu") || !strings.Contains(err.Error(), "Terraform v1.11.4") {
		t.Errorf("runFleet = %v, want a refusal naming OpenTofu and the CLI's version", err)
	}
	if out.Len() > 0 {
		t.Errorf("a refused run printed %q", out.String())
	}
}

func TestCLINameSkipsConfigurationWarnings(t *testing.T) {
	out := "\nWarning: Unable to open CLI configuration file\n\nThe CLI configuration file at \"/root/.terraformrc\" " +
		"does not exist.\nOpenTofu v1.12.6\non linux_amd64\n"
	if got := cliName(out); got != "OpenTofu v1.12.6" {
		t.Errorf("cliName = %q, want OpenTofu v1.12.6", got)
	}
}

func TestCheckBaselineNamesATenantWithoutIt(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{Tenants: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	err = checkBaseline(srv)
	if err == nil || !strings.Contains(err.Error(), emulator.BuiltinDomain) || !strings.Contains(err.Error(), "0 policies, want 3") {
		t.Errorf("checkBaseline of new tenants = %v, want an error naming %s and its 0 policies", err, emulator.BuiltinDomain)
	}
}
