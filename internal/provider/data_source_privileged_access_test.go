package provider

import (
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

func TestPrivilegedAccessData(t *testing.T) {
	m := privilegedAccessData(pamtenant.PrivilegedAccessStatus{Enabled: true}, "tenant-1")
	if !m.Enabled.ValueBool() || m.ID.ValueString() != "tenant-1" || !m.DefaultApproverGroup.IsNull() || !m.SystemAccounts.IsNull() {
		t.Errorf("unreported settings must be null: got %+v", m)
	}
	m = privilegedAccessData(pamtenant.PrivilegedAccessStatus{Enabled: true, AdminGroup: "g@contoso.com", SystemAccounts: []string{"s@contoso.com"}}, "t")
	if m.DefaultApproverGroup.ValueString() != "g@contoso.com" || len(m.SystemAccounts.Elements()) != 1 {
		t.Errorf("reported settings must show: got %+v", m)
	}
}
