package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

func envNote(names ...string) string {
	if len(names) == 1 {
		return fmt.Sprintf("Can also be set with the `%s` environment variable.", names[0])
	}
	return fmt.Sprintf("Can also be set with the `%s` environment variables, the first one set wins.",
		strings.Join(names, "`, `"))
}

// resolveSettings merges the provider block with the environment (the block wins) and checks
// what can be checked without signing in; each problem is reported on its attribute.
func resolveSettings(m providerModel, env connect.EnvLookup) (connect.Settings, diag.Diagnostics) {
	s, problems := connect.Resolve(inputsOf(m), env)
	var diags diag.Diagnostics
	for _, p := range problems {
		diags.AddAttributeError(path.Root(p.Attribute), p.Summary, p.Detail)
	}
	return s, diags
}

// inputsOf turns the provider block into the tenant layer's inputs: an unset (or not yet known)
// attribute leaves the setting to the environment.
func inputsOf(m providerModel) connect.Inputs {
	return connect.Inputs{
		TenantID: optString(m.TenantID), ClientID: optString(m.ClientID), ClientIDFilePath: optString(m.ClientIDFilePath),
		ClientSecret: optString(m.ClientSecret), ClientSecretFilePath: optString(m.ClientSecretFilePath),
		ClientCertificatePath: optString(m.ClientCertificatePath), ClientCertificate: optString(m.ClientCertificate),
		ClientCertificatePassword: optString(m.ClientCertificatePassword),
		UseOIDC:                   optBool(m.UseOIDC), OIDCToken: optString(m.OIDCToken), OIDCTokenFilePath: optString(m.OIDCTokenFilePath),
		OIDCRequestURL: optString(m.OIDCRequestURL), OIDCRequestToken: optString(m.OIDCRequestToken),
		ADOServiceConnectionID: optString(m.ADOServiceConnectionID),
		UseAKSWorkloadIdentity: optBool(m.UseAKSWorkloadIdentity), UseMSI: optBool(m.UseMSI),
		MSIEndpoint: optString(m.MSIEndpoint), UseCLI: optBool(m.UseCLI),
		Environment: optString(m.Environment), Organization: optString(m.Organization),
		AuthorityHost: optString(m.AuthorityHost), GraphEndpoint: optString(m.GraphEndpoint),
		ExchangeEndpoint: optString(m.ExchangeEndpoint),
	}
}

func optString(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func optBool(v types.Bool) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
}

// addConfigError turns a sign-in misconfiguration into one diagnostic on the attribute at fault.
func addConfigError(diags *diag.Diagnostics, err error) {
	var ce *auth.ConfigError
	if errors.As(err, &ce) {
		detail := ce.Detail
		if ce.EnvVar != "" {
			detail += fmt.Sprintf(" (attribute %s or environment variable %s)", ce.Attribute, ce.EnvVar)
		}
		if ce.Attribute != "" {
			diags.AddAttributeError(path.Root(ce.Attribute), ce.Summary, detail)
			return
		}
		diags.AddError(ce.Summary, detail)
		return
	}
	addServiceError(diags, "configure the o365pam provider", err, "")
}
