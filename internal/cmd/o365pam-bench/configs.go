package main

import (
	"fmt"
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// The benchmark's shape: approver groups of distinct members, and policies spread over them.
const (
	groupCount      = 10
	membersPerGroup = 5
	policyCount     = 30
)

// requireO365pam is the terraform block that names the provider's source, which the CLI
// configuration's dev_overrides serves.
const requireO365pam = `terraform {
  required_providers {
    o365pam = { source = "zerostanding/o365pam" }
  }
}
`

// benchTenant is the built-in tenant with one extra user per group member.
func benchTenant() *emulator.Tenant {
	t := emulator.BuiltinTenant()
	for i := range groupCount * membersPerGroup {
		alias := fmt.Sprintf("approver%02d", i)
		upn := alias + "@" + emulator.BuiltinDomain
		t.Users = append(t.Users, &emulator.User{
			ID:                fmt.Sprintf("b0000000-0000-4000-8000-%012d", i),
			ExchangeGUID:      fmt.Sprintf("e0000000-0000-4000-8000-%012d", i),
			UserPrincipalName: upn,
			DisplayName:       fmt.Sprintf("Approver %02d", i),
			Alias:             alias,
			ProxyAddresses:    []string{"SMTP:" + upn},
			AccountEnabled:    true,
		})
	}
	return t
}

// pamConfig manages the groups and policies.
func pamConfig() string {
	var b strings.Builder
	b.WriteString(requireO365pam + `
provider "o365pam" {
  use_cli = false
}
`)
	for g := range groupCount {
		members := make([]string, membersPerGroup)
		for m := range members {
			members[m] = fmt.Sprintf("%q", fmt.Sprintf("approver%02d@%s", g*membersPerGroup+m, emulator.BuiltinDomain))
		}
		fmt.Fprintf(&b, `
resource "o365pam_approver_group" "g%d" {
  name                 = "Bench Approvers %d"
  primary_smtp_address = "bench-approvers-%d@%s"
  members              = [%s]
}
`, g, g, g, emulator.BuiltinDomain, strings.Join(members, ", "))
	}
	for p := range policyCount {
		fmt.Fprintf(&b, `
resource "o365pam_approval_policy" "p%d" {
  task           = "Exchange\\New-BenchTask%02d"
  approver_group = o365pam_approver_group.g%d.primary_smtp_address
}
`, p, p, p%groupCount)
	}
	return b.String()
}

// floorConfig has as many resources, built into Terraform, with the same dependencies: what the
// CLI costs with no provider to start and no service to ask.
func floorConfig() string {
	var b strings.Builder
	for g := range groupCount {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"g%d\" {\n  input = \"bench-approvers-%d\"\n}\n\n", g, g)
	}
	for p := range policyCount {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"p%d\" {\n  input = terraform_data.g%d.output\n}\n\n", p, p%groupCount)
	}
	return b.String()
}

// nullConfig has the same objects and dependencies on the provider that calls no service.
func nullConfig() string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    benchnull = { source = "zerostanding/benchnull" }
  }
}
`)
	for g := range groupCount {
		members := make([]string, membersPerGroup)
		for m := range members {
			members[m] = fmt.Sprintf("%q", fmt.Sprintf("approver%02d", g*membersPerGroup+m))
		}
		fmt.Fprintf(&b, "\nresource \"benchnull_object\" \"g%d\" {\n  input   = \"bench-approvers-%d\"\n  members = [%s]\n}\n",
			g, g, strings.Join(members, ", "))
	}
	for p := range policyCount {
		fmt.Fprintf(&b, "\nresource \"benchnull_object\" \"p%d\" {\n  input = benchnull_object.g%d.output\n}\n", p, p%groupCount)
	}
	return b.String()
}
