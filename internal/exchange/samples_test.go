package exchange

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// errorSample is one verbatim answer of the real service (testdata/exchange-error-samples.json).
type errorSample struct {
	What    string            `json:"what"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
	BodyHex string            `json:"body_hex"`
}

func loadErrorSamples(t *testing.T) []errorSample {
	t.Helper()
	data, err := os.ReadFile("testdata/exchange-error-samples.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Samples []errorSample `json:"samples"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Samples
}

func (s errorSample) bytes(t *testing.T) []byte {
	if s.BodyHex == "" {
		return s.Body
	}
	b, err := hex.DecodeString(s.BodyHex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve answers every request with the sample, byte for byte.
func (s errorSample) serve(t *testing.T) func(http.ResponseWriter, *http.Request, seen, int) {
	body := s.bytes(t)
	return func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		for k, v := range s.Headers {
			w.Header().Set(k, v)
		}
		if s.BodyHex == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.Header().Set("request-id", "req-sample")
		w.WriteHeader(s.Status)
		_, _ = w.Write(body)
	}
}

// TestSamplesDecodeToTheObservedContract is the contract of the client's error decoding: every
// verbatim answer in the samples file, sent over HTTP as the service sent it, must decode and
// classify as below. The emulator's answers are held to the same file by its own test.
func TestSamplesDecodeToTheObservedContract(t *testing.T) {
	want := []struct {
		cmdlet      string
		params      map[string]any
		kind        apierr.Kind
		errorID     string
		code        string
		messageHas  []string
		warningsHas string // for a read of a 2xx answer
	}{
		{ // 404 not found
			cmdlet: "Get-DistributionGroup", params: map[string]any{"Identity": "user2@contoso.com"},
			kind: apierr.KindNotFound, errorID: "Ex6F9304", code: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
			messageHas: []string{"The operation couldn't be performed because object 'user2@contoso.com' couldn't be found"},
		},
		{ // the same detail with 500
			cmdlet: "Remove-DistributionGroup", params: map[string]any{"Identity": "user2@contoso.com"},
			kind: apierr.KindNotFound, errorID: "Ex6F9304", code: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
			messageHas: []string{"couldn't be found on 'EXHV-1242"},
		},
		{ // address in use
			cmdlet: "New-DistributionGroup", params: map[string]any{"Name": "info", "PrimarySmtpAddress": "info@contoso.com"},
			kind: apierr.KindAlreadyExists, errorID: "ExB10BE9", code: "Microsoft.Exchange.Management.Tasks.WLCDManagedMemberExistsException",
			messageHas: []string{`The proxy address "SMTP:info@contoso.com" is already being used`},
		},
		{ // validation, empty error id
			cmdlet: "Get-MessageTrace",
			kind:   apierr.KindInvalidInput, errorID: "", code: "Microsoft.Exchange.Management.Tasks.ValidationException",
			messageHas: []string{"Get-MessageTrace will start deprecating on September 1st, 2025."},
		},
		{ // capitalised names, inner exception
			cmdlet: "Get-DistributionGroup", params: map[string]any{"Identity": "pam-approvers@contoso.onmicrosoft.com"},
			kind: apierr.KindNotFound, errorID: "Ex6F9304", code: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
			messageHas: []string{"object 'pam-approvers@contoso.onmicrosoft.com' couldn't be found on 'AM0PR01A01DC001"},
		},
		{ // bare 403
			cmdlet: "Get-ElevatedAccessApprovalPolicy",
			kind:   apierr.KindForbidden,
			messageHas: []string{"HTTP 403 with no error text", "Get-ElevatedAccessApprovalPolicy is unknown to the service or outside the Exchange roles",
				"Exchange role Role Management", "Organization Management"},
		},
		{ // 200 with a non-terminating error: a write fails with the text
			cmdlet: "Update-DistributionGroupMember", params: map[string]any{"Identity": "pam", "Members": []string{"nobody@contoso.onmicrosoft.com"}},
			kind: apierr.KindOther,
			messageHas: []string{"may have taken effect only in part",
				`Couldn't find object "nobody@contoso.onmicrosoft.com". Please make sure that it was spelled correctly`},
			warningsHas: `Couldn't find object "nobody@contoso.onmicrosoft.com"`,
		},
	}
	samples := loadErrorSamples(t)
	if len(samples) != len(want) {
		t.Fatalf("the samples file has %d samples, the table %d: give each sample its expectation", len(samples), len(want))
	}
	for i, sample := range samples {
		w := want[i]
		t.Run(sample.What, func(t *testing.T) {
			h := newHarness(t, sample.serve(t))
			_, err := h.client.Invoke(context.Background(), w.cmdlet, w.params)
			var e *apierr.Error
			if !errors.As(err, &e) {
				t.Fatalf("err %v is not an *apierr.Error", err)
			}
			if e.Kind != w.kind {
				t.Errorf("kind %v, want %v (%v)", e.Kind, w.kind, err)
			}
			if e.StatusCode != sample.Status {
				t.Errorf("status %d, want %d", e.StatusCode, sample.Status)
			}
			if e.ErrorID != w.errorID {
				t.Errorf("error id %q, want %q", e.ErrorID, w.errorID)
			}
			if w.code != "" && e.Code != w.code {
				t.Errorf("code %q, want %q", e.Code, w.code)
			}
			for _, part := range w.messageHas {
				if !strings.Contains(e.Message, part) {
					t.Errorf("message %q lacks %q", e.Message, part)
				}
			}
			if strings.ContainsRune(e.Error(), 0) {
				t.Errorf("error carries NUL bytes: %q", e.Error())
			}
			if e.RequestID != "req-sample" {
				t.Errorf("request id %q", e.RequestID)
			}
			if n := len(h.svc.requests()); n != 1 {
				t.Errorf("sent %d requests, want 1 (a final answer)", n)
			}
			if w.warningsHas == "" {
				return
			}
			// The same answer to a read is no failure: its errors reach the caller as warnings.
			ctx, warnings := CollectWarnings(context.Background())
			if _, err := h.client.Invoke(ctx, "Get-DistributionGroupMember", map[string]any{"Identity": "pam"}); err != nil {
				t.Fatalf("read: %v", err)
			}
			if got := warnings.List(); len(got) != 1 || !strings.Contains(got[0].Text, w.warningsHas) || got[0].Cmdlet != "Get-DistributionGroupMember" {
				t.Errorf("warnings %+v", got)
			}
		})
	}
}

// TestDecodeFailureOfRawSamples decodes the samples as a caller holding the raw bytes would
// (the body as sent, headers included), without an HTTP client in between.
func TestDecodeFailureOfRawSamples(t *testing.T) {
	for _, sample := range loadErrorSamples(t) {
		if sample.Status < 300 {
			continue
		}
		header := http.Header{}
		for k, v := range sample.Headers {
			header.Set(k, v)
		}
		e := DecodeFailure("Get-DistributionGroup", map[string]any{"Identity": "user2@contoso.com"}, sample.Status, header, sample.bytes(t))
		if e.Message == "" || e.StatusCode != sample.Status {
			t.Errorf("%s: decoded %+v", sample.What, e)
		}
		if sample.Status == http.StatusForbidden && (e.Kind != apierr.KindForbidden || !strings.Contains(e.Message, "Role Management")) {
			t.Errorf("%s: decoded %+v", sample.What, e)
		}
	}
}

func TestWarningsReachTheCaller(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{},
			"@adminapi.warnings": []string{"The command completed successfully but no settings of 'pam' have been modified."}})
	})
	ctx, warnings := CollectWarnings(context.Background())
	if _, err := h.client.Invoke(ctx, "Set-DistributionGroup", map[string]any{"Identity": "pam"}); err != nil {
		t.Fatal(err)
	}
	got := warnings.List()
	if len(got) != 1 || got[0].Cmdlet != "Set-DistributionGroup" || !strings.Contains(got[0].Text, "no settings of 'pam' have been modified") {
		t.Errorf("warnings %+v", got)
	}
}
