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

// githubAudience is the audience Entra ID expects on federated tokens.
const githubAudience = "api://AzureADTokenExchange"

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
// re-read on every call (platforms rotate it), or the GitHub Actions token service.
func assertionSource(s Settings) (func(context.Context) (string, error), error) {
	switch {
	case s.OIDCToken != "":
		return func(context.Context) (string, error) { return s.OIDCToken, nil }, nil
	case s.OIDCTokenFilePath != "":
		return func(context.Context) (string, error) { return readTokenFile(s.OIDCTokenFilePath) }, nil
	case s.OIDCRequestURL != "" && s.OIDCRequestToken == "":
		return nil, oidcRequestToken.error("Missing OIDC request token",
			"oidc_request_url is set, so the token for it is needed too")
	case s.OIDCRequestURL == "" && s.OIDCRequestToken != "":
		return nil, oidcRequestURL.error("Missing OIDC request URL",
			"oidc_request_token is set, so the URL to ask is needed too")
	case s.OIDCRequestURL != "":
		client := s.HTTPClient
		if client == nil {
			client = http.DefaultClient
		}
		return func(ctx context.Context) (string, error) {
			return requestGitHubToken(ctx, client, s.OIDCRequestURL, s.OIDCRequestToken)
		}, nil
	default:
		return nil, useOIDC.error("No OIDC token source",
			"use_oidc is on but none of oidc_token (ARM_OIDC_TOKEN), oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH) "+
				"or oidc_request_url with oidc_request_token (ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN) is set")
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

// requestGitHubToken asks the GitHub Actions token service for an ID token for Entra ID.
func requestGitHubToken(ctx context.Context, client *http.Client, requestURL, requestToken string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("parsing the OIDC request URL: %w", err)
	}
	query := u.Query()
	query.Set("audience", githubAudience)
	u.RawQuery = query.Encode()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("building the OIDC token request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
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
	var answer struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", fmt.Errorf("decoding the OIDC token response: %w", err)
	}
	if answer.Value == "" {
		return "", fmt.Errorf("the OIDC token response from %s has no value", u.Host)
	}
	return answer.Value, nil
}
