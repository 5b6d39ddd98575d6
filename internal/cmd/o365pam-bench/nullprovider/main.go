// Command nullprovider is the benchmark's yardstick for plugin providers: a terraform-plugin-framework
// provider whose one resource keeps what it is given and calls no service. A no-change plan of it
// costs what every framework provider pays the CLI (three plugin starts, the per-resource RPCs), so
// o365pam-bench can tell that cost apart from what the o365pam provider adds.
package main

import (
	"context"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	// Logs off, as the o365pam provider has them when nobody reads them (the benchmark sets no TF_LOG).
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER_BENCHNULL"} {
		if err := os.Setenv(name, "off"); err != nil {
			log.Fatal(err)
		}
	}
	err := providerserver.Serve(context.Background(), func() provider.Provider { return nullProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/zerostanding/benchnull"})
	if err != nil {
		log.Fatal(err)
	}
}

type nullProvider struct{}

func (nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "benchnull"
}
func (nullProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (nullProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (nullProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return object{} }}
}

// object has the shape of terraform_data plus a set of members, like an approver group.
type object struct{}

type objectModel struct {
	ID      types.String `tfsdk:"id"`
	Input   types.String `tfsdk:"input"`
	Output  types.String `tfsdk:"output"`
	Members types.Set    `tfsdk:"members"`
}

func (object) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "benchnull_object"
}

func (object) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":      schema.StringAttribute{Computed: true, PlanModifiers: keep},
		"input":   schema.StringAttribute{Required: true},
		"output":  schema.StringAttribute{Computed: true, PlanModifiers: keep},
		"members": schema.SetAttribute{Optional: true, ElementType: types.StringType},
	}}
}

func (object) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m objectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID, m.Output = m.Input, m.Input
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (object) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (object) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m objectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.Output = m.Input
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (object) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
