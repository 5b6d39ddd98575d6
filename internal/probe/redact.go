package probe

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

var (
	jwtPattern     = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)
	bearerPattern  = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9_.~+/=-]+`)
	addressPattern = regexp.MustCompile(`[A-Za-z0-9._%+{}-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}`)
)

// redactor hides secrets, tokens and the local part of every mail address or UPN in a report. An
// address keeps its domain and gets the same stand-in wherever it appears, so the report still
// shows which answers name the same person.
type redactor struct {
	secrets []string
	seen    map[string]string
}

// newRedactor hides each secret as written and as JSON escapes it, since reports are JSON.
func newRedactor(secrets []string) *redactor {
	r := &redactor{seen: map[string]string{}}
	for _, secret := range secrets {
		escaped, _ := json.Marshal(secret)
		r.secrets = append(r.secrets, secret, strings.Trim(string(escaped), `"`))
	}
	return r
}

func (r *redactor) text(s string) string {
	for _, secret := range r.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[secret]")
		}
	}
	s = jwtPattern.ReplaceAllString(s, "[token]")
	s = bearerPattern.ReplaceAllString(s, "Bearer [token]")
	return addressPattern.ReplaceAllStringFunc(s, func(addr string) string {
		key := strings.ToLower(addr)
		if stand, ok := r.seen[key]; ok {
			return stand
		}
		_, domain, _ := strings.Cut(addr, "@")
		stand := fmt.Sprintf("person-%d@%s", len(r.seen)+1, domain)
		r.seen[key] = stand
		return stand
	})
}
