package provider

import (
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

func TestNotSecurityGroupDetail(t *testing.T) {
	got := notSecurityGroupDetail("all@contoso.com", pamtenant.DistributionGroup{RecipientTypeDetails: "MailUniversalDistributionGroup"})
	for _, want := range []string{"all@contoso.com is a distribution list (MailUniversalDistributionGroup)", "not a mail-enabled security group"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
