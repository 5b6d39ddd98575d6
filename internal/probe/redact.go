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
	// annotationPattern is an OData annotation key such as Guid@odata.type, which is no address.
	annotationPattern = regexp.MustCompile(`^[A-Za-z0-9_]*@(odata|adminapi)\.`)
	// directoryPattern is a directory path naming a person, as RevokedBy shows it:
	// <server>/Microsoft Exchange Hosted Organizations/<org>/<name>.
	directoryPattern = regexp.MustCompile(`(Microsoft Exchange Hosted +Organizations/[A-Za-z0-9.-]+/)([^"/\\]+)`)
	// personalPattern is a JSON property that names a person by their name.
	personalPattern = regexp.MustCompile(`("(?i:displayName|givenName|surname|name|RoleAssigneeName|EffectiveUserName)"\s*:\s*)"([^"\\]*)"`)
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
	s = addressPattern.ReplaceAllStringFunc(s, func(addr string) string {
		if annotationPattern.MatchString(addr) {
			return addr
		}
		_, domain, _ := strings.Cut(addr, "@")
		return r.standIn(addr, "person-%d@"+domain)
	})
	s = directoryPattern.ReplaceAllStringFunc(s, func(path string) string {
		m := directoryPattern.FindStringSubmatch(path)
		return m[1] + r.standIn(m[2], "person-%d")
	})
	return personalPattern.ReplaceAllStringFunc(s, func(prop string) string {
		m := personalPattern.FindStringSubmatch(prop)
		if m[2] == "" {
			return prop
		}
		return m[1] + `"` + r.standIn(m[2], "name-%d") + `"`
	})
}

// standIn gives a value the same stand-in wherever it appears; format has one %d.
func (r *redactor) standIn(value, format string) string {
	key := strings.ToLower(value)
	if stand, ok := r.seen[key]; ok {
		return stand
	}
	stand := fmt.Sprintf(format, len(r.seen)+1)
	r.seen[key] = stand
	return stand
}
