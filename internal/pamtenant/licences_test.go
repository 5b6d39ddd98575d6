package pamtenant

import (
	"strings"
	"testing"
)

func TestIncludesPAM(t *testing.T) {
	e3 := Sku{SkuPartNumber: "SPE_E3", ServicePlans: []string{"EXCHANGE_S_ENTERPRISE"}}
	e5 := Sku{SkuPartNumber: "SPE_E5", ServicePlans: []string{"PAM_ENTERPRISE"}}
	addOn := Sku{SkuPartNumber: "SOME_ADDON", ServicePlans: []string{"pam_enterprise"}}
	o365E5 := Sku{SkuPartNumber: "ENTERPRISEPREMIUM"} // plans reported under other names
	cases := map[string]struct {
		skus []Sku
		want bool
	}{
		"no licence":                      {nil, false},
		"E3 alone":                        {[]Sku{e3}, false},
		"E5":                              {[]Sku{e5}, true},
		"E3 with a PAM service plan":      {[]Sku{e3, addOn}, true},
		"qualifying part number, no plan": {[]Sku{o365E5}, true},
	}
	for name, tc := range cases {
		if got := IncludesPAM(tc.skus); got != tc.want {
			t.Errorf("%s: IncludesPAM = %v, want %v", name, got, tc.want)
		}
	}
}

func TestPAMSkus(t *testing.T) {
	skus := []Sku{
		{SkuPartNumber: "SPE_E3", ServicePlans: []string{"EXCHANGE_S_ENTERPRISE"}},
		{SkuPartNumber: "SPE_E5", ServicePlans: []string{"PAM_ENTERPRISE"}},
		{SkuPartNumber: "ENTERPRISEPREMIUM"},
	}
	var got []string
	for _, sku := range PAMSkus(skus) {
		got = append(got, sku.SkuPartNumber)
	}
	if strings.Join(got, ",") != "SPE_E5,ENTERPRISEPREMIUM" {
		t.Errorf("PAMSkus kept %v, want SPE_E5 and ENTERPRISEPREMIUM", got)
	}
	if PAMSkus(skus[:1]) != nil {
		t.Error("PAMSkus of E3 alone is not empty")
	}
}
