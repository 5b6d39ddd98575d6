package provider_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

const readinessAddress = "data.o365pam_tenant_readiness.this"

const readinessHCL = `
data "o365pam_tenant_readiness" "this" {}
`

// readinessIs checks attributes of the readiness data source, by name.
func readinessIs(checks map[string]knownvalue.Check) []statecheck.StateCheck {
	var out []statecheck.StateCheck
	for name, check := range checks {
		out = append(out, statecheck.ExpectKnownValue(readinessAddress, tfjsonpath.New(name), check))
	}
	return out
}

// problemsAre checks the problems, one pattern each, in order, and that ready says so.
func problemsAre(patterns ...string) map[string]knownvalue.Check {
	checks := make([]knownvalue.Check, len(patterns))
	for i, p := range patterns {
		checks[i] = knownvalue.StringRegexp(regexp.MustCompile(`(?s)` + p))
	}
	return map[string]knownvalue.Check{"problems": knownvalue.ListExact(checks), "ready": knownvalue.Bool(len(patterns) == 0)}
}

// with merges check maps; later ones win.
func with(maps ...map[string]knownvalue.Check) map[string]knownvalue.Check {
	out := map[string]knownvalue.Check{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// withOldPolicies gives a seed tenant n approval policies made long ago, for made-up tasks, all
// approved by the group other-approvers.
func withOldPolicies(n int) func(*emulator.Tenant) {
	return func(seed *emulator.Tenant) {
		const groupID = "6a000000-0000-4000-8000-000000000001"
		longAgo := time.Now().Add(-24 * time.Hour)
		address := "other-approvers@" + emulator.BuiltinDomain
		seed.Groups = append(seed.Groups, &emulator.Group{
			ID: groupID, GUID: "6a000000-0000-4000-9000-000000000001", Name: "other-approvers", DisplayName: "other-approvers",
			Alias: "other-approvers", PrimarySmtpAddress: address, EmailAddresses: []string{"SMTP:" + address},
			Security: true, Members: []string{seed.Users[3].ID}, MemberDepartRestriction: "Closed", MemberJoinRestriction: "Closed",
			WhenCreated: longAgo,
		})
		for i := range n {
			seed.Policies = append(seed.Policies, &emulator.Policy{ID: fmt.Sprintf("6b000000-0000-4000-8000-%012d", i),
				Task: fmt.Sprintf(`Exchange\Set-Thing%d`, i), ApprovalType: "Auto", ApproverGroupID: groupID, WhenCreated: longAgo})
		}
	}
}

// seedWith returns the built-in tenant changed by change, for a tenant that differs from the start.
func seedWith(change func(*emulator.Tenant)) emulator.Options {
	seed := emulator.BuiltinTenant()
	change(seed)
	return emulator.Options{Seed: seed}
}

func readinessTest(t *testing.T, tn *acctest.Tenant, steps ...resource.TestStep) {
	for i := range steps {
		if steps[i].Config == "" {
			steps[i].Config = tn.ProviderConfig() + readinessHCL
		}
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
}

func TestAccTenantReadiness_ready(t *testing.T) {
	tn := acctest.NewTenant(t)
	all := with(problemsAre(), map[string]knownvalue.Check{
		"tenant_id":                 knownvalue.StringExact(tn.TenantID()),
		"organization":              knownvalue.StringExact(tn.Domain()),
		"privileged_access_enabled": knownvalue.Bool(true),
		"approval_policies":         knownvalue.Int64Exact(2),
		"approval_policy_limit":     knownvalue.Int64Exact(30),
		"licensed":                  knownvalue.Bool(true),
		"licences":                  knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("SPE_E5")}),
		"role_management":           knownvalue.Bool(true),
	})
	readinessTest(t, tn,
		resource.TestStep{PreConfig: func() { outOfBandPAM(t, tn) }, ConfigStateChecks: readinessIs(all)},
		// A tenant the app cannot sign in to is not ready, and says why.
		resource.TestStep{
			Config: tn.ProviderConfig() + "data \"o365pam_tenant_readiness\" \"this\" {\n  tenant_id = \"0a6d2e94-5c1b-4f3e-8d7a-9b2c4e6f8a10\"\n}\n",
			ConfigStateChecks: readinessIs(with(problemsAre("cannot sign in to tenant 0a6d2e94-5c1b-4f3e-8d7a-9b2c4e6f8a10.*AADSTS90002"),
				map[string]knownvalue.Check{"organization": knownvalue.Null(), "licensed": knownvalue.Null()})),
		},
		resource.TestStep{
			Config:      tn.ProviderConfig() + "data \"o365pam_tenant_readiness\" \"this\" {\n  tenant_id = \"0A6D2E94-5C1B-4F3E-8D7A-9B2C4E6F8A10\"\n}\n",
			ExpectError: errorMatching("must be the tenant's GUID in lower case"),
		},
		// Naming the provider's tenant reads the same.
		resource.TestStep{
			Config:            tn.ProviderConfig() + fmt.Sprintf("data \"o365pam_tenant_readiness\" \"this\" {\n  tenant_id = %q\n}\n", tn.TenantID()),
			ConfigStateChecks: readinessIs(all),
		},
	)
}

// Privileged access off is reported, and is no problem: the baseline turns it on.
func TestAccTenantReadiness_privilegedAccessOff(t *testing.T) {
	tn := acctest.NewTenant(t)
	readinessTest(t, tn, resource.TestStep{ConfigStateChecks: readinessIs(with(problemsAre(), map[string]knownvalue.Check{
		"privileged_access_enabled": knownvalue.Bool(false),
		"approval_policies":         knownvalue.Int64Exact(0),
	}))})
}

func TestAccTenantReadiness_noPAMLicence(t *testing.T) {
	tn := acctest.NewTenantWith(t, seedWith(func(seed *emulator.Tenant) {
		// E3 without the PAM plan, assigned to everyone.
		seed.Skus[0].SkuPartNumber = "SPE_E3"
		seed.Skus[0].ServicePlans = slices.DeleteFunc(seed.Skus[0].ServicePlans, func(p emulator.ServicePlan) bool {
			return p.Name == "PAM_ENTERPRISE"
		})
	}))
	readinessTest(t, tn, resource.TestStep{ConfigStateChecks: readinessIs(with(
		problemsAre(`^No subscription of the tenant includes privileged access management \(it has: SPE_E3\)\. Subscribe`),
		map[string]knownvalue.Check{
			"licensed":        knownvalue.Bool(false),
			"licences":        knownvalue.SetExact([]knownvalue.Check{}),
			"role_management": knownvalue.Bool(true),
		}))})
}

// One policy below the limit the tenant is ready; at the limit no policy can be added. The tenant
// starts with 29 policies made long ago; another admin adds the 30th.
func TestAccTenantReadiness_policyLimit(t *testing.T) {
	tn := acctest.NewTenantWith(t, seedWith(withOldPolicies(29)))
	readinessTest(t, tn,
		resource.TestStep{
			ConfigStateChecks: readinessIs(with(problemsAre(), map[string]knownvalue.Check{"approval_policies": knownvalue.Int64Exact(29)})),
		},
		resource.TestStep{
			PreConfig: func() {
				tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
					"Task": setMailboxTask, "ApprovalType": "Auto", "ApproverGroup": tn.Address("other-approvers"),
				})
			},
			ConfigStateChecks: readinessIs(with(
				problemsAre(`^The tenant holds 30 approval policies, the most Exchange allows in one organization \(30\), so no policy can be added\.`),
				map[string]knownvalue.Check{"approval_policies": knownvalue.Int64Exact(30)})),
		},
	)
}

// The provider's app holds an Entra role that grants no Exchange rights, and Exchange lists no
// Role Management for it.
func TestAccTenantReadiness_noRoleManagement(t *testing.T) {
	tn := acctest.NewTenantWith(t, seedWith(func(seed *emulator.Tenant) { seed.Apps[0].EntraRoles = []string{"Directory Readers"} }))
	readinessTest(t, tn, resource.TestStep{ConfigStateChecks: readinessIs(with(
		problemsAre(`^The app `+regexp.QuoteMeta(emulator.BuiltinClientID)+` holds neither the Entra role Exchange Administrator`),
		map[string]knownvalue.Check{"role_management": knownvalue.Bool(false), "licensed": knownvalue.Bool(true)}))})
}

// A check that cannot be read (here Microsoft Graph refuses the subscriptions: the app lacks
// Organization.Read.All) is a problem, not an error, and the other checks are still made.
func TestAccTenantReadiness_unreadableCheckIsAProblem(t *testing.T) {
	tn := acctest.NewTenantWith(t, seedWith(func(seed *emulator.Tenant) {
		seed.Apps[0].GraphRoles = []string{"Group.Read.All", "User.Read.All"}
	}))
	readinessTest(t, tn, resource.TestStep{ConfigStateChecks: readinessIs(with(
		problemsAre(`^The tenant's subscriptions \(Microsoft Graph\) could not be read: .*403.*lacks a permission`),
		map[string]knownvalue.Check{
			"licensed":                  knownvalue.Null(),
			"licences":                  knownvalue.Null(),
			"privileged_access_enabled": knownvalue.Bool(false),
			"role_management":           knownvalue.Bool(true),
		}))})
}

// A tenant whose sign-in fails is not ready, with the sign-in error as its problem, so that a
// fleet's readiness report lists it instead of failing.
func TestAccTenantReadiness_signInFailureIsAProblem(t *testing.T) {
	tn := acctest.NewTenant(t)
	readinessTest(t, tn, resource.TestStep{
		Config:            tn.ProviderConfigWith(map[string]string{"client_secret": "wrong-secret"}) + readinessHCL,
		ConfigStateChecks: readinessIs(problemsAre("cannot sign in to tenant " + tn.TenantID() + ".*signing in with a client secret.*authentication failed")),
	})
}

// Issue 21: one provider configuration reads the readiness of every tenant of a fleet.
func TestAccTenantReadiness_fleet(t *testing.T) {
	fleet := acctest.NewFleet(t, 3)
	fleet[2].Exchange(t, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": outOfBandGroup(t, fleet[2])})
	var config strings.Builder
	config.WriteString(fleet[0].FleetProviderConfig(""))
	var checks []statecheck.StateCheck
	for i, tn := range fleet {
		fmt.Fprintf(&config, "data \"o365pam_tenant_readiness\" \"t%d\" {\n  tenant_id = %q\n}\n", i, tn.TenantID())
		address := fmt.Sprintf("data.o365pam_tenant_readiness.t%d", i)
		checks = append(checks,
			statecheck.ExpectKnownValue(address, tfjsonpath.New("organization"), knownvalue.StringExact(tn.Domain())),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("privileged_access_enabled"), knownvalue.Bool(i == 2)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("ready"), knownvalue.Bool(true)))
	}
	readinessTest(t, fleet[0], resource.TestStep{Config: config.String(), ConfigStateChecks: checks})
}
