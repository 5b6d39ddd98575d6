package provider_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// examplesRoot holds the configurations the documentation shows. Every directory under it with
// .tf files must apply as written to a fresh emulated tenant.
const examplesRoot = "../../examples"

// exampleDomain is the tenant domain the examples are written for, the emulator's built-in one.
const exampleDomain = "contoso.onmicrosoft.com"

var exampleAddress = regexp.MustCompile(`([A-Za-z0-9._-]+)@` + regexp.QuoteMeta(exampleDomain))

// TestAccExamples runs each example directory with the real CLI as a user would: init, apply, and
// a plan that must show no changes; where the directory has import examples, it forgets the objects
// and imports them again with the documented ids. plugin-testing is not used here: its state checks
// cannot read resources that use for_each, which the quickstart does.
func TestAccExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	version := cliVersion(t, cli)
	for _, dir := range exampleDirs(t) {
		name, _ := filepath.Rel(examplesRoot, dir)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			t.Parallel()
			tn := acctest.NewTenant(t)
			ex := loadExample(t, tn, dir)
			if need, feature := ex.needs(); version.LessThan(need) {
				t.Skipf("%s need Terraform %s or later; %s is %s", feature, need, cli, version)
			}
			w := newWorkspace(t, cli, tn.ProviderConfig()+ex.config)
			w.run(t, "apply", "-auto-approve", "-input=false")
			w.expectNoChanges(t)
			for _, imp := range ex.imports {
				t.Run(imp.source, func(t *testing.T) {
					w.run(t, append([]string{"state", "rm"}, imp.targets...)...)
					imp.apply(t, w)
					w.expectInState(t, imp.targets)
					w.run(t, "apply", "-auto-approve", "-input=false") // an import may leave settings to apply
					w.expectNoChanges(t)
				})
			}
		})
	}
}

// exampleDirs lists the directories under examplesRoot that hold configuration files.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(examplesRoot, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && (notStandalone(path, d) || d.Name() == "actions" && !withTF114Examples) {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") {
			seen[filepath.Dir(path)] = true
		}
		return err
	})
	if err != nil {
		t.Fatalf("walking %s: %v", examplesRoot, err)
	}
	dirs := make([]string, 0, len(seen))
	for dir := range seen {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatalf("no example configurations under %s", examplesRoot)
	}
	return dirs
}

// notStandalone is true for the example folders that cannot be applied alone to one test tenant:
// a module's folder is applied through the example that calls it, and examples/fleet manages
// several tenants, so it needs an emulator hosting a fleet and a file listing its tenants.
func notStandalone(path string, d os.DirEntry) bool {
	return d.Name() == "modules" || path == filepath.Join(examplesRoot, "fleet")
}

// example is one example directory, ready to apply to a test tenant.
type example struct {
	config  string // every .tf file but the import examples, without the provider block
	blocks  []*hclwrite.Block
	imports []importExample
}

// needs names the oldest CLI version that has every language feature the example uses.
func (ex example) needs() (*goversion.Version, string) {
	for _, b := range ex.blocks {
		if b.Type() == "action" {
			return tfversion.Version1_14_0, "actions"
		}
	}
	for _, imp := range ex.imports {
		if imp.source == "import-by-identity.tf" {
			return tfversion.Version1_12_0, "import blocks with identity"
		}
	}
	for _, b := range ex.blocks {
		if b.Type() == "ephemeral" {
			return tfversion.Version1_10_0, "ephemeral resources"
		}
	}
	for _, b := range ex.blocks {
		if b.Type() == "import" && b.Body().GetAttribute("for_each") != nil {
			return tfversion.Version1_7_0, "import blocks with for_each"
		}
	}
	return tfversion.Version1_5_0, "import blocks"
}

// importExample is one way the documentation shows to import the example's objects: import
// blocks, or `terraform import` commands.
type importExample struct {
	source   string     // the file it came from
	blocks   string     // import blocks, or
	commands [][]string // arguments of `terraform import` commands
	targets  []string   // resource addresses they import into
}

// apply imports the targets into the workspace's state as the example says.
func (imp importExample) apply(t *testing.T, w *workspace) {
	t.Helper()
	for _, args := range imp.commands {
		w.run(t, append([]string{"import", "-input=false"}, args...)...)
	}
	if imp.blocks == "" {
		return
	}
	file := filepath.Join(w.dir, "imports.tf")
	if err := os.WriteFile(file, []byte(imp.blocks), 0o600); err != nil {
		t.Fatal(err)
	}
	w.run(t, "apply", "-auto-approve", "-input=false")
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
}

func loadExample(t *testing.T, tn *acctest.Tenant, dir string) example {
	t.Helper()
	var ex example
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var config strings.Builder
	for _, file := range files {
		base := filepath.Base(file)
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := localize(tn, string(raw))
		switch {
		case base == "import-by-identity.tf" && !withTF114Examples:
			// Needs Terraform 1.12; run by make test-tf114.
		case base == "import.sh":
			ex.imports = append(ex.imports, importsFromShell(t, file, text))
		case strings.HasPrefix(base, "import-by-") && strings.HasSuffix(base, ".tf"):
			ex.imports = append(ex.imports, importsFromBlocks(t, file, text))
		case strings.HasSuffix(base, ".tf"):
			config.WriteString(withoutProviderBlock(t, file, text))
			ex.blocks = append(ex.blocks, parseHCL(t, file, text).Body().Blocks()...)
		}
	}
	ex.config = config.String()
	return ex
}

// localize rewrites the examples' addresses for the test tenant: the same names in the emulator,
// the mapped users and suffixed names on a live tenant.
func localize(tn *acctest.Tenant, text string) string {
	text = exampleAddress.ReplaceAllStringFunc(text, func(address string) string {
		return tn.Address(strings.TrimSuffix(address, "@"+exampleDomain))
	})
	return strings.ReplaceAll(text, exampleDomain, tn.Domain())
}

// withoutProviderBlock drops the o365pam provider block, which reads the environment: the test
// supplies one pointing at the test tenant, since tests run in parallel and share one environment.
func withoutProviderBlock(t *testing.T, file, text string) string {
	t.Helper()
	f := parseHCL(t, file, text)
	for _, b := range f.Body().Blocks() {
		if b.Type() == "provider" && b.Labels()[0] == "o365pam" {
			f.Body().RemoveBlock(b)
		}
	}
	return string(f.Bytes()) + "\n"
}

func parseHCL(t *testing.T, file, text string) *hclwrite.File {
	t.Helper()
	f, diags := hclwrite.ParseConfig([]byte(text), file, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", file, diags.Error())
	}
	return f
}

// importsFromBlocks reads an import-block example as written.
func importsFromBlocks(t *testing.T, file, text string) importExample {
	t.Helper()
	imp := importExample{source: filepath.Base(file), blocks: text}
	for _, b := range parseHCL(t, file, text).Body().Blocks() {
		if b.Type() != "import" || b.Body().GetAttribute("to") == nil {
			continue
		}
		to := strings.TrimSpace(string(b.Body().GetAttribute("to").Expr().BuildTokens(nil).Bytes()))
		imp.targets = append(imp.targets, to)
	}
	if len(imp.targets) == 0 {
		t.Fatalf("%s has no import block with a `to` address", file)
	}
	return imp
}

var shellImport = regexp.MustCompile(`^terraform\s+import\s+(\S+)\s+(.+)$`)

// importsFromShell reads the `terraform import ADDRESS ID` lines of an import.sh example.
func importsFromShell(t *testing.T, file, text string) importExample {
	t.Helper()
	imp := importExample{source: filepath.Base(file)}
	for _, line := range strings.Split(text, "\n") {
		m := shellImport.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		id := strings.TrimSpace(m[2])
		if len(id) >= 2 && (id[0] == '\'' || id[0] == '"') && id[len(id)-1] == id[0] {
			id = id[1 : len(id)-1]
		}
		imp.commands = append(imp.commands, []string{m[1], id})
		imp.targets = append(imp.targets, m[1])
	}
	if len(imp.targets) == 0 {
		t.Fatalf("%s has no `terraform import` command", file)
	}
	return imp
}

// providerAddresses are the addresses a configuration may name the provider by: its own source on
// either registry, and the implied hashicorp/o365pam when a configuration has no required_providers.
var providerAddresses = []string{
	"registry.terraform.io/zerostanding/o365pam", "registry.opentofu.org/zerostanding/o365pam",
	"registry.terraform.io/hashicorp/o365pam", "registry.opentofu.org/hashicorp/o365pam",
}

// workspace is a working directory the CLI runs in, with the provider served from this process.
type workspace struct {
	cli, dir string
	env      []string
}

// newWorkspace writes config to a new directory, serves the provider for it alone (a provider
// server holds one configuration at a time) and runs init.
func newWorkspace(t *testing.T, cli, config string) *workspace {
	t.Helper()
	w := &workspace{cli: cli, dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	reattach := serveProvider(t)
	w.env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	t.Cleanup(func() {
		// Not t.Context(): it is cancelled before cleanups run.
		if out, err := w.exec(context.Background(), "destroy", "-auto-approve", "-input=false"); err != nil {
			t.Errorf("destroy: %v\n%s", err, out)
		}
	})
	w.run(t, "init", "-input=false")
	return w
}

// serveProvider starts the provider in debug mode and returns the TF_REATTACH_PROVIDERS value
// that points the CLI at it.
func serveProvider(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	server, err := acctest.ProviderFactories["o365pam"]()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = tf6server.Serve(providerAddresses[0], func() tfprotov6.ProviderServer { return server },
			tf6server.WithDebug(ctx, configCh, closeCh), tf6server.WithoutLogStderrOverride(),
			tf6server.WithLoggingSink(t), tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
	}()
	t.Cleanup(func() { cancel(); <-closeCh })
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configCh:
	case <-time.After(30 * time.Second):
		t.Fatal("the provider server did not start")
	}
	type addr struct{ Network, String string }
	entry := map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": cfg.Test,
		"Addr": addr{cfg.Addr.Network(), cfg.Addr.String()},
	}
	all := map[string]any{}
	for _, a := range providerAddresses {
		all[a] = entry
	}
	raw, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func (w *workspace) exec(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, w.cli, append([]string{"-chdir=" + w.dir}, append(args, "-no-color")...)...)
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// run runs one CLI command and fails the test if it fails.
func (w *workspace) run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := w.exec(t.Context(), args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(w.cli), strings.Join(args, " "), err, out)
	}
	return out
}

// expectNoChanges runs plan -detailed-exitcode, which exits 2 when there are changes.
func (w *workspace) expectNoChanges(t *testing.T) {
	t.Helper()
	out, err := w.exec(t.Context(), "plan", "-detailed-exitcode", "-input=false")
	if err != nil {
		t.Fatalf("a plan after apply must show no changes; plan said (%v):\n%s", err, out)
	}
}

func (w *workspace) expectInState(t *testing.T, addresses []string) {
	t.Helper()
	listed := strings.Fields(w.run(t, "state", "list"))
	for _, a := range addresses {
		if !slices.Contains(listed, a) {
			t.Fatalf("%s is not in state after the import; state holds %v", a, listed)
		}
	}
}

// cliVersion asks the CLI for its version.
func cliVersion(t *testing.T, cli string) *goversion.Version {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), cli, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", cli, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", cli, err)
	}
	return goversion.Must(goversion.NewVersion(v.Version))
}
