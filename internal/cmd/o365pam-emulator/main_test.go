package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

func TestRunPrintsOnlyExportsAndSavesStateOnSignal(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "tenant.json")
	caPath := filepath.Join(dir, "ca.pem")
	outR, outW := io.Pipe()
	stop := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-addr", "127.0.0.1:0", "-state", statePath, "-ca-file", caPath}, outW, io.Discard, stop)
		outW.Close()
	}()

	line := regexp.MustCompile(`^export ([A-Z0-9_]+)=(\S+)$`)
	want := []string{"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "O365PAM_ORGANIZATION",
		"O365PAM_AUTHORITY_HOST", "O365PAM_GRAPH_ENDPOINT", "O365PAM_EXCHANGE_ENDPOINT", "SSL_CERT_FILE"}
	scanner := bufio.NewScanner(outR)
	values := map[string]string{}
	for i := 0; i < len(want) && scanner.Scan(); i++ {
		m := line.FindStringSubmatch(scanner.Text())
		if m == nil || m[1] != want[i] {
			t.Fatalf("line %d: %q", i, scanner.Text())
		}
		values[m[1]] = m[2]
	}
	if values["SSL_CERT_FILE"] != caPath || values["ARM_CLIENT_SECRET"] != "'"+emulator.BuiltinClientSecret+"'" {
		t.Fatalf("values %v", values)
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()

	stop <- syscall.SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop on SIGTERM")
	}
	if _, err := emulator.ReadTenantFile(statePath); err != nil {
		t.Fatalf("state not saved: %v", err)
	}
}

func TestRunRejectsStrayArguments(t *testing.T) {
	if err := run([]string{"extra"}, io.Discard, io.Discard, nil); err == nil {
		t.Fatal("stray argument accepted")
	}
}

func TestRunRejectsAFailRateAboveOne(t *testing.T) {
	var stderr strings.Builder
	err := run([]string{"-addr", "127.0.0.1:0", "-fail-rate", "1.5"}, io.Discard, &stderr, nil)
	if err == nil || !strings.Contains(err.Error(), "fail rate 1.5 is not between 0 and 1") {
		t.Fatalf("want the rate refused, got %v", err)
	}
}

func TestRunWithTenantsPrintsTheFleetFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenants.json")
	outR, outW := io.Pipe()
	stop := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-addr", "127.0.0.1:0", "-tenants", "3", "-tenants-file", path}, outW, io.Discard, stop)
		outW.Close()
	}()
	scanner := bufio.NewScanner(outR)
	var lines []string
	for len(lines) < 9 && scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if len(lines) != 9 || lines[8] != "export O365PAM_EMULATOR_TENANTS="+path {
		t.Fatalf("export lines %q", lines)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fleet []emulator.FleetEntry
	if err := json.Unmarshal(data, &fleet); err != nil || len(fleet) != 3 || fleet[0].TenantID != emulator.BuiltinTenantID ||
		fleet[2].Organization != "fleet0002.onmicrosoft.com" {
		t.Fatalf("fleet file %s: %v", data, err)
	}
	stop <- syscall.SIGTERM
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
