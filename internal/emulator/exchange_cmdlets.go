package emulator

import "strings"

// cmdletSpec describes a cmdlet the emulator knows: its parameters, who may run it and how
// its output is served.
type cmdletSpec struct {
	name   string
	params []param
	// adminOnly cmdlets need an admin role when a user (not an app) calls them.
	adminOnly bool
	// writes marks cmdlets whose success changes the tenant (state is saved after them).
	writes bool
	run    func(*exchangeCall) ([]map[string]any, *cmdletError)
	// list, set in place of run, serves a long list whose objects are built only for the page
	// being served.
	list func(*exchangeCall) (lazyOutput, *cmdletError)
}

// lazyOutput is a cmdlet's output that is built one object at a time: render(i) builds the i-th
// of count objects.
type lazyOutput struct {
	count  int
	render func(i int) map[string]any
}

// output runs the cmdlet; a cmdlet with run answers with the objects it built.
func (spec *cmdletSpec) output(c *exchangeCall) (lazyOutput, *cmdletError) {
	if spec.list != nil {
		return spec.list(c)
	}
	values, cerr := spec.run(c)
	return lazyOutput{count: len(values), render: func(i int) map[string]any { return values[i] }}, cerr
}

// page builds the objects from offset on, at most size of them, and returns the offset of the
// next page, or -1 after the last.
func (out lazyOutput) page(offset, size int) ([]map[string]any, int) {
	if offset >= out.count {
		return nil, -1
	}
	end := min(offset+size, out.count)
	values := make([]map[string]any, 0, end-offset)
	for i := offset; i < end; i++ {
		values = append(values, out.render(i))
	}
	if end == out.count {
		return values, -1
	}
	return values, end
}

// paged reports whether the output may span pages: only Get-* cmdlets are safe to re-run for
// the next page.
func (spec *cmdletSpec) paged() bool { return strings.HasPrefix(spec.name, "Get-") }

var (
	groupTypeEnum  = []string{"Distribution", "Security"}
	departEnum     = []string{"Open", "Closed"}
	joinEnum       = []string{"Open", "Closed", "ApprovalRequired"}
	approvalEnum   = []string{"Manual", "Auto"}
	recipientTypes = []string{"MailUniversalDistributionGroup", "MailUniversalSecurityGroup"}
)

func identity(required bool) param { return param{name: "Identity", required: required} }
func text(name string) param       { return param{name: name} }
func required(name string) param   { return param{name: name, required: true} }
func textList(name string) param   { return param{name: name, kind: kindTextList} }
func flag(name string) param       { return param{name: name, kind: kindSwitch} }
func enum(name, typ string, values []string) param {
	return param{name: name, kind: kindEnum, enum: values, enumType: typ}
}

var bypassManagerCheck = flag("BypassSecurityGroupManagerCheck")

// cmdletTable lists every cmdlet the emulator answers; any other name is an unknown command.
var cmdletTable = []*cmdletSpec{
	{name: "New-DistributionGroup", adminOnly: true, writes: true, run: newDistributionGroup, params: []param{
		required("Name"), enum("Type", "Microsoft.Exchange.Management.RecipientTasks.GroupType", groupTypeEnum),
		text("Alias"), text("DisplayName"), text("PrimarySmtpAddress"), textList("Members"), textList("ManagedBy"),
		text("Notes"), text("Description"), flag("CopyOwnerToMember"), flag("IgnoreNamingPolicy"),
		enum("MemberDepartRestriction", "Microsoft.Exchange.Data.Directory.Recipient.MemberUpdateType", departEnum),
		enum("MemberJoinRestriction", "Microsoft.Exchange.Data.Directory.Recipient.MemberUpdateType", joinEnum),
	}},
	{name: "Get-DistributionGroup", adminOnly: true, list: getDistributionGroup, params: []param{
		identity(false), text("ResultSize"), text("Filter"),
		{name: "RecipientTypeDetails", kind: kindTextList},
	}},
	{name: "Set-DistributionGroup", adminOnly: true, writes: true, run: setDistributionGroup, params: []param{
		identity(true), text("Name"), text("DisplayName"), text("Alias"), text("PrimarySmtpAddress"),
		textList("ManagedBy"), text("Description"), bypassManagerCheck, flag("IgnoreNamingPolicy"),
		enum("MemberDepartRestriction", "Microsoft.Exchange.Data.Directory.Recipient.MemberUpdateType", departEnum),
		enum("MemberJoinRestriction", "Microsoft.Exchange.Data.Directory.Recipient.MemberUpdateType", joinEnum),
	}},
	{name: "Remove-DistributionGroup", adminOnly: true, writes: true, run: removeDistributionGroup, params: []param{
		identity(true), bypassManagerCheck,
	}},
	{name: "Get-DistributionGroupMember", adminOnly: true, run: getDistributionGroupMember, params: []param{
		identity(true), text("ResultSize"),
	}},
	{name: "Add-DistributionGroupMember", adminOnly: true, writes: true, run: addDistributionGroupMember, params: []param{
		identity(true), required("Member"), bypassManagerCheck,
	}},
	{name: "Remove-DistributionGroupMember", adminOnly: true, writes: true, run: removeDistributionGroupMember, params: []param{
		identity(true), required("Member"), bypassManagerCheck,
	}},
	{name: "Update-DistributionGroupMember", adminOnly: true, writes: true, run: updateDistributionGroupMember, params: []param{
		identity(true), textList("Members"), bypassManagerCheck,
	}},
	{name: "New-MailContact", adminOnly: true, writes: true, run: newMailContact, params: []param{
		required("Name"), required("ExternalEmailAddress"), text("Alias"), text("DisplayName"),
	}},
	{name: "Enable-ElevatedAccessControl", adminOnly: true, writes: true, run: enableElevatedAccessControl, params: []param{
		required("AdminGroup"), textList("SystemAccounts"),
	}},
	{name: "Disable-ElevatedAccessControl", adminOnly: true, writes: true, run: disableElevatedAccessControl},
	{name: "Get-OrganizationConfig", adminOnly: true, run: getOrganizationConfig},
	{name: "New-ElevatedAccessApprovalPolicy", adminOnly: true, writes: true, run: newApprovalPolicy, params: []param{
		required("Task"), {name: "ApprovalType", kind: kindEnum, required: true, enum: approvalEnum, enumType: "Microsoft.Exchange.Management.ElevatedAccess.ApprovalType"},
		required("ApproverGroup"),
	}},
	{name: "Get-ElevatedAccessApprovalPolicy", adminOnly: true, run: getApprovalPolicy, params: []param{identity(false)}},
	{name: "Remove-ElevatedAccessApprovalPolicy", adminOnly: true, writes: true, run: removeApprovalPolicy, params: []param{identity(true)}},
	{name: "New-ElevatedAccessRequest", writes: true, run: newAccessRequest, params: []param{
		required("Task"), required("Reason"), {name: "DurationHours", kind: kindInt},
	}},
	{name: "Get-ElevatedAccessRequest", run: getAccessRequest, params: []param{identity(false)}},
	{name: "Approve-ElevatedAccessRequest", writes: true, run: approveAccessRequest, params: []param{required("RequestId"), text("Comment")}},
	{name: "Deny-ElevatedAccessRequest", writes: true, run: denyAccessRequest, params: []param{required("RequestId"), text("Comment")}},
	{name: "Get-ElevatedAccessAuthorization", run: getAccessAuthorization},
	{name: "Get-ManagementRoleAssignment", adminOnly: true, run: getManagementRoleAssignment, params: []param{
		required("RoleAssignee"), text("Role"),
	}},
	{name: "Revoke-ElevatedAccessAuthorization", adminOnly: true, writes: true, run: revokeAccessAuthorization, params: []param{required("RequestId"), text("Comment")}},
}

func lookupCmdlet(name string) *cmdletSpec {
	for _, spec := range cmdletTable {
		if strings.EqualFold(spec.name, name) {
			return spec
		}
	}
	return nil
}
