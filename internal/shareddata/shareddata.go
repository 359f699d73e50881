// Package shareddata locates the public data sets and golden reference files
// that tests and benchmarks read from the shared folder beside the checkout.
//
// The folder is not part of the repository. A test that needs it calls Dir,
// which skips the test when the folder is missing, unless the CI environment
// variable is set: there a missing folder fails the test instead, so CI never
// passes by skipping.
package shareddata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvRoot names the environment variable that overrides the shared folder's
// location.
const EnvRoot = "SHOPSIGHT_SHARED"

// Root returns the shared folder: $SHOPSIGHT_SHARED when set, otherwise
// "../shared" relative to the repository root.
func Root() string {
	if dir := os.Getenv(EnvRoot); dir != "" {
		return dir
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("..", "shared")
	}
	// file is <repo>/internal/shareddata/shareddata.go.
	repo := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	return filepath.Join(filepath.Dir(repo), "shared")
}

// Dir returns the absolute path of rel inside the shared folder, for example
// Dir(t, "data/olist"). When that path does not exist, the test is skipped
// with a message naming it, or fails when the CI environment variable is set.
func Dir(tb testing.TB, rel string) string {
	tb.Helper()
	path := filepath.Join(Root(), filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("shared test data %s is missing (CI is set, so this fails instead of skipping): %v", path, err)
		}
		tb.Skipf("shared test data %s is missing; set %s to its folder to run this test", path, EnvRoot)
	}
	return path
}
