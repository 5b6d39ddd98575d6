package graph_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
)

// The emulator and the clients share no code, so this test is where they must agree: msgraph-sdk-go
// has to parse every Graph answer the emulator gives, and see what Exchange wrote.
func TestGraphClientReadsTheEmulator(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	httpClient := srv.CA().HTTPClient()
	cred, err := azidentity.NewClientSecretCredential(srv.TenantID(), srv.ClientID(), srv.ClientSecret(),
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.BaseURL() + "/"}, Transport: httpClient},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.New(graph.Config{Endpoint: srv.BaseURL() + "/graph", Scope: "https://graph.microsoft.com/.default",
		Credential: cred, HTTPClient: httpClient})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := exchange.New(exchange.Config{Endpoint: srv.BaseURL() + "/exchange", Tenant: srv.TenantID(),
		Organization: srv.Organization(), Scope: "https://outlook.office365.com/.default", Credential: cred, HTTPClient: httpClient})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	domain := srv.Organization()

	org, err := g.Organization(ctx)
	if err != nil || org.ID != srv.TenantID() || org.InitialDomain != domain {
		t.Fatalf("Organization() = %+v, %v; want id %s, initial domain %s", org, err, srv.TenantID(), domain)
	}
	adele, err := g.User(ctx, "adele.vance@"+domain)
	if err != nil || adele.ID == "" || adele.Mail != "adele.vance@"+domain || len(adele.ProxyAddresses) == 0 {
		t.Fatalf("User() = %+v, %v", adele, err)
	}
	if byMail, err := g.UserByMail(ctx, "ADELE.VANCE@"+domain); err != nil || byMail.ID != adele.ID {
		t.Fatalf("UserByMail() = %+v, %v; want %s", byMail, err, adele.ID)
	}
	if _, err := g.User(ctx, "nobody@"+domain); !apierr.IsNotFound(err) {
		t.Fatalf("User(nobody) error = %v, want not found", err)
	}
	skus, err := g.SubscribedSkus(ctx)
	if err != nil || len(skus) == 0 || len(skus[0].ServicePlans) == 0 {
		t.Fatalf("SubscribedSkus() = %+v, %v", skus, err)
	}
	if lic, err := g.UserLicenses(ctx, adele.ID); err != nil || len(lic) == 0 {
		t.Fatalf("UserLicenses(adele) = %+v, %v; want a licence", lic, err)
	}
	nestor, err := g.User(ctx, "nestor.wilke@"+domain)
	if err != nil {
		t.Fatal(err)
	}
	if lic, err := g.UserLicenses(ctx, nestor.ID); err != nil || len(lic) != 0 {
		t.Fatalf("UserLicenses(nestor) = %+v, %v; want none", lic, err)
	}

	// A group made through Exchange is visible to Graph as a mail-enabled security group.
	created, err := ex.NewSecurityGroup(ctx, exchange.NewGroup{
		Name: "PAM Approvers", PrimarySmtpAddress: "pam-approvers@" + domain,
		Members: []string{"adele.vance@" + domain, "lee.gu@" + domain},
	})
	if err != nil {
		t.Fatal(err)
	}
	group, err := g.GroupByMail(ctx, "pam-approvers@"+domain)
	if err != nil || group.ID != created.ExternalDirectoryObjectID || !group.MailEnabled || !group.SecurityEnabled || len(group.GroupTypes) != 0 {
		t.Fatalf("GroupByMail() = %+v, %v; want the security group %s", group, err, created.ExternalDirectoryObjectID)
	}
	members, err := g.GroupMembers(ctx, group.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("GroupMembers() = %+v, %v; want 2", members, err)
	}
}
