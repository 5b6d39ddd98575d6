package emulator

import "strings"

// roleManagement is the Exchange role managing PAM needs (documented).
const roleManagement = "Role Management"

// getManagementRoleAssignment lists the Role Management assignments that reach a user: through
// the Organization Management role group, through Global Administrator (which Exchange maps to a
// role group holding it), or directly (chosen shapes). Other roles are not modelled and list
// nothing. An app is not an Exchange service principal here, so naming one is "not found"
// (chosen: its rights come from its Entra role).
func getManagementRoleAssignment(c *exchangeCall) ([]map[string]any, *cmdletError) {
	assignee, _ := c.text("RoleAssignee")
	role, given := c.text("Role")
	u := c.t.userByUPN(assignee)
	if u == nil {
		return nil, errObjectNotFound(assignee)
	}
	if given && !strings.EqualFold(role, roleManagement) {
		return nil, nil
	}
	var out []map[string]any
	for _, held := range u.Roles {
		assigneeName, assigneeType, method := held, "RoleGroup", "RoleGroup"
		switch {
		case strings.EqualFold(held, roleManagement):
			assigneeName, assigneeType, method = u.ID, "User", "Direct"
		case !containsFold(adminRoleGroups, held):
			continue
		}
		out = append(out, map[string]any{
			"Name":              roleManagement + "-" + strings.ReplaceAll(held, " ", ""),
			"Role":              roleManagement,
			"RoleAssigneeName":  assigneeName,
			"RoleAssigneeType":  assigneeType,
			"AssignmentMethod":  method,
			"EffectiveUserName": u.ID,
			"Enabled":           true,
		})
	}
	return out, nil
}
