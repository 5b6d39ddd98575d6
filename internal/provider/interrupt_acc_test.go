package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// An apply interrupted with Ctrl-C part way through, then applied again (importing what the
// second apply names as left by the first), converges: every object once, nothing twice, and a
// plan with no changes.
func TestAccInterruptedApplyConverges(t *testing.T) {
	t.Parallel()
	// Latency makes the apply slow enough to interrupt while policies are being created.
	watch := acctest.NewCmdletWatch()
	tn := acctest.NewTenantWith(t, emulator.Options{Latency: 200 * time.Millisecond, Log: watch})
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
	// Interrupt once the service has answered the first policy create: the group and the
	// enablement are done, the policies are in flight or being read back.
	acctest.Wait(t, watch.Answered("New-ElevatedAccessApprovalPolicy", 1), 4*time.Minute, "the apply to reach the policies")
	if err := apply.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = apply.Wait() // an interrupted apply exits non-zero
	if !strings.Contains(output.String(), "Interrupt received") {
		t.Fatalf("the CLI did not see the interrupt:\n%s", output.String())
	}
	interrupted := time.Since(started)
	policiesAtInterrupt := len(tn.Server.Snapshot().Policies)

	// A policy whose create reached the service but not the state is not taken over: the second
	// apply names it with its import block, and importing it converges.
	if out, code := ws.run("apply", "-auto-approve", "-input=false"); code != 0 {
		var imports strings.Builder
		for _, p := range tn.Server.Snapshot().Policies {
			if strings.Contains(out, p.ID) {
				fmt.Fprintf(&imports, "import {\n  to = o365pam_approval_policy.tasks[%q]\n  id = %q\n}\n", p.Task, p.ID)
			}
		}
		if imports.Len() == 0 || !strings.Contains(out, "import {") {
			t.Fatalf("the second apply failed without naming the policies to import:\n%s", out)
		}
		writeFile(t, filepath.Join(ws.dir, "imports.tf"), imports.String())
		ws.mustRun("apply", "-auto-approve", "-input=false")
	}
	if err := checkQuickstartState(tn); err != nil {
		t.Fatalf("after the second apply: %v", err)
	}
	if out, code := ws.run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after the second apply exited %d (2 means changes):\n%s", code, out)
	}
	t.Logf("interrupted after %s; %d of 3 policies existed when the CLI stopped; second apply converged, plan empty, tenant checked, in %s total",
		interrupted.Round(time.Second), policiesAtInterrupt, time.Since(started).Round(time.Second))
}

// An apply killed after New-DistributionGroup answered leaves a group that state does not know.
// The next apply does not take it over: it fails with the import block to run, which then converges.
func TestAccApproverGroup_interruptedCreateAsksForImport(t *testing.T) {
	t.Parallel()
	// Reads show the new group only after a while, so the create is still reading it back when killed.
	watch := acctest.NewCmdletWatch()
	const readLag = 5 * time.Second
	tn := acctest.NewTenantWith(t, emulator.Options{Latency: 300 * time.Millisecond, ConsistencyDelay: readLag, Log: watch})
	config := cliProvider + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	ws := newCLIWorkspace(t, config, tenantEnv(tn)...)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var output syncBuffer
	apply := ws.command(ctx, "apply", "-auto-approve", "-input=false")
	apply.Stdout, apply.Stderr = &output, &output
	apply.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that the kill reaches the provider too
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	acctest.Wait(t, watch.Answered("New-DistributionGroup", 1), 4*time.Minute, "the apply to create the group")
	created := time.Now()
	// Past the create's answer, while the provider reads the group back: the group does not show
	// for 5 s, so the read that follows the create is one of several.
	acctest.Wait(t, watch.Answered("Get-DistributionGroup", watch.Count("Get-DistributionGroup")+1), 4*time.Minute,
		"the apply to read the new group back")
	if err := syscall.Kill(-apply.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = apply.Wait()
	if len(tn.Server.Snapshot().Groups) == 0 {
		t.Fatal("the killed apply created no group; the test did not interrupt what it means to")
	}

	out, code := ws.run("apply", "-auto-approve", "-input=false")
	for _, want := range []string{"exists already", "import {", "to = o365pam_approver_group.", `id = "` + tn.Address("pam-approvers") + `"`} {
		if code == 0 || !strings.Contains(out, want) {
			t.Fatalf("the apply after the kill exited %d without %q:\n%s", code, want, out)
		}
	}
	// As a user would, import once Exchange shows the new group: reads show it only after readLag.
	<-time.After(time.Until(created.Add(readLag)))
	writeFile(t, filepath.Join(ws.dir, "main.tf"), config+fmt.Sprintf(`
import {
  to = o365pam_approver_group.approvers
  id = %q
}
`, tn.Address("pam-approvers")))
	ws.mustRun("apply", "-auto-approve", "-input=false")
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the import exited %d, want 0:\n%s", code, out)
	}
	if n := len(tn.Server.Snapshot().Groups); n != 1 {
		t.Fatalf("the tenant has %d groups, want the one", n)
	}
}
