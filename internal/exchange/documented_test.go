package exchange

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"
)

// documentedExample is one of Microsoft's documented output examples (testdata/documented-outputs.json).
type documentedExample struct {
	What   string                     `json:"what"`
	Cmdlet string                     `json:"cmdlet"`
	Object map[string]json.RawMessage `json:"object"`
}

func loadDocumentedExamples(t *testing.T) []documentedExample {
	t.Helper()
	data, err := os.ReadFile("testdata/documented-outputs.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Examples []documentedExample `json:"examples"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Examples
}

func utc(layout, value string) time.Time {
	t, err := time.Parse(layout, value)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDocumentedOutputsDecode is the contract of the client's PAM decoders: every documented
// example, served over HTTP as the service would send it, decodes to the values the docs show,
// and the property names the client keeps as documented are the example's. The emulator's
// answers are held to the same file by its own test.
func TestDocumentedOutputsDecode(t *testing.T) {
	const psTime = "1/2/2006 3:04:05 PM"
	want := []struct {
		output Output
		list   func(*Client) (any, error)
		want   any
	}{
		{
			output: AccessRequestOutput,
			list:   func(c *Client) (any, error) { return c.AccessRequests(context.Background()) },
			want: []AccessRequest{{Identity: "a4bc1bdf-00a1-42b4-be65-b6c63d6be279", RequestStatus: RequestPending,
				RequestorUPN: "admin@contoso.com", Task: `Office365\Data Access Request`}},
		},
		{
			output: AccessAuthorizationOutput,
			list:   func(c *Client) (any, error) { return c.AccessAuthorizations(context.Background()) },
			want: []AccessAuthorization{{Identity: "bda75607-0d87-43cb-bdf1-284b18446b34",
				AuthorizedBy: "user@tenant.onmicrosoft.com", Type: "Task", AuthorizedAccess: "Data Access Request",
				StartTimeUTC: utc(psTime, "7/24/2018 6:02:42 PM"), EndTimeUTC: utc(psTime, "10/22/2018 6:02:42 PM"),
				Revoked: true, RevocationTimeUTC: utc(psTime, "7/24/2018 9:12:55 PM"),
				RevokedBy:         "NAMPR00A001.prod.outlook.com/Microsoft Exchange Hosted  Organizations/tenant.onmicrosoft.com/user",
				RevocationComment: "Revoking this request!"}},
		},
	}
	examples := loadDocumentedExamples(t)
	if len(examples) != len(want) {
		t.Fatalf("the examples file has %d examples, the table %d: give each example its expectation", len(examples), len(want))
	}
	for i, example := range examples {
		w := want[i]
		t.Run(example.What, func(t *testing.T) {
			if example.Cmdlet != w.output.Cmdlet {
				t.Fatalf("example of %s, table entry of %s", example.Cmdlet, w.output.Cmdlet)
			}
			var names []string
			for name := range example.Object {
				names = append(names, name)
			}
			slices.Sort(names)
			documented := slices.Sorted(slices.Values(w.output.Documented))
			if !isSubset(names, documented) {
				t.Errorf("the example shows %v; the client keeps %v as documented", names, documented)
			}
			h := newHarness(t, func(rw http.ResponseWriter, _ *http.Request, _ seen, _ int) {
				writeJSON(rw, http.StatusOK, map[string]any{"value": []any{example.Object}})
			})
			got, err := w.list(h.client)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, w.want) {
				t.Errorf("decoded\n %+v\nwant\n %+v", got, w.want)
			}
		})
	}
}

// isSubset reports whether every name of sub is in set.
func isSubset(sub, set []string) bool {
	for _, s := range sub {
		if !slices.Contains(set, s) {
			return false
		}
	}
	return true
}

// A task request read with the service and the cmdlet apart, or as one name, gives the same task.
func TestRequestedTaskReadsEitherShape(t *testing.T) {
	for _, tc := range []struct{ service, access, want string }{
		{"Exchange", "New-MoveRequest", `Exchange\New-MoveRequest`},
		{"Exchange", `Exchange\New-MoveRequest`, `Exchange\New-MoveRequest`},
		{"", `Exchange\New-MoveRequest`, `Exchange\New-MoveRequest`},
		{"Office365", "Data Access Request", `Office365\Data Access Request`},
	} {
		if got := requestedTask(tc.service, tc.access); got != tc.want {
			t.Errorf("requestedTask(%q, %q) = %q, want %q", tc.service, tc.access, got, tc.want)
		}
	}
}
