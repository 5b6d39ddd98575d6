package provider

import (
	"context"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ datasource.DataSourceWithConfigure = (*accessAuthorizationsDataSource)(nil)

func newAccessAuthorizationsDataSource() datasource.DataSource {
	return &accessAuthorizationsDataSource{}
}

type accessAuthorizationsDataSource struct{ tenantBinding }

type accessAuthorizationsModel struct {
	TenantID         types.String              `tfsdk:"tenant_id"`
	Active           types.Bool                `tfsdk:"active"`
	AuthorizedAccess types.String              `tfsdk:"authorized_access"`
	Authorizations   []accessAuthorizationItem `tfsdk:"authorizations"`
}

type accessAuthorizationItem struct {
	ID                types.String `tfsdk:"id"`
	Type              types.String `tfsdk:"type"`
	AuthorizedAccess  types.String `tfsdk:"authorized_access"`
	AuthorizedBy      types.String `tfsdk:"authorized_by"`
	Starts            types.String `tfsdk:"starts"`
	Ends              types.String `tfsdk:"ends"`
	Active            types.Bool   `tfsdk:"active"`
	Revoked           types.Bool   `tfsdk:"revoked"`
	RevokedAt         types.String `tfsdk:"revoked_at"`
	RevokedBy         types.String `tfsdk:"revoked_by"`
	RevocationComment types.String `tfsdk:"revocation_comment"`
}

// grantActive reports whether a grant lets its holder run the task at now: not revoked, started
// and not yet ended. A time the service leaves out does not limit it.
func grantActive(a pamtenant.AccessAuthorization, now time.Time) bool {
	started := a.StartTimeUTC.IsZero() || !now.Before(a.StartTimeUTC)
	ended := !a.EndTimeUTC.IsZero() && !now.Before(a.EndTimeUTC)
	return !a.Revoked && started && !ended
}

func authorizationItem(a pamtenant.AccessAuthorization, now time.Time) accessAuthorizationItem {
	return accessAuthorizationItem{
		ID:                types.StringValue(a.Identity),
		Type:              optionalText(a.Type),
		AuthorizedAccess:  types.StringValue(a.AuthorizedAccess),
		AuthorizedBy:      optionalText(a.AuthorizedBy),
		Starts:            timestamp(a.StartTimeUTC),
		Ends:              timestamp(a.EndTimeUTC),
		Active:            types.BoolValue(grantActive(a, now)),
		Revoked:           types.BoolValue(a.Revoked),
		RevokedAt:         timestamp(a.RevocationTimeUTC),
		RevokedBy:         optionalText(a.RevokedBy),
		RevocationComment: optionalText(a.RevocationComment),
	}
}

// selectAuthorizations keeps the grants that pass the filters, oldest first.
func selectAuthorizations(grants []pamtenant.AccessAuthorization, active types.Bool, access types.String, now time.Time) []accessAuthorizationItem {
	sort.SliceStable(grants, func(i, j int) bool { return grants[i].StartTimeUTC.Before(grants[j].StartTimeUTC) })
	items := []accessAuthorizationItem{}
	for _, a := range grants {
		if (active.IsNull() || active.ValueBool() == grantActive(a, now)) && matchesFilter(access, a.AuthorizedAccess) {
			items = append(items, authorizationItem(a, now))
		}
	}
	return items
}

func (d *accessAuthorizationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_authorizations"
}

func (d *accessAuthorizationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Access granted by approved privileged access requests, as `Get-ElevatedAccessAuthorization` " +
			"lists it: who approved what, for how long, and whether it was revoked. For audit jobs that report " +
			"active grants and their approvers. Requests approved by an `Auto` policy appear too.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": dataTenantIDAttribute(),
			"active": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "`true` keeps only grants in force when the data source is read (not revoked, " +
					"started and not yet ended); `false` keeps only the others. Unset lists all.",
			},
			"authorized_access": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only grants of this access, for a task `Exchange\\<Verb>-<Noun>`. " +
					"Compared without regard to case.",
			},
			"authorizations": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching grants, oldest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": computed("The grant's identity as Exchange gives it. The tenant emulator uses the " +
						"request's GUID; whether Exchange does is not confirmed."),
					"type":              computed("The kind of grant, `Task` for a task policy's."),
					"authorized_access": computed("What was granted: for a task, the task it may run."),
					"authorized_by": computed("Who approved the request, as Exchange names them. An `Auto` policy's " +
						"grants name the service."),
					"starts": computed("When the access began (RFC 3339, UTC)."),
					"ends":   computed("When the access ends or ended (RFC 3339, UTC)."),
					"active": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether the grant was in force when the data source was read.",
					},
					"revoked": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether an admin revoked the access before it ended.",
					},
					"revoked_at":         computed("When it was revoked (RFC 3339, UTC); null unless revoked."),
					"revoked_by":         computed("Who revoked it, as Exchange names them: a directory path such as `NAMPR01A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/<name>`, not a UPN; null unless revoked."),
					"revocation_comment": computed("The comment given with the revocation, if any."),
				}},
			},
		},
	}
}

func (d *accessAuthorizationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *accessAuthorizationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m accessAuthorizationsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.dataTenant(ctx, "data source o365pam_access_authorizations", &m.TenantID, &resp.Diagnostics)
	if c == nil {
		return
	}
	grants, err := c.tenant.AccessAuthorizations(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "list access authorizations", err, "")
		return
	}
	m.Authorizations = selectAuthorizations(grants, m.Active, m.AuthorizedAccess, c.tenant.Clock().Now())
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
