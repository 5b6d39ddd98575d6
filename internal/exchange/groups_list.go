package exchange

import (
	"context"
	"strconv"
)

// SecurityGroups lists the tenant's mail-enabled security groups, at most limit of them (every one
// when limit is 0), with one Get-DistributionGroup run: one service call per page of the answer.
func (c *Client) SecurityGroups(ctx context.Context, limit int) ([]DistributionGroup, error) {
	size := valueUnlimited
	if limit > 0 {
		size = strconv.Itoa(limit)
	}
	params := map[string]any{
		paramRecipientTypeDetails: []string{RecipientTypeSecurityGroup},
		paramResultSize:           size,
	}
	var groups []DistributionGroup
	err := c.invokeEach(ctx, cmdletGetDistributionGroup, params, func(r record) {
		groups = append(groups, decodeGroup(r))
	})
	if err != nil {
		return nil, err
	}
	return groups, nil
}
