// Package emulator is a local HTTPS stand-in for one Microsoft 365 tenant: Entra ID sign-in,
// Microsoft Graph v1.0 (read-only for mail-enabled groups) and the Exchange Online admin REST
// endpoint (InvokeCommand) with the distribution group and privileged access management
// cmdlets. It follows the service facts the provider is built on and shares no code with the
// provider's own clients, so a client bug is not mirrored here.
//
// # URLs (emulator-only conventions)
//
// Everything is served on one listener (see Server.BaseURL):
//
//	{base}/{tenant}/v2.0/.well-known/openid-configuration   OpenID discovery
//	{base}/{tenant}/oauth2/v2.0/token                       token endpoint (v2.0)
//	{base}/{tenant}/discovery/v2.0/keys                     signing keys (ES256)
//	{base}/common/discovery/instance                        instance discovery (harmless answer)
//	{base}/common/UserRealm/{user}                          user realm (MSAL password grant)
//	{base}/graph/v1.0/...                                   Microsoft Graph
//	{base}/exchange/adminapi/{beta|v1.0}/{tenant}/InvokeCommand  Exchange Online admin REST
//
// {tenant} is the tenant GUID or one of its domains. Tokens are issued only for the
// public-cloud resources https://graph.microsoft.com and https://outlook.office365.com
// (scope "<resource>/.default"); the token's aud is the resource. Tokens are ES256 JWTs signed
// with a key generated at start, so tokens do not survive a restart.
//
// # Tenant JSON (seed and state file)
//
// The -seed file and the -state file hold the same JSON document, the Tenant struct:
//
//	{"tenantId": "<guid>", "displayName": "Contoso", "orgGuid": "<guid>",
//	 "domains": [{"name": "contoso.onmicrosoft.com", "isDefault": true, "isInitial": true}],
//	 "skus": [{"skuId": "...", "skuPartNumber": "SPE_E5", "prepaidUnits": 25,
//	           "servicePlans": [{"id": "...", "name": "PAM_ENTERPRISE"}]}],
//	 "users": [{"id": "<object id>", "exchangeGuid": "...", "userPrincipalName": "u@contoso.onmicrosoft.com",
//	            "displayName": "...", "alias": "u", "proxyAddresses": ["SMTP:u@contoso.onmicrosoft.com"],
//	            "accountEnabled": true, "password": "...", "roles": ["Organization Management"],
//	            "skuIds": ["..."]}],
//	 "apps": [{"clientId": "...", "objectId": "...", "displayName": "...", "secret": "...",
//	           "graphRoles": ["Group.Read.All"], "exchangeRoles": ["Exchange.ManageAsApp"]}],
//	 "groups": [...], "pam": {"enabled": false}, "policies": [...], "requests": [...]}
//
// A user's Exchange recipient Name is its object id, as in current Exchange Online. A user
// with a password may sign in with the password grant; roles "Organization Management",
// "Global Administrator" or "Role Management" make a user an admin. The state file holds
// secrets and passwords and is written with mode 0600 through a temporary file and a rename.
//
// # Where the facts are unverified, and the choice made here
//
// The emulator takes the strictest plausible reading, so a client that works here is unlikely
// to trip on the real service:
//
//   - Get-ElevatedAccessApprovalPolicy output (unverified): Identity and Guid (the policy GUID),
//     Task, ApprovalType, ApproverGroup (the group's primary SMTP address), Type "Task",
//     Scope "Exchange", WhenCreatedUTC.
//   - Get-OrganizationConfig (unverified): ElevatedAccessControl is the text "Enabled" or
//     "Disabled"; no property exposes the default approver group or the system accounts.
//   - Re-running Enable-ElevatedAccessControl (unverified): refused with InvalidOperation while
//     enabled; Disable-ElevatedAccessControl first, then Enable with the new values.
//     Disable-ElevatedAccessControl while disabled is refused too.
//   - Two policies for one task (unverified): refused with ManagementObjectAlreadyExistsException
//     naming the existing policy's Identity. Tasks compare without regard to case; the text as
//     given is stored. Any Exchange\<Verb>-<Noun> is accepted.
//   - Role and Role Group policies (parameter names unverified): not modelled; only task policies.
//   - App-only tokens and the PAM cmdlets (unverified): an app with Exchange.ManageAsApp may run
//     every cmdlet. An app is never a group manager, never a member of an approver group (so it
//     cannot approve or deny) and needs no licence; its requests carry its app id as Requestor.
//   - Errors (observed, exchange-error-samples.json): a cmdlet failure is answered with the
//     envelope {"error": {"code", "message": "Error executing cmdlet", "details": [{"code": "Client",
//     "target": "", "message": "<ErrorId>|<exception type>|<text>"}], "innererror": {...}}}; a
//     missing object is 404 NotFound with ManagementObjectNotFoundException and error id Ex6F9304,
//     an address in use is 400 BadRequest with WLCDManagedMemberExistsException (ExB10BE9), a
//     failure of the service itself is 500 InternalServerError. An unknown cmdlet, or one outside a
//     user's admin roles, is 403 with a body of eight NUL bytes declared Content-Encoding: gzip.
//     Property names are always sent in lower case (the service has been seen to capitalise them).
//   - Errors (chosen where no sample exists): every other refusal is 400 BadRequest with an empty
//     error id; exception types: a missing member or approver group named in another parameter
//     ManagementObjectNotFoundException (404, "Couldn't find object ..."); a taken name
//     ADObjectAlreadyExistsException; a taken alias or a second policy for a task
//     ManagementObjectAlreadyExistsException; a value out of range TaskArgumentException; a
//     broken rule (security group with MemberDepartRestriction Open, empty ManagedBy)
//     ValidationException; an unknown parameter ParameterBindingException; an identity matching
//     several objects ManagementObjectAmbiguousException; a refused operation (enable while enabled,
//     limit reached, removing a group in use, manager check) System.InvalidOperationException.
//     Texts are modelled on Exchange's style. No cmdlet answers a non-terminating error
//     (@adminapi.errors).
//   - Warnings (chosen): Set-DistributionGroup that changes nothing succeeds with the warning
//     "The command completed successfully but no settings of '<name>' have been modified." in
//     @adminapi.warnings, as the cmdlet warns in PowerShell.
//   - Set-DistributionGroup -ManagedBy with an empty list (unverified; the docs say a group must
//     have at least one owner): refused with ValidationException.
//   - Access request and authorization output (partly observed): Identity, RequestId,
//     RequestStatus (Pending, Approved, Denied, Expired), Requestor, Task, Reason, DurationHours,
//     CreationTimeUtc, ExpirationTimeUtc, ApprovedBy (also the denier), Comment. An Auto policy
//     approves at once with ApprovedBy "Auto Approval". Get-ElevatedAccessAuthorization (its
//     property names observed) lists one grant per approved request, Auto ones included, to any
//     signed-in caller: Identity is the request's GUID (unverified), Type "Task", AuthorizedAccess
//     the task, StartTimeUtc the approval time, EndTimeUtc DurationHours later. A revoked grant
//     stays listed with Revoked true, RevocationDateTimeUtc, RevokedBy and RevocationComment.
//
// # Faults (faults.go, for tests and the -fail-rate family of flags)
//
// Options.FailRate answers that share of Graph and Exchange requests, before they run, with 429
// or 503 (both with Retry-After) or, for Exchange, the per-tenant concurrency refusal (HTTP 400
// naming "maximum number of concurrent requests per tenant"). Options.DropAfterCommitRate cuts
// the connection after that share of successful Exchange writes. Random choices follow
// Options.FaultSeed. Server.FailCmdlet forces the next calls of one cmdlet to fail in a chosen way.
// Options.ConsistencyDelay makes reads (Graph, and Exchange cmdlets that change nothing) see the
// tenant as it was that long ago, while writes check their rules against the tenant as it is.
// Options.Latency holds back every answer. Options.ElevatedAccessControlShape makes
// Get-OrganizationConfig show ElevatedAccessControl as a boolean or leave it out, to show a client
// a shape it may not expect. Sign-in is never faulted. Stats counts the faults.
//
// Replication (observed: a new object was not found 6 s after its creation and found minutes
// later): Options.ReplicationLag hides a new group, policy or request from every Exchange call for
// that long, writes included: naming it answers "not found" (404), listings leave it out.
// Uniqueness and limits are still checked against everything, so a second create with the same
// name is refused. Options.ObjectIDLag keeps a new group's ExternalDirectoryObjectId empty, and
// the group out of Microsoft Graph, for that long (chosen: the directory object arrives after the
// Exchange object). Both are off by default; the acceptance tests turn them on.
//
// Further strict choices where the facts page is silent:
//
//   - Exchange requires X-AnchorMailbox: "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@<org>"
//     (initial domain or tenant id) for app tokens, "UPN:<upn>" for user tokens; missing or
//     mismatched is HTTP 400. A tenant in the URL other than the token's is HTTP 401.
//   - A user token reaches Exchange with scope Exchange.Manage; cmdlets other than
//     New-/Get-/Approve-/Deny-ElevatedAccessRequest and Get-ElevatedAccessAuthorization need an
//     admin role, else the bare 403 above.
//   - BypassSecurityGroupManagerCheck is needed by a non-manager for Set-/Remove-DistributionGroup
//     and Add-/Remove-/Update-DistributionGroupMember on every group kind (the cmdlet documentation
//     names distribution groups and mail-enabled security groups alike).
//   - Removing a group that is the default approver group while PAM is enabled, or the approver
//     group of any policy, is refused with InvalidOperation.
//   - New-ElevatedAccessRequest needs PAM enabled and, for a user, a licence whose service plans
//     include PAM_ENTERPRISE; approving or denying needs the same licence.
//   - Primary SMTP addresses must be in an accepted domain of the tenant.
//   - Set-DistributionGroup takes Description, not Notes (Notes belongs to Set-Group and is
//     refused as an unknown parameter); New-DistributionGroup takes both.
//   - Owners are users. Members may be users, mail-enabled groups or mail contacts (New-MailContact),
//     as Add-DistributionGroupMember allows; Graph lists them with their own @odata.type.
//   - Graph returns a user's default property set unless $select asks for more (as Graph
//     does): accountEnabled and proxyAddresses need $select. "in" filters take at most 15 values.
//     Graph writes to groups answer Request_BadRequest after the permission check; creating a
//     group that is not mail-enabled is refused because the tenant models only mail-enabled groups.
//   - Unsupported Graph system query options and filter shapes are refused with 400 rather than
//     ignored.
//   - Get-DistributionGroup -Filter evaluates the OPATH subset `Property -eq 'value'` joined by
//     -and/-or with parentheses, a quote inside a value doubled, on Guid, ExternalDirectoryObjectId,
//     Name, Alias, DisplayName, EmailAddresses and PrimarySmtpAddress (which, as documented,
//     searches every address). Other operators, $null and other properties are refused with a
//     ParameterBindingException, as the service refuses a filter it cannot parse. A list is matched
//     whole but built only for the page served.
//   - Options.ExtraGroups (-extra-groups) adds that many mail-enabled security groups without
//     members at start, to measure a client against a large tenant.
//   - A request neither approved nor denied reports Expired 24 hours after submission, computed
//     from Options.Now; approval lasts DurationHours (at least 1, no upper limit as documented;
//     default 4) from the approval time.
//   - A token without Exchange.ManageAsApp (app) or Exchange.Manage (user) is refused with a JSON
//     403 {"error": {"code": "Forbidden", ...}} before any cmdlet runs; the service's answer in
//     that case is not known.
package emulator
