package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ datasource.DataSourceWithConfigure = (*accessRequestsDataSource)(nil)

// requestStatuses are the statuses a request can be filtered by.
var requestStatuses = []string{pamtenant.RequestPending, pamtenant.RequestApproved, pamtenant.RequestDenied, pamtenant.RequestExpired}

func newAccessRequestsDataSource() datasource.DataSource { return &accessRequestsDataSource{} }

type accessRequestsDataSource struct{ tenantBinding }

type accessRequestsModel struct {
	TenantID types.String        `tfsdk:"tenant_id"`
	Status   types.String        `tfsdk:"status"`
	Task     types.String        `tfsdk:"task"`
	Requests []accessRequestItem `tfsdk:"requests"`
}

type accessRequestItem struct {
	ID            types.String `tfsdk:"id"`
	Status        types.String `tfsdk:"status"`
	Requester     types.String `tfsdk:"requester"`
	Task          types.String `tfsdk:"task"`
	Reason        types.String `tfsdk:"reason"`
	DurationHours types.Int64  `tfsdk:"duration_hours"`
	Created       types.String `tfsdk:"created"`
	Expires       types.String `tfsdk:"expires"`
	ApprovedBy    types.String `tfsdk:"approved_by"`
	Comment       types.String `tfsdk:"comment"`
}

func requestItem(r pamtenant.AccessRequest) accessRequestItem {
	return accessRequestItem{
		ID:            types.StringValue(r.Identity),
		Status:        types.StringValue(r.RequestStatus),
		Requester:     types.StringValue(r.RequestorUPN),
		Task:          types.StringValue(r.Task),
		Reason:        types.StringValue(r.Reason),
		DurationHours: types.Int64Value(int64(r.DurationHours)),
		Created:       timestamp(r.CreationTimeUTC),
		Expires:       timestamp(r.ExpirationTimeUTC),
		ApprovedBy:    optionalText(r.ApprovedBy),
		Comment:       optionalText(r.Comment),
	}
}

// selectRequests keeps the requests that pass the filters, oldest first.
func selectRequests(requests []pamtenant.AccessRequest, status, task types.String) []accessRequestItem {
	sort.SliceStable(requests, func(i, j int) bool { return requests[i].CreationTimeUTC.Before(requests[j].CreationTimeUTC) })
	items := []accessRequestItem{}
	for _, r := range requests {
		if matchesFilter(status, r.RequestStatus) && matchesFilter(task, r.Task) {
			items = append(items, requestItem(r))
		}
	}
	return items
}

func (d *accessRequestsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_requests"
}

func (d *accessRequestsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Privileged access requests, as `Get-ElevatedAccessRequest` lists them for the " +
			"signed-in identity, optionally filtered.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": dataTenantIDAttribute(),
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only requests with this status: `Pending`, `Approved`, `Denied` or `Expired`.",
				Validators:          []validator.String{stringvalidator.OneOf(requestStatuses...)},
			},
			"task": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only requests for this task, as `Exchange\\<Verb>-<Noun>`. Compared without regard to case.",
				Validators:          []validator.String{taskValidator{}},
			},
			"requests": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching requests, oldest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":        computed("The request's GUID."),
					"status":    computed("`Pending`, `Approved`, `Denied` or `Expired`."),
					"requester": computed("Who filed the request, as Exchange names them."),
					"task":      computed("The task the request asks to run."),
					"reason":    computed("The reason given."),
					"duration_hours": schema.Int64Attribute{
						Computed: true, MarkdownDescription: "For how many hours an approval grants the task.",
					},
					"created": computed("When the request was filed (RFC 3339, UTC)."),
					"expires": computed("When an approved request's access ends, or when an undecided request " +
						"expires (RFC 3339, UTC)."),
					"approved_by": computed("Who answered the request, approving or denying it, as Exchange names them; " +
						"null while it is undecided. An `Auto` policy's approvals name the service."),
					"comment": computed("The comment the approver gave with the answer, if any."),
				}},
			},
		},
	}
}

func (d *accessRequestsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *accessRequestsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m accessRequestsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.dataTenant(ctx, "data source o365pam_access_requests", &m.TenantID, &resp.Diagnostics)
	if c == nil {
		return
	}
	requests, err := c.tenant.AccessRequests(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "list access requests", err, "")
		return
	}
	m.Requests = selectRequests(requests, m.Status, m.Task)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
