//go:build tf114

package provider_test

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// What the tests that need Terraform 1.14 share: those of resource identity
// (resource_identity_acc_test.go), terraform query (list_resources_acc_test.go) and actions
// (action_access_request_acc_test.go). They build only with the tf114 tag, which `make test-tf114`
// sets together with Terraform 1.14; run with an older CLI they fail rather than skip.

const withTF114Examples = true

// tf114Only fails a test driven by a CLI older than Terraform 1.14.
var tf114Only = []tfversion.TerraformVersionCheck{tfversion.RequireAbove(tfversion.Version1_14_0)}

// requireTF114 fails a test that drives the CLI itself when that CLI is older than Terraform 1.14.
func requireTF114(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Fatal("acceptance test: set TF_ACC=1 (make test-tf114 does)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if v := cliVersion(t, cli); v.LessThan(tfversion.Version1_14_0) {
		t.Fatalf("this test needs Terraform 1.14 or later; %s is %s. Run make test-tf114.", cli, v)
	}
}

// tenantHCL manages one of each: an approver group, privileged access and a policy for moveTask.
func tenantHCL(tn *acctest.Tenant, approvalType string) string {
	return tn.ProviderConfig() + fullGroupHCL(tn, "PAM Approvers", "Approves Exchange tasks", tn.Address("adele.vance"), tn.Address("lee.gu")) +
		accessHCL() + policyHCL("move", moveTask, approvalType)
}
