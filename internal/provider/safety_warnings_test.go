package provider_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// The safety checks' warnings, which the CLI harness cannot assert, seen through the provider's
// protocol server in process against the emulator: unit tests, which need no CLI and no TF_ACC.

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
