package emulator

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// These tests use the public Azure SDK (not the provider's clients) to prove that the sign-in
// documents and token responses are what azidentity and MSAL expect.

func sdkOptions(h *harness) azcore.ClientOptions {
	transport := h.srv.CA().HTTPClient()
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: h.srv.BaseURL() + "/"},
		Transport: transport,
	}
}

func TestAzidentityClientSecretAndPassword(t *testing.T) {
	h := start(t, Options{})
	ctx := context.Background()
	secret, err := azidentity.NewClientSecretCredential(BuiltinDomain, BuiltinClientID, BuiltinClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: sdkOptions(h), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := secret.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{exchangeAudience + "/.default"}})
	if err != nil {
		t.Fatalf("client secret: %v", err)
	}
	if jwtClaims(t, tok.Token)["aud"] != exchangeAudience {
		t.Fatal("wrong audience")
	}
	//nolint:staticcheck // SA1019: tests act as a human admin by the password grant, which the SDK offers only deprecated.
	password, err := azidentity.NewUsernamePasswordCredential(BuiltinTenantID, BuiltinClientID, upn("megan.bowen"), BuiltinPassword,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: sdkOptions(h), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err = password.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphAudience + "/.default"}})
	if err != nil {
		t.Fatalf("password: %v", err)
	}
	if jwtClaims(t, tok.Token)["upn"] != upn("megan.bowen") {
		t.Fatal("password token lacks upn")
	}
	wrong, _ := azidentity.NewClientSecretCredential(BuiltinTenantID, BuiltinClientID, "wrong",
		&azidentity.ClientSecretCredentialOptions{ClientOptions: sdkOptions(h), DisableInstanceDiscovery: true})
	if _, err := wrong.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphAudience + "/.default"}}); err == nil {
		t.Fatal("wrong secret accepted")
	}
}
