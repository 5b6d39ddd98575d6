package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// federatedAudience is the audience Entra ID expects on federated tokens.
const federatedAudience = "api://AzureADTokenExchange"

func newOIDCCredential(s Settings) (*azidentity.ClientAssertionCredential, error) {
	if err := requireApp(s); err != nil {
		return nil, err
	}
	assertion, err := assertionSource(s)
	if err != nil {
		return nil, err
	}
	return azidentity.NewClientAssertionCredential(s.TenantID, s.ClientID, assertion,
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: s.clientOptions(), DisableInstanceDiscovery: s.CustomAuthority})
}

// assertionSource picks where the federated token comes from: a fixed token, a file that is
// re-read on every call (platforms rotate it), or a token service: Azure DevOps when a service
// connection is named, else GitHub Actions.
func assertionSource(s Settings) (func(context.Context) (string, error), error) {
	switch {
	case s.OIDCToken != "":
		return func(context.Context) (string, error) { return s.OIDCToken, nil }, nil
	case s.OIDCTokenFilePath != "":
		return func(context.Context) (string, error) { return readTokenFile(s.OIDCTokenFilePath) }, nil
	case s.OIDCRequestURL != "" && s.OIDCRequestToken == "":
		return nil, oidcRequestToken.error("Missing OIDC request token",
			"oidc_request_url is set, so the token for it is needed too (in Azure DevOps, map SYSTEM_ACCESSTOKEN: $(System.AccessToken) into the task)")
	case s.OIDCRequestURL == "" && s.OIDCRequestToken != "":
		return nil, oidcRequestURL.error("Missing OIDC request URL",
			"oidc_request_token is set, so the URL to ask is needed too")
	case s.OIDCRequestURL != "":
		client := s.HTTPClient
		if client == nil {
			client = http.DefaultClient
		}
		request := gitHubTokenRequest(s.OIDCRequestURL, s.OIDCRequestToken)
		if s.ADOServiceConnectionID != "" {
			request = azureDevOpsTokenRequest(s.OIDCRequestURL, s.OIDCRequestToken, s.ADOServiceConnectionID)
		}
		return func(ctx context.Context) (string, error) { return request.fetch(ctx, client) }, nil
	default:
		return nil, useOIDC.error("No OIDC token source",
			"use_oidc is on but none of oidc_token (O365PAM_OIDC_TOKEN or ARM_OIDC_TOKEN), oidc_token_file_path "+
				"(O365PAM_OIDC_TOKEN_FILE_PATH or ARM_OIDC_TOKEN_FILE_PATH) or oidc_request_url with oidc_request_token "+
				"(O365PAM_ or ARM_OIDC_REQUEST_URL and _OIDC_REQUEST_TOKEN; GitHub Actions and Azure DevOps set their own) is set")
	}
}

func readTokenFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the OIDC token file: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("the OIDC token file %s is empty", path)
	}
	return token, nil
}

// federatedTokenRequest asks a CI platform's token service for an ID token for Entra ID.
type federatedTokenRequest struct {
	method, url, bearer string
	query               url.Values
	header              http.Header
	field               string // the answer's JSON property that holds the token
}

// gitHubTokenRequest is the GitHub Actions request: GET with the Entra audience.
func gitHubTokenRequest(requestURL, requestToken string) federatedTokenRequest {
	return federatedTokenRequest{method: http.MethodGet, url: requestURL, bearer: requestToken,
		query: url.Values{"audience": {federatedAudience}}, field: "value"}
}

// azureDevOpsTokenRequest is the Azure Pipelines request for one service connection, as
// azidentity's AzurePipelinesCredential sends it. That credential is not used because it reads
// the URL only from SYSTEM_OIDCREQUESTURI, which would ignore oidc_request_url.
func azureDevOpsTokenRequest(requestURL, accessToken, serviceConnectionID string) federatedTokenRequest {
	return federatedTokenRequest{method: http.MethodPost, url: requestURL, bearer: accessToken,
		query: url.Values{"api-version": {"7.1"}, "serviceConnectionId": {serviceConnectionID}},
		// Without it an expired access token is answered with a redirect to a sign-in page.
		header: http.Header{"X-Tfs-Fedauthredirect": {"Suppress"}},
		field:  "oidcToken"}
}

func (r federatedTokenRequest) fetch(ctx context.Context, client *http.Client) (string, error) {
	u, err := url.Parse(r.url)
	if err != nil {
		return "", fmt.Errorf("parsing the OIDC request URL: %w", err)
	}
	query := u.Query()
	for name, values := range r.query {
		query[name] = values
	}
	u.RawQuery = query.Encode()

	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("building the OIDC token request: %w", err)
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	req.Header.Set("Authorization", "Bearer "+r.bearer)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting an OIDC token: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the OIDC token response: %w", err)
	}
	// The body is not quoted in errors: on success it holds a token.
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("requesting an OIDC token: HTTP %d from %s", resp.StatusCode, u.Host)
	}
	var answer map[string]any
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", fmt.Errorf("decoding the OIDC token response: %w", err)
	}
	token, _ := answer[r.field].(string)
	if token == "" {
		return "", fmt.Errorf("the OIDC token response from %s has no %s", u.Host, r.field)
	}
	return token, nil
}
