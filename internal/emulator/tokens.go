package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Audiences of the public cloud; the emulator issues tokens for these two resources only.
const (
	graphAudience    = "https://graph.microsoft.com"
	exchangeAudience = "https://outlook.office365.com"
)

// Delegated scopes granted with ".default" for a user token. Graph gets the scope whose
// rights follow the user's own directory roles. A real Exchange token was measured carrying
// AdminApi.AccessAsUser.All among five other scopes (observed); Exchange.Manage is the scope the
// app registration docs name.
var delegatedScopes = map[string]string{
	graphAudience:    "Directory.AccessAsUser.All User.Read",
	exchangeAudience: "AdminApi.AccessAsUser.All",
}

// exchangeUserScopes are the delegated scopes that let a user token run cmdlets.
var exchangeUserScopes = []string{"AdminApi.AccessAsUser.All", "Exchange.Manage"}

// principal is who a verified access token speaks for, in which tenant.
type principal struct {
	tenant   *HostedTenant
	audience string
	appID    string
	roles    []string // application permissions (app-only tokens)
	scopes   []string // delegated permissions (user tokens)
	upn      string   // set only for delegated tokens
	userID   string
}

func (p *principal) appOnly() bool { return p.upn == "" }

// tokenClaims mirrors the Entra v1 access token claims the clients and services read.
type tokenClaims struct {
	jwt.RegisteredClaims
	TenantID   string   `json:"tid"`
	AppID      string   `json:"appid"`
	AppIDACR   string   `json:"appidacr,omitempty"`
	IDType     string   `json:"idtyp,omitempty"`
	ObjectID   string   `json:"oid,omitempty"`
	Roles      []string `json:"roles,omitempty"`
	Scope      string   `json:"scp,omitempty"`
	EntraRoles []string `json:"wids,omitempty"`
	UPN        string   `json:"upn,omitempty"`
	UniqueName string   `json:"unique_name,omitempty"`
	Name       string   `json:"name,omitempty"`
	Version    string   `json:"ver"`
}

// issueAccessToken signs a token for app alone (user nil) or for user through app.
func (s *Server) issueAccessToken(t *Tenant, audience string, app *App, user *User) (string, error) {
	now := s.opts.Now()
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "https://sts.windows.net/" + t.TenantID + "/",
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-5 * time.Minute)),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.opts.TokenLifetime)),
			ID:        newGUID(),
		},
		TenantID: t.TenantID,
		AppID:    app.ClientID,
		AppIDACR: "1",
		Version:  "1.0",
	}
	if user == nil {
		claims.Subject, claims.ObjectID, claims.IDType = app.ObjectID, app.ObjectID, "app"
		if audience == graphAudience {
			claims.Roles = app.GraphRoles
		} else {
			claims.Roles = app.ExchangeRoles
		}
		claims.EntraRoles = entraRoleIDs(app.EntraRoles)
	} else {
		claims.Subject, claims.ObjectID = user.ID, user.ID
		claims.UPN, claims.UniqueName, claims.Name = user.UserPrincipalName, user.UserPrincipalName, user.DisplayName
		claims.Scope = delegatedScopes[audience]
		claims.AppIDACR = "0"
		claims.EntraRoles = entraRoleIDs(user.Roles)
	}
	return s.sign(withAudience(claims, audience))
}

// entraRoleTemplates are the template ids of the Entra roles the emulator knows, as Microsoft's
// list of built-in roles gives them. Other names (Exchange role groups such as "Organization
// Management") are not Entra roles and appear in no token.
var entraRoleTemplates = map[string]string{
	"Global Administrator":   "62e90394-69f5-4237-9190-012177145e10",
	"Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
	"Directory Readers":      "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
	"Global Reader":          "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
}

// entraRoleIDs lists the template ids of the Entra roles among names, for a token's wids claim;
// nil, and so no claim, when there are none, as Entra leaves out claims without a value.
func entraRoleIDs(names []string) []string {
	var ids []string
	for _, name := range names {
		for known, id := range entraRoleTemplates {
			if strings.EqualFold(name, known) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// withAudience renders the claims with "aud" as a single string, as Entra ID does (the JWT
// library would write a one-element array).
func withAudience(claims tokenClaims, audience string) jwt.MapClaims {
	data, err := json.Marshal(claims)
	if err != nil {
		panic(fmt.Sprintf("token claims do not marshal: %v", err))
	}
	out := jwt.MapClaims{}
	if err := json.Unmarshal(data, &out); err != nil {
		panic(fmt.Sprintf("token claims do not unmarshal: %v", err))
	}
	out["aud"] = audience
	return out
}

func (s *Server) sign(claims jwt.MapClaims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = s.keyID
	return tok.SignedString(s.signingKey)
}

// signIDToken signs the id_token a password grant returns, which MSAL reads for its cache.
func (s *Server) signIDToken(t *Tenant, app *App, user *User) (string, error) {
	now := s.opts.Now()
	claims := jwt.MapClaims{
		"iss":                s.baseURL + "/" + t.TenantID + "/v2.0",
		"aud":                app.ClientID,
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(s.opts.TokenLifetime).Unix(),
		"tid":                t.TenantID,
		"oid":                user.ID,
		"sub":                user.ID,
		"name":               user.DisplayName,
		"preferred_username": user.UserPrincipalName,
		"ver":                "2.0",
	}
	return s.sign(claims)
}

// graphTenantHint is the hosted tenant a Graph request's token names, read without checking
// the token: it only decides which tenant's counters the request adds to, as Graph's URLs name
// no tenant. Authentication comes later.
func (s *Server) graphTenantHint(r *http.Request) *HostedTenant {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	var claims tokenClaims
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(raw), &claims); err != nil || claims.TenantID == "" {
		return nil
	}
	return s.hosted(claims.TenantID)
}

// tokenProblem says why a bearer token was refused.
type tokenProblem int

const (
	tokenOK tokenProblem = iota
	tokenMissing
	tokenInvalid
	tokenExpired
	tokenWrongAudience
)

// authenticate verifies the request's bearer token for audience; the principal's tenant is the
// token's, which must be one this server hosts.
func (s *Server) authenticate(authz, audience string) (*principal, tokenProblem) {
	raw, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, tokenMissing
	}
	var claims tokenClaims
	_, err := jwt.ParseWithClaims(strings.TrimSpace(raw), &claims,
		func(*jwt.Token) (any, error) { return &s.signingKey.PublicKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		jwt.WithTimeFunc(s.opts.Now),
		jwt.WithExpirationRequired(),
	)
	var tenant *HostedTenant
	if err == nil {
		if tenant = s.hosted(claims.TenantID); tenant != nil && tenant.id != claims.TenantID {
			tenant = nil // a domain is never a token's tid
		}
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, tokenExpired
	case err != nil, tenant == nil:
		return nil, tokenInvalid
	case len(claims.Audience) != 1 || claims.Audience[0] != audience:
		return nil, tokenWrongAudience
	}
	p := &principal{tenant: tenant, audience: audience, appID: claims.AppID, roles: claims.Roles, upn: claims.UPN}
	if claims.UPN != "" {
		p.userID = claims.ObjectID
		p.scopes = strings.Fields(claims.Scope)
	}
	return p, tokenOK
}

// hasAny reports whether the principal's roles (app-only) or scopes (delegated) include one of
// the permissions.
func (p *principal) hasAny(perms ...string) bool {
	granted := p.roles
	if !p.appOnly() {
		granted = p.scopes
	}
	for _, want := range perms {
		if containsFold(granted, want) {
			return true
		}
	}
	return false
}
