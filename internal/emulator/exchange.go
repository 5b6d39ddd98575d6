package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// exchangePrefix is where the emulator serves Exchange Online's admin REST endpoint (an
// emulator-only convention: the real service has a host of its own).
const exchangePrefix = "/exchange"

// appAnchorMailbox is the system mailbox app-only callers anchor to.
const appAnchorMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"

var (
	invokePath  = regexp.MustCompile(`^/exchange/adminapi/(beta|v1\.0)/([^/]+)/InvokeCommand$`)
	maxPageSize = regexp.MustCompile(`(?i)odata\.maxpagesize\s*=\s*(\d+)`)
)

type invokeBody struct {
	CmdletInput *struct {
		CmdletName string                     `json:"CmdletName"`
		Parameters map[string]json.RawMessage `json:"Parameters"`
	} `json:"CmdletInput"`
}

func (s *Server) serveExchange(w http.ResponseWriter, r *http.Request) {
	requestIDs(w, r, true)
	m := invokePath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeExchangeHTTPError(w, http.StatusNotFound, "NotFound", "The requested resource does not exist.")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeExchangeHTTPError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested method is not allowed; InvokeCommand takes POST.")
		return
	}
	p, status, code, msg := s.authorizeExchange(r, m[2])
	if status != 0 {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="`+s.baseURL+`/common/oauth2/authorize", error="invalid_token"`)
		}
		writeExchangeHTTPError(w, status, code, msg)
		return
	}
	var body invokeBody
	raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil || body.CmdletInput == nil || body.CmdletInput.CmdletName == "" {
		writeExchangeHTTPError(w, http.StatusBadRequest, "BadRequest", `The request body must be {"CmdletInput":{"CmdletName":"...","Parameters":{...}}}.`)
		return
	}
	name := body.CmdletInput.CmdletName
	infoFrom(r).cmdlet = name
	s.count(r, serviceCmdlet, name)
	forced := s.faults.next(p.tenant.id, name)
	if forced != "" && forced != FaultDropAfterCommit {
		s.writeFault(w, r, serviceExchange, forced)
		return
	}
	spec := lookupCmdlet(name)
	if spec == nil {
		writeBareForbidden(w)
		return
	}
	args, cerr := bindParams(spec, body.CmdletInput.Parameters)
	if cerr != nil {
		cerr.write(w)
		return
	}
	offset := 0
	if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
		n, valid := decodeSkipToken(tok)
		if !valid || !spec.paged() {
			writeExchangeHTTPError(w, http.StatusBadRequest, "BadRequest", "The skip token is not valid for this request.")
			return
		}
		offset = n
	}
	values, next, warnings, allowed, cerr := s.runCmdlet(spec, p, args, offset, s.pageSize(r))
	if forced == FaultDropAfterCommit || (allowed && cerr == nil && spec.writes && s.faults.randomDrop()) {
		s.dropConnection(w, r)
		return
	}
	switch {
	case !allowed:
		writeBareForbidden(w)
		return
	case cerr != nil:
		cerr.write(w)
		return
	}
	out := map[string]any{
		"@odata.context": s.baseURL + strings.TrimSuffix(r.URL.Path, "InvokeCommand") + "$metadata#Collection(Exchange.GenericHashTable)",
		"value":          nonNilMaps(values),
	}
	if len(warnings) > 0 && offset == 0 {
		out["@adminapi.warnings"] = warnings
	}
	if next >= 0 {
		out["@odata.nextLink"] = s.baseURL + r.URL.Path + "?$skiptoken=" + encodeSkipToken(next)
	}
	writeJSON(w, http.StatusOK, out)
}

// authorizeExchange checks token, tenant, permission and anchor; a non-zero status is a refusal.
func (s *Server) authorizeExchange(r *http.Request, tenantSegment string) (*principal, int, string, string) {
	p, problem := s.authenticate(r.Header.Get("Authorization"), exchangeAudience)
	switch problem {
	case tokenMissing:
		return nil, http.StatusUnauthorized, "InvalidAuthenticationToken", "The request has no bearer token."
	case tokenExpired:
		return nil, http.StatusUnauthorized, "ExpiredToken", "The access token has expired."
	case tokenWrongAudience:
		return nil, http.StatusUnauthorized, "InvalidAuthenticationToken", "The token's audience is not Exchange Online."
	case tokenInvalid:
		return nil, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is not valid."
	}
	// A token of another tenant, hosted here or not, is refused as a tenant the URL does not name.
	if s.hosted(tenantSegment) != p.tenant {
		return nil, http.StatusUnauthorized, "InvalidAuthenticationToken", fmt.Sprintf("The tenant '%s' in the URL does not match the token's tenant.", tenantSegment)
	}
	if p.appOnly() && !p.hasAny("Exchange.ManageAsApp") {
		return nil, http.StatusForbidden, "Forbidden", "The application's token lacks the Exchange.ManageAsApp role."
	}
	if !p.appOnly() && !p.hasAny(exchangeUserScopes...) {
		return nil, http.StatusForbidden, "Forbidden", "The user's token lacks the AdminApi.AccessAsUser.All and Exchange.Manage scopes."
	}
	anchor := r.Header.Get("X-AnchorMailbox")
	if anchor == "" {
		return nil, http.StatusBadRequest, "BadRequest", "The X-AnchorMailbox header is required."
	}
	if !anchorMatches(anchor, p, p.tenant.id, p.tenant.domain) {
		return nil, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The X-AnchorMailbox header '%s' does not match the caller.", anchor)
	}
	return p, 0, "", ""
}

// anchorMatches checks "APP:SystemMailbox{...}@<org>" or "UPN:SystemMailbox{...}@<org>" for apps
// (the module sends the first, CISA ScubaGear and CIPP the second) and "UPN:<upn>" for users.
func anchorMatches(anchor string, p *principal, tenantID, org string) bool {
	if p.appOnly() {
		prefix, address, _ := strings.Cut(anchor, ":")
		mailbox, domain, found := strings.Cut(address, "@")
		return (prefix == "APP" || prefix == "UPN") && found && strings.EqualFold(mailbox, appAnchorMailbox) &&
			(strings.EqualFold(domain, org) || strings.EqualFold(domain, tenantID))
	}
	upn, found := strings.CutPrefix(anchor, "UPN:")
	return found && strings.EqualFold(upn, p.upn)
}

// runCmdlet runs the cmdlet under the lock of the token's tenant, saves the state after a change and builds the
// page of its output that starts at offset; next is where the next page starts, or -1. allowed is
// false when the caller's roles do not include the cmdlet.
func (s *Server) runCmdlet(spec *cmdletSpec, p *principal, args boundArgs, offset, size int) (page []map[string]any, next int, warnings []string, allowed bool, cerr *cmdletError) {
	h := p.tenant
	h.mu.Lock()
	defer h.mu.Unlock()
	live := h.liveLocked()
	if spec.adminOnly && !p.appOnly() && !live.isAdmin(p.userID) {
		return nil, -1, nil, false, nil
	}
	// Writes act on the tenant itself; reads see it as the consistency delay allows. Either sees
	// objects only once they have replicated.
	t := live
	if !spec.writes {
		t = h.readableLocked()
	}
	now := s.opts.Now().UTC()
	view, merge := s.replicated(t, now)
	call := &exchangeCall{t: view, store: t, p: p, now: now, args: args, idLag: s.opts.ObjectIDLag,
		elevatedAccessShape: s.opts.ElevatedAccessControlShape}
	out, cerr := spec.output(call)
	merge()
	if cerr != nil {
		return nil, -1, nil, true, cerr
	}
	if spec.writes {
		h.replica.recordLocked(now, live)
		if err := h.persistLocked(); err != nil {
			fmt.Fprintf(s.opts.Log, "state: %v\n", err)
			return nil, -1, nil, true, errInternal("The operation couldn't be completed: the emulator could not save its state.")
		}
	}
	page, next = out.page(offset, size)
	for _, v := range page {
		annotate(v)
	}
	return page, next, call.warnings, true, nil
}

// pageSize honours "Prefer: odata.maxpagesize=N", else the configured default.
func (s *Server) pageSize(r *http.Request) int {
	if m := maxPageSize.FindStringSubmatch(r.Header.Get("Prefer")); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			return n
		}
	}
	return s.opts.ExchangePageSize
}

// exoGUID marks a GUID property so it gets the "#Guid" annotation.
type exoGUID string

// dotnetDefaultTime is .NET's default DateTime (1/1/0001), which Exchange shows where a time was
// never set.
type dotnetDefaultTime struct{}

// annotate converts typed values to their wire form and adds the "Name@odata.type"
// annotations Exchange sends for non-string properties.
func annotate(obj map[string]any) {
	for k, v := range obj {
		switch val := v.(type) {
		case exoGUID:
			obj[k] = string(val)
			obj[k+"@odata.type"] = "#Guid"
		case dotnetDefaultTime:
			obj[k] = "0001-01-01T00:00:00Z"
			obj[k+"@odata.type"] = "#DateTime"
		case time.Time:
			if val.IsZero() {
				obj[k] = nil
				continue
			}
			obj[k] = val.UTC().Format(time.RFC3339)
			obj[k+"@odata.type"] = "#DateTime"
		case []string:
			obj[k] = nonNil(val)
			obj[k+"@odata.type"] = "#Collection(String)"
		case int:
			obj[k+"@odata.type"] = "#Int32"
		}
	}
}
