package emulator

import (
	"os"
	"strings"
	"testing"
)

func TestRenderExportsQuotesForShell(t *testing.T) {
	got := RenderExports([]Export{
		{"PLAIN", "https://127.0.0.1:8443/graph"},
		{"SPACED", "a b"},
		{"QUOTE", "it's"},
		{"EMPTY", ""},
	})
	want := "export PLAIN=https://127.0.0.1:8443/graph\n" +
		"export SPACED='a b'\n" +
		"export QUOTE='it'\\''s'\n" +
		"export EMPTY=''\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestServerExports(t *testing.T) {
	h := start(t, Options{})
	exports := h.srv.Exports()
	var names []string
	values := map[string]string{}
	for _, e := range exports {
		names = append(names, e.Name)
		values[e.Name] = e.Value
	}
	if strings.Join(names, " ") != "ARM_TENANT_ID ARM_CLIENT_ID ARM_CLIENT_SECRET O365PAM_ORGANIZATION O365PAM_AUTHORITY_HOST O365PAM_GRAPH_ENDPOINT O365PAM_EXCHANGE_ENDPOINT SSL_CERT_FILE" {
		t.Fatalf("order %v", names)
	}
	base := h.srv.BaseURL()
	if values["O365PAM_AUTHORITY_HOST"] != base+"/" || values["O365PAM_GRAPH_ENDPOINT"] != base+"/graph" ||
		values["O365PAM_EXCHANGE_ENDPOINT"] != base+"/exchange" || values["ARM_TENANT_ID"] != BuiltinTenantID ||
		values["O365PAM_ORGANIZATION"] != BuiltinDomain {
		t.Fatalf("values %v", values)
	}
	pem, err := os.ReadFile(values["SSL_CERT_FILE"])
	if err != nil || string(pem) != string(h.srv.CA().CertPEM()) {
		t.Fatalf("CA file: %v", err)
	}
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(values["SSL_CERT_FILE"]); !os.IsNotExist(err) {
		t.Fatal("a temporary CA file must be removed on Close")
	}
}
