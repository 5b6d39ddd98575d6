package acctest

import (
	"context"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// SavedPlanThen is a plan check that changes the tenant between a step's plan and its apply.
// terraform-plugin-testing saves every step's plan (`terraform plan -out`) and applies that file,
// running ConfigPlanChecks.PreApply in between, so a step with this check applies a saved plan that
// aged while another admin changed the tenant:
//
//	ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
//		acctest.SavedPlanThen(func() error { ...out-of-band change...; return nil }),
//	}},
//
// An error from change fails the step.
func SavedPlanThen(change func() error) plancheck.PlanCheck { return savedPlanChange(change) }

type savedPlanChange func() error

func (c savedPlanChange) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c()
}
