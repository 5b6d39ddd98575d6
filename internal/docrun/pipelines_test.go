package docrun

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// The example Azure Pipelines are checked as the service would before running them, as far as
// that can be done here: against the schema of the keywords they use (closed objects, so a
// misspelt keyword fails), then every script step through bash's parser. The GitHub workflows
// are checked by actionlint in `make docs-check`.
func TestAzurePipelinesExamples(t *testing.T) {
	schema, err := jsonschema.NewCompiler().Compile("testdata/azure-pipelines.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../../examples/azure-pipelines/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example pipelines found (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			doc := readYAML(t, file)
			if err := schema.Validate(doc); err != nil {
				t.Errorf("%s breaks the Azure Pipelines schema: %v", file, err)
			}
			scripts := scriptsOf(doc)
			if len(scripts) == 0 {
				t.Fatalf("%s has no script steps", file)
			}
			for _, script := range scripts {
				cmd := exec.CommandContext(t.Context(), "bash", "-n")
				cmd.Stdin = strings.NewReader(script)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("a script step of %s does not parse: %v\n%s\n%s", file, err, out, script)
				}
			}
		})
	}
}

// A pipeline with a misspelt keyword fails the schema, so the check above can fail.
func TestAzurePipelinesSchemaRefusesUnknownKeywords(t *testing.T) {
	schema, err := jsonschema.NewCompiler().Compile("testdata/azure-pipelines.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(path, []byte("jobs:\n  - job: a\n    steps:\n      - script: echo hi\n        workingDirectroy: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if schema.Validate(readYAML(t, path)) == nil {
		t.Error("a misspelt step keyword passed the schema")
	}
}

// readYAML reads a YAML file into the plain values the schema validator takes (through JSON).
func readYAML(t *testing.T, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s is not YAML: %v", path, err)
	}
	asJSON, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(asJSON)))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// scriptsOf finds every script step, wherever the jobs nest it, with template expressions
// replaced by a word so that bash can parse them.
func scriptsOf(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if s, ok := v["script"].(string); ok {
			out = append(out, templateExpr.ReplaceAllString(s, "tmpl"))
		}
		for _, child := range v {
			out = append(out, scriptsOf(child)...)
		}
	case []any:
		for _, child := range v {
			out = append(out, scriptsOf(child)...)
		}
	}
	return out
}

var templateExpr = regexp.MustCompile(`\$\{\{[^}]*\}\}`)
