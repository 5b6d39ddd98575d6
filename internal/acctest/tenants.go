package acctest

import (
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// Fixed identifiers of the second tenant, so that tests can name it.
const (
	OtherTenantID     = "0a6d2e94-5c1b-4f3e-8d7a-9b2c4e6f8a10"
	OtherTenantDomain = "fabrikam.onmicrosoft.com"
)

// NewOtherTenant starts an emulator for a second tenant, Fabrikam: the built-in tenant with its
// own tenant id and domain, so that one test can point a provider at two tenants (the mix-up of a
// CI variable). Its users have the built-in users' names in its own domain.
func NewOtherTenant(t testing.TB) *Tenant {
	t.Helper()
	seed := emulator.BuiltinTenant()
	seed.TenantID = OtherTenantID
	seed.DisplayName = "Fabrikam"
	seed.OrgGUID = "b2d4f6a8-1c3e-4a5b-9d7f-0e2c4a6b8d1f"
	seed.Domains = []emulator.Domain{{Name: OtherTenantDomain, IsDefault: true, IsInitial: true}}
	for _, u := range seed.Users {
		u.UserPrincipalName = strings.Replace(u.UserPrincipalName, emulator.BuiltinDomain, OtherTenantDomain, 1)
		u.ProxyAddresses = []string{"SMTP:" + u.UserPrincipalName}
	}
	return NewTenantWith(t, emulator.Options{Seed: seed})
}
