package provider

import (
	"context"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestDurationValidator(t *testing.T) {
	for value, ok := range map[string]bool{"30m": true, "1h30m": true, "10s": true, "0s": false, "-5m": false, "soon": false, "30": false} {
		req := validator.StringRequest{Path: path.Root("approval_timeout"), ConfigValue: types.StringValue(value)}
		var resp validator.StringResponse
		durationValidator{}.ValidateString(context.Background(), req, &resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%q: error = %v, want valid = %v", value, resp.Diagnostics.HasError(), ok)
		}
	}
}

func TestWholeNumberAtLeast(t *testing.T) {
	for value, ok := range map[float64]bool{1: true, 4: true, 72: true, 0: false, 1.5: false, -2: false} {
		req := validator.NumberRequest{Path: path.Root("duration_hours"), ConfigValue: types.NumberValue(big.NewFloat(value))}
		var resp validator.NumberResponse
		wholeNumberAtLeast{min: 1}.ValidateNumber(context.Background(), req, &resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%v: error = %v, want valid = %v", value, resp.Diagnostics.HasError(), ok)
		}
	}
}
