package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// graphPrefix is where the emulator serves Microsoft Graph (an emulator-only convention: the
// real service has a host of its own).
const graphPrefix = "/graph"

const graphExpandLimit = 20 // Graph expands at most 20 linked objects

// graphError is a refusal in the Graph error shape.
type graphError struct {
	status  int
	code    string
	message string
}

// graphResult is one Graph answer, shared by plain requests and $batch parts.
type graphResult struct {
	status int
	body   any
	err    *graphError
}

func graphOK(body any) graphResult   { return graphResult{status: http.StatusOK, body: body} }
func fail(e *graphError) graphResult { return graphResult{err: e} }
func failf(status int, code, format string, a ...any) graphResult {
	return fail(&graphError{status, code, fmt.Sprintf(format, a...)})
}

// Permission sets, app roles or delegated scopes; Directory.AccessAsUser.All defers to the
// user's own rights.
var (
	permGroupRead  = []string{"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
	permUserRead   = []string{"User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
	permOrgRead    = []string{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All", "User.Read"}
	permGroupWrite = []string{"Group.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
	permUserWrite  = []string{"User.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
)

// graphHandler is one method on one route with the permissions it needs. Writes by a user
// also need an admin role.
type graphHandler struct {
	perms []string
	write bool
	run   func(*graphCall) graphResult
}

type graphRoute struct {
	pattern  []string // literal segments, or "{}" for an id
	handlers map[string]graphHandler
}

var graphRoutes = []graphRoute{
	{[]string{"groups"}, map[string]graphHandler{
		http.MethodGet:  {permGroupRead, false, (*graphCall).listGroups},
		http.MethodPost: {permGroupWrite, true, (*graphCall).createGroup},
	}},
	{[]string{"groups", "{}"}, map[string]graphHandler{
		http.MethodGet:    {permGroupRead, false, (*graphCall).getGroup},
		http.MethodPatch:  {permGroupWrite, true, (*graphCall).refuseGroupChange},
		http.MethodDelete: {permGroupWrite, true, (*graphCall).refuseGroupChange},
	}},
	{[]string{"groups", "{}", "members"}, map[string]graphHandler{
		http.MethodGet: {permGroupRead, false, (*graphCall).listMembers},
	}},
	{[]string{"groups", "{}", "members", "$ref"}, map[string]graphHandler{
		http.MethodPost: {permGroupWrite, true, (*graphCall).refuseGroupChange},
	}},
	{[]string{"groups", "{}", "members", "{}", "$ref"}, map[string]graphHandler{
		http.MethodDelete: {permGroupWrite, true, (*graphCall).refuseGroupChange},
	}},
	{[]string{"users"}, map[string]graphHandler{
		http.MethodGet: {permUserRead, false, (*graphCall).listUsers},
	}},
	{[]string{"users", "{}"}, map[string]graphHandler{
		http.MethodGet:    {permUserRead, false, (*graphCall).getUser},
		http.MethodDelete: {permUserWrite, true, (*graphCall).deleteUser},
	}},
	{[]string{"users", "{}", "licenseDetails"}, map[string]graphHandler{
		http.MethodGet: {permUserRead, false, (*graphCall).userLicenses},
	}},
	{[]string{"organization"}, map[string]graphHandler{
		http.MethodGet: {permOrgRead, false, (*graphCall).organization},
	}},
	{[]string{"subscribedSkus"}, map[string]graphHandler{
		http.MethodGet: {permOrgRead, false, (*graphCall).subscribedSkus},
	}},
}

// graphCall is one Graph request being answered while the tenant lock is held.
type graphCall struct {
	s    *Server
	h    *HostedTenant // the token's tenant, whose lock the call holds
	t    *Tenant
	p    *principal
	url  *url.URL
	body []byte
	ids  []string // the {} segments of the route, in order
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	requestID, clientRequestID := requestIDs(w, r, false)
	write := func(res graphResult) { s.writeGraphResult(w, res, requestID, clientRequestID) }
	if !strings.HasPrefix(r.URL.Path, graphPrefix+"/v1.0/") {
		write(failf(http.StatusBadRequest, "BadRequest", "Invalid version."))
		return
	}
	// Graph's URLs name no tenant: the token's tenant is the one served.
	p, problem := s.authenticate(r.Header.Get("Authorization"), graphAudience)
	if problem != tokenOK {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+s.baseURL+`/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		write(fail(graphTokenError(problem)))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		write(failf(http.StatusBadRequest, "BadRequest", "The request body could not be read."))
		return
	}
	if strings.EqualFold(r.URL.Path, graphPrefix+"/v1.0/$batch") {
		write(s.graphBatch(p, r.Method, body))
		return
	}
	write(s.graphCall(p, r.Method, r.URL, body))
}

func graphTokenError(problem tokenProblem) *graphError {
	msg := map[tokenProblem]string{
		tokenMissing:       "Access token is empty.",
		tokenInvalid:       "Access token validation failure. Invalid signature or malformed token.",
		tokenExpired:       "Lifetime validation failed, the token is expired.",
		tokenWrongAudience: "Access token validation failure. Invalid audience.",
	}[problem]
	return &graphError{http.StatusUnauthorized, "InvalidAuthenticationToken", msg}
}

// graphCall routes one request (plain or from a batch) under the lock of the token's tenant.
func (s *Server) graphCall(p *principal, method string, u *url.URL, body []byte) graphResult {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(u.Path, graphPrefix+"/v1.0"), "/"), "/")
	route, ids, gerr := matchGraphRoute(segs)
	if gerr != nil {
		return fail(gerr)
	}
	h, found := route.handlers[method]
	if !found {
		return failf(http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
	}
	ht := p.tenant
	ht.mu.Lock()
	defer ht.mu.Unlock()
	if !p.hasAny(h.perms...) || (h.write && !p.appOnly() && !ht.liveLocked().isAdmin(p.userID)) {
		return failf(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
	return h.run(&graphCall{s: s, h: ht, t: s.withoutNewGroups(ht.readableLocked()), p: p, url: u, body: body, ids: ids})
}

func matchGraphRoute(segs []string) (*graphRoute, []string, *graphError) {
	deepest := 0
	for i := range graphRoutes {
		route := &graphRoutes[i]
		if len(route.pattern) != len(segs) {
			continue
		}
		var ids []string
		matched := 0
		for j, want := range route.pattern {
			if want == "{}" {
				ids = append(ids, segs[j])
			} else if !strings.EqualFold(want, segs[j]) {
				break
			}
			matched++
		}
		if matched == len(segs) {
			return route, ids, nil
		}
		deepest = max(deepest, matched)
	}
	return nil, nil, &graphError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", segs[min(deepest, len(segs)-1)])}
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (c *graphCall) context(fragment string) string {
	return c.s.baseURL + graphPrefix + "/v1.0/$metadata#" + fragment
}

// collection renders one page of items and the link to the next.
func (c *graphCall) collection(fragment string, items []map[string]any, q *graphQuery) graphResult {
	pageItems, next := page(items, q.offset, q.top)
	body := map[string]any{"@odata.context": c.context(fragment), "value": nonNilMaps(pageItems)}
	if next >= 0 {
		body["@odata.nextLink"] = nextLink(c.s.baseURL, c.url, next)
	}
	return graphOK(body)
}

func nonNilMaps(list []map[string]any) []map[string]any {
	if list == nil {
		return []map[string]any{}
	}
	return list
}

// lookupGroup finds the group of the first {} segment: ids must be GUIDs, as in Graph.
func (c *graphCall) lookupGroup() (*Group, *graphError) {
	id := c.ids[0]
	if !guidPattern.MatchString(id) {
		return nil, &graphError{http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid object identifier '%s'.", id)}
	}
	if g := c.t.groupByID(id); g != nil {
		return g, nil
	}
	return nil, notFoundResource(id)
}

func notFoundResource(id string) *graphError {
	return &graphError{http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)}
}

func (c *graphCall) groupView(g *Group, q *graphQuery) map[string]any {
	obj := view(graphGroupJSON(g), q.selected, nil)
	if q.expand == "members" {
		members := []map[string]any{}
		for _, id := range g.Members[:min(len(g.Members), graphExpandLimit)] {
			if m := c.t.graphMemberJSON(id, q.expandSelect); m != nil {
				members = append(members, m)
			}
		}
		obj["members"] = members
	}
	return obj
}

func (c *graphCall) listGroups() graphResult {
	q, gerr := parseGraphQuery(c.url.Query(), "$filter", "$select", "$top", "$skiptoken", "$expand")
	if gerr != nil {
		return fail(gerr)
	}
	var items []map[string]any
	for _, g := range c.t.Groups {
		if q.filter != nil && q.filter.property == "id" && !q.filter.any {
			// The batched member read filters on id: compared directly, a tenant of tens of
			// thousands of groups is scanned without building each group's filterable view.
			if !containsFold(q.filter.values, g.ID) {
				continue
			}
		} else if q.filter != nil {
			match, gerr := q.filter.matches(groupFilterable(g), "Group")
			if gerr != nil {
				return fail(gerr)
			}
			if !match {
				continue
			}
		}
		items = append(items, c.groupView(g, q))
	}
	return c.collection("groups", items, q)
}

func (c *graphCall) getGroup() graphResult {
	q, gerr := parseGraphQuery(c.url.Query(), "$select", "$expand")
	if gerr != nil {
		return fail(gerr)
	}
	g, gerr := c.lookupGroup()
	if gerr != nil {
		return fail(gerr)
	}
	obj := c.groupView(g, q)
	obj["@odata.context"] = c.context("groups/$entity")
	return graphOK(obj)
}

func (c *graphCall) listMembers() graphResult {
	q, gerr := parseGraphQuery(c.url.Query(), "$select", "$top", "$skiptoken")
	if gerr != nil {
		return fail(gerr)
	}
	g, gerr := c.lookupGroup()
	if gerr != nil {
		return fail(gerr)
	}
	var items []map[string]any
	for _, id := range g.Members {
		if m := c.t.graphMemberJSON(id, q.selected); m != nil {
			items = append(items, m)
		}
	}
	return c.collection("directoryObjects", items, q)
}

// createGroup answers what Graph answers for the only group kinds this tenant models.
func (c *graphCall) createGroup() graphResult {
	var req struct {
		MailEnabled bool `json:"mailEnabled"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return failf(http.StatusBadRequest, "Request_BadRequest", "Invalid request body.")
	}
	if req.MailEnabled {
		return failf(http.StatusBadRequest, "Request_BadRequest", "Cannot Create a mail-enabled security groups and or distribution list.")
	}
	return failf(http.StatusBadRequest, "Request_BadRequest", "The emulated tenant models only mail-enabled groups; groups that are not mail-enabled cannot be created here.")
}

// refuseGroupChange answers every Graph write to an existing group: they are all mail-enabled,
// and Graph cannot change those.
func (c *graphCall) refuseGroupChange() graphResult {
	if _, gerr := c.lookupGroup(); gerr != nil {
		return fail(gerr)
	}
	return failf(http.StatusBadRequest, "Request_BadRequest", "Cannot Update a mail-enabled security groups and or distribution list.")
}

func (c *graphCall) listUsers() graphResult {
	q, gerr := parseGraphQuery(c.url.Query(), "$filter", "$select", "$top", "$skiptoken")
	if gerr != nil {
		return fail(gerr)
	}
	var items []map[string]any
	for _, u := range c.t.Users {
		if q.filter != nil {
			match, gerr := q.filter.matches(userFilterable(u), "User")
			if gerr != nil {
				return fail(gerr)
			}
			if !match {
				continue
			}
		}
		items = append(items, view(graphUserJSON(u), q.selected, userDefaultProperties))
	}
	return c.collection("users", items, q)
}

// lookupUser resolves /users/{id or userPrincipalName}.
func (c *graphCall) lookupUser() (*User, *graphError) {
	key, err := url.PathUnescape(c.ids[0])
	if err != nil {
		key = c.ids[0]
	}
	if u := c.t.userByID(key); u != nil {
		return u, nil
	}
	if u := c.t.userByUPN(key); u != nil {
		return u, nil
	}
	return nil, notFoundResource(key)
}

func (c *graphCall) getUser() graphResult {
	q, gerr := parseGraphQuery(c.url.Query(), "$select")
	if gerr != nil {
		return fail(gerr)
	}
	u, gerr := c.lookupUser()
	if gerr != nil {
		return fail(gerr)
	}
	obj := view(graphUserJSON(u), q.selected, userDefaultProperties)
	obj["@odata.context"] = c.context("users/$entity")
	return graphOK(obj)
}

// deleteUser removes a user from the directory (204, as Graph answers). The user leaves every
// group's members and owners and the privileged access system accounts at once, in both services:
// links to a deleted directory object go with it (choice, see the fidelity table).
func (c *graphCall) deleteUser() graphResult {
	u, gerr := c.lookupUser()
	if gerr != nil {
		return fail(gerr)
	}
	t := c.h.liveLocked() // the write goes to the tenant itself, not to the view reads see
	t.Users = slices.DeleteFunc(t.Users, func(x *User) bool { return strings.EqualFold(x.ID, u.ID) })
	gone := func(id string) bool { return strings.EqualFold(id, u.ID) }
	for _, g := range t.Groups {
		g.Members = slices.DeleteFunc(g.Members, gone)
		g.ManagedBy = slices.DeleteFunc(g.ManagedBy, gone)
	}
	t.PAM.SystemAccounts = slices.DeleteFunc(t.PAM.SystemAccounts, gone)
	now := c.s.opts.Now().UTC()
	c.h.replica.recordLocked(now, t)
	if err := c.h.persistLocked(); err != nil {
		return failf(http.StatusInternalServerError, "InternalServerError", "The emulator could not save its state: %v", err)
	}
	return graphResult{status: http.StatusNoContent}
}

func (c *graphCall) userLicenses() graphResult {
	u, gerr := c.lookupUser()
	if gerr != nil {
		return fail(gerr)
	}
	var items []map[string]any
	for _, id := range u.SkuIDs {
		if sku := c.t.sku(id); sku != nil {
			items = append(items, graphLicenseDetailJSON(sku))
		}
	}
	return c.collection(fmt.Sprintf("users('%s')/licenseDetails", u.ID), items, &graphQuery{top: graphMaxPageSize})
}

func (c *graphCall) organization() graphResult {
	return c.collection("organization", []map[string]any{graphOrganizationJSON(c.t)}, &graphQuery{top: 1})
}

func (c *graphCall) subscribedSkus() graphResult {
	var items []map[string]any
	for i := range c.t.Skus {
		items = append(items, graphSubscribedSkuJSON(c.t, &c.t.Skus[i]))
	}
	return c.collection("subscribedSkus", items, &graphQuery{top: graphMaxPageSize})
}

func (s *Server) writeGraphResult(w http.ResponseWriter, res graphResult, requestID, clientRequestID string) {
	if res.err != nil {
		writeJSON(w, res.err.status, s.graphErrorBody(res.err, requestID, clientRequestID))
		return
	}
	if res.status == http.StatusNoContent {
		w.WriteHeader(res.status)
		return
	}
	writeJSON(w, res.status, res.body)
}

func (s *Server) graphErrorBody(e *graphError, requestID, clientRequestID string) map[string]any {
	inner := map[string]any{"date": s.opts.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": requestID}
	if clientRequestID != "" {
		inner["client-request-id"] = clientRequestID
	}
	return map[string]any{"error": map[string]any{"code": e.code, "message": e.message, "innerError": inner}}
}
