package emulator

import (
	"regexp"
	"strings"
)

// Export is one environment variable the command prints as `export NAME=VALUE`.
type Export struct {
	Name, Value string
}

// shellSafe matches values that need no quoting in a POSIX shell.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+,=-]+$`)

// Line renders the export for `eval`, single-quoting the value when needed.
func (e Export) Line() string {
	return "export " + e.Name + "=" + shellQuote(e.Value)
}

func shellQuote(v string) string {
	if shellSafe.MatchString(v) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// RenderExports joins the export lines, one per line, ending with a newline.
func RenderExports(exports []Export) string {
	var b strings.Builder
	for _, e := range exports {
		b.WriteString(e.Line())
		b.WriteByte('\n')
	}
	return b.String()
}

// Exports lists the settings a provider run needs to reach this emulator, in a fixed order; the
// fleet file comes last, when there is one.
func (s *Server) Exports() []Export {
	exports := []Export{
		{"ARM_TENANT_ID", s.TenantID()},
		{"ARM_CLIENT_ID", s.ClientID()},
		{"ARM_CLIENT_SECRET", s.ClientSecret()},
		{"O365PAM_ORGANIZATION", s.Organization()},
		{"O365PAM_AUTHORITY_HOST", s.baseURL + "/"},
		{"O365PAM_GRAPH_ENDPOINT", s.baseURL + graphPrefix},
		{"O365PAM_EXCHANGE_ENDPOINT", s.baseURL + exchangePrefix},
		{"SSL_CERT_FILE", s.caFile},
	}
	if s.fleetFile != "" {
		exports = append(exports, Export{"O365PAM_EMULATOR_TENANTS", s.fleetFile})
	}
	return exports
}
