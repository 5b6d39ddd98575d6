package provider_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// An apply interrupted with Ctrl-C part way through, then applied again, converges: every object
// once, nothing twice, and a plan with no changes.
func TestAccInterruptedApplyConverges(t *testing.T) {
	t.Parallel()
	// Latency makes the apply slow enough to interrupt while policies are being created.
	tn := acctest.NewTenantWith(t, emulator.Options{Latency: 200 * time.Millisecond})
	quickstart, err := os.ReadFile(quickstartPath)
	if err != nil {
		t.Fatal(err)
	}
	ws := newCLIWorkspace(t, string(quickstart), tenantEnv(tn)...)
	started := time.Now()

	var output syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	apply := ws.command(ctx, "apply", "-auto-approve", "-input=false")
	apply.Stdout, apply.Stderr = &output, &output
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the first policy create has reached the service: the group and the
	// enablement are done, the policies are in flight.
	for tn.Server.Stats().Cmdlets["New-ElevatedAccessApprovalPolicy"] == 0 {
		if time.Since(started) > 4*time.Minute {
			t.Fatalf("the apply never reached the policies:\n%s", output.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := apply.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = apply.Wait() // an interrupted apply exits non-zero
	if !strings.Contains(output.String(), "Interrupt received") {
		t.Fatalf("the CLI did not see the interrupt:\n%s", output.String())
	}
	interrupted := time.Since(started)
	policiesAtInterrupt := len(tn.Server.Snapshot().Policies)

	ws.mustRun("apply", "-auto-approve", "-input=false")
	if err := checkQuickstartState(tn); err != nil {
		t.Fatalf("after the second apply: %v", err)
	}
	if out, code := ws.run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after the second apply exited %d (2 means changes):\n%s", code, out)
	}
	t.Logf("interrupted after %s; %d of 3 policies existed when the CLI stopped; second apply converged, plan empty, tenant checked, in %s total",
		interrupted.Round(time.Second), policiesAtInterrupt, time.Since(started).Round(time.Second))
}
