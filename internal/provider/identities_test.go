package provider

import (
	"reflect"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

func TestSpellingsForKeepsPriorSpellingOfTheSamePerson(t *testing.T) {
	adele := pamtenant.User{
		ID: "0b1c", UserPrincipalName: "adele.vance@contoso.onmicrosoft.com", Mail: "Adele.Vance@contoso.com",
		ProxyAddresses: []string{"SMTP:Adele.Vance@contoso.com", "smtp:adele@contoso.onmicrosoft.com"},
	}
	lee := pamtenant.User{ID: "9f2e", UserPrincipalName: "lee.gu@contoso.onmicrosoft.com"}
	noUPN := pamtenant.User{ID: "77aa", Mail: "room@contoso.com"}

	cases := []struct {
		name  string
		prior []string
		want  []string
	}{
		{"no prior: UPN", nil, []string{"adele.vance@contoso.onmicrosoft.com", "lee.gu@contoso.onmicrosoft.com", "room@contoso.com"}},
		{"other case", []string{"ADELE.VANCE@contoso.onmicrosoft.com"}, []string{"ADELE.VANCE@contoso.onmicrosoft.com", "lee.gu@contoso.onmicrosoft.com", "room@contoso.com"}},
		{"by primary mail", []string{"adele.vance@contoso.com"}, []string{"adele.vance@contoso.com", "lee.gu@contoso.onmicrosoft.com", "room@contoso.com"}},
		{"by proxy address", []string{"adele@contoso.onmicrosoft.com"}, []string{"adele@contoso.onmicrosoft.com", "lee.gu@contoso.onmicrosoft.com", "room@contoso.com"}},
		{"by object id", []string{"0b1c"}, []string{"0b1c", "lee.gu@contoso.onmicrosoft.com", "room@contoso.com"}},
		{"someone else", []string{"megan.bowen@contoso.onmicrosoft.com"}, []string{"adele.vance@contoso.onmicrosoft.com", "lee.gu@contoso.onmicrosoft.com", "room@contoso.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := spellingsFor([]pamtenant.User{adele, lee, noUPN}, tc.prior)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("spellingsFor = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSameFold(t *testing.T) {
	if !sameFold([]string{"A@x.com", "b@x.com"}, []string{"b@X.com", "a@x.com"}) {
		t.Error("same people in other case and order should compare equal")
	}
	if sameFold([]string{"a@x.com", "a@x.com"}, []string{"a@x.com", "b@x.com"}) {
		t.Error("a repeated entry must not hide a missing one")
	}
	if sameFold([]string{"a@x.com"}, nil) {
		t.Error("different lengths compare unequal")
	}
}
