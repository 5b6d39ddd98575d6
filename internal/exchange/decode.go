package exchange

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// record reads one output object tolerantly: a missing property reads as the zero value, and a
// property name differing only in case still matches.
type record map[string]json.RawMessage

func (r record) raw(name string) json.RawMessage {
	if v, ok := r[name]; ok {
		return v
	}
	for key, v := range r {
		if strings.EqualFold(key, name) {
			return v
		}
	}
	return nil
}

// has reports whether the property is present and not null.
func (r record) has(name string) bool {
	v := bytes.TrimSpace(r.raw(name))
	return len(v) > 0 && !bytes.Equal(v, []byte("null"))
}

// str reads a text; numbers and booleans come back as their JSON text.
func (r record) str(name string) string {
	return rawString(r.raw(name))
}

func rawString(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// strs reads a list of texts; a single text reads as a one-element list.
func (r record) strs(name string) []string {
	v := bytes.TrimSpace(r.raw(name))
	if len(v) == 0 || v[0] != '[' {
		if s := rawString(v); s != "" {
			return []string{s}
		}
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		if s := rawString(item); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// integer reads a number given as a JSON number or as text; anything else reads as 0.
func (r record) integer(name string) int {
	s := strings.TrimSpace(r.str(name))
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int(f)
	}
	return 0
}

// boolean reads a JSON boolean or its text ("True", "false"); anything else reads as false.
func (r record) boolean(name string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(r.str(name)))
	return b
}

// timeLayouts are the shapes Exchange times arrive in; zoneless ones are UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "1/2/2006 3:04:05 PM"}

// time reads a time in one of timeLayouts; anything unreadable reads as the zero time.
func (r record) time(name string) time.Time {
	t, _ := parseTime(r.raw(name))
	return t
}

// parseTime reads a time in one of timeLayouts; false when it is in none.
func parseTime(v json.RawMessage) (time.Time, bool) {
	s := strings.TrimSpace(rawString(v))
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// canonical returns the known value that matches s ignoring case, or s unchanged.
func canonical(s string, known ...string) string {
	for _, k := range known {
		if strings.EqualFold(strings.TrimSpace(s), k) {
			return k
		}
	}
	return s
}

// decodeAll applies decode to every object.
func decodeAll[T any](values []map[string]json.RawMessage, decode func(record) T) []T {
	out := make([]T, 0, len(values))
	for _, v := range values {
		out = append(out, decode(v))
	}
	return out
}

// object reads a nested object; anything else reads as an empty record.
func (r record) object(name string) record {
	var out record
	if json.Unmarshal(r.raw(name), &out) != nil {
		return record{}
	}
	return out
}

// objects reads a list of objects, skipping elements that are not objects.
func (r record) objects(name string) []record {
	var items []json.RawMessage
	if json.Unmarshal(r.raw(name), &items) != nil {
		return nil
	}
	var out []record
	for _, item := range items {
		var obj record
		if json.Unmarshal(item, &obj) == nil && obj != nil {
			out = append(out, obj)
		}
	}
	return out
}

// texts reads a list whose elements are texts or objects with a message; other elements are
// kept as their JSON text.
func (r record) texts(name string) []string {
	var items []json.RawMessage
	if json.Unmarshal(r.raw(name), &items) != nil {
		return nil
	}
	var out []string
	for _, item := range items {
		var obj record
		if json.Unmarshal(item, &obj) == nil && obj != nil && obj.has("message") {
			out = append(out, obj.str("message"))
			continue
		}
		if s := strings.TrimSpace(rawString(item)); s != "" {
			out = append(out, s)
		}
	}
	return out
}
