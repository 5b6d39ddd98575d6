// Package exchange runs Exchange Online cmdlets over the admin REST endpoint that the Exchange
// Online PowerShell module uses (POST {endpoint}/adminapi/beta/{tenant}/InvokeCommand), and
// offers typed methods for the cmdlets privileged access management needs.
package exchange

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/runenv"
)

const (
	serviceName      = "Exchange Online"
	defaultUserAgent = "terraform-provider-o365pam"
	// appOnlyMailbox is the system mailbox an app-only caller anchors on.
	appOnlyMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"
	// defaultMaxAttempts is the Exchange Online module's (observed); the context deadline still
	// bounds the total.
	defaultMaxAttempts = 5
	// maxAnswerBytes bounds one page; 1000 objects of a few KB each fit easily.
	maxAnswerBytes = 64 << 20
	// tokenRefreshMargin renews a token that would expire during a long run of retries.
	tokenRefreshMargin = 2 * time.Minute
)

// Config says where and as whom the client runs cmdlets.
type Config struct {
	Endpoint     string // e.g. https://outlook.office365.com
	Tenant       string // tenant id or verified domain, used in the URL
	Organization string // initial domain for the app-only anchor; the tenant when empty
	Scope        string // e.g. https://outlook.office365.com/.default
	Credential   azcore.TokenCredential
	HTTPClient   *http.Client // nil = a client without its own timeout (the context decides)
	UserAgent    string
	Clock        runenv.Clock   // nil = real time
	MaxAttempts  int            // tries per request including the first; 0 = 5
	Log          runenv.LogFunc // debug lines, one per HTTP request and per wait; nil = none
}

// Client runs cmdlets. It is safe for concurrent use.
type Client struct {
	invokeURL    *url.URL
	organization string
	scope        string
	credential   azcore.TokenCredential
	http         *http.Client
	userAgent    string
	clock        runenv.Clock
	maxAttempts  int
	logf         runenv.LogFunc
	// jitter picks the wait within (0, d]; tests replace it to make backoff exact.
	jitter func(d time.Duration) time.Duration
	// created remembers the objects this client created, for calls that name them while Exchange
	// still replicates them.
	created createdObjects
}

// New checks the configuration and returns a client.
func New(cfg Config) (*Client, error) {
	endpoint, err := url.Parse(strings.TrimRight(cfg.Endpoint, "/"))
	if err != nil || (endpoint.Scheme != "https" && endpoint.Scheme != "http") || endpoint.Host == "" {
		return nil, fmt.Errorf("exchange: endpoint %q is not an absolute http(s) URL", cfg.Endpoint)
	}
	switch {
	case strings.TrimSpace(cfg.Tenant) == "":
		return nil, errors.New("exchange: tenant is required")
	case strings.TrimSpace(cfg.Scope) == "":
		return nil, errors.New("exchange: token scope is required")
	case cfg.Credential == nil:
		return nil, errors.New("exchange: credential is required")
	}
	c := &Client{
		invokeURL:    endpoint.JoinPath(invokePathPrefix, invokePathVersion, cfg.Tenant, invokePathCommand),
		organization: cfg.Organization,
		scope:        cfg.Scope,
		credential:   cfg.Credential,
		http:         cfg.HTTPClient,
		userAgent:    cfg.UserAgent,
		clock:        cfg.Clock,
		maxAttempts:  cfg.MaxAttempts,
		logf:         cfg.Log,
		jitter:       equalJitter,
	}
	if c.organization == "" {
		c.organization = cfg.Tenant
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if c.clock == nil {
		c.clock = runenv.RealClock{}
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = defaultMaxAttempts
	}
	return c, nil
}

// call is one logical cmdlet run: all its pages and retries share the body, the client
// request id and, while it stays valid, the token.
type call struct {
	cmdlet          string
	rule            resendRule
	params          map[string]any
	body            []byte
	clientRequestID string
	token           azcore.AccessToken
	anchor          string
	// reauthorized is set once a 401 made the call ask for a new token; claims is the claims
	// challenge that came with it.
	reauthorized bool
	claims       string
}

// Invoke runs a cmdlet and returns every object of every page, with annotation keys (any key
// containing "@") removed. Failures are *apierr.Error values, possibly wrapped; see IsAmbiguous
// for failures whose outcome is unknown.
func (c *Client) Invoke(ctx context.Context, cmdlet string, params map[string]any) ([]map[string]json.RawMessage, error) {
	var all []map[string]json.RawMessage
	err := c.invokePages(ctx, cmdlet, params, func(values []map[string]json.RawMessage) {
		all = append(all, values...)
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// invokeEach runs a cmdlet and hands each object to each as its page arrives, so that a long list
// is decoded page by page and no page is kept after it was read.
func (c *Client) invokeEach(ctx context.Context, cmdlet string, params map[string]any, each func(record)) error {
	return c.invokePages(ctx, cmdlet, params, func(values []map[string]json.RawMessage) {
		for _, v := range values {
			each(v)
		}
	})
}

// invokePages runs a cmdlet and hands every page's objects to page, in order.
func (c *Client) invokePages(ctx context.Context, cmdlet string, params map[string]any, page func([]map[string]json.RawMessage)) error {
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(map[string]any{
		envelopeInput: map[string]any{envelopeCmdletName: cmdlet, envelopeParameters: params},
	})
	if err != nil {
		return fmt.Errorf("exchange: encoding %s parameters: %w", cmdlet, err)
	}
	rule, known := cmdletRules[cmdlet]
	if !known {
		rule = resendNever
	}
	cl := &call{cmdlet: cmdlet, rule: rule, params: params, body: body, clientRequestID: uuid.NewString()}
	_, creates := createdObjectNames[cmdlet]
	var made []map[string]json.RawMessage
	err = c.awaitReplication(ctx, cl, func(ctx context.Context, cl *call) error {
		return c.followPages(ctx, cl, func(values []map[string]json.RawMessage) {
			if creates {
				made = append(made, values...)
			}
			page(values)
		})
	})
	switch {
	case err == nil && creates:
		c.created.note(c.clock.Now(), cmdlet, params, made)
	case err == nil && rule == resendRemoval:
		identity, _ := params[paramIdentity].(string)
		c.created.forget(identity)
	}
	return err
}

// followPages runs the call and follows its next-page links, handing each page's objects to page.
func (c *Client) followPages(ctx context.Context, cl *call, page func([]map[string]json.RawMessage)) error {
	pageURL := c.invokeURL.String()
	for pageNumber := 1; ; pageNumber++ {
		pg, err := c.sendWithRetries(ctx, cl, pageURL, pageNumber)
		if err != nil {
			return err
		}
		page(pg.values)
		if pg.nextLink == "" {
			return nil
		}
		next, err := c.followable(pg.nextLink)
		if err != nil {
			return c.newError(cl, func(e *apierr.Error) { e.Message = err.Error() })
		}
		if next == pageURL {
			return c.newError(cl, func(e *apierr.Error) { e.Message = "the next page link points at the same page" })
		}
		pageURL = next
	}
}

// followable resolves a next-page link and refuses one on another host, so the token is
// only ever sent to the configured endpoint.
func (c *Client) followable(link string) (string, error) {
	u, err := c.invokeURL.Parse(link)
	if err != nil {
		return "", fmt.Errorf("unreadable next page link: %w", err)
	}
	if u.Scheme != c.invokeURL.Scheme || u.Host != c.invokeURL.Host {
		return "", fmt.Errorf("refusing to follow a next page link to another host (%s)", u.Host)
	}
	return u.String(), nil
}

type page struct {
	values   []map[string]json.RawMessage
	nextLink string
}

// authorize makes sure the call holds a token that stays valid for a while.
func (c *Client) authorize(ctx context.Context, cl *call) error {
	if cl.token.Token != "" && (cl.token.ExpiresOn.IsZero() || c.clock.Now().Add(tokenRefreshMargin).Before(cl.token.ExpiresOn)) {
		return nil
	}
	tok, err := c.credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}, Claims: cl.claims})
	if err != nil {
		return c.newError(cl, func(e *apierr.Error) {
			e.Kind = apierr.KindUnauthorized
			e.Message = "could not get a token for " + c.scope + ": " + err.Error()
			e.Err = err
		})
	}
	cl.token = tok
	// Only delegated tokens carry a UPN; a token without one counts as app-only.
	if upn := tokenClaims(tok.Token).UPN; upn != "" {
		cl.anchor = "UPN:" + upn
	} else {
		cl.anchor = "APP:" + appOnlyMailbox + "@" + c.organization
	}
	return nil
}

// SignedInAs names the identity the client runs cmdlets as: the user's UPN for a delegated
// token, the application (client) id for an app-only one. Requests filed through the client
// name this identity as their requester.
func (c *Client) SignedInAs(ctx context.Context) (string, error) {
	caller, err := c.Caller(ctx)
	return caller.Name, err
}

// Caller is the identity the client runs cmdlets as, as its token tells.
type Caller struct {
	Name string // the user's UPN, or the app's (client) id for an app-only token
	App  bool
	// EntraRoles are the template ids of the caller's Entra roles (the token's wids claim); nil
	// when the token does not list them, which is not the same as holding none.
	EntraRoles []string
}

// Caller signs in if needed and reads who the client runs cmdlets as from the token.
func (c *Client) Caller(ctx context.Context) (Caller, error) {
	cl := &call{cmdlet: "sign-in"}
	if err := c.authorize(ctx, cl); err != nil {
		return Caller{}, err
	}
	claims := tokenClaims(cl.token.Token)
	out := Caller{Name: claims.UPN, EntraRoles: claims.EntraRoles}
	switch {
	case out.Name != "":
	case claims.AppID != "":
		out.Name, out.App = claims.AppID, true
	default:
		out.Name, out.App = claims.AuthorizedParty, true
	}
	return out, nil
}

// ExchangeAdminRole names the caller's Entra role that holds every Exchange right (see
// fullExchangeEntraRoles in cmdlets.go), or "" when the token lists none of them.
func (c Caller) ExchangeAdminRole() string {
	for _, id := range c.EntraRoles {
		if name, ok := fullExchangeEntraRoles[strings.ToLower(id)]; ok {
			return name
		}
	}
	return ""
}

// claims are the parts of an access token's payload the client reads.
type claims struct {
	UPN             string   `json:"upn"`   // delegated tokens only
	AppID           string   `json:"appid"` // v1 tokens
	AuthorizedParty string   `json:"azp"`   // v2 tokens
	EntraRoles      []string `json:"wids"`  // role template ids; see fullExchangeEntraRoles for the evidence
}

// tokenClaims reads a JWT's payload without verifying it; anything unreadable gives no claims.
func tokenClaims(token string) claims {
	var out claims
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return out
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return out
	}
	_ = json.Unmarshal(payload, &out)
	return out
}

// send makes one HTTP attempt and logs it. A non-nil failure says whether the cmdlet may be
// retried.
func (c *Client) send(ctx context.Context, cl *call, pageURL string, attempt, pageNumber int) (pg *page, f *failure) {
	start := c.clock.Now()
	status, reqID := 0, ""
	defer func() { c.logAttempt(ctx, cl, attempt, pageNumber, c.clock.Now().Sub(start), status, reqID, f) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, pageURL, bytes.NewReader(cl.body))
	if err != nil {
		return nil, &failure{err: c.newError(cl, func(e *apierr.Error) { e.Err = err })}
	}
	req.Header.Set("Authorization", "Bearer "+cl.token.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Prefer", "odata.maxpagesize=1000")
	req.Header.Set("X-AnchorMailbox", cl.anchor)
	req.Header.Set("client-request-id", cl.clientRequestID)
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportFailure(cl, err)
	}
	defer resp.Body.Close()
	status, reqID = resp.StatusCode, requestID(resp.Header)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// Success was announced but its answer was lost: the cmdlet ran, its output is unknown.
		f := c.transportFailure(cl, err)
		f.err.StatusCode = resp.StatusCode
		f.err.RequestID = requestID(resp.Header)
		f.retry = retryAmbiguous
		return nil, f
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The status alone classifies a failure whose body was cut short.
		return nil, c.decodeFailure(cl, resp, data)
	}
	answer, err := DecodeAnswer(data)
	if err != nil {
		return nil, &failure{err: c.newError(cl, func(e *apierr.Error) {
			e.StatusCode = resp.StatusCode
			e.RequestID = requestID(resp.Header)
			e.Message = "unreadable answer: " + err.Error()
		})}
	}
	if len(answer.Errors) > 0 && changesState(cl.cmdlet) {
		// A non-terminating error: the cmdlet ran, but not all of it took effect.
		return nil, &failure{err: c.newError(cl, func(e *apierr.Error) {
			e.StatusCode = resp.StatusCode
			e.RequestID = requestID(resp.Header)
			e.Message = "the command ran but reported errors, so it may have taken effect only in part: " +
				strings.Join(answer.Errors, "; ")
		})}
	}
	noteWarnings(ctx, cl.cmdlet, answer.Warnings)
	noteWarnings(ctx, cl.cmdlet, answer.Errors)
	return &page{values: answer.Values, nextLink: answer.NextLink}, nil
}

// newError starts an *apierr.Error for this call; fill sets the rest.
func (c *Client) newError(cl *call, fill func(*apierr.Error)) *apierr.Error {
	e := &apierr.Error{Service: serviceName, Operation: cl.cmdlet, ClientRequestID: cl.clientRequestID}
	fill(e)
	return e
}

// requestID keeps the service's request ids; Exchange may answer both headers.
func requestID(h http.Header) string {
	id, msID := h.Get("request-id"), h.Get("x-ms-request-id")
	switch {
	case id == "":
		return msID
	case msID == "" || strings.EqualFold(id, msID):
		return id
	default:
		return id + ", x-ms-request-id " + msID
	}
}

// SignIn gets the token cmdlet calls will carry, ahead of the first call, so that signing in can
// overlap other work. Later calls answer from the credential's token cache.
func (c *Client) SignIn(ctx context.Context) error {
	_, err := c.credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	return err
}
