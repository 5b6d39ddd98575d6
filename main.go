// Command terraform-provider-o365pam serves the o365pam provider to Terraform and OpenTofu.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/zerostanding/terraform-provider-o365pam/internal/probe"
	"github.com/zerostanding/terraform-provider-o365pam/internal/provider"
)

// version and commit are stamped at build time: -ldflags "-X main.version=... -X main.commit=..."
// (.goreleaser.yml for releases, the GNUmakefile for local builds).
var (
	version = "dev"
	commit  = "unknown"
)

// versionLine is what -version prints.
func versionLine() string {
	return fmt.Sprintf("terraform-provider-o365pam %s (commit %s, %s)", version, commit, runtime.Version())
}

func main() {
	var debug, showVersion bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.BoolVar(&showVersion, "version", false, "print the version and commit this binary was built from, and exit")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: %s [-debug | -version]\n       %s probe [-out FILE]   (check a real tenant once; see the guide \"First run against a real tenant\")\n",
			os.Args[0], os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if showVersion {
		fmt.Println(versionLine())
		return
	}

	// Terraform starts the provider without arguments, so a subcommand never meets the CLI.
	if flag.Arg(0) == "probe" {
		os.Exit(probe.Run(context.Background(), version, flag.Args()[1:], os.Stdin, os.Stdout, os.Stderr))
	}

	// A provider started with -debug writes its logs to its own terminal, for the developer.
	if !debug {
		for name, level := range logLevelsNobodyReads(os.Getenv) {
			if err := os.Setenv(name, level); err != nil {
				log.Fatal(err)
			}
		}
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/zerostanding/o365pam",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// logLevelsNobodyReads returns the log settings that turn the provider's logs off when the CLI
// would throw them away. The plugin SDK logs every request at TRACE unless told otherwise, and
// the CLI filters provider logs only after the provider has formatted and sent each line: on a
// plan of a few dozen objects that costs more time than the provider's own work. The CLI (Terraform
// and OpenTofu alike) keeps provider logs when TF_LOG_PROVIDER, or else TF_LOG, names any level
// but OFF, and Terraform keeps everything at TRACE in the file TF_TEMP_LOG_PATH names; then, and
// for any level set explicitly, nothing changes.
func logLevelsNobodyReads(getenv func(string) string) map[string]string {
	cliLevel := getenv("TF_LOG_PROVIDER")
	if cliLevel == "" {
		cliLevel = getenv("TF_LOG")
	}
	if (cliLevel != "" && !strings.EqualFold(cliLevel, "off")) || getenv("TF_TEMP_LOG_PATH") != "" {
		return nil
	}
	off := map[string]string{}
	// TF_LOG_SDK covers the SDK's subsystems (TF_LOG_SDK_PROTO, TF_LOG_SDK_FRAMEWORK) unless they
	// are set themselves; TF_LOG_PROVIDER_O365PAM is this provider's own logger.
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER_O365PAM"} {
		if getenv(name) == "" {
			off[name] = "off"
		}
	}
	return off
}
