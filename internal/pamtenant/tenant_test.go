package pamtenant_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
	"github.com/zerostanding/terraform-provider-o365pam/internal/runenv"
)

const moveTask = `Exchange\New-MoveRequest`

// startEmulator starts an emulator without lags for this test.
func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	return startEmulatorWith(t, emulator.Options{})
}

// startEmulatorWith is startEmulator with options such as a seed.
func startEmulatorWith(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	ca, err := emulator.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	opts.CA = ca
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("starting the tenant emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// connect connects to the emulator as the provider does. Each connection has clients of its own:
// the Exchange client waits out the replication of what it created itself, so a test that reads
// a removed group back connects once to create it and once to remove it.
func connect(t *testing.T, srv *emulator.Server, clock runenv.Clock) *pamtenant.Clients {
	t.Helper()
	credential, _, err := auth.NewCredential(auth.Settings{
		TenantID: srv.TenantID(), ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(),
		AuthorityHost: srv.BaseURL() + "/", CustomAuthority: true, HTTPClient: srv.CA().HTTPClient(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return connectAs(t, srv, credential, clock)
}

// connectAs is connect signed in with credential.
func connectAs(t *testing.T, srv *emulator.Server, credential azcore.TokenCredential, clock runenv.Clock) *pamtenant.Clients {
	t.Helper()
	httpClient := srv.CA().HTTPClient()
	public, err := cloud.Lookup("public")
	if err != nil {
		t.Fatal(err)
	}
	public.GraphEndpoint, public.ExchangeEndpoint = srv.BaseURL()+"/graph", srv.BaseURL()+"/exchange"
	clients, err := pamtenant.Connect(context.Background(), pamtenant.Config{
		Cloud: public, Credential: credential, HTTPClient: httpClient,
		TenantID: srv.TenantID(), Organization: srv.Organization(), Clock: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	return clients
}

// must returns v, and stops the test (with a panic, which names it) when err is set.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func names(users []pamtenant.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = strings.ToLower(u.UserPrincipalName)
	}
	slices.Sort(out)
	return out
}

// TestWritesKeepTheRunsReadsTrue writes through every write method of the layer after the run has
// read what the write changes, and reads again in the same run: the read must show the write. A
// write that left the run's shared reads as they were would fail here.
func TestWritesKeepTheRunsReadsTrue(t *testing.T) {
	srv := startEmulator(t)
	clients, setup := connect(t, srv, nil), connect(t, srv, nil)
	ctx := context.Background()
	address := func(local string) string { return local + "@" + srv.Organization() }
	adele, alex := address("adele.vance"), address("alex.wilber")
	newGroup := func(run *pamtenant.Tenant, name string) *pamtenant.DistributionGroup {
		return must(run.CreateGroup(ctx, pamtenant.NewGroup{Name: name, PrimarySmtpAddress: address(name), Members: []string{adele}}))
	}

	t.Run("CreateGroup", func(t *testing.T) {
		run := pamtenant.New(clients)
		created := newGroup(run, "created")
		got := must(run.GroupSnapshot(ctx, address("created"), ""))
		if got.Group.GUID != created.GUID || !slices.Equal(names(got.Members), []string{adele}) {
			t.Errorf("read after create: %+v, want group %s with member %s", got, created.GUID, adele)
		}
	})

	t.Run("UpdateGroup", func(t *testing.T) {
		run := pamtenant.New(clients)
		g := newGroup(run, "renamed")
		if got := must(run.SecurityGroup(ctx, address("renamed"))); got.DisplayName != "renamed" {
			t.Fatalf("display name before the write: %q", got.DisplayName)
		}
		display := "Renamed approvers"
		if err := run.UpdateGroup(ctx, g.ExternalDirectoryObjectID, pamtenant.SetGroup{Identity: g.GUID, DisplayName: &display}); err != nil {
			t.Fatal(err)
		}
		if got := must(run.SecurityGroup(ctx, address("renamed"))); got.DisplayName != display {
			t.Errorf("read after update: display name %q, want %q", got.DisplayName, display)
		}
	})

	t.Run("ReplaceGroupMembers", func(t *testing.T) {
		run := pamtenant.New(clients)
		g := newGroup(run, "members")
		if got := must(run.GroupSnapshot(ctx, g.GUID, g.ExternalDirectoryObjectID)); !slices.Equal(names(got.Members), []string{adele}) {
			t.Fatalf("members before the write: %v", names(got.Members))
		}
		if err := run.ReplaceGroupMembers(ctx, g.GUID, g.ExternalDirectoryObjectID, []string{alex}); err != nil {
			t.Fatal(err)
		}
		if got := must(run.GroupSnapshot(ctx, g.GUID, g.ExternalDirectoryObjectID)); !slices.Equal(names(got.Members), []string{alex}) {
			t.Errorf("read after replacing members: %v, want [%s]", names(got.Members), alex)
		}
	})

	t.Run("RemoveGroup", func(t *testing.T) {
		run := pamtenant.New(clients)
		g := newGroup(pamtenant.New(setup), "removed")
		must(run.SecurityGroup(ctx, address("removed")))
		if err := run.RemoveGroup(ctx, g.GUID, g.ExternalDirectoryObjectID); err != nil {
			t.Fatal(err)
		}
		if got, err := run.SecurityGroup(ctx, address("removed")); !apierr.IsNotFound(err) {
			t.Errorf("read after remove: %+v, %v; want not found", got, err)
		}
	})

	approvers := address("approvers")
	newGroup(pamtenant.New(clients), "approvers")

	t.Run("EnablePrivilegedAccess", func(t *testing.T) {
		run := pamtenant.New(clients)
		if must(run.PrivilegedAccess(ctx)).Enabled {
			t.Fatal("privileged access is on before the write")
		}
		if err := run.EnablePrivilegedAccess(ctx, approvers, nil, false); err != nil {
			t.Fatal(err)
		}
		if !must(run.PrivilegedAccess(ctx)).Enabled {
			t.Error("read after enabling: privileged access is off")
		}
	})

	t.Run("DisablePrivilegedAccess", func(t *testing.T) {
		run := pamtenant.New(clients)
		if !must(run.PrivilegedAccess(ctx)).Enabled {
			t.Fatal("privileged access is off before the write")
		}
		if err := run.DisablePrivilegedAccess(ctx); err != nil {
			t.Fatal(err)
		}
		if must(run.PrivilegedAccess(ctx)).Enabled {
			t.Error("read after disabling: privileged access is on")
		}
		// The policies below need it on.
		if err := run.EnablePrivilegedAccess(ctx, approvers, nil, false); err != nil {
			t.Fatal(err)
		}
	})

	var policyID string
	t.Run("CreateApprovalPolicy", func(t *testing.T) {
		run := pamtenant.New(clients)
		if p := pamtenant.PolicyForTask(must(run.ApprovalPolicies(ctx)), moveTask); p != nil {
			t.Fatalf("a policy for %s before the write: %+v", moveTask, p)
		}
		created := must(run.CreateApprovalPolicy(ctx, pamtenant.NewPolicy{Task: moveTask, ApprovalType: pamtenant.ApprovalManual, ApproverGroup: approvers}))
		policyID = created.Identity
		if pamtenant.PolicyByID(must(run.ApprovalPolicies(ctx)), policyID) == nil {
			t.Errorf("read after create: no policy %s", policyID)
		}
	})

	t.Run("RemoveApprovalPolicy", func(t *testing.T) {
		run := pamtenant.New(clients)
		if pamtenant.PolicyByID(must(run.ApprovalPolicies(ctx)), policyID) == nil {
			t.Fatalf("no policy %s before the write", policyID)
		}
		if err := run.RemoveApprovalPolicy(ctx, policyID); err != nil {
			t.Fatal(err)
		}
		if p := pamtenant.PolicyByID(must(run.ApprovalPolicies(ctx)), policyID); p != nil {
			t.Errorf("read after remove: policy %s still listed", policyID)
		}
	})

	t.Run("RestoreApprovalPolicy", func(t *testing.T) {
		run := pamtenant.New(clients)
		if p := pamtenant.PolicyForTask(must(run.ApprovalPolicies(ctx)), moveTask); p != nil {
			t.Fatalf("a policy for %s before the write: %+v", moveTask, p)
		}
		restored := must(run.RestoreApprovalPolicy(ctx, pamtenant.NewPolicy{Task: moveTask, ApprovalType: pamtenant.ApprovalAuto,
			ApproverGroup: approvers, Replaces: policyID}))
		got := pamtenant.PolicyByID(must(run.ApprovalPolicies(ctx)), restored.Identity)
		if got == nil || !pamtenant.HasSettings(*got, pamtenant.ApprovalAuto, approvers) {
			t.Errorf("read after restore: %+v, want an Auto policy %s", got, restored.Identity)
		}
	})
}

// fakeClock moves on by every wait at once, and notes the waits.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	active bool // only waits after the test's setup are noted
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	if c.active {
		c.slept = append(c.slept, d)
	}
	return ctx.Err()
}

// TestRestoreWaitsOnTheRunsClock shows that the waits between tries of a rollback run on the
// configured clock, so a test drives them without waiting.
func TestRestoreWaitsOnTheRunsClock(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv := startEmulator(t)
	clients := connect(t, srv, clock)
	ctx := context.Background()
	run := pamtenant.New(clients)
	approvers := "approvers@" + srv.Organization()
	must(run.CreateGroup(ctx, pamtenant.NewGroup{Name: "approvers", PrimarySmtpAddress: approvers}))
	if err := run.EnablePrivilegedAccess(ctx, approvers, nil, false); err != nil {
		t.Fatal(err)
	}

	srv.FailCmdlet("New-ElevatedAccessApprovalPolicy", 2, emulator.FaultRefused)
	clock.mu.Lock()
	clock.active = true
	clock.mu.Unlock()
	start := time.Now()
	restored := must(run.RestoreApprovalPolicy(ctx, pamtenant.NewPolicy{Task: moveTask, ApprovalType: pamtenant.ApprovalManual, ApproverGroup: approvers}))
	if restored.Task != moveTask {
		t.Errorf("restored %+v, want a policy for %s", restored, moveTask)
	}
	if want := []time.Duration{2 * time.Second, 4 * time.Second}; !slices.Equal(clock.slept, want) {
		t.Errorf("waits %v, want %v", clock.slept, want)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the restore took %s of real time; its waits should have run on the test's clock", took)
	}
}

// A tenant id given in upper case is the same tenant: Clients carry it in lower case, the spelling
// state records and configurations validate, so that the two never differ by case alone.
func TestConnectWritesTheTenantIDInLowerCase(t *testing.T) {
	srv := startEmulator(t)
	public, err := cloud.Lookup("public")
	if err != nil {
		t.Fatal(err)
	}
	public.GraphEndpoint, public.ExchangeEndpoint = srv.BaseURL()+"/graph", srv.BaseURL()+"/exchange"
	credential, _, err := auth.NewCredential(auth.Settings{
		TenantID: srv.TenantID(), ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(),
		AuthorityHost: srv.BaseURL() + "/", CustomAuthority: true, HTTPClient: srv.CA().HTTPClient(),
	})
	if err != nil {
		t.Fatal(err)
	}
	clients, err := pamtenant.Connect(context.Background(), pamtenant.Config{
		Cloud: public, Credential: credential, HTTPClient: srv.CA().HTTPClient(),
		TenantID: strings.ToUpper(srv.TenantID()), Organization: srv.Organization(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if clients.TenantID != srv.TenantID() {
		t.Errorf("TenantID = %q, want %q", clients.TenantID, srv.TenantID())
	}
}
