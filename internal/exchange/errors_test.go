package exchange

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

func TestErrorDecoding(t *testing.T) {
	cases := []struct {
		name        string
		cmdlet      string
		params      map[string]any
		answer      func(w http.ResponseWriter)
		wantKind    apierr.Kind
		wantStatus  int
		wantCode    string
		wantMessage []string // substrings
	}{
		{
			name:   "missing group is not found",
			cmdlet: "Get-DistributionGroup", params: map[string]any{"Identity": "pam-approvers"},
			answer:      func(w http.ResponseWriter) { writeNotFound(w, "pam-approvers") },
			wantKind:    apierr.KindNotFound,
			wantStatus:  404,
			wantCode:    notFoundException,
			wantMessage: []string{"object 'pam-approvers' couldn't be found"},
		},
		{
			name:   "missing owner on an existing group is invalid input",
			cmdlet: "Set-DistributionGroup", params: map[string]any{"Identity": "pam", "ManagedBy": []string{"ghost@contoso.com"}},
			answer: func(w http.ResponseWriter) {
				writeFault(w, notFoundException,
					`Couldn't find object "ghost@contoso.com". Please make sure that it was spelled correctly or specify a different object.`)
			},
			wantKind:    apierr.KindInvalidInput,
			wantStatus:  404,
			wantMessage: []string{`Couldn't find object "ghost@contoso.com"`},
		},
		{
			name:   "missing approver group on create is invalid input",
			cmdlet: "New-ElevatedAccessApprovalPolicy", params: map[string]any{"Task": `Exchange\New-MoveRequest`, "ApproverGroup": "nobody@contoso.com"},
			answer: func(w http.ResponseWriter) {
				writeFault(w, notFoundException, `Couldn't find object "nobody@contoso.com".`)
			},
			wantKind:   apierr.KindInvalidInput,
			wantStatus: 404,
		},
		{
			name:   "unknown cmdlet is not not-found",
			cmdlet: "Get-ElevatedAccessApprovalPolicy",
			answer: func(w http.ResponseWriter) {
				writeFault(w, "System.Management.Automation.CommandNotFoundException",
					"The term 'Get-ElevatedAccessApprovalPolicy' is not recognized as a name of a cmdlet, function, script file, or executable program.")
			},
			wantKind:    apierr.KindOther,
			wantStatus:  404,
			wantCode:    "System.Management.Automation.CommandNotFoundException",
			wantMessage: []string{"Get-ElevatedAccessApprovalPolicy is not available to this caller", "is not recognized as a name of a cmdlet"},
		},
		{
			name:   "duplicate name is already exists",
			cmdlet: "New-DistributionGroup", params: map[string]any{"Name": "pam"},
			answer: func(w http.ResponseWriter) {
				writeFault(w, alreadyExistsException, "The name 'pam' is already being used.")
			},
			wantKind:    apierr.KindAlreadyExists,
			wantMessage: []string{"already being used"},
		},
		{
			name:   "directory duplicate is already exists",
			cmdlet: "New-DistributionGroup", params: map[string]any{"Name": "pam"},
			answer: func(w http.ResponseWriter) {
				writeFault(w, "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException", "The proxy address is already being used.")
			},
			wantKind: apierr.KindAlreadyExists,
		},
		{
			name:   "bad value is invalid input",
			cmdlet: "New-ElevatedAccessApprovalPolicy",
			answer: func(w http.ResponseWriter) {
				writeFault(w, "Microsoft.Exchange.Configuration.Tasks.TaskArgumentException", "ApprovalType must be Manual or Auto.")
			},
			wantKind:    apierr.KindInvalidInput,
			wantMessage: []string{"ApprovalType must be Manual or Auto."},
		},
		{
			name:   "parameter binding is invalid input",
			cmdlet: "Get-DistributionGroup",
			answer: func(w http.ResponseWriter) {
				writeFault(w, "System.Management.Automation.ParameterBindingException", "A parameter cannot be found that matches parameter name 'Bogus'.")
			},
			wantKind: apierr.KindInvalidInput,
		},
		{
			name:   "refused rule is invalid input",
			cmdlet: "New-ElevatedAccessApprovalPolicy",
			answer: func(w http.ResponseWriter) {
				writeFault(w, "System.InvalidOperationException", "The organization already has 30 approval policies.")
			},
			wantKind: apierr.KindInvalidInput,
		},
		{
			name:   "401 is unauthorized",
			cmdlet: "Get-OrganizationConfig",
			answer: func(w http.ResponseWriter) {
				w.Header().Set("WWW-Authenticate", `Bearer realm=""`)
				writeJSON(w, 401, map[string]any{"error": map[string]any{"code": "ExpiredToken", "message": "The token has expired."}})
			},
			wantKind: apierr.KindUnauthorized, wantStatus: 401, wantCode: "ExpiredToken",
			wantMessage: []string{"The token has expired."},
		},
		{
			name:   "403 is forbidden",
			cmdlet: "Enable-ElevatedAccessControl",
			answer: func(w http.ResponseWriter) {
				writeJSON(w, 403, map[string]any{"error": map[string]any{"code": "Forbidden", "message": "The app lacks Exchange.ManageAsApp."}})
			},
			wantKind: apierr.KindForbidden, wantStatus: 403, wantCode: "Forbidden",
		},
		{
			name:   "HTML gateway page is a clean error",
			cmdlet: "Get-OrganizationConfig",
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte("<html>\n<head><title>502 Bad Gateway</title></head>\n<body>" + strings.Repeat("x", 5000) + "</body></html>"))
			},
			wantKind: apierr.KindOther, wantStatus: 502,
			wantMessage: []string{"HTTP 502 Bad Gateway", "<html> <head><title>502 Bad Gateway</title>"},
		},
		{
			name:   "internal exception message when details are missing",
			cmdlet: "Get-OrganizationConfig",
			answer: func(w http.ResponseWriter) {
				writeJSON(w, 500, map[string]any{"error": map[string]any{"code": "InternalError", "message": "generic",
					"innerError": map[string]any{"internalException": map[string]any{"message": "specific reason"}}}})
			},
			wantKind: apierr.KindOther, wantStatus: 500, wantCode: "InternalError",
			wantMessage: []string{"specific reason"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
				w.Header().Set("request-id", "req-123")
				w.Header().Set("x-ms-request-id", "req-123")
				tc.answer(w)
			})
			_, err := h.client.Invoke(context.Background(), tc.cmdlet, tc.params)
			var e *apierr.Error
			if !errors.As(err, &e) {
				t.Fatalf("err %v is not an *apierr.Error", err)
			}
			if e.Kind != tc.wantKind {
				t.Errorf("kind %v, want %v (%v)", e.Kind, tc.wantKind, err)
			}
			if e.Service != "Exchange Online" || e.Operation != tc.cmdlet {
				t.Errorf("service/operation %q/%q", e.Service, e.Operation)
			}
			if tc.wantStatus != 0 && e.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", e.StatusCode, tc.wantStatus)
			}
			if tc.wantCode != "" && e.Code != tc.wantCode {
				t.Errorf("code %q, want %q", e.Code, tc.wantCode)
			}
			for _, part := range tc.wantMessage {
				if !strings.Contains(e.Message, part) {
					t.Errorf("message %q lacks %q", e.Message, part)
				}
			}
			if len(e.Message) > 600 {
				t.Errorf("message is %d bytes long, want a short excerpt", len(e.Message))
			}
			if e.RequestID != "req-123" {
				t.Errorf("request id %q", e.RequestID)
			}
			if sent := h.svc.requests()[0].Header.Get("client-request-id"); e.ClientRequestID != sent || sent == "" {
				t.Errorf("client request id %q, sent %q", e.ClientRequestID, sent)
			}
			if IsAmbiguous(err) {
				t.Errorf("a clear answer is reported as ambiguous")
			}
			want := 1
			if tc.wantStatus == http.StatusUnauthorized {
				want = 2 // sent once more with a new token
			}
			if n := len(h.svc.requests()); n != want {
				t.Errorf("sent %d requests, want %d", n, want)
			}
		})
	}
}

func TestRequestIDKeepsBothHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("request-id", "a")
	h.Set("x-ms-request-id", "b")
	if got := requestID(h); got != "a, x-ms-request-id b" {
		t.Errorf("requestID = %q", got)
	}
	h.Del("request-id")
	if got := requestID(h); got != "b" {
		t.Errorf("requestID = %q, want b", got)
	}
}

func TestDetailsWinOverOtherMessages(t *testing.T) {
	f := ParseFault([]byte(`{"error":{"code":"C","message":"outer","details":[{"message":""},{"message":"Ex1|T.X|from details"}],
		"innererror":{"internalexception":{"message":"inner","type":"T.Y"}}}}`))
	if f.Text != "from details" || f.ExceptionType != "T.X" || f.ErrorID != "Ex1" {
		t.Errorf("fault %+v", f)
	}
}
