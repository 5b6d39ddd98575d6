package acctest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// Live mode runs the acceptance tests against a real tenant instead of the emulator. It is opt-in
// because the tests create and delete groups and policies and turn privileged access on and off.
const (
	envLive       = "O365PAM_ACC_LIVE"    // "1" to opt in
	envLiveDomain = "O365PAM_LIVE_DOMAIN" // the accepted domain for the addresses the tests make
	envLiveUsers  = "O365PAM_LIVE_USERS"  // the tenant's stand-ins for the emulator's users, in liveUserNames order
)

// liveUserNames are the emulator's built-in users the tests name; O365PAM_LIVE_USERS lists a real
// user for each, in this order. The first four must hold a privileged access licence; the last is
// used as a system account.
var liveUserNames = []string{"adele.vance", "alex.wilber", "megan.bowen", "lee.gu", "svc-sync"}

// organizationPAMProperty is the Get-OrganizationConfig property that shows whether privileged
// access is on (observed; its type is not known, so it is compared as text).
const organizationPAMProperty = "ElevatedAccessControl"

// Live reports whether the tests run against a real tenant.
func Live() bool { return os.Getenv(envLive) == "1" }

// liveTenant is what a test on a real tenant needs beyond the endpoints: which users stand in for
// the emulator's, and the suffix that makes this test's object names its own.
type liveTenant struct {
	users   map[string]string
	suffix  string
	created map[string]bool // addresses handed out for objects the test may create
}

// newLiveTenant connects to the tenant named by the ARM_* variables and removes, when the test
// ends, every group and policy it may have made, and turns privileged access off again if the
// test turned it on.
func newLiveTenant(t testing.TB) *Tenant {
	t.Helper()
	env := func(name string) string {
		v := strings.TrimSpace(os.Getenv(name))
		if v == "" {
			t.Fatalf("acctest: live mode (%s=1) needs %s; see README \"Live tenant tests\"", envLive, name)
		}
		return v
	}
	ep := endpoints{
		tenantID:     env("ARM_TENANT_ID"),
		clientID:     env("ARM_CLIENT_ID"),
		clientSecret: env("ARM_CLIENT_SECRET"),
		domain:       env(envLiveDomain),
		authority:    withDefault(os.Getenv("O365PAM_AUTHORITY_HOST"), "https://login.microsoftonline.com/"),
		exchange:     strings.TrimRight(withDefault(os.Getenv("O365PAM_EXCHANGE_ENDPOINT"), "https://outlook.office365.com"), "/"),
	}
	ep.organization = withDefault(os.Getenv("O365PAM_ORGANIZATION"), ep.domain)
	if !strings.HasSuffix(ep.authority, "/") {
		ep.authority += "/"
	}
	users := strings.Split(env(envLiveUsers), ",")
	if len(users) != len(liveUserNames) {
		t.Fatalf("acctest: %s must list %d users, comma-separated, standing in for %s (the first four licensed "+
			"for privileged access, the last a service account); it lists %d",
			envLiveUsers, len(liveUserNames), strings.Join(liveUserNames, ", "), len(users))
	}
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	live := &liveTenant{users: map[string]string{}, suffix: hex.EncodeToString(suffix), created: map[string]bool{}}
	for i, name := range liveUserNames {
		live.users[name] = strings.TrimSpace(users[i])
	}
	tn := &Tenant{ep: ep, live: live, http: &http.Client{}}
	pamBefore := tn.pamState(t)
	t.Cleanup(func() { tn.cleanUpLive(t, pamBefore) })
	return tn
}

func withDefault(v, fallback string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return fallback
}

// address maps an emulator user to its stand-in, and any other name to one carrying this test's
// suffix, which cleanUpLive later removes.
func (l *liveTenant) address(local, domain string) string {
	if user, ok := l.users[local]; ok {
		return user
	}
	address := local + "-" + l.suffix + "@" + domain
	l.created[strings.ToLower(address)] = true
	return address
}

func (tn *Tenant) pamState(t testing.TB) string {
	t.Helper()
	org := tn.Exchange(t, "Get-OrganizationConfig", nil)
	if len(org) == 0 {
		t.Fatal("acctest: Get-OrganizationConfig returned nothing")
	}
	return fmt.Sprint(org[0][organizationPAMProperty])
}

// cleanUpLive removes the policies that name this test's groups, turns privileged access off if
// the test turned it on, and removes the groups; it runs after Terraform's own destroy.
func (tn *Tenant) cleanUpLive(t testing.TB, pamBefore string) {
	t.Helper()
	ours := tn.live.created
	for _, p := range tn.Exchange(t, "Get-ElevatedAccessApprovalPolicy", nil) {
		if ours[strings.ToLower(fmt.Sprint(p["ApproverGroup"]))] {
			tn.Exchange(t, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
		}
	}
	if tn.pamState(t) != pamBefore {
		tn.Exchange(t, "Disable-ElevatedAccessControl", nil)
	}
	for address := range ours {
		if _, err := tn.TryExchange("Get-DistributionGroup", map[string]any{"Identity": address}); err != nil {
			continue // never made, or already removed
		}
		tn.Exchange(t, "Remove-DistributionGroup", map[string]any{"Identity": address, "BypassSecurityGroupManagerCheck": true})
	}
}
