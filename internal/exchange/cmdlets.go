package exchange

// This file is the only place that names what the client sends to Exchange Online and what it
// reads back. Each name carries its evidence:
//   documented  Microsoft's own docs say so
//   observed    several public clients depend on it
//   unverified  one weak source, or inferred
// The sources, the open questions and how the probe settles each are in
// docs/development/service-facts.md. When a live tenant disagrees, the fix is a one-line change
// here (and a line there).

// The REST call (observed): POST {endpoint}/adminapi/beta/{tenant}/InvokeCommand with
// {"CmdletInput":{"CmdletName":"...","Parameters":{...}}}. "v1.0" in place of "beta" is also
// accepted.
const (
	invokePathPrefix   = "adminapi"
	invokePathVersion  = "beta"
	invokePathCommand  = "InvokeCommand"
	envelopeInput      = "CmdletInput"
	envelopeCmdletName = "CmdletName"
	envelopeParameters = "Parameters"
)

// Cmdlets.
const (
	cmdletGetOrganizationConfig              = "Get-OrganizationConfig"              // observed: carries ElevatedAccessControl
	cmdletNewDistributionGroup               = "New-DistributionGroup"               // documented
	cmdletGetDistributionGroup               = "Get-DistributionGroup"               // documented
	cmdletSetDistributionGroup               = "Set-DistributionGroup"               // documented
	cmdletRemoveDistributionGroup            = "Remove-DistributionGroup"            // documented
	cmdletUpdateDistributionGroupMember      = "Update-DistributionGroupMember"      // documented: replaces the whole list
	cmdletEnableElevatedAccessControl        = "Enable-ElevatedAccessControl"        // documented
	cmdletDisableElevatedAccessControl       = "Disable-ElevatedAccessControl"       // documented
	cmdletGetElevatedAccessApprovalPolicy    = "Get-ElevatedAccessApprovalPolicy"    // documented by name; output unverified
	cmdletNewElevatedAccessApprovalPolicy    = "New-ElevatedAccessApprovalPolicy"    // documented
	cmdletRemoveElevatedAccessApprovalPolicy = "Remove-ElevatedAccessApprovalPolicy" // documented
	cmdletNewElevatedAccessRequest           = "New-ElevatedAccessRequest"           // documented
	cmdletGetElevatedAccessRequest           = "Get-ElevatedAccessRequest"           // documented with Identity; listing without it unverified
	cmdletGetElevatedAccessAuthorization     = "Get-ElevatedAccessAuthorization"     // observed: takes no parameters, lists the grants
	cmdletApproveElevatedAccessRequest       = "Approve-ElevatedAccessRequest"       // documented: run by an approver, not by the requester
	cmdletDenyElevatedAccessRequest          = "Deny-ElevatedAccessRequest"          // documented: run by an approver, not by the requester
)

// resendRule says whether a cmdlet may be sent again when the first try's outcome is unknown
// (connection cut after sending, client timeout, 504, 408). A 429 or 503 answer means the
// service did not run the cmdlet, so that is always safe to resend.
type resendRule int

const (
	// resendFreely: running the cmdlet twice has the same effect as once (reads, whole-value sets).
	resendFreely resendRule = iota
	// resendRemoval: like resendFreely; "not found" after an ambiguous try means the try worked.
	resendRemoval
	// resendNever: a second run could duplicate the object or act twice. After an ambiguous
	// failure Invoke returns an error IsAmbiguous recognises, and the typed method reads first.
	resendNever
)

// cmdletRules is the idempotency flag of every cmdlet above. Cmdlets missing here (only
// possible through Invoke) are treated as resendNever.
var cmdletRules = map[string]resendRule{
	cmdletGetOrganizationConfig:              resendFreely,
	cmdletNewDistributionGroup:               resendNever, // a second run fails or creates a twin
	cmdletGetDistributionGroup:               resendFreely,
	cmdletSetDistributionGroup:               resendFreely,
	cmdletRemoveDistributionGroup:            resendRemoval,
	cmdletUpdateDistributionGroupMember:      resendFreely,
	cmdletEnableElevatedAccessControl:        resendNever, // re-running it is unverified (known unknown 2)
	cmdletDisableElevatedAccessControl:       resendNever, // a second run may be refused because the first turned it off
	cmdletGetElevatedAccessApprovalPolicy:    resendFreely,
	cmdletNewElevatedAccessApprovalPolicy:    resendNever, // may create a second policy for the task
	cmdletRemoveElevatedAccessApprovalPolicy: resendRemoval,
	cmdletNewElevatedAccessRequest:           resendNever, // would file a second request
	cmdletGetElevatedAccessRequest:           resendFreely,
	cmdletGetElevatedAccessAuthorization:     resendFreely,
	cmdletApproveElevatedAccessRequest:       resendNever, // a second run is refused once the first decided the request
	cmdletDenyElevatedAccessRequest:          resendNever, // a second run is refused once the first decided the request
	cmdletGetManagementRoleAssignment:        resendFreely,
}

// createdObjectNames say, per cmdlet that creates an object, by which of its parameters and
// output properties later calls may name the new object (see replication.go).
var createdObjectNames = map[string]struct{ params, props []string }{
	cmdletNewDistributionGroup: {
		params: []string{paramName, paramAlias, paramPrimarySmtpAddress},
		props: []string{propGroupIdentity, propGroupGUID, propGroupName, propGroupAlias, propGroupPrimarySmtpAddress,
			propGroupExternalDirectoryObject},
	},
	cmdletNewElevatedAccessApprovalPolicy: {props: []string{propPolicyIdentity, propPolicyGUID}},
	cmdletNewElevatedAccessRequest:        {props: []string{propRequestIdentity}},
}

// Parameters.
const (
	paramIdentity                        = "Identity"                        // documented (Get-/Set-/Remove-*, *-DistributionGroupMember)
	paramName                            = "Name"                            // documented (New-/Set-DistributionGroup)
	paramType                            = "Type"                            // documented (New-DistributionGroup)
	paramDisplayName                     = "DisplayName"                     // documented
	paramAlias                           = "Alias"                           // documented
	paramPrimarySmtpAddress              = "PrimarySmtpAddress"              // documented
	paramDescription                     = "Description"                     // documented for New-/Set-DistributionGroup in the cloud service; Notes is Set-Group's, not Set-DistributionGroup's
	paramMembers                         = "Members"                         // documented (New-DistributionGroup, Update-DistributionGroupMember)
	paramManagedBy                       = "ManagedBy"                       // documented
	paramMemberDepartRestriction         = "MemberDepartRestriction"         // documented
	paramBypassSecurityGroupManagerCheck = "BypassSecurityGroupManagerCheck" // documented switch (Set-/Remove-DistributionGroup, Update-DistributionGroupMember)
	paramFilter                          = "Filter"                          // documented (Get-DistributionGroup): an OPATH filter, see the filter names below
	paramAdminGroup                      = "AdminGroup"                      // documented (Enable-ElevatedAccessControl)
	paramSystemAccounts                  = "SystemAccounts"                  // documented (Enable-ElevatedAccessControl)
	paramTask                            = "Task"                            // documented (New-ElevatedAccessApprovalPolicy, New-ElevatedAccessRequest)
	paramApprovalType                    = "ApprovalType"                    // documented
	paramApproverGroup                   = "ApproverGroup"                   // documented
	paramReason                          = "Reason"                          // documented (New-ElevatedAccessRequest)
	paramDurationHours                   = "DurationHours"                   // documented
	paramRequestID                       = "RequestId"                       // documented (Approve-/Deny-ElevatedAccessRequest)
	paramComment                         = "Comment"                         // documented (Approve-/Deny-ElevatedAccessRequest)
	paramRecipientTypeDetails            = "RecipientTypeDetails"            // documented (Get-DistributionGroup): only groups of these kinds
	paramResultSize                      = "ResultSize"                      // documented: without it list cmdlets stop at 1,000 objects
)

// targetParams name the object a cmdlet acts on; an "object not found" answer that quotes one
// of their values means that object is gone (see classify).
var targetParams = []string{paramIdentity, paramRequestID, paramRoleAssignee}

// Parameter values.
const (
	valueSecurityGroup = "Security"  // documented: Type for a mail-enabled security group
	valueClosed        = "Closed"    // documented: the only MemberDepartRestriction a security group allows
	valueUnlimited     = "Unlimited" // documented: ResultSize for every object
)

// The OPATH filter subset the client writes, documented on Microsoft's "Filterable properties for
// the Filter parameter on Exchange cmdlets" (learn.microsoft.com/powershell/exchange/filter-properties):
// the whole filter is one string, text values in single quotes, -eq for an exact match, -or to
// join clauses; a single quote inside a value is doubled, as in any PowerShell single-quoted
// string (observed in public scripts, not stated on that page). No length limit is
// documented (unverified); MaxGroupsPerFilter keeps a filter near a kilobyte.
const (
	opathEq = "-eq"
	opathOr = "-or"
	// filterGUID is documented as filterable on Get-DistributionGroup (LDAP objectGuid); it is the
	// Guid property the client reads, not the ExchangeGuid.
	filterGUID = "Guid"
	// filterEmailAddresses is documented as filterable on Get-DistributionGroup (proxyAddresses);
	// a complete address matches without its smtp: prefix, and any of a group's addresses
	// matches. The page advises against filtering on PrimarySmtpAddress, which searches
	// EmailAddresses anyway.
	filterEmailAddresses = "EmailAddresses"
)

// Output values.
const (
	// RecipientTypeSecurityGroup is the RecipientTypeDetails of a mail-enabled security group (documented).
	RecipientTypeSecurityGroup = "MailUniversalSecurityGroup"
	// Group-like RecipientTypeDetails a user may mistake for an approver group (documented, the
	// RecipientTypeDetails parameter of Get-Recipient).
	RecipientTypeDistributionList    = "MailUniversalDistributionGroup"
	RecipientTypeDynamicDistribution = "DynamicDistributionGroup"
	RecipientTypeGroupMailbox        = "GroupMailbox"
	RecipientTypeNonUniversalGroup   = "MailNonUniversalGroup"
	RecipientTypeRoomList            = "RoomList"

	// Approval types of an approval policy (documented).
	ApprovalManual = "Manual"
	ApprovalAuto   = "Auto"

	// Statuses of an access request: Pending, Approved and Denied are documented (admin
	// center); Expired is unverified (requests expire after 24 hours).
	RequestPending  = "Pending"
	RequestApproved = "Approved"
	RequestDenied   = "Denied"
	RequestExpired  = "Expired"
)

// Output properties of Get-/New-DistributionGroup (documented across the Exchange docs).
const (
	propGroupIdentity                = "Identity"
	propGroupGUID                    = "Guid"
	propGroupExternalDirectoryObject = "ExternalDirectoryObjectId"
	propGroupName                    = "Name"
	propGroupDisplayName             = "DisplayName"
	propGroupAlias                   = "Alias"
	propGroupPrimarySmtpAddress      = "PrimarySmtpAddress"
	propGroupEmailAddresses          = "EmailAddresses"
	propGroupRecipientTypeDetails    = "RecipientTypeDetails"
	propGroupGroupType               = "GroupType"
	propGroupManagedBy               = "ManagedBy"
	propGroupDescription             = "Description" // documented; multi-valued, read as its lines joined
	propGroupMemberDepartRestriction = "MemberDepartRestriction"
	propGroupMemberJoinRestriction   = "MemberJoinRestriction"
	propGroupWhenChangedUTC          = "WhenChangedUTC"
)

// Output properties of Get-OrganizationConfig.
const (
	propOrgElevatedAccessControl = "ElevatedAccessControl" // observed; boolean or text unverified
)

// No property is known to expose the default approver group or the system accounts (unverified
// both ways). PrivilegedAccess reads the first property listed here that an answer carries; add
// the name a live tenant shows.
var (
	orgAdminGroupProps     []string
	orgSystemAccountsProps []string
)

// Output properties of Get-/New-ElevatedAccessApprovalPolicy (all unverified).
const (
	propPolicyIdentity       = "Identity" // the policy's GUID
	propPolicyGUID           = "Guid"
	propPolicyTask           = "Task"
	propPolicyApprovalType   = "ApprovalType"
	propPolicyApproverGroup  = "ApproverGroup"
	propPolicyType           = "Type"
	propPolicyScope          = "Scope"
	propPolicyWhenCreatedUTC = "WhenCreatedUTC"
)

// Output properties of New-/Get-ElevatedAccessRequest. Identity, RequestStatus, RequestorUPN,
// Service, RequestedAccess and Context are documented (Graph Data Connect's PAM docs:
// "RequestorUPN : admin@contoso.com", "Service : Office365", "RequestedAccess : Data Access
// Request"); the rest are unverified. How a task request splits between Service and
// RequestedAccess is unverified: the client reads either "Exchange" and "New-MoveRequest" or a
// RequestedAccess that is already Exchange\New-MoveRequest.
const (
	propRequestIdentity          = "Identity"
	propRequestStatus            = "RequestStatus"
	propRequestRequestorUPN      = "RequestorUPN"
	propRequestService           = "Service"
	propRequestRequestedAccess   = "RequestedAccess"
	propRequestReason            = "Reason"
	propRequestDurationHours     = "DurationHours"
	propRequestCreationTimeUTC   = "CreationTimeUtc"
	propRequestExpirationTimeUTC = "ExpirationTimeUtc"
	propRequestApprovedBy        = "ApprovedBy"
	propRequestComment           = "Comment"
	propRequestContext           = "Context" // documented: a JSON text (a hashtable in PowerShell); not read
)

// Output properties of Get-/Revoke-ElevatedAccessAuthorization (documented: Graph Data Connect's
// PAM docs show Revoke-ElevatedAccessAuthorization's output with these names). Which value
// Identity holds (the request's GUID or one of its own) is unverified. RevokedBy is a directory
// path (NAMPR00A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/<org>/<name>), not a
// UPN; AuthorizedBy is a UPN. PowerShell shows the times as M/D/YYYY h:mm:ss AM; their JSON form
// is unverified, so both layouts are read (decode.go).
const (
	propAuthorizationIdentity          = "Identity"
	propAuthorizationAuthorizedBy      = "AuthorizedBy"
	propAuthorizationType              = "Type"
	propAuthorizationAuthorizedAccess  = "AuthorizedAccess"
	propAuthorizationStartTimeUTC      = "StartTimeUtc"
	propAuthorizationEndTimeUTC        = "EndTimeUtc"
	propAuthorizationRevoked           = "Revoked" // a boolean; its JSON type (boolean or text) unverified
	propAuthorizationRevocationTimeUTC = "RevocationDateTimeUtc"
	propAuthorizationRevokedBy         = "RevokedBy"
	propAuthorizationRevocationComment = "RevocationComment"
	propAuthorizationDateCreatedUTC    = "DateCreatedUtc" // documented; 1/1/0001 in the only example
	propAuthorizationDateUpdatedUTC    = "DateUpdatedUtc"
)

// Get-ManagementRoleAssignment (documented) tells whether a caller holds the Role Management role
// the PAM cmdlets need; the probe and the tenant readiness check ask it. Without Role, it lists
// the assignments that reach the assignee directly and through its role groups (documented). An
// app's rights usually come from its Entra role (Exchange Administrator), which this cmdlet does
// not list; RBAC for Applications assignments it does (documented). What it answers for an app
// that has no Exchange service principal is unverified; the client reads "couldn't be found"
// naming the assignee as not found, and the emulator answers so.
const (
	cmdletGetManagementRoleAssignment = "Get-ManagementRoleAssignment" // documented
	paramRole                         = "Role"                         // documented
	paramRoleAssignee                 = "RoleAssignee"                 // documented: a user, a role group or a service principal
	propAssignmentName                = "Name"                         // documented (Format-Table examples); JSON form unverified
	propAssignmentRole                = "Role"
	propAssignmentRoleAssigneeName    = "RoleAssigneeName"
	propAssignmentRoleAssigneeType    = "RoleAssigneeType"
	propAssignmentAssignmentMethod    = "AssignmentMethod"
	// RoleManagement is the Exchange role managing PAM needs (documented); the Organization
	// Management role group holds it by default.
	RoleManagement = "Role Management"
)

// Entra roles that hold every Exchange right, Role Management included: "The Global Administrator
// and Exchange Administrator roles provide the required permissions for any task in Exchange Online
// PowerShell" (documented, Exchange's app-only authentication page). Their role template ids are
// documented (Microsoft Entra built-in roles). An access token lists its holder's roles by template
// id in the wids claim (documented for users; observed in an app-only Graph token, msgraph-sdk-powershell
// issue 1782; whether Exchange tokens of apps carry it is unverified, though the Exchange Online
// module refuses an app whose directory role "isn't supported in this scenario" right after it got
// the token, office-docs-powershell issue 11332). Callers read the claim through Client.Caller.
var fullExchangeEntraRoles = map[string]string{
	"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
}

// Output is what the client reads from one cmdlet's answer. The probe holds real answers against
// it, and testdata/documented-outputs.json holds Microsoft's documented examples against it.
type Output struct {
	Cmdlet string
	// Reads are the properties the client decodes; an answer without one of them is misread.
	Reads []string
	// Documented are the properties Microsoft's docs show in the cmdlet's output.
	Documented []string
}

// The outputs the probe examines.
var (
	OrganizationConfigOutput = Output{Cmdlet: cmdletGetOrganizationConfig, Reads: []string{propOrgElevatedAccessControl}}
	ApprovalPolicyOutput     = Output{Cmdlet: cmdletGetElevatedAccessApprovalPolicy, Reads: []string{propPolicyIdentity,
		propPolicyGUID, propPolicyTask, propPolicyApprovalType, propPolicyApproverGroup, propPolicyType, propPolicyScope,
		propPolicyWhenCreatedUTC}}
	AccessRequestOutput = Output{Cmdlet: cmdletGetElevatedAccessRequest,
		Reads: []string{propRequestIdentity, propRequestStatus, propRequestRequestorUPN, propRequestService,
			propRequestRequestedAccess, propRequestReason, propRequestDurationHours, propRequestCreationTimeUTC,
			propRequestExpirationTimeUTC, propRequestApprovedBy, propRequestComment},
		Documented: []string{propRequestRequestorUPN, propRequestService, propRequestRequestedAccess, propRequestIdentity,
			propRequestStatus, propRequestContext}}
	AccessAuthorizationOutput = Output{Cmdlet: cmdletGetElevatedAccessAuthorization,
		Reads: []string{propAuthorizationIdentity, propAuthorizationAuthorizedBy, propAuthorizationType,
			propAuthorizationAuthorizedAccess, propAuthorizationStartTimeUTC, propAuthorizationEndTimeUTC,
			propAuthorizationRevoked, propAuthorizationRevocationTimeUTC, propAuthorizationRevokedBy,
			propAuthorizationRevocationComment},
		Documented: []string{propAuthorizationAuthorizedBy, propAuthorizationType, propAuthorizationAuthorizedAccess,
			propAuthorizationStartTimeUTC, propAuthorizationEndTimeUTC, propAuthorizationRevoked,
			propAuthorizationRevocationTimeUTC, propAuthorizationRevokedBy, propAuthorizationRevocationComment,
			propAuthorizationIdentity, propAuthorizationDateCreatedUTC, propAuthorizationDateUpdatedUTC}}
	RoleAssignmentOutput = Output{Cmdlet: cmdletGetManagementRoleAssignment, Reads: []string{propAssignmentName,
		propAssignmentRole, propAssignmentRoleAssigneeName, propAssignmentRoleAssigneeType, propAssignmentAssignmentMethod}}
)

// OrganizationSettingProps are the names PrivilegedAccess would read the default approver group
// and the system accounts from; the probe looks for others.
func OrganizationSettingProps() []string {
	return append(append([]string(nil), orgAdminGroupProps...), orgSystemAccountsProps...)
}
