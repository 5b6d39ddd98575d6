package auth

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
)

// ShareDiscovery wraps a sign-in transport so that the authority's discovery documents (OpenID
// configuration and instance discovery) are fetched once per transport. The credential keeps a
// separate token client per kind of token request (Graph asks for tokens that support continuous
// access evaluation, Exchange does not), and each client would otherwise discover the authority
// on its own, costing a round trip before its first token.
func ShareDiscovery(next http.RoundTripper) http.RoundTripper {
	return &discoveryCache{next: next, answers: map[string]*discoveryAnswer{}}
}

type discoveryCache struct {
	next    http.RoundTripper
	mu      sync.Mutex
	answers map[string]*discoveryAnswer
}

// discoveryAnswer is one fetched document; done closes when it is in.
type discoveryAnswer struct {
	done   chan struct{}
	status int
	header http.Header
	body   []byte
	err    error
}

func isDiscovery(r *http.Request) bool {
	return r.Method == http.MethodGet && (strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") ||
		strings.HasSuffix(r.URL.Path, "/discovery/instance"))
}

func (d *discoveryCache) RoundTrip(r *http.Request) (*http.Response, error) {
	if !isDiscovery(r) {
		return d.next.RoundTrip(r)
	}
	key := r.URL.String()
	d.mu.Lock()
	a, fetching := d.answers[key]
	if !fetching {
		a = &discoveryAnswer{done: make(chan struct{})}
		d.answers[key] = a
	}
	d.mu.Unlock()
	if !fetching {
		d.fetch(r, key, a)
	}
	select {
	case <-a.done:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	if a.err != nil {
		return nil, a.err
	}
	return &http.Response{
		Status: http.StatusText(a.status), StatusCode: a.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)),
		Request: r,
	}, nil
}

// fetch gets the document; only a success is kept, so a failure is retried by the next request.
func (d *discoveryCache) fetch(r *http.Request, key string, a *discoveryAnswer) {
	defer close(a.done)
	resp, err := d.next.RoundTrip(r)
	if err == nil {
		a.body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		a.status, a.header = resp.StatusCode, resp.Header
	}
	a.err = err
	if err != nil || a.status != http.StatusOK {
		d.mu.Lock()
		delete(d.answers, key)
		d.mu.Unlock()
	}
}
