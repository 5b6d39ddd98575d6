package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

func TestGraphGroupByMailIgnoresCase(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("approvers", "adele.vance")
	h.mustInvoke(h.app(), "New-DistributionGroup", map[string]any{"Name": "list"})
	token := h.graphToken()
	r := h.graph(http.MethodGet, "/groups?$filter="+url.QueryEscape("mail eq 'APPROVERS@contoso.onmicrosoft.com'"), token, nil)
	values := r.body["value"].([]any)
	if r.status != http.StatusOK || len(values) != 1 {
		t.Fatalf("got %d %s", r.status, r.raw)
	}
	g := values[0].(map[string]any)
	if g["mail"] != addr || g["mailEnabled"] != true || g["securityEnabled"] != true || len(g["groupTypes"].([]any)) != 0 ||
		g["@odata.type"] != "#microsoft.graph.group" || r.body["@odata.context"] == nil {
		t.Fatalf("group %v", g)
	}
	in := h.graph(http.MethodGet, "/groups?$filter="+url.QueryEscape("mail in ('approvers@contoso.onmicrosoft.com','list@contoso.onmicrosoft.com')")+"&$select=id,mail&$expand=members", token, nil)
	if got := in.body["value"].([]any); len(got) != 2 {
		t.Fatalf("in filter %s", in.raw)
	}
	first := in.body["value"].([]any)[0].(map[string]any)
	if _, has := first["displayName"]; has || len(first["members"].([]any)) != 1 {
		t.Fatalf("$select/$expand %v", first)
	}
	byID := h.graph(http.MethodGet, "/groups?$filter="+url.QueryEscape(fmt.Sprintf("id in ('%s')", g["id"])), token, nil)
	if len(byID.body["value"].([]any)) != 1 {
		t.Fatalf("id in %s", byID.raw)
	}
	if r := h.graph(http.MethodGet, "/groups?$filter="+url.QueryEscape("startswith(mail,'a')"), token, nil); r.status != http.StatusBadRequest {
		t.Fatalf("unsupported filter: %d", r.status)
	}
}

func TestGraphMembersPaging(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("g", "adele.vance", "alex.wilber", "megan.bowen", "lee.gu", "svc-sync")
	token := h.graphToken()
	id := h.graph(http.MethodGet, "/groups?$filter="+url.QueryEscape("mail eq '"+addr+"'"), token, nil).body["value"].([]any)[0].(map[string]any)["id"].(string)
	var upns []string
	pages := 0
	for next := h.srv.BaseURL() + "/graph/v1.0/groups/" + id + "/members?$top=2"; next != ""; pages++ {
		r := h.graph(http.MethodGet, next, token, nil)
		if r.status != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, r.status, r.raw)
		}
		for _, v := range r.body["value"].([]any) {
			u := v.(map[string]any)
			if u["@odata.type"] != "#microsoft.graph.user" {
				t.Fatalf("member %v", u)
			}
			upns = append(upns, u["userPrincipalName"].(string))
		}
		next, _ = r.body["@odata.nextLink"].(string)
	}
	if pages != 3 || len(upns) != 5 || upns[4] != upn("svc-sync") {
		t.Fatalf("pages %d members %v", pages, upns)
	}
}

func TestGraphUsers(t *testing.T) {
	h := start(t, Options{})
	token := h.graphToken()
	r := h.graph(http.MethodGet, "/users/Lee.Gu@contoso.onmicrosoft.com", token, nil)
	if r.status != http.StatusOK || r.body["id"] != builtinUsers[3].id {
		t.Fatalf("by UPN %d %s", r.status, r.raw)
	}
	if _, has := r.body["proxyAddresses"]; has {
		t.Fatal("proxyAddresses is not a default user property")
	}
	sel := h.graph(http.MethodGet, "/users/"+builtinUsers[3].id+"?$select=id,proxyAddresses,accountEnabled", token, nil)
	if sel.body["accountEnabled"] != true || len(sel.body["proxyAddresses"].([]any)) != 1 {
		t.Fatalf("$select %s", sel.raw)
	}
	for _, filter := range []string{"mail eq 'LEE.GU@contoso.onmicrosoft.com'", "userPrincipalName eq 'lee.gu@contoso.onmicrosoft.com'", "proxyAddresses/any(p:p eq 'smtp:lee.gu@contoso.onmicrosoft.com')"} {
		r := h.graph(http.MethodGet, "/users?$filter="+url.QueryEscape(filter), token, nil)
		if got := r.body["value"].([]any); len(got) != 1 {
			t.Fatalf("%s: %s", filter, r.raw)
		}
	}
	missing := h.graph(http.MethodGet, "/users/ghost@contoso.onmicrosoft.com", token, nil)
	if missing.status != http.StatusNotFound || missing.body["error"].(map[string]any)["code"] != "Request_ResourceNotFound" {
		t.Fatalf("missing user %d %s", missing.status, missing.raw)
	}
	lic := h.graph(http.MethodGet, "/users/"+upn("megan.bowen")+"/licenseDetails", token, nil)
	if v := lic.body["value"].([]any); len(v) != 1 || v[0].(map[string]any)["skuPartNumber"] != "SPE_E5" {
		t.Fatalf("licenses %s", lic.raw)
	}
	unlicensed := h.graph(http.MethodGet, "/users/"+upn("nestor.wilke")+"/licenseDetails", token, nil)
	if v := unlicensed.body["value"].([]any); len(v) != 0 {
		t.Fatalf("nestor is unlicensed: %s", unlicensed.raw)
	}
}

func TestGraphOrganizationAndSkus(t *testing.T) {
	h := start(t, Options{})
	token := h.graphToken()
	org := h.graph(http.MethodGet, "/organization", token, nil).body["value"].([]any)[0].(map[string]any)
	domain := org["verifiedDomains"].([]any)[0].(map[string]any)
	if org["id"] != BuiltinTenantID || domain["name"] != BuiltinDomain || domain["isInitial"] != true {
		t.Fatalf("organization %v", org)
	}
	sku := h.graph(http.MethodGet, "/subscribedSkus", token, nil).body["value"].([]any)[0].(map[string]any)
	if sku["skuPartNumber"] != "SPE_E5" || sku["consumedUnits"] != float64(5) || fmt.Sprint(sku["servicePlans"]) == "" {
		t.Fatalf("sku %v", sku)
	}
}

func TestGraphRefusesWritesToMailEnabledGroups(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("g")
	appToken := h.graphToken()
	id := h.graph(http.MethodGet, "/groups?$filter="+url.QueryEscape("mail eq '"+addr+"'"), appToken, nil).body["value"].([]any)[0].(map[string]any)["id"].(string)
	if r := h.graph(http.MethodPatch, "/groups/"+id, appToken, map[string]any{"displayName": "x"}); r.status != http.StatusForbidden ||
		r.body["error"].(map[string]any)["code"] != "Authorization_RequestDenied" {
		t.Fatalf("read-only app: %d %s", r.status, r.raw)
	}
	admin := h.userToken("megan.bowen", graphAudience)
	create := h.graph(http.MethodPost, "/groups", admin, map[string]any{"displayName": "x", "mailEnabled": true, "securityEnabled": true, "mailNickname": "x"})
	if create.status != http.StatusBadRequest || create.body["error"].(map[string]any)["message"] != "Cannot Create a mail-enabled security groups and or distribution list." {
		t.Fatalf("create: %d %s", create.status, create.raw)
	}
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPatch, "/groups/" + id, map[string]any{"displayName": "x"}},
		{http.MethodDelete, "/groups/" + id, nil},
		{http.MethodPost, "/groups/" + id + "/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + builtinUsers[0].id}},
		{http.MethodDelete, "/groups/" + id + "/members/" + builtinUsers[0].id + "/$ref", nil},
	} {
		r := h.graph(req.method, req.path, admin, req.body)
		errObj := r.body["error"].(map[string]any)
		if r.status != http.StatusBadRequest || errObj["code"] != "Request_BadRequest" || errObj["message"] != "Cannot Update a mail-enabled security groups and or distribution list." {
			t.Fatalf("%s %s: %d %s", req.method, req.path, r.status, r.raw)
		}
	}
}

func TestGraphUnknownPathsAndIDs(t *testing.T) {
	h := start(t, Options{})
	token := h.graphToken()
	if r := h.graph(http.MethodGet, "/privilegedAccess", token, nil); r.status != http.StatusBadRequest || r.body["error"].(map[string]any)["code"] != "BadRequest" {
		t.Fatalf("unknown segment %d %s", r.status, r.raw)
	}
	if r := h.graph(http.MethodGet, "/groups/not-a-guid", token, nil); r.status != http.StatusBadRequest {
		t.Fatalf("bad id %d", r.status)
	}
	r := h.graph(http.MethodGet, "/groups/00000000-0000-0000-0000-00000000abcd", token, nil)
	inner := r.body["error"].(map[string]any)["innerError"].(map[string]any)
	if r.status != http.StatusNotFound || inner["request-id"] != r.header.Get("request-id") {
		t.Fatalf("missing group %d %s", r.status, r.raw)
	}
}

func TestGraphBatch(t *testing.T) {
	h := start(t, Options{})
	token := h.graphToken()
	r := h.graph(http.MethodPost, "/$batch", token, map[string]any{"requests": []map[string]any{
		{"id": "1", "method": "GET", "url": "/users/" + upn("lee.gu")},
		{"id": "2", "method": "GET", "url": "/users/ghost@contoso.onmicrosoft.com"},
	}})
	responses := r.body["responses"].([]any)
	if r.status != http.StatusOK || len(responses) != 2 ||
		responses[0].(map[string]any)["status"] != float64(200) || responses[1].(map[string]any)["status"] != float64(404) {
		t.Fatalf("batch %d %s", r.status, r.raw)
	}
	var many []map[string]any
	for i := range 21 {
		many = append(many, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/organization"})
	}
	if r := h.graph(http.MethodPost, "/$batch", token, map[string]any{"requests": many}); r.status != http.StatusBadRequest {
		t.Fatalf("21 requests: %d", r.status)
	}
}

func TestGraphDeleteUserLeavesGroups(t *testing.T) {
	h := start(t, Options{})
	addr := h.newSecurityGroup("g", "adele.vance", "alex.wilber")
	appToken := h.graphToken()
	if r := h.graph(http.MethodDelete, "/users/alex.wilber@"+BuiltinDomain, appToken, nil); r.status != http.StatusForbidden {
		t.Fatalf("read-only app: %d %s", r.status, r.raw)
	}
	admin := h.userToken("megan.bowen", graphAudience)
	if r := h.graph(http.MethodDelete, "/users/alex.wilber@"+BuiltinDomain, admin, nil); r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if r := h.graph(http.MethodGet, "/users/alex.wilber@"+BuiltinDomain, appToken, nil); r.status != http.StatusNotFound {
		t.Fatalf("deleted user still read: %d %s", r.status, r.raw)
	}
	if r := h.graph(http.MethodDelete, "/users/alex.wilber@"+BuiltinDomain, admin, nil); r.status != http.StatusNotFound {
		t.Fatalf("second delete: %d %s", r.status, r.raw)
	}
	members := h.mustInvoke(h.app(), "Get-DistributionGroupMember", map[string]any{"Identity": addr})
	if len(members) != 1 || members[0]["PrimarySmtpAddress"] != "adele.vance@"+BuiltinDomain {
		t.Fatalf("Exchange members after the delete: %v", members)
	}
	id := h.graph(http.MethodGet, "/groups?$filter="+url.QueryEscape("mail eq '"+addr+"'"), appToken, nil).body["value"].([]any)[0].(map[string]any)["id"].(string)
	if got := h.graph(http.MethodGet, "/groups/"+id+"/members", appToken, nil).body["value"].([]any); len(got) != 1 {
		t.Fatalf("Graph members after the delete: %v", got)
	}
	if msg := h.cmdletFailure(h.app(), "Add-DistributionGroupMember", map[string]any{"Identity": addr, "Member": "alex.wilber@" + BuiltinDomain}); msg == "" {
		t.Fatal("a deleted user was added back")
	}
}
