package emulator

import (
	"regexp"
	"strings"
)

// maxApprovalPolicies is the documented per-organization limit.
const maxApprovalPolicies = 30

// taskPattern accepts "Exchange\<Verb>-<Noun>"; the emulator does not check the cmdlet exists.
var taskPattern = regexp.MustCompile(`(?i)^Exchange\\[A-Za-z]+-[A-Za-z0-9]+$`)

func getOrganizationConfig(c *exchangeCall) ([]map[string]any, *cmdletError) {
	state := "Disabled"
	if c.t.PAM.Enabled {
		state = "Enabled"
	}
	org := c.t.InitialDomain()
	config := map[string]any{
		"Identity":              org,
		"Name":                  org,
		"DisplayName":           c.t.DisplayName,
		"Guid":                  exoGUID(c.t.OrgGUID),
		"ElevatedAccessControl": state,
		"IsDehydrated":          false,
	}
	switch c.elevatedAccessShape {
	case ShapeBoolean:
		config["ElevatedAccessControl"] = c.t.PAM.Enabled
	case ShapeAbsent:
		delete(config, "ElevatedAccessControl")
	}
	return []map[string]any{config}, nil
}

func enableElevatedAccessControl(c *exchangeCall) ([]map[string]any, *cmdletError) {
	if c.t.PAM.Enabled {
		return nil, errInvalidOperation("Elevated access control is already enabled for this organization. Run Disable-ElevatedAccessControl before enabling it with a different AdminGroup or SystemAccounts.")
	}
	address, _ := c.text("AdminGroup")
	g, cerr := c.t.approverGroup("AdminGroup", address)
	if cerr != nil {
		return nil, cerr
	}
	accounts, _ := c.list("SystemAccounts")
	ids, cerr := c.t.resolveUsers(accounts)
	if cerr != nil {
		return nil, cerr
	}
	c.t.PAM = PAMConfig{Enabled: true, AdminGroupID: g.ID, SystemAccounts: ids}
	return nil, nil
}

// disableElevatedAccessControl turns the control off; policies and groups stay.
func disableElevatedAccessControl(c *exchangeCall) ([]map[string]any, *cmdletError) {
	if !c.t.PAM.Enabled {
		return nil, errInvalidOperation("Elevated access control isn't enabled for this organization.")
	}
	c.t.PAM.Enabled = false
	return nil, nil
}

func (c *exchangeCall) policyOutput(p *Policy) map[string]any {
	approver := ""
	if g := c.t.groupByID(p.ApproverGroupID); g != nil {
		approver = g.PrimarySmtpAddress
	}
	return map[string]any{
		"Identity":       p.ID,
		"Guid":           exoGUID(p.ID),
		"Task":           p.Task,
		"ApprovalType":   p.ApprovalType,
		"ApproverGroup":  approver,
		"Type":           "Task",
		"Scope":          "Exchange",
		"WhenCreatedUTC": p.WhenCreated,
	}
}

func (t *Tenant) policyForTask(task string) *Policy {
	for _, p := range t.Policies {
		if strings.EqualFold(p.Task, task) {
			return p
		}
	}
	return nil
}

func (t *Tenant) policyByID(id string) (*Policy, int) {
	for i, p := range t.Policies {
		if strings.EqualFold(p.ID, id) {
			return p, i
		}
	}
	return nil, -1
}

func newApprovalPolicy(c *exchangeCall) ([]map[string]any, *cmdletError) {
	task, _ := c.text("Task")
	if !taskPattern.MatchString(task) {
		return nil, errArgument("The task '%s' isn't valid. Specify an Exchange management cmdlet as Exchange\\<Verb>-<Noun>, for example Exchange\\New-MoveRequest.", task)
	}
	address, _ := c.text("ApproverGroup")
	g, cerr := c.t.approverGroup("ApproverGroup", address)
	if cerr != nil {
		return nil, cerr
	}
	if existing := c.store.policyForTask(task); existing != nil {
		return nil, errAlreadyExists("An elevated access approval policy for task '%s' already exists: '%s'.", existing.Task, existing.ID)
	}
	if len(c.store.Policies) >= maxApprovalPolicies {
		return nil, errInvalidOperation("The organization has reached the limit of %d elevated access approval policies. Remove a policy before creating a new one.", maxApprovalPolicies)
	}
	approval, _ := c.text("ApprovalType")
	p := &Policy{ID: newGUID(), Task: task, ApprovalType: approval, ApproverGroupID: g.ID, WhenCreated: c.now}
	c.t.Policies = append(c.t.Policies, p)
	return []map[string]any{c.policyOutput(p)}, nil
}

func getApprovalPolicy(c *exchangeCall) ([]map[string]any, *cmdletError) {
	if id, given := c.text("Identity"); given {
		p, _ := c.t.policyByID(id)
		if p == nil {
			return nil, errObjectNotFound(id)
		}
		return []map[string]any{c.policyOutput(p)}, nil
	}
	var out []map[string]any
	for _, p := range c.t.Policies {
		out = append(out, c.policyOutput(p))
	}
	return out, nil
}

func removeApprovalPolicy(c *exchangeCall) ([]map[string]any, *cmdletError) {
	id, _ := c.text("Identity")
	p, i := c.t.policyByID(id)
	if p == nil {
		return nil, errObjectNotFound(id)
	}
	c.t.Policies = append(c.t.Policies[:i], c.t.Policies[i+1:]...)
	return nil, nil
}
