package emulator

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// documentedFile holds Microsoft's documented output examples; the Exchange client's decoders are
// tested against the same file.
const documentedFile = "../exchange/testdata/documented-outputs.json"

// valueForms tell what a value looks like, so that the emulator's values can be held to the
// documented ones whose JSON types are unverified.
var valueForms = []struct {
	name    string
	pattern *regexp.Regexp
}{
	{"a GUID", regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)},
	{"an address", regexp.MustCompile(`^[^@/\s]+@[A-Za-z0-9.-]+$`)},
	{"a directory path", regexp.MustCompile(`^[A-Za-z0-9.]+/Microsoft Exchange Hosted +Organizations/[A-Za-z0-9.-]+/[^/]+$`)},
	// Times: the documented text, or ISO 8601 as the REST endpoint sends #DateTime values.
	{"a time", regexp.MustCompile(`^(\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)$`)},
	{"a boolean", regexp.MustCompile(`^(true|false|True|False)$`)},
}

func valueForm(v any) string {
	s := strings.TrimSpace(strings.Trim(string(must(json.Marshal(v))), `"`))
	for _, f := range valueForms {
		if f.pattern.MatchString(s) {
			return f.name
		}
	}
	return "text"
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestOutputsMatchTheDocumentedExamples drives the emulator to each documented example's
// situation and checks that its answer carries every documented property, under the documented
// name, with a value of the same form (a GUID, an address, a directory path, a time, a boolean or
// text). It reads the file the client's contract test reads, and shares no code with the client.
func TestOutputsMatchTheDocumentedExamples(t *testing.T) {
	var file struct {
		Examples []struct {
			What   string         `json:"what"`
			Cmdlet string         `json:"cmdlet"`
			Object map[string]any `json:"object"`
		} `json:"examples"`
	}
	if err := json.Unmarshal(must(os.ReadFile(documentedFile)), &file); err != nil {
		t.Fatal(err)
	}
	h := pamTenant(t)
	adele, alex := h.user("adele.vance"), h.user("alex.wilber")
	pending := request(h, adele, `Exchange\New-MoveRequest`)
	approved := request(h, adele, `Exchange\New-MoveRequest`)["Identity"]
	h.mustInvoke(alex, "Approve-ElevatedAccessRequest", map[string]any{"RequestId": approved, "Comment": "ok"})
	revoked := h.mustInvoke(h.app(), "Revoke-ElevatedAccessAuthorization", map[string]any{"RequestId": approved, "Comment": "done"})
	// Each example's situation in the emulator.
	answers := map[string]map[string]any{
		"Get-ElevatedAccessRequest":       h.mustInvoke(adele, "Get-ElevatedAccessRequest", map[string]any{"Identity": pending["Identity"]})[0],
		"Get-ElevatedAccessAuthorization": revoked[0],
	}
	if len(answers) != len(file.Examples) {
		t.Fatalf("the examples file has %d examples, the table %d situations", len(file.Examples), len(answers))
	}
	for _, example := range file.Examples {
		t.Run(example.What, func(t *testing.T) {
			got, ok := answers[example.Cmdlet]
			if !ok {
				t.Fatalf("no situation for %s", example.Cmdlet)
			}
			for name, documented := range example.Object {
				value, present := got[name]
				switch {
				case !present:
					t.Errorf("%s: no property %s (documented as %v)", example.Cmdlet, name, documented)
				case valueForm(value) != valueForm(documented):
					t.Errorf("%s: %s is %s (%v); documented as %s (%v)", example.Cmdlet, name,
						valueForm(value), value, valueForm(documented), documented)
				}
			}
		})
	}
}
