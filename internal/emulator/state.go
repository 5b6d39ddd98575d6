package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// loadTenant picks the starting tenant: the state file when it exists, else the seed, else
// the built-in tenant.
func loadTenant(statePath string, seed *Tenant) (*Tenant, error) {
	if statePath != "" {
		t, err := ReadTenantFile(statePath)
		if err == nil {
			return t, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if seed != nil {
		return cloneTenant(seed), nil
	}
	return BuiltinTenant(), nil
}

// ReadTenantFile reads a seed or state file.
func ReadTenantFile(path string) (*Tenant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Tenant
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("parse tenant file %s: %w", path, err)
	}
	if t.TenantID == "" || len(t.Domains) == 0 {
		return nil, fmt.Errorf("tenant file %s: tenantId and domains are required", path)
	}
	return &t, nil
}

// saveTenant writes the tenant through a temporary file and a rename, so a crash never leaves
// a half-written state file. The file holds secrets and passwords, hence mode 0600.
func saveTenant(path string, t *Tenant) error {
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func cloneTenant(t *Tenant) *Tenant {
	data, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("tenant does not marshal: %v", err))
	}
	var c Tenant
	if err := json.Unmarshal(data, &c); err != nil {
		panic(fmt.Sprintf("tenant does not unmarshal: %v", err))
	}
	return &c
}
