package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// The plan-time safety checks. Errors are asserted through the CLI; warnings, which the CLI harness
// cannot assert, through the provider's protocol server (planNew), and the CLI shows that a plan
// with all of them still succeeds.

func TestAccSafety_errorsAtPlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approval_policy" "typo" {
  task           = %q
  approver_group = %q
}
`, moveTask, tn.Address("no-such-group")),
				PlanOnly:    true,
				ExpectError: errorMatching("Approver group not found", "Exchange has no group "+tn.Address("no-such-group")),
			},
			{
				PreConfig: func() { outOfBandGroup(t, tn) },
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
  system_accounts        = [%q]
}
`, tn.Address("other-approvers"), tn.Address("no.such.account")),
				PlanOnly:    true,
				ExpectError: errorMatching("System account is not a user", tn.Address("no.such.account")),
			},
			{
				PreConfig: func() {
					for i := len(tn.Exchange(t, "Get-ElevatedAccessApprovalPolicy", nil)); i < 30; i++ {
						tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
							"Task": fmt.Sprintf(`Exchange\Set-Thing%d`, i), "ApprovalType": "Auto", "ApproverGroup": tn.Address("other-approvers"),
						})
					}
				},
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approval_policy" "extra" {
  task           = %q
  approver_group = %q
}
`, setMailboxTask, tn.Address("other-approvers")),
				// Policies made by hand are never planned, so the plan only warns; the apply refuses the create.
				ExpectError: errorMatching("Approval policy limit reached", "would then hold 31 approval policies"),
			},
		},
	})
}

func TestAccSafety_noSubscription(t *testing.T) {
	seed := emulator.BuiltinTenant()
	seed.Skus = nil
	for _, u := range seed.Users {
		u.SkuIDs = nil
	}
	tn := acctest.NewTenantWith(t, emulator.Options{Seed: seed})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber")) + accessHCL(),
			PlanOnly:    true,
			ExpectError: errorMatching("No subscription includes privileged access management", "Tenant "+tn.Server.TenantID(), "it has: none"),
		}},
	})
}

// A configuration that trips every warning still plans.
func TestAccSafety_warningsDoNotStopThePlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             tn.ProviderConfig() + groupHCL(tn, tn.Address("nestor.wilke")) + accessHCL(tn.Address("nestor.wilke")),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

func TestSafety_approverGroupWarnings(t *testing.T) {
	tn := acctest.NewTenant(t)
	diags := planNew(t, tn, "o365pam_approver_group", map[string]tftypes.Value{
		"name":                 tftypes.NewValue(tftypes.String, "PAM Approvers"),
		"primary_smtp_address": tftypes.NewValue(tftypes.String, tn.Address("pam-approvers")),
		"members":              stringSetValue(tn.Address("nestor.wilke")),
	})
	wantWarnings(t, diags,
		warning{"members", "Approver group has a single approver", "only one member (" + tn.Address("nestor.wilke") + ")"},
		warning{"members", "Approvers without a privileged access licence", tn.Address("nestor.wilke") + " of " + tn.Address("pam-approvers") + " has no licence"},
	)

	licensedPair := planNew(t, tn, "o365pam_approver_group", map[string]tftypes.Value{
		"name":                 tftypes.NewValue(tftypes.String, "PAM Approvers"),
		"primary_smtp_address": tftypes.NewValue(tftypes.String, tn.Address("pam-approvers")),
		"members":              stringSetValue(tn.Address("adele.vance"), tn.Address("alex.wilber")),
	})
	wantWarnings(t, licensedPair)
}

func TestSafety_systemAccountApproverWarning(t *testing.T) {
	tn := acctest.NewTenant(t)
	group := tn.Address("other-approvers")
	tn.Exchange(t, "New-DistributionGroup", map[string]any{
		"Name": "other-approvers", "PrimarySmtpAddress": group, "Type": "Security",
		"Members": []string{tn.Address("lee.gu"), tn.Address("svc-sync")},
	})
	diags := planNew(t, tn, "o365pam_privileged_access", map[string]tftypes.Value{
		"default_approver_group": tftypes.NewValue(tftypes.String, group),
		"system_accounts":        stringSetValue(tn.Address("svc-sync")),
	})
	wantWarnings(t, diags, warning{"system_accounts", "System accounts are also approvers",
		tn.Address("svc-sync") + " is a system account, which privileged access does not apply to, and also a member of " +
			"the default approver group " + group})
}

type warning struct{ attr, summary, phrase string }

// wantWarnings checks that diags are exactly the given warnings, each on its attribute.
func wantWarnings(t *testing.T, diags []*tfprotov6.Diagnostic, want ...warning) {
	t.Helper()
	if len(diags) != len(want) {
		for _, d := range diags {
			t.Logf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
		}
		t.Fatalf("want %d warnings, got %d diagnostics", len(want), len(diags))
	}
	for i, w := range want {
		d := diags[i]
		if d.Severity != tfprotov6.DiagnosticSeverityWarning || d.Summary != w.summary || !strings.Contains(d.Detail, w.phrase) {
			t.Errorf("diagnostic %d: got %s %q %q, want warning %q containing %q", i, d.Severity, d.Summary, d.Detail, w.summary, w.phrase)
		}
		if !d.Attribute.Equal(tftypes.NewAttributePath().WithAttributeName(w.attr)) {
			t.Errorf("diagnostic %d: attribute %v, want %s", i, d.Attribute, w.attr)
		}
	}
}

// planNew plans a new resource through the provider's protocol server, configured for the tenant,
// and returns the diagnostics.
func planNew(t *testing.T, tn *acctest.Tenant, typeName string, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server, err := acctest.ProviderFactories["o365pam"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]tftypes.Value{"use_cli": tftypes.NewValue(tftypes.Bool, false)}
	for name, value := range tn.ProviderSettings() {
		settings[name] = tftypes.NewValue(tftypes.String, value)
	}
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: objectValue(t, schemas.Provider, settings)})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configuring the provider: %v %v", err, configured.Diagnostics)
	}
	schema := schemas.ResourceSchemas[typeName]
	config := objectValue(t, schema, attrs)
	planned, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: objectValue(t, schema, nil), ProposedNewState: config, Config: config,
	})
	if err != nil {
		t.Fatal(err)
	}
	return planned.Diagnostics
}

// objectValue builds a schema's object with the given attributes, the others null; nil attrs
// gives a null object.
func objectValue(t *testing.T, schema *tfprotov6.Schema, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ := schema.ValueType().(tftypes.Object)
	value := tftypes.NewValue(typ, nil)
	if attrs != nil {
		values := map[string]tftypes.Value{}
		for name, attrType := range typ.AttributeTypes {
			values[name] = tftypes.NewValue(attrType, nil)
			if v, ok := attrs[name]; ok {
				values[name] = v
			}
		}
		value = tftypes.NewValue(typ, values)
	}
	dv, err := tfprotov6.NewDynamicValue(typ, value)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func stringSetValue(values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, v := range values {
		elems[i] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
}
