package provider_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// The tests that use a cliWorkspace drive the Terraform or OpenTofu CLI directly, as a user would,
// with the provider built as a binary and installed through dev_overrides: the test framework
// cannot send the CLI a signal, and the CLI's own log is what a user would attach to a bug report.

// cliWorkspace is a directory with a configuration, a CLI config pointing at a freshly built
// provider, and the environment that reaches the tenant.
type cliWorkspace struct {
	t   *testing.T
	cli string
	dir string
	env []string
}

// newCLIWorkspace builds the provider into a temporary directory and writes config as main.tf.
func newCLIWorkspace(t *testing.T, config string, extraEnv ...string) *cliWorkspace {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (as the test framework's own tests require)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set; run with TF_ACC=1")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(bin, "terraform-provider-o365pam"), ".")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	host := "registry.terraform.io"
	if strings.HasPrefix(filepath.Base(cli), "tofu") {
		host = "registry.opentofu.org"
	}
	cliConfig := filepath.Join(dir, "cli.tfrc")
	writeFile(t, cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		host+"/zerostanding/o365pam", bin))
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(work, "main.tf"), config)

	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "ARM_") || strings.HasPrefix(name, "O365PAM_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	env = append(env, extraEnv...)
	return &cliWorkspace{t: t, cli: cli, dir: work, env: env}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tenantEnv is the environment that signs the provider in to the tenant, as `eval
// "$(o365pam-emulator)"` would set it.
func tenantEnv(tn *acctest.Tenant) []string {
	var env []string
	for _, e := range tn.Server.Exports() {
		env = append(env, e.Name+"="+e.Value)
	}
	return env
}

// command prepares a CLI run in the workspace; -no-color keeps output greppable.
func (w *cliWorkspace) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.cli, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = w.dir, w.env
	return cmd
}

// run runs the CLI to the end and returns its combined output and exit code.
func (w *cliWorkspace) run(args ...string) (string, int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := w.command(ctx, args...).CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		w.t.Fatalf("running %s %v: %v", w.cli, args, err)
	}
	return string(out), code
}

// mustRun runs the CLI and fails the test unless it exits 0.
func (w *cliWorkspace) mustRun(args ...string) string {
	w.t.Helper()
	out, code := w.run(args...)
	if code != 0 {
		w.t.Fatalf("%s %s exited %d:\n%s", filepath.Base(w.cli), strings.Join(args, " "), code, out)
	}
	return out
}

// syncBuffer collects a running command's output for polling.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cliProvider is the configuration head of a CLI test: the provider reads its settings from the
// environment that tenantEnv sets.
const cliProvider = `
terraform {
  required_providers {
    o365pam = { source = "zerostanding/o365pam" }
  }
}

provider "o365pam" {}
`

// unwrap joins the lines the CLI wraps long diagnostics into, and drops its "│" margins.
func unwrap(s string) string {
	s = strings.ReplaceAll(s, "│", " ")
	return strings.Join(strings.Fields(s), " ")
}
