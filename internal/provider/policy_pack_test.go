//go:build policytest

package provider_test

import (
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Unit tests of the policy pack's harness: the guide shows the command the acceptance test runs,
// and the SARIF schema check can fail.

// The guide shows exactly the command this test runs.
func TestPolicies_guideShowsTheTestedCommand(t *testing.T) {
	guide, err := os.ReadFile("../../docs/guides/reviewing-pam-changes.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(guide), "test "+conftestArgs) {
		t.Errorf("the guide no longer shows `conftest test %s`, the command make policy-test runs", conftestArgs)
	}
}

// validateSARIF checks a document against the SARIF 2.1.0 schema (OASIS, final rtm.5), shipped in
// testdata; see its README.
func validateSARIF(t *testing.T, doc string) {
	t.Helper()
	if err := sarifError(doc); err != nil {
		t.Errorf("conftest's SARIF output breaks the SARIF 2.1.0 schema: %v\n%s", err, doc)
	}
}

func sarifError(doc string) error {
	schema, err := jsonschema.NewCompiler().Compile("testdata/sarif-2.1.0-rtm.5.json")
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		return err
	}
	return schema.Validate(inst)
}

// The schema check refuses what SARIF forbids, so it can fail.
func TestPolicies_sarifSchemaRefusesInvalidLogs(t *testing.T) {
	for name, doc := range map[string]string{
		"no runs":             `{"version": "2.1.0"}`,
		"tool without driver": `{"version": "2.1.0", "runs": [{"tool": {}}]}`,
		"unknown level":       `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,
	} {
		if sarifError(doc) == nil {
			t.Errorf("%s: an invalid SARIF log passed the schema", name)
		}
	}
	if err := sarifError(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}`); err != nil {
		t.Errorf("a minimal valid SARIF log failed the schema: %v", err)
	}
}
