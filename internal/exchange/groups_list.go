package exchange

import "context"

// SecurityGroups lists every mail-enabled security group of the organization in one cmdlet run
// (Get-DistributionGroup filtered to that kind, without the default limit of 1000), so that many
// groups can be read for the price of one call.
func (c *Client) SecurityGroups(ctx context.Context) ([]DistributionGroup, error) {
	values, err := c.Invoke(ctx, cmdletGetDistributionGroup, map[string]any{
		paramRecipientTypeDetails: []string{RecipientTypeSecurityGroup},
		paramResultSize:           valueUnlimited,
	})
	if err != nil {
		return nil, err
	}
	return decodeAll(values, decodeGroup), nil
}
