package emulator

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStateSurvivesRestart(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "tenant.json")
	h := start(t, Options{StatePath: statePath})
	h.newSecurityGroup("approvers", "lee.gu")
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(statePath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file %v %v", info, err)
	}
	again := start(t, Options{StatePath: statePath})
	got := again.mustInvoke(again.app(), "Get-DistributionGroupMember", map[string]any{"Identity": "approvers"})
	if len(got) != 1 || got[0]["WindowsLiveID"] != upn("lee.gu") {
		t.Fatalf("after restart %v", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(statePath), ".tenant.json.tmp-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

func TestStateWrittenAfterEveryChange(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "tenant.json")
	h := start(t, Options{StatePath: statePath})
	h.newSecurityGroup("approvers")
	saved, err := ReadTenantFile(statePath)
	if err != nil || len(saved.Groups) != 1 || saved.Groups[0].Name != "approvers" {
		t.Fatalf("state before Close: %+v %v", saved, err)
	}
}

func TestSeedIsUsedWhenNoStateExists(t *testing.T) {
	seed := BuiltinTenant()
	seed.DisplayName = "Seeded"
	seed.Users = seed.Users[:1]
	h := start(t, Options{Seed: seed})
	if snap := h.srv.Snapshot(); snap.DisplayName != "Seeded" || len(snap.Users) != 1 {
		t.Fatalf("seed ignored: %+v", snap)
	}
}
