package provider

import (
	"context"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The clients know nothing of Terraform: each takes a plain logging function in its
// configuration, and the provider hands them debugLog, which writes to the logger Terraform put
// in the request's context. The CLI shows these lines with TF_LOG_PROVIDER=DEBUG (or TF_LOG).
func debugLog(ctx context.Context, message string, fields map[string]any) {
	tflog.Debug(ctx, message, fields)
}
