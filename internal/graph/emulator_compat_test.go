package graph_test

import (
	"context"
	"strings"
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
	// Users found by object id, UPN or mail, in other case, with their licences; unknown names missing.
	people, err := g.UsersByName(ctx, []string{adele.ID, "NESTOR.WILKE@" + domain, "nobody@" + domain})
	if err != nil || len(people) != 2 {
		t.Fatalf("UsersByName() = %+v, %v; want adele and nestor", people, err)
	}
	if lic := people[strings.ToLower(adele.ID)].SkuIDs; len(lic) != 1 || lic[0] != skus[0].SkuID {
		t.Fatalf("adele's licences %v, want %s", lic, skus[0].SkuID)
	}
	if lic := people["nestor.wilke@"+strings.ToLower(domain)].SkuIDs; len(lic) != 0 {
		t.Fatalf("nestor's licences %v, want none", lic)
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
