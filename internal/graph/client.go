// Package graph reads the Microsoft Graph objects the provider needs to check its inputs:
// mail-enabled security groups and their members, users, the organization and licences.
//
// It uses msgraph-sdk-go's request builders for only the paths it calls, so the binary does
// not carry the whole Graph SDK.
package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/google/uuid"
	kauth "github.com/microsoft/kiota-abstractions-go/authentication"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"

	"github.com/zerostanding/terraform-provider-o365pam/internal/runenv"
)

// Config says where Graph is and how to sign in to it.
type Config struct {
	Endpoint   string // e.g. https://graph.microsoft.com, without /v1.0
	Scope      string // e.g. https://graph.microsoft.com/.default, from the cloud environment
	Credential azcore.TokenCredential
	HTTPClient *http.Client // its Transport and Timeout are kept; nil = Go's defaults
	UserAgent  string
	Log        runenv.LogFunc // debug lines, one per HTTP request; nil = none
}

// Client calls Microsoft Graph v1.0. It is safe for concurrent use.
type Client struct {
	adapter *khttp.NetHttpRequestAdapter
	tokens  kauth.AccessTokenProvider
	baseURL *url.URL
}

// New builds a client. Tokens are sent only to the endpoint's host.
func New(cfg Config) (*Client, error) {
	endpoint, err := url.Parse(cfg.Endpoint)
	if err != nil || endpoint.Scheme == "" || endpoint.Host == "" {
		return nil, fmt.Errorf("graph endpoint %q is not an absolute URL", cfg.Endpoint)
	}
	if cfg.Scope == "" {
		return nil, errors.New("graph token scope is empty")
	}
	if cfg.Credential == nil {
		return nil, errors.New("graph credential is nil")
	}
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(
		cfg.Credential, []string{cfg.Scope}, []string{endpoint.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("graph authentication: %w", err)
	}

	parsers := absser.NewParseNodeFactoryRegistry()
	parsers.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonParseNodeFactory()
	writers := absser.NewSerializationWriterFactoryRegistry()
	writers.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonSerializationWriterFactory()

	adapter, err := khttp.NewNetHttpRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, parsers, writers, httpClient(cfg))
	if err != nil {
		return nil, fmt.Errorf("graph request adapter: %w", err)
	}
	adapter.SetBaseUrl(strings.TrimSuffix(cfg.Endpoint, "/") + "/v1.0")
	return &Client{adapter: adapter, tokens: auth.GetAuthorizationTokenProvider(), baseURL: endpoint}, nil
}

// SignIn gets the token requests will carry, ahead of the first request, so that signing in can
// overlap other work. Later calls answer from the credential's token cache.
func (c *Client) SignIn(ctx context.Context) error {
	_, err := c.tokens.GetAuthorizationToken(ctx, c.baseURL, nil)
	return err
}

// defaultTimeout bounds a request when the caller gives no HTTP client, as kiota's own client does.
const defaultTimeout = 100 * time.Second

// graphMaxRetries is kiota's ceiling for retries of one request.
const graphMaxRetries = 10

// httpClient wraps the caller's transport in kiota's middleware: ours first (request id and
// user agent, set before the retry middleware so a retried request keeps its id), then
// kiota's defaults, which retry 429/503/504 honouring Retry-After and follow redirects.
func httpClient(cfg Config) *http.Client {
	parent := http.DefaultTransport
	timeout := defaultTimeout
	if cfg.HTTPClient != nil {
		if cfg.HTTPClient.Transport != nil {
			parent = cfg.HTTPClient.Transport
		}
		timeout = cfg.HTTPClient.Timeout
	}
	middlewares := []khttp.Middleware{requestHeaders{userAgent: cfg.UserAgent}}
	for _, m := range khttp.GetDefaultMiddlewares() {
		if _, isRetry := m.(*khttp.RetryHandler); isRetry {
			// Graph throttles in bursts like Exchange does, so retry as often as kiota allows;
			// Retry-After still sets each wait.
			m = khttp.NewRetryHandlerWithOptions(khttp.RetryHandlerOptions{
				MaxRetries:  graphMaxRetries,
				ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return true },
			})
		}
		middlewares = append(middlewares, m)
	}
	if cfg.Log != nil {
		middlewares = append(middlewares, requestLog{logf: cfg.Log})
	}
	return &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(parent, middlewares...),
		Timeout:   timeout,
		// The redirect middleware follows redirects, dropping the token on a change of host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// requestHeaders gives every request a fresh client-request-id (Graph's correlation id) and
// the provider's user agent, and records the id for the error of the call that sent it.
type requestHeaders struct{ userAgent string }

func (h requestHeaders) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	id := uuid.NewString()
	req.Header.Set("client-request-id", id)
	if h.userAgent != "" {
		req.Header.Set("User-Agent", h.userAgent)
	}
	if sent, ok := req.Context().Value(sentIDKey{}).(*sentID); ok {
		sent.last = id
	}
	return pipeline.Next(req, index)
}

type sentIDKey struct{}

// sentID holds the client-request-id of a call's latest request, and when its latest HTTP
// request ended (to tell how long a retry waited). A call sends its requests one after another,
// so it needs no lock.
type sentID struct {
	last    string
	lastEnd time.Time
}

// trackRequestID returns a context whose requests record their client-request-id in the
// returned sentID.
func trackRequestID(ctx context.Context) (context.Context, *sentID) {
	sent := &sentID{}
	return context.WithValue(ctx, sentIDKey{}, sent), sent
}
