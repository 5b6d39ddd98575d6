package pamtenant

import (
	"slices"
	"strings"
)

// The licence rule for privileged access management, kept in this one place.
// docs/development/service-facts.md lists
// the qualifying licences (documented): Microsoft 365 E5/A5, Office 365 E5, E3/A3 with the E5/A5
// Compliance add-on, any plan with the E5/A5 Insider Risk Management add-on, and the retired Office
// 365 Advanced Compliance add-on. A licence qualifies when it carries the service plan that delivers
// the feature, or, should a tenant report plans under other names, when its SKU part number is one
// of those products. The part numbers come from Microsoft's licensing reference (unverified on a
// live tenant); correct them here.
var (
	pamServicePlans = []string{"PAM_ENTERPRISE"} // "Office 365 Privileged Access Management"

	pamSkuPartNumbers = []string{
		"SPE_E5", "SPE_E5_NOPSTNCONF", // Microsoft 365 E5
		"M365EDU_A5_FACULTY", "M365EDU_A5_STUDENT", // Microsoft 365 A5
		"ENTERPRISEPREMIUM", "ENTERPRISEPREMIUM_NOPSTNCONF", // Office 365 E5
		"ENTERPRISEPREMIUM_FACULTY", "ENTERPRISEPREMIUM_STUDENT", // Office 365 A5
		"INFORMATION_PROTECTION_COMPLIANCE", // Microsoft 365 E5 Compliance add-on
		"EQUIVIO_ANALYTICS",                 // Office 365 Advanced Compliance (retired)
	}
)

// PAMLicenceNames is how messages name the qualifying licences.
const PAMLicenceNames = "Microsoft 365 E5 or A5, Office 365 E5, E3/A3 with the E5/A5 Compliance add-on, " +
	"or the E5/A5 Insider Risk Management add-on"

// IncludesPAM reports whether any of the licences (a user's, or the tenant's subscriptions)
// includes privileged access management.
func IncludesPAM(skus []Sku) bool {
	return slices.ContainsFunc(skus, skuIncludesPAM)
}

// PAMSkus keeps the licences that include privileged access management.
func PAMSkus(skus []Sku) []Sku {
	var out []Sku
	for _, sku := range skus {
		if skuIncludesPAM(sku) {
			out = append(out, sku)
		}
	}
	return out
}

func skuIncludesPAM(sku Sku) bool {
	return containsFold(pamSkuPartNumbers, sku.SkuPartNumber) ||
		slices.ContainsFunc(sku.ServicePlans, func(plan string) bool { return containsFold(pamServicePlans, plan) })
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}
