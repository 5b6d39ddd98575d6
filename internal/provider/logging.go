package provider

import (
	"context"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The clients know nothing of Terraform: each takes a plain logging function in its
// configuration, and the provider hands them debugLog, which writes to the logger Terraform put
// in the request's context. The CLI shows these lines with TF_LOG_PROVIDER=DEBUG (or TF_LOG).
func debugLog(ctx context.Context, message string, fields map[string]any) {
	tflog.Debug(ctx, message, fields)
}

// loggedCredential logs every token request with its scope, duration and expiry; never the token.
type loggedCredential struct {
	azcore.TokenCredential
	method string
	logf   func(context.Context, string, map[string]any)
}

func (c loggedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	start := time.Now()
	tok, err := c.TokenCredential.GetToken(ctx, opts)
	fields := map[string]any{
		"scope":         strings.Join(opts.Scopes, " "),
		"sign_in":       c.method,
		"duration_ms":   time.Since(start).Milliseconds(),
		"token_omitted": true,
	}
	if err != nil {
		fields["error"] = err.Error()
	} else {
		fields["expires_on"] = tok.ExpiresOn.UTC().Format(time.RFC3339)
	}
	c.logf(ctx, "token request", fields)
	return tok, err
}
