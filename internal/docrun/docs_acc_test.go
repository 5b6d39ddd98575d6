//go:build unix

package docrun

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = "../.."

// docTimeout bounds one document's commands; the first `go run` of the emulator compiles it.
const docTimeout = 8 * time.Minute

// TestAccDocCommands runs the shell commands of README.md and of every guide as a reader would:
// a document's runnable blocks in order in one bash, in a fresh copy of the repository, with the
// CLI on PATH as `terraform`, an empty HOME, no ARM_* or O365PAM_* settings, and the provider
// installed (a CLI configuration whose dev_overrides name a fresh build, as after `make install`
// with such a configuration). Blocks marked skip are listed with their reason; blocks marked ci
// must be steps of .ci/run.
func TestAccDocCommands(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	guides, err := filepath.Glob(filepath.Join(repoRoot, "docs", "guides", "*.md"))
	if err != nil || len(guides) == 0 {
		t.Fatalf("no guides under docs/guides: %v", err)
	}
	ci := ciSteps(t)
	reader := newReaderEnv(t)
	for _, doc := range append([]string{filepath.Join(repoRoot, "README.md")}, guides...) {
		name, _ := filepath.Rel(repoRoot, doc)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := Blocks(string(raw))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			runnable := 0
			for _, b := range blocks {
				switch b.Mode {
				case Skip:
					t.Logf("%s:%d not run on purpose: %s", name, b.Line, b.Reason)
				case CI:
					for _, cmd := range b.Commands() {
						if !ci[cmd] {
							t.Errorf("%s:%d: %q is marked as run by CI, but .ci/run has no such step", name, b.Line, cmd)
						}
					}
				case Run:
					runnable++
				}
			}
			if runnable > 0 {
				reader.run(t, name, Script(blocks))
			}
		})
	}
}

// ciSteps are the command lines of .ci/run, without comments.
func ciSteps(t *testing.T) map[string]bool {
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	steps := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if cmd := strings.TrimSpace(withoutComment(strings.TrimSpace(line))); cmd != "" {
			steps[cmd] = true
		}
	}
	return steps
}

// readerEnv is the machine of a reader who has cloned the repository, installed the provider and
// has Go, curl and the CLI.
type readerEnv struct {
	env []string
}

func newReaderEnv(t *testing.T) *readerEnv {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH must name the terraform or tofu binary")
	}
	tmp := t.TempDir()
	bin, plugins, home := filepath.Join(tmp, "bin"), filepath.Join(tmp, "plugins"), filepath.Join(tmp, "home")
	for _, dir := range []string{bin, plugins, home} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(cli, filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}
	build := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(plugins, "terraform-provider-o365pam"), ".")
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(tmp, "installed.tfrc")
	config := "provider_installation {\n  dev_overrides {\n    \"zerostanding/o365pam\" = \"" + plugins + "\"\n  }\n  direct {}\n}\n"
	if err := os.WriteFile(cliConfig, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	// Go keeps its caches under HOME unless told otherwise: keep the ones this machine has.
	goEnv, err := exec.CommandContext(t.Context(), "go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	paths := strings.Fields(string(goEnv))
	env := []string{
		"HOME=" + home, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1",
		"GOCACHE=" + paths[0], "GOMODCACHE=" + paths[1], "GOPATH=" + paths[2],
		// The tools the guides `go run` (OPA, conftest) then share their compiled packages with the
		// pinned builds of the GNUmakefile, which are built without cgo: compiled once, not twice.
		"CGO_ENABLED=0",
	}
	for _, kv := range os.Environ() {
		if !readerSetsOrLacks(kv) {
			env = append(env, kv)
		}
	}
	return &readerEnv{env: env}
}

// readerSetsOrLacks is true for the variables the reader's environment sets itself, and for
// settings a reader following the documents would not have.
func readerSetsOrLacks(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	for _, prefix := range []string{"ARM_", "O365PAM_", "TF_", "ACTIONS_ID_TOKEN_", "AZURE_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	switch name {
	case "HOME", "PATH", "SSL_CERT_FILE", "CHECKPOINT_DISABLE", "GOCACHE", "GOMODCACHE", "GOPATH":
		return true
	}
	return false
}

// run runs a document's script in a fresh copy of the repository, then stops whatever it left
// running in the background (the emulator).
func (r *readerEnv) run(t *testing.T, name, script string) {
	dir := copyRepository(t)
	out, err := os.CreateTemp(t.TempDir(), "output")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), docTimeout)
	defer cancel()
	// Output goes to a file: a background process holding a pipe open would keep Wait waiting.
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, r.env, out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	started := time.Now()
	err = cmd.Run()
	if cmd.Process != nil {
		stopGroup(cmd.Process.Pid)
	}
	output, _ := os.ReadFile(out.Name())
	if err != nil {
		t.Fatalf("%s: the documented commands failed after %s (%v). The script run in a copy of the repository:\n%s\nIts output:\n%s",
			name, time.Since(started).Round(time.Second), err, script, output)
	}
	t.Logf("%s: documented commands ran in %s", name, time.Since(started).Round(time.Second))
}

// stopGroup ends the processes the script left in its process group, gently first.
func stopGroup(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH) {
			return
		}
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// copyRepository copies the files git knows of (tracked, or new and not ignored) to a temporary
// directory, as a fresh clone with this change would have them.
func copyRepository(t *testing.T) string {
	list := exec.CommandContext(t.Context(), "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	list.Dir = repoRoot
	names, err := list.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := t.TempDir()
	for _, name := range bytes.Split(bytes.TrimRight(names, "\x00"), []byte{0}) {
		src := filepath.Join(repoRoot, string(name))
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) || (err == nil && !info.Mode().IsRegular()) {
			continue // deleted in the working tree, or a link
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, string(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
