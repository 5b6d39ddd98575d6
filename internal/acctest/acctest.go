// Package acctest runs the provider's acceptance tests against a real Terraform or OpenTofu CLI
// and an in-process tenant emulator. Each test gets a tenant of its own, so tests can run in
// parallel, and can change that tenant behind the provider's back over the same REST endpoints
// another admin would use.
package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
	"github.com/zerostanding/terraform-provider-o365pam/internal/provider"
)

// ProviderFactories serves the provider in-process to the CLI under test.
var ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"o365pam": providerserver.NewProtocol6WithError(provider.New("acctest")()),
}

// sharedCA signs every emulator of this test process. Go reads SSL_CERT_FILE once per process,
// so all emulators must chain to the one CA named there.
var sharedCA *emulator.CA

// Main prepares the process for acceptance tests and runs them: one CA for all emulators, a CLI
// config file the tests control, and a CLI that exists. Use it from TestMain.
func Main(m interface{ Run() int }) {
	os.Exit(run(m))
}

func run(m interface{ Run() int }) int {
	dir, err := os.MkdirTemp("", "o365pam-acctest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	if os.Getenv("TF_ACC") != "" {
		if err := prepareCLI(dir); err != nil {
			fmt.Fprintln(os.Stderr, "acctest:", err)
			return 1
		}
	} else if os.Getenv("CI") != "" {
		fmt.Fprintln(os.Stderr, "acctest: CI is set but TF_ACC is not: acceptance tests would be skipped. Run `make test`.")
		return 1
	}

	if Live() {
		// A real tenant: no emulator CA, and SSL_CERT_FILE stays as the environment set it.
		return m.Run()
	}
	sharedCA, err = emulator.NewCA()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest: creating the emulator CA:", err)
		return 1
	}
	caFile := filepath.Join(dir, "emulator-ca.pem")
	if err := sharedCA.WriteFile(caFile); err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	os.Setenv("SSL_CERT_FILE", caFile)
	return m.Run()
}

// prepareCLI finds the CLI the way the Makefile does and sets what terraform-plugin-testing needs
// to drive it without downloading anything.
func prepareCLI(dir string) error {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		for _, name := range []string{"terraform", "tofu"} {
			if p, err := exec.LookPath(name); err == nil {
				cli = p
				break
			}
		}
	}
	if cli == "" {
		return fmt.Errorf("no Terraform or OpenTofu CLI found: set TF_ACC_TERRAFORM_PATH, put terraform or tofu on PATH, " +
			"or run `make test`, which builds OpenTofu with `make tools`")
	}
	os.Setenv("TF_ACC_TERRAFORM_PATH", cli)
	if strings.HasPrefix(filepath.Base(cli), "tofu") {
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
		os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "zerostanding")
	}
	// Always a config file of our own, even over one set in the environment: with a missing file
	// the CLI warns on every run, which breaks the harness's version parsing, and a developer's own
	// settings (dev_overrides, mirrors) must not leak into the tests.
	cfg := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		return err
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	return nil
}
