package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

const (
	graphDefaultPageSize = 100
	graphMaxPageSize     = 999
	// graphMaxInValues is the directory's limit on values in one "in" clause.
	graphMaxInValues = 15
)

// graphFilter is one supported $filter clause: `p eq 'v'`, `p in ('a','b')`, or
// `p/any(x:x eq 'v')` on a collection.
type graphFilter struct {
	property string
	values   []string
	any      bool
}

var (
	filterEq  = regexp.MustCompile(`(?i)^(\w+)\s+eq\s+('(?:[^']|'')*'|true|false)$`)
	filterIn  = regexp.MustCompile(`(?i)^(\w+)\s+in\s+\((.*)\)$`)
	filterAny = regexp.MustCompile(`(?i)^(\w+)/any\((\w+):\s*(\w+)\s+eq\s+('(?:[^']|'')*')\)$`)
	quoted    = regexp.MustCompile(`^\s*'((?:[^']|'')*)'\s*`)
	// expandMembers is the one supported $expand: members, with an optional nested $select.
	expandMembers = regexp.MustCompile(`(?i)^members(?:\(\$select=([\w,\s]*)\))?$`)
)

func parseGraphFilter(expr string) (*graphFilter, *graphError) {
	expr = strings.TrimSpace(expr)
	if m := filterEq.FindStringSubmatch(expr); m != nil {
		return &graphFilter{property: strings.ToLower(m[1]), values: []string{unquote(m[2])}}, nil
	}
	if m := filterAny.FindStringSubmatch(expr); m != nil && strings.EqualFold(m[2], m[3]) {
		return &graphFilter{property: strings.ToLower(m[1]), values: []string{unquote(m[4])}, any: true}, nil
	}
	if m := filterIn.FindStringSubmatch(expr); m != nil {
		values, ok := parseQuotedList(m[2])
		if !ok {
			return nil, badFilter()
		}
		if len(values) > graphMaxInValues {
			return nil, &graphError{http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf("Too many child clauses specified in search filter expression containing 'OR' operators: %d. Max allowed: %d.", len(values), graphMaxInValues)}
		}
		return &graphFilter{property: strings.ToLower(m[1]), values: values}, nil
	}
	return nil, badFilter()
}

func badFilter() *graphError {
	return &graphError{http.StatusBadRequest, "BadRequest", "Invalid filter clause: the emulator supports 'p eq v', 'p in (...)' and 'p/any(x:x eq v)'."}
}

func unquote(lit string) string {
	if strings.HasPrefix(lit, "'") {
		return strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")
	}
	return strings.ToLower(lit)
}

func parseQuotedList(s string) ([]string, bool) {
	var out []string
	for {
		m := quoted.FindStringSubmatch(s)
		if m == nil {
			return nil, false
		}
		out = append(out, strings.ReplaceAll(m[1], "''", "'"))
		s = s[len(m[0]):]
		if s == "" {
			return out, true
		}
		if s[0] != ',' {
			return nil, false
		}
		s = s[1:]
	}
}

// filterable is what an entity exposes to $filter: scalar and collection properties, keyed by
// lower-case name. Directory string comparisons ignore case.
type filterable struct {
	scalars     map[string]string
	collections map[string][]string
}

// matches applies the filter; an unknown property, or a collection compared without any(),
// is an unsupported query as in the real service.
func (f *graphFilter) matches(e filterable, resource string) (bool, *graphError) {
	if f.any {
		list, ok := e.collections[f.property]
		if !ok {
			return false, unsupportedProperty(f.property, resource)
		}
		for _, v := range list {
			if strings.EqualFold(v, f.values[0]) {
				return true, nil
			}
		}
		return false, nil
	}
	v, ok := e.scalars[f.property]
	if !ok {
		return false, unsupportedProperty(f.property, resource)
	}
	return containsFold(f.values, v), nil
}

func unsupportedProperty(prop, resource string) *graphError {
	return &graphError{http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, resource)}
}

// graphQuery holds the system query options of one request.
type graphQuery struct {
	filter   *graphFilter
	selected []string
	expand   string
	// expandSelect is the $select nested in $expand, as in members($select=id,mail).
	expandSelect []string
	top          int
	offset       int
}

// parseGraphQuery reads the options allowed on the route; anything else is refused.
func parseGraphQuery(q url.Values, allowed ...string) (*graphQuery, *graphError) {
	out := &graphQuery{top: graphDefaultPageSize}
	for key := range q {
		if strings.HasPrefix(key, "$") && !containsFold(allowed, key) {
			return nil, &graphError{http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf("Query option '%s' is not supported by the emulator on this resource.", key)}
		}
	}
	if v := q.Get("$filter"); v != "" {
		f, gerr := parseGraphFilter(v)
		if gerr != nil {
			return nil, gerr
		}
		out.filter = f
	}
	if v := q.Get("$select"); v != "" {
		for _, p := range strings.Split(v, ",") {
			out.selected = append(out.selected, strings.TrimSpace(p))
		}
	}
	if v := q.Get("$expand"); v != "" {
		m := expandMembers.FindStringSubmatch(v)
		if m == nil {
			return nil, &graphError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.group'.", v)}
		}
		out.expand = "members"
		for _, p := range strings.Split(m[1], ",") {
			if p = strings.TrimSpace(p); p != "" {
				out.expandSelect = append(out.expandSelect, p)
			}
		}
	}
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > graphMaxPageSize {
			return nil, &graphError{http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", v, graphMaxPageSize)}
		}
		out.top = n
	}
	if v := q.Get("$skiptoken"); v != "" {
		n, ok := decodeSkipToken(v)
		if !ok {
			return nil, &graphError{http.StatusBadRequest, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request."}
		}
		out.offset = n
	}
	return out, nil
}

// Skip tokens are opaque to clients; inside they carry the offset of the next page.
func encodeSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func decodeSkipToken(tok string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
	if err != nil || n < 0 || !strings.HasPrefix(string(raw), "offset:") {
		return 0, false
	}
	return n, true
}

// page cuts items at the query's offset and size and returns the offset of the next page,
// or -1 when this is the last one.
func page[T any](items []T, offset, size int) ([]T, int) {
	if offset >= len(items) {
		return nil, -1
	}
	end := offset + size
	if end >= len(items) {
		return items[offset:], -1
	}
	return items[offset:end], end
}

// nextLink is the request URL with its skip token replaced.
func nextLink(base string, u *url.URL, next int) string {
	q := u.Query()
	q.Set("$skiptoken", encodeSkipToken(next))
	return base + u.Path + "?" + q.Encode()
}

// selectProperties keeps the requested properties (case-insensitive) and the annotations.
func selectProperties(obj map[string]any, selected []string) map[string]any {
	if len(selected) == 0 {
		return obj
	}
	out := map[string]any{}
	for k, v := range obj {
		if strings.HasPrefix(k, "@odata.") || containsFold(selected, k) {
			out[k] = v
		}
	}
	return out
}
