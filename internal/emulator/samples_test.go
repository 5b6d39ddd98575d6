package emulator

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// samplesFile holds verbatim answers of the real service; the Exchange client's decoding is
// tested against the same file.
const samplesFile = "../exchange/testdata/exchange-error-samples.json"

type serviceSample struct {
	What    string            `json:"what"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    map[string]any    `json:"body"`
	BodyHex string            `json:"body_hex"`
}

// TestErrorAnswersMatchTheServiceSamples drives the emulator into the situation of each sample
// and checks that it answers with the same status, headers and envelope: the same error code and
// message, a detail of the same shape ("<ErrorId>|<exception type>|<text>") with the same error id
// and exception type, and the same inner error type where the sample has one. It reads the file
// the client's contract test reads, and shares no code with the client.
func TestErrorAnswersMatchTheServiceSamples(t *testing.T) {
	data, err := os.ReadFile(samplesFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Samples []serviceSample }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	// Each sample's situation in the emulator; nil when the emulator deliberately answers that
	// situation with another sample's variant (named in the reason).
	situations := []struct {
		cmdlet string
		params map[string]any
		reason string
	}{
		{cmdlet: "Get-DistributionGroup", params: map[string]any{"Identity": "6f0e3c9a-1b2d-4e5f-8a7b-9c0d1e2f3a4b"}},
		{reason: "a missing object is answered with the 404 variant (sample 1)"},
		{cmdlet: "New-DistributionGroup", params: map[string]any{"Name": "info", "PrimarySmtpAddress": "adele.vance@" + BuiltinDomain}},
		{cmdlet: "New-DistributionGroup", params: map[string]any{"Name": "g", "Type": "Security", "MemberDepartRestriction": "Open"}},
		{reason: "property names are answered in lower case, as the other samples have them"},
		{cmdlet: "Get-MessageTrace"},
		{reason: "no emulated cmdlet reports a non-terminating error"},
	}
	if len(situations) != len(file.Samples) {
		t.Fatalf("the samples file has %d samples, the table %d: give each sample its situation", len(file.Samples), len(situations))
	}
	h := start(t, Options{})
	for i, sample := range file.Samples {
		s := situations[i]
		if s.cmdlet == "" {
			if s.reason == "" {
				t.Errorf("sample %q has neither a situation nor a reason", sample.What)
			}
			continue
		}
		t.Run(sample.What, func(t *testing.T) {
			r := h.invoke(h.app(), s.cmdlet, s.params)
			if r.status != sample.Status {
				t.Fatalf("status %d, want %d: %s", r.status, sample.Status, r.raw)
			}
			for k, v := range sample.Headers {
				if got := r.header.Get(k); got != v {
					t.Errorf("header %s %q, want %q", k, got, v)
				}
			}
			if sample.BodyHex != "" {
				if got := hex.EncodeToString([]byte(r.raw)); got != sample.BodyHex {
					t.Errorf("body %s, want %s", got, sample.BodyHex)
				}
				return
			}
			want, got := envelopeShape(t, sample.Body), envelopeShape(t, r.body)
			if want.innerType == "" {
				got.innerType = "" // the sample has no inner error to compare with
			}
			if got != want {
				t.Errorf("envelope\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// shape is what must match between the service's and the emulator's error answers.
type shape struct {
	code, message, detailCode, target, errorID, exceptionType, innerType string
	detailFields                                                         int
}

func envelopeShape(t *testing.T, body map[string]any) shape {
	t.Helper()
	errObj, _ := body["error"].(map[string]any)
	details, _ := errObj["details"].([]any)
	if len(details) == 0 {
		t.Fatalf("no details in %v", body)
	}
	detail := details[0].(map[string]any)
	fields := strings.SplitN(detail["message"].(string), "|", 3)
	s := shape{
		code: str(errObj["code"]), message: str(errObj["message"]),
		detailCode: str(detail["code"]), target: str(detail["target"]), detailFields: len(fields),
	}
	if len(fields) == 3 {
		s.errorID, s.exceptionType = fields[0], fields[1]
	}
	if inner, ok := errObj["innererror"].(map[string]any); ok {
		s.innerType = str(inner["type"])
	}
	return s
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
