// Package emulator is a local HTTPS stand-in for one Microsoft 365 tenant: Entra ID sign-in,
// Microsoft Graph v1.0 (read-only for mail-enabled groups) and the Exchange Online admin REST
// endpoint (InvokeCommand) with the distribution group and privileged access management
// cmdlets. It follows the service facts the provider is built on (docs/development/service-facts.md;
// every rule and its evidence is in the fidelity table below) and shares no code with the
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
// {tenant} is the tenant GUID or one of its domains, in any case. Tokens are issued only for the
// public-cloud resources https://graph.microsoft.com and https://outlook.office365.com
// (scope "<resource>/.default"); the token's aud is the resource. Tokens are ES256 JWTs signed
// with a key generated at start, so tokens do not survive a restart.
//
// # Fleets (fleet.go)
//
// Options.Tenants (-tenants N) hosts N tenants on the one listener: the starting tenant (built-in,
// -seed or -state) first, then N-1 generated tenants, fleet0001.onmicrosoft.com and on, whose
// ids, users and object ids derive from their number, so the same N gives the same tenants. Each
// is a copy of the built-in tenant under its own ids and domain; the starting tenant's first app
// is consented in all of them with the same client id and secret (a multi-tenant app), with a
// service principal object id of each tenant's own. A generated tenant is built on first use and
// lives in memory only; -extra-groups and -state apply to the starting tenant. Every tenant has its
// own lock, so tenants do not wait on each other. The fleet file (Options.TenantsFile, or a
// temporary file removed on Close) is a JSON array of {"tenant_id", "organization"} for every
// hosted tenant, the starting one first; Exports names it as O365PAM_EMULATOR_TENANTS.
// Server.Tenants and Server.Tenant give a HostedTenant, whose Snapshot, Stats and FailCmdlet
// address one tenant; the Server's methods of those names address the starting tenant, except
// Stats and ResetStats, which cover every request.
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
//	           "graphRoles": ["Group.Read.All"], "exchangeRoles": ["Exchange.ManageAsApp"],
//	           "entraRoles": ["Exchange Administrator"]}],
//	 "groups": [...], "pam": {"enabled": false}, "policies": [...], "requests": [...]}
//
// A user's Exchange recipient Name is its object id, as in current Exchange Online. A user
// with a password may sign in with the password grant; roles "Organization Management",
// "Global Administrator" or "Role Management" make a user an admin. An app's entraRoles, and a
// user's "Global Administrator", are Entra roles: tokens list their template ids in wids. The state file holds
// secrets and passwords and is written with mode 0600 through a temporary file and a rename.
//
// # Fidelity: every rule, its evidence and its source
//
// One row per rule. Evidence: observed (a real tenant answered so, see the samples), documented
// (Microsoft's docs say so), choice (nothing settles it; the emulator takes the strictest plausible
// reading, so that a client that works here is unlikely to trip on the real service). Sources:
// "samples" is internal/exchange/testdata/exchange-error-samples.json, "examples"
// internal/exchange/testdata/documented-outputs.json (both tested in samples_test.go and
// documented_test.go), "facts" docs/development/service-facts.md. Keep this table in step with
// both files: a new sample or example gets a row.
//
//	rule                                                                  evidence    source
//	--------------------------------------------------------------------  ----------  -----------------------
//	cmdlet failure envelope {"error":{code, message "Error executing       observed    samples 1-5
//	  cmdlet", details[{code "Client", target "", message
//	  "<ErrorId>|<type>|<text>"}], innererror}}; names sent in lower case
//	missing object: 404 NotFound, ManagementObjectNotFoundException,      observed    samples 1, 5
//	  Ex6F9304 (the 500 variant of sample 2 is not answered)
//	address in use: 400, WLCDManagedMemberExistsException, ExB10BE9       observed    sample 3
//	unknown cmdlet or outside a user's admin roles: 403, 8 NUL bytes      observed    sample 6
//	  declared Content-Encoding: gzip
//	no cmdlet answers a non-terminating error (@adminapi.errors)          choice      sample 7 not modelled
//	other refusals: 400, empty error id; types: missing member/approver   choice      facts (no sample)
//	  group ManagementObjectNotFoundException "Couldn't find object";
//	  taken name ADObjectAlreadyExistsException; taken alias, second
//	  policy for a task ManagementObjectAlreadyExistsException; out of
//	  range TaskArgumentException; broken rule ValidationException;
//	  unknown parameter ParameterBindingException; ambiguous identity
//	  ManagementObjectAmbiguousException; refused operation
//	  System.InvalidOperationException
//	Get-ElevatedAccessRequest: RequestorUPN, Service, RequestedAccess,    documented  examples 1; facts
//	  Identity, RequestStatus, Context (null for a task request)
//	  a task request's Service is "Exchange", RequestedAccess the cmdlet  choice      facts (split unverified)
//	  Reason, DurationHours, CreationTimeUtc, ExpirationTimeUtc,          choice      facts (unverified)
//	  ApprovedBy (also the denier), Comment; statuses Pending, Approved,
//	  Denied, Expired (24 h after submission); an Auto policy approves
//	  at once with ApprovedBy "Auto Approval"; an app's requests name
//	  its app id as RequestorUPN
//	Get-/Revoke-ElevatedAccessAuthorization: AuthorizedBy, Type "Task",   documented  examples 2; facts
//	  AuthorizedAccess, StartTimeUtc, EndTimeUtc, Revoked,
//	  RevocationDateTimeUtc, RevokedBy as a directory path
//	  "<server>/Microsoft Exchange Hosted Organizations/<org>/<name>",
//	  RevocationComment, Identity, DateCreatedUtc (1/1/0001),
//	  DateUpdatedUtc; Revoke answers the revoked authorization
//	  Identity is the request's GUID; <name> is a user's recipient Name   choice      facts (unverified)
//	  (object id) or an app's id; one grant per approved request, listed
//	  to any signed-in caller; times ISO 8601 with #DateTime
//	Get-ElevatedAccessApprovalPolicy: Identity and Guid (the policy      choice      facts (unverified)
//	  GUID), Task, ApprovalType, ApproverGroup (primary SMTP address),
//	  Type "Task", Scope "Exchange", WhenCreatedUTC
//	Get-OrganizationConfig: ElevatedAccessControl "Enabled"/"Disabled";   choice      facts (type unverified)
//	  no property for the default approver group or system accounts
//	Enable-ElevatedAccessControl while enabled, Disable while disabled:   choice      facts (open question 2)
//	  refused with InvalidOperation
//	a second policy for a task: refused naming the existing Identity;     choice      facts (open question 4)
//	  tasks compare without case; any Exchange\<Verb>-<Noun> accepted
//	at most 30 policies                                                   documented  facts
//	Role and Role Group policies: not modelled                            choice      facts (open question 3)
//	an app with Exchange.ManageAsApp may run every cmdlet; it is never a  choice      facts (open question 5)
//	  group manager or approver and needs no licence
//	app anchor "APP:" or "UPN:" + SystemMailbox{bb558c35-…}@<initial      observed    facts (module; ScubaGear,
//	  domain or tenant id>; user anchor "UPN:<upn>"; otherwise 400                    CIPP)
//	a tenant in the URL other than the token's (hosted or not): 401       choice      facts (no sample of the
//	  InvalidAuthenticationToken with WWW-Authenticate, before any                    real answer)
//	  cmdlet runs
//	Graph serves the token's tenant (its URLs name none): another         choice      facts (Graph URLs carry
//	  tenant's objects are 404 Request_ResourceNotFound; a token of a                 no tenant); 401 text
//	  tenant not hosted is 401 InvalidAuthenticationToken                             chosen
//	sign-in at {tenant} by GUID or any domain of the tenant; tokens and   documented  facts (sign-in)
//	  discovery name the tenant GUID; a user of another tenant is
//	  AADSTS50034 invalid_grant
//	one app client id and secret in every tenant of a fleet (consented    documented  multi-tenant app docs
//	  multi-tenant app), each with its own service principal object id
//	user tokens carry scp AdminApi.AccessAsUser.All; Exchange.Manage is   observed    facts (measured token)
//	  accepted too; a token with neither (or an app without
//	  Exchange.ManageAsApp) gets a JSON 403 before any cmdlet runs        choice      (real answer unknown)
//	a user needs an admin role (Organization Management, Global           documented  facts (Role Management)
//	  Administrator, Role Management) for all but New-/Get-/Approve-/
//	  Deny-ElevatedAccessRequest and Get-ElevatedAccessAuthorization
//	Get-ManagementRoleAssignment -RoleAssignee <upn> -Role: Role          choice      facts (output unverified)
//	  Management through the user's role group, or Direct; an app id is
//	  not found (its rights come from its Entra role)
//	tokens list the caller's Entra roles (Global Administrator, Exchange  documented  Entra token claims and
//	  Administrator, Directory Readers, Global Reader) by template id in   + observed  built-in roles docs; an
//	  wids, app-only tokens too; no claim when there are none; roles do               app-only Graph token
//	  not limit what an app may run (see the app row above)                           (wids in Exchange tokens
//	                                                                                  unverified)
//	Set-DistributionGroup changing nothing warns "The command completed  observed    facts (public client)
//	  successfully but no settings of '<name>' have been modified."
//	Set-DistributionGroup -ManagedBy @(): ValidationException             choice      facts (open question 7)
//	Set-DistributionGroup takes Description, not Notes; New- takes both   documented  facts
//	BypassSecurityGroupManagerCheck needed by a non-manager for Set-/     documented  cmdlet docs
//	  Remove-DistributionGroup and *-DistributionGroupMember
//	removing the default approver group while enabled, or a policy's      choice      facts
//	  approver group: InvalidOperation
//	New-ElevatedAccessRequest needs PAM on and, for a user, a licence     documented  facts (licences)
//	  with PAM_ENTERPRISE; approving and denying need it too
//	DurationHours at least 1, no upper limit, default 4                   documented  facts (open question 8)
//	primary SMTP addresses in an accepted domain                          documented  cmdlet docs
//	owners are users; members users, mail-enabled groups or mail          documented  cmdlet docs
//	  contacts (New-MailContact)
//	Get-DistributionGroup -Filter: the OPATH subset Property -eq 'v'      documented  filterable properties page
//	  with -and/-or and parentheses on Guid, ExternalDirectoryObjectId,   + choice    (other shapes refused
//	  Name, Alias, DisplayName, EmailAddresses, PrimarySmtpAddress;                    with ParameterBinding)
//	  anything else refused
//	Graph: default property set unless $select; "in" takes at most 15     documented  Graph docs
//	  values; writes to mail-enabled groups answer Request_BadRequest
//	Graph: unsupported query options refused with 400; only mail-enabled choice      facts
//	  groups exist
//	Graph DELETE /users/{id or UPN}: 204 without a body; needs            documented  Graph docs
//	  User.ReadWrite.All or Directory.ReadWrite.All (a user: an admin)
//	  a deleted user leaves at once every group's members (Graph and      choice      (real timing unknown;
//	  Get-DistributionGroupMember) and owners, and the system accounts;               links to a deleted
//	  naming it anywhere answers "not found"; no restore                              object go with it)
//	transient server exceptions (fault injection): 500 naming             observed    facts (module's retry
//	  DCOverloadedException, SuitabilityDirectoryException,                           list); namespaces and
//	  ServerInMMException, ADServerSettingsChangedException,                          texts chosen
//	  StorageTransientException
//
// Options.ExtraGroups (-extra-groups) adds that many mail-enabled security groups without
// members, to measure a client against a large tenant.
//
// # Faults (faults.go, for tests and the -fail-rate family of flags)
//
// Options.FailRate answers that share of Graph and Exchange requests, before they run, with 429
// or 503 (both with Retry-After) or, for Exchange, the per-tenant concurrency refusal (HTTP 400
// naming "maximum number of concurrent requests per tenant") or a 500 naming one of the transient
// server exceptions the Exchange Online module retries (FaultTransient). Options.DropAfterCommitRate cuts
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
package emulator
