//go:build !tf114

package provider_test

// withTF114Examples leaves out the examples that need a newer CLI than `make test` and `make
// test-compat` drive: actions (Terraform 1.14) and import blocks with identity (1.12). A skipped
// test would fail `make test`, so `make test-tf114` runs them, with Terraform 1.14 and the tf114
// build tag.
const withTF114Examples = false
