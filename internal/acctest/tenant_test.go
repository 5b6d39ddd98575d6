package acctest

import (
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

func TestMain(m *testing.M) { Main(m) }

func TestNewTenantIsTheBuiltinTenant(t *testing.T) {
	if Live() {
		t.Skip("checks the emulator's built-in tenant")
	}
	tn := NewTenant(t)
	settings := tn.ProviderSettings()
	if settings["tenant_id"] != emulator.BuiltinTenantID || settings["organization"] != emulator.BuiltinDomain ||
		settings["client_id"] != emulator.BuiltinClientID || settings["client_secret"] != emulator.BuiltinClientSecret ||
		settings["authority_host"] != tn.Server.BaseURL()+"/" || settings["graph_endpoint"] != tn.Server.BaseURL()+"/graph" ||
		settings["exchange_endpoint"] != tn.Server.BaseURL()+"/exchange" || len(settings) != 7 {
		t.Fatalf("settings %v", settings)
	}
	if len(tn.Server.Tenants()) != 1 || tn.Hosted != tn.Server.Tenants()[0] || tn.Server.FleetFile() != "" {
		t.Fatal("NewTenant hosts one tenant and writes no fleet file")
	}
}

func TestNewFleetGivesEachTenantItsOwnSettingsAndState(t *testing.T) {
	if Live() {
		t.Skip("needs the tenant emulator")
	}
	// Lags off: the out-of-band create below need not wait for replication.
	fleet := NewFleetWith(t, 3, emulator.Options{ReplicationLag: -1, ObjectIDLag: -1})
	if len(fleet) != 3 || fleet[0].TenantID() != emulator.BuiltinTenantID || fleet[1].Server != fleet[2].Server {
		t.Fatal("one emulator, the built-in tenant first")
	}
	last := fleet[2]
	settings := last.ProviderSettings()
	if settings["tenant_id"] != last.TenantID() || settings["organization"] != last.Domain() || last.Domain() != "fleet0002.onmicrosoft.com" ||
		settings["client_id"] != emulator.BuiltinClientID || !strings.Contains(last.ProviderConfig(), last.TenantID()) {
		t.Fatalf("settings %v", settings)
	}
	last.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "approvers", "Type": "Security",
		"Members": []string{last.Address("adele.vance")}})
	for i, tn := range fleet {
		want := 0
		if tn == last {
			want = 1
		}
		if got := len(tn.Hosted.Snapshot().Groups); got != want {
			t.Fatalf("tenant %d has %d groups, want %d", i, got, want)
		}
		if got := len(tn.Exchange(t, "Get-DistributionGroup", nil)); got != want {
			t.Fatalf("tenant %d lists %d groups, want %d", i, got, want)
		}
	}
	if got := last.Hosted.Stats().Cmdlets["New-DistributionGroup"]; got != 1 {
		t.Fatalf("the last tenant counted %d creates", got)
	}
	if _, err := fleet[0].TryExchangeAs("megan.bowen@"+last.Domain(), "Get-OrganizationConfig", nil); err == nil {
		t.Fatal("a user of another tenant signed in")
	}
	if _, err := last.TryExchangeAs("megan.bowen@"+last.Domain(), "Get-OrganizationConfig", nil); err != nil {
		t.Fatalf("the tenant's own admin: %v", err)
	}
}
