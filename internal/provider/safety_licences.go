package provider

import (
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// skuNames lists the part numbers of licences for a message, or "none".
func skuNames(skus []pamtenant.Sku) string {
	names := make([]string, 0, len(skus))
	for _, sku := range skus {
		names = append(names, sku.SkuPartNumber)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// assignedSkus are the subscriptions behind a user's assigned licences.
func assignedSkus(u pamtenant.User, subscribed []pamtenant.Sku) []pamtenant.Sku {
	var out []pamtenant.Sku
	for _, sku := range subscribed {
		if containsFold(u.SkuIDs, sku.SkuID) {
			out = append(out, sku)
		}
	}
	return out
}
