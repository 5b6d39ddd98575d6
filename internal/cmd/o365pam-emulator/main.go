// Command o365pam-emulator serves an emulated Microsoft 365 tenant (sign-in, Microsoft Graph
// and Exchange Online admin REST) over HTTPS on loopback, for tests and demos of the provider.
//
// When ready it prints only `export NAME=VALUE` lines on stdout, so
//
//	eval "$(o365pam-emulator -state tenant.json)"
//
// points a shell at it. With -tenants N it hosts N tenants and lists them in a JSON file named by
// O365PAM_EMULATOR_TENANTS. Request logs go to stderr. SIGINT or SIGTERM stops it and saves the state.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	if err := run(os.Args[1:], os.Stdout, os.Stderr, stop); err != nil {
		fmt.Fprintln(os.Stderr, "o365pam-emulator:", err)
		os.Exit(1)
	}
}

// run serves until stop delivers a signal; stdout gets only the export lines.
func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) error {
	fs := flag.NewFlagSet("o365pam-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8443", "listen address; port 0 picks a free port")
	statePath := fs.String("state", "", "persist the tenant as JSON in this file (loaded at start when present)")
	seedPath := fs.String("seed", "", "tenant JSON to start from (default: the built-in contoso tenant)")
	caFile := fs.String("ca-file", "", "where to write the CA certificate PEM (default: a temporary file)")
	failRate := fs.Float64("fail-rate", 0, "share of Graph and Exchange requests answered 429, 503 or the per-tenant concurrency error (0 to 1)")
	dropRate := fs.Float64("drop-after-commit-rate", 0, "share of successful Exchange writes whose connection is cut before the answer (0 to 1)")
	faultSeed := fs.Int64("fault-seed", 1, "seed for the fault choices; the same seed gives the same sequence")
	consistencyDelay := fs.Duration("consistency-delay", 0, "how long a change takes to show in Graph and Exchange reads")
	replicationLag := fs.Duration("replication-lag", 0, "how long a new group, policy or request stays \"not found\" to every Exchange call")
	objectIDLag := fs.Duration("object-id-lag", 0, "how long a new group has no ExternalDirectoryObjectId and is missing from Graph")
	tokenLifetime := fs.Duration("token-lifetime", time.Hour, "lifetime of issued access tokens")
	latency := fs.Duration("latency", 0, "added to every answer")
	elevatedAccessShape := fs.String("elevated-access-control", emulator.ShapeText,
		"how Get-OrganizationConfig shows ElevatedAccessControl: text, boolean or absent (to try a client on a shape it does not expect)")
	extraGroups := fs.Int("extra-groups", 0, "add this many mail-enabled security groups without members, as in a large tenant")
	tenants := fs.Int("tenants", 0, "host this many tenants, the starting one first and then generated ones, and list them all in a JSON file (O365PAM_EMULATOR_TENANTS)")
	tenantsFile := fs.String("tenants-file", "", "where to write the JSON list of tenants with -tenants (default: a temporary file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	opts := emulator.Options{
		Addr: *addr, StatePath: *statePath, CAFile: *caFile, Log: stderr,
		FailRate: *failRate, DropAfterCommitRate: *dropRate, FaultSeed: *faultSeed,
		ConsistencyDelay: *consistencyDelay, ReplicationLag: *replicationLag, ObjectIDLag: *objectIDLag,
		TokenLifetime: *tokenLifetime, Latency: *latency, ExtraGroups: *extraGroups,
		Tenants: *tenants, TenantsFile: *tenantsFile,
		ElevatedAccessControlShape: *elevatedAccessShape,
	}
	if *seedPath != "" {
		seed, err := emulator.ReadTenantFile(*seedPath)
		if err != nil {
			return err
		}
		opts.Seed = seed
	}
	srv, err := emulator.Start(opts)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, emulator.RenderExports(srv.Exports())); err != nil {
		_ = srv.Close()
		return err
	}
	fmt.Fprintf(stderr, "o365pam-emulator: serving %s (Ctrl-C to stop)\n", srv.BaseURL())
	sig := <-stop
	fmt.Fprintf(stderr, "o365pam-emulator: %s, shutting down\n", sig)
	err = srv.Close()
	st := srv.Stats()
	fmt.Fprintf(stderr, "o365pam-emulator: %d requests (%d token, %d Graph, %d Exchange), %d faulted %v\n",
		st.TokenRequests+st.GraphRequests+st.ExchangeRequests, st.TokenRequests, st.GraphRequests, st.ExchangeRequests,
		st.FaultedRequests, st.Faults)
	return err
}
