package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

const setMailboxTask = `Exchange\Set-Mailbox`

// outOfBandPAM sets a tenant up by hand, as another admin would have: an approver group with
// lee.gu, privileged access on, a Manual policy for moveTask and an Auto one for Set-Mailbox.
func outOfBandPAM(t *testing.T, tn *acctest.Tenant) {
	group := outOfBandGroup(t, tn)
	tn.Exchange(t, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": group})
	for task, approval := range map[string]string{moveTask: "Manual", setMailboxTask: "Auto"} {
		tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{"Task": task, "ApprovalType": approval, "ApproverGroup": group})
	}
}

func TestAccDataSources_readTenant(t *testing.T) {
	tn := acctest.NewTenant(t)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				outOfBandPAM(t, tn)
				// One request approved at once by the Auto policy, one left pending.
				tn.Exchange(t, "New-ElevatedAccessRequest", map[string]any{"Task": setMailboxTask, "Reason": "auto", "DurationHours": 1})
				tn.Exchange(t, "New-ElevatedAccessRequest", map[string]any{"Task": moveTask, "Reason": "move a mailbox"})
			},
			Config: tn.ProviderConfig() + fmt.Sprintf(`
data "o365pam_privileged_access" "this" {}

data "o365pam_approval_policies" "all" {}

data "o365pam_approval_policies" "move" {
  task = "exchange\\new-moverequest"
}

data "o365pam_approver_group" "by_address" {
  primary_smtp_address = %[1]q
}

data "o365pam_approver_group" "by_id" {
  id = data.o365pam_approver_group.by_address.id
}

data "o365pam_access_requests" "pending" {
  status = "Pending"
}
`, tn.Address("other-approvers")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.o365pam_privileged_access.this", tfjsonpath.New("id"), knownvalue.StringExact(tn.Server.TenantID())),
				statecheck.ExpectKnownValue("data.o365pam_privileged_access.this", tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				// The service does not report these.
				statecheck.ExpectKnownValue("data.o365pam_privileged_access.this", tfjsonpath.New("default_approver_group"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.o365pam_privileged_access.this", tfjsonpath.New("system_accounts"), knownvalue.Null()),

				statecheck.ExpectKnownValue("data.o365pam_approval_policies.all", tfjsonpath.New("policies"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask), "approval_type": knownvalue.StringExact("Manual")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"task": knownvalue.StringExact(setMailboxTask), "approval_type": knownvalue.StringExact("Auto")}),
				})),
				statecheck.ExpectKnownValue("data.o365pam_approval_policies.move", tfjsonpath.New("policies"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":             knownvalue.StringRegexp(guidPattern),
						"task":           knownvalue.StringExact(moveTask),
						"approval_type":  knownvalue.StringExact("Manual"),
						"approver_group": knownvalue.StringExact(tn.Address("other-approvers")),
					}),
				})),

				statecheck.ExpectKnownValue("data.o365pam_approver_group.by_address", tfjsonpath.New("name"), knownvalue.StringExact("other-approvers")),
				statecheck.ExpectKnownValue("data.o365pam_approver_group.by_address", tfjsonpath.New("id"), knownvalue.StringRegexp(guidPattern)),
				statecheck.ExpectKnownValue("data.o365pam_approver_group.by_address", tfjsonpath.New("object_id"), knownvalue.StringRegexp(guidPattern)),
				statecheck.ExpectKnownValue("data.o365pam_approver_group.by_address", tfjsonpath.New("members"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(tn.Address("lee.gu"))})),
				statecheck.ExpectKnownValue("data.o365pam_approver_group.by_address", tfjsonpath.New("description"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.o365pam_approver_group.by_id", tfjsonpath.New("primary_smtp_address"),
					knownvalue.StringExact(tn.Address("other-approvers"))),
				statecheck.ExpectKnownValue("data.o365pam_approver_group.by_id", tfjsonpath.New("members"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(tn.Address("lee.gu"))})),

				statecheck.ExpectKnownValue("data.o365pam_access_requests.pending", tfjsonpath.New("requests"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id":             knownvalue.StringRegexp(guidPattern),
						"status":         knownvalue.StringExact("Pending"),
						"task":           knownvalue.StringExact(moveTask),
						"reason":         knownvalue.StringExact("move a mailbox"),
						"duration_hours": knownvalue.Int64Exact(4),
						"requester":      knownvalue.StringExact(tn.Server.ClientID()),
					}),
				})),
			},
		}},
	})
}

// rfc3339UTC matches the times the data sources write.
var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// An audit job reads who answered each request and which grants are in force.
func TestAccDataSources_whoApproved(t *testing.T) {
	tn := acctest.NewTenant(t)
	approver := tn.Address("lee.gu")
	answer := func(cmdlet, requestID, comment string) {
		if _, err := tn.TryExchangeAs(approver, cmdlet, map[string]any{"RequestId": requestID, "Comment": comment}); err != nil {
			t.Fatalf("%s as %s: %v", cmdlet, approver, err)
		}
	}
	file := func(task, reason string) string {
		return fmt.Sprint(tn.Exchange(t, "New-ElevatedAccessRequest", map[string]any{"Task": task, "Reason": reason})[0]["Identity"])
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				outOfBandPAM(t, tn)
				// Approved at once by the Auto policy, then revoked by an admin.
				auto := file(setMailboxTask, "mailbox settings")
				tn.Exchange(t, "Revoke-ElevatedAccessAuthorization", map[string]any{"RequestId": auto, "Comment": "finished early"})
				answer("Approve-ElevatedAccessRequest", file(moveTask, "move a mailbox"), "approved for the migration")
				answer("Deny-ElevatedAccessRequest", file(moveTask, "move another"), "not during the freeze")
			},
			Config: tn.ProviderConfig() + `
data "o365pam_access_requests" "approved_moves" {
  status = "Approved"
  task   = "Exchange\\New-MoveRequest"
}

data "o365pam_access_requests" "denied" {
  status = "Denied"
}

data "o365pam_access_requests" "auto" {
  task = "Exchange\\Set-Mailbox"
}

data "o365pam_access_authorizations" "active" {
  active = true
}

data "o365pam_access_authorizations" "ended" {
  active = false
}

data "o365pam_access_authorizations" "moves" {
  authorized_access = "exchange\\new-moverequest"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.o365pam_access_requests.approved_moves", tfjsonpath.New("requests"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"reason":      knownvalue.StringExact("move a mailbox"),
						"approved_by": knownvalue.StringExact(approver),
						"comment":     knownvalue.StringExact("approved for the migration"),
					}),
				})),
				statecheck.ExpectKnownValue("data.o365pam_access_requests.denied", tfjsonpath.New("requests"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"reason":      knownvalue.StringExact("move another"),
						"approved_by": knownvalue.StringExact(approver),
						"comment":     knownvalue.StringExact("not during the freeze"),
					}),
				})),
				statecheck.ExpectKnownValue("data.o365pam_access_requests.auto", tfjsonpath.New("requests"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"status":      knownvalue.StringExact("Approved"),
						"approved_by": knownvalue.NotNull(),
						"comment":     knownvalue.Null(),
					}),
				})),

				// The denied request granted nothing; the revoked grant is no longer active.
				statecheck.ExpectKnownValue("data.o365pam_access_authorizations.active", tfjsonpath.New("authorizations"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                 knownvalue.StringRegexp(guidPattern),
						"type":               knownvalue.StringExact("Task"),
						"authorized_access":  knownvalue.StringExact(moveTask),
						"authorized_by":      knownvalue.StringExact(approver),
						"starts":             knownvalue.StringRegexp(rfc3339UTC),
						"ends":               knownvalue.StringRegexp(rfc3339UTC),
						"active":             knownvalue.Bool(true),
						"revoked":            knownvalue.Bool(false),
						"revoked_at":         knownvalue.Null(),
						"revoked_by":         knownvalue.Null(),
						"revocation_comment": knownvalue.Null(),
					}),
				})),
				statecheck.ExpectKnownValue("data.o365pam_access_authorizations.ended", tfjsonpath.New("authorizations"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"authorized_access": knownvalue.StringExact(setMailboxTask),
						"active":            knownvalue.Bool(false),
						"revoked":           knownvalue.Bool(true),
						"revoked_at":        knownvalue.StringRegexp(rfc3339UTC),
						// As documented: a directory path, not a UPN.
						"revoked_by": knownvalue.StringRegexp(regexp.MustCompile(
							`/Microsoft Exchange Hosted Organizations/[^/]+/` + regexp.QuoteMeta(tn.Server.ClientID()) + `$`)),
						"revocation_comment": knownvalue.StringExact("finished early"),
					}),
				})),
				statecheck.ExpectKnownValue("data.o365pam_access_authorizations.moves", tfjsonpath.New("authorizations"), knownvalue.ListSizeExact(1)),
			},
		}},
	})
}
