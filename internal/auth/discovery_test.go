package auth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

func TestShareDiscoveryFetchesEachDocumentOnce(t *testing.T) {
	var discovery, tokens atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			tokens.Add(1)
		} else {
			discovery.Add(1)
		}
		_, _ = io.WriteString(w, `{"token_endpoint":"x"}`)
	}))
	defer srv.Close()
	client := &http.Client{Transport: ShareDiscovery(srv.Client().Transport)}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			resp, err := client.Get(srv.URL + "/tenant/v2.0/.well-known/openid-configuration")
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != `{"token_endpoint":"x"}` {
				t.Errorf("body %q", body)
			}
		})
		wg.Go(func() {
			resp, err := client.Post(srv.URL+"/tenant/oauth2/v2.0/token", "application/x-www-form-urlencoded", nil)
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if discovery.Load() != 1 || tokens.Load() != 4 {
		t.Fatalf("server saw %d discovery and %d token requests, want 1 and 4", discovery.Load(), tokens.Load())
	}
}
