package importer

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Environment variables that turn the test binary into an import child
// process for TestImportSurvivesSIGKILL.
const (
	envChildData   = "SHOPSIGHT_IMPORTER_CHILD_DATA"
	envChildInputs = "SHOPSIGHT_IMPORTER_CHILD_INPUTS"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envChildData); dir != "" {
		os.Exit(runChildImport(dir, filepath.SplitList(os.Getenv(envChildInputs))))
	}
	code := m.Run()
	if sample4000.store != nil {
		sample4000.store.Close()
		os.RemoveAll(sample4000.dir)
	}
	os.Exit(code)
}

func mkdirTemp() (string, error) { return os.MkdirTemp("", "importer-test-") }

// runChildImport imports the Olist inputs into dir and returns the exit
// code. The parent kills it part way.
func runChildImport(dir string, inputs []string) int {
	st, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open store:", err)
		return 2
	}
	// Small batches give the kill many transaction boundaries to land on.
	if _, err := Import(context.Background(), st, quietOptions(FormatOlist).WithBatchSize(50), inputs); err != nil {
		fmt.Fprintln(os.Stderr, "child: import:", err)
		return 3
	}
	if err := st.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "child: close:", err)
		return 4
	}
	return 0
}

// TestImportSurvivesSIGKILL kills an import child process at seeded random
// moments, resumes the import in the same directory, and checks that the
// store equals one clean run's store.
func TestImportSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs several imports in child processes")
	}
	inputs := sample4000Inputs(t)
	_, _, want := sample4000Store(t)

	// Time one child run to spread the kills over its length.
	start := time.Now()
	full := runChild(t, t.TempDir(), inputs, 0)
	if full {
		t.Logf("child import took %s", time.Since(start))
	}
	runTime := time.Since(start)

	rng := rand.New(rand.NewPCG(20260101, 7))
	for i := range 3 {
		delay := time.Duration(rng.Float64() * float64(runTime))
		t.Run(fmt.Sprintf("kill_%d", i), func(t *testing.T) {
			dir := t.TempDir()
			finished := runChild(t, dir, inputs, delay)
			t.Logf("killed after %s (child finished first: %v)", delay, finished)
			st := openStore(t, dir)
			if counts, err := st.Counts(context.Background()); err == nil {
				t.Logf("store after the kill: %v", counts)
			}
			importInto(t, st, quietOptions(FormatOlist).WithBatchSize(50), inputs)
			got, err := st.Checksum(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("checksum after kill at %s and resume = %s, want the clean run's %s", delay, got, want)
			}
		})
	}
}

// runChild runs the import in a child process. With killAfter > 0 it sends
// SIGKILL after that delay. It returns whether the child finished.
func runChild(t *testing.T, dir string, inputs []string, killAfter time.Duration) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChildData+"="+dir, envChildInputs+"="+strings.Join(inputs, string(os.PathListSeparator)))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if killAfter <= 0 {
		if err := <-done; err != nil {
			t.Fatalf("child import: %v: %s", err, stderr.String())
		}
		return true
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child import: %v: %s", err, stderr.String())
		}
		return true
	case <-time.After(killAfter):
		if err := cmd.Process.Kill(); err != nil {
			t.Fatalf("kill child: %v", err)
		}
		<-done
		return false
	}
}
