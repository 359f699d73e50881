package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// newStoreDir returns a temporary directory holding an empty store, for
// the commands that require an existing one.
func newStoreDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestNoCommandIsUsageError(t *testing.T) {
	a, stdout, stderr := newCapturingApp()
	err := runMain(context.Background(), a, nil)
	if code := exitCode(err); code != 2 {
		t.Errorf("exit code = %d (error %v), want 2", code, err)
	}
	if !strings.Contains(stderr.String(), "Usage: shopsight COMMAND") {
		t.Errorf("stderr = %q, want the usage", stderr.String())
	}
	if stdout.String() != "" {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, 0},
		{"help", flag.ErrHelp, 0},
		{"usage", usageError{"missing command"}, 2},
		{"other", errors.New("open store: failed"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
	a, _, _ := newCapturingApp()
	if code := exitCode(runMain(context.Background(), a, []string{"help"})); code != 0 {
		t.Errorf("shopsight help: exit code %d, want 0", code)
	}
}

// writeUsersCSV writes a users.csv with a header and rows, returning its
// path.
func writeUsersCSV(t *testing.T, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.csv")
	text := "id,name,email,country,state,city,zip,lat,lon,signup_at\n" + strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportRejectsFlagAfterPaths(t *testing.T) {
	input := writeUsersCSV(t, "u1,Ana,ana@example.com,BR,SP,São Paulo,01310,-23.56,-46.65,2018-07-29T13:54:51-03:00")
	data := filepath.Join(t.TempDir(), "data")
	a, _, _ := newCapturingApp()
	err := runMain(context.Background(), a, []string{"import", "--data", data, "--format", "csv", input, "--strict"})
	if err == nil || err.Error() != "flag --strict after the paths: put flags before the paths" {
		t.Errorf("error = %v, want the flag after the paths named", err)
	}
	if code := exitCode(err); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("import created %s: stat error %v", data, err)
	}
}

func TestImportMissingInputCreatesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	missing := filepath.Join(t.TempDir(), "no-such-file.csv")
	a, _, _ := newCapturingApp()
	err := runMain(context.Background(), a, []string{"import", "--data", data, "--format", "csv", missing})
	want := "input path " + missing + " does not exist: check the path"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("import created %s: stat error %v", data, err)
	}
}

func TestImportAllRowsInvalidFails(t *testing.T) {
	input := writeUsersCSV(t,
		"u1,Ana,ana@example.com,BR,SP,São Paulo,01310,not-a-latitude,-46.65,2018-07-29T13:54:51-03:00",
		"u2,Bia,bia@example.com,BR,SP,São Paulo,01310,-23.56,-46.65,not-a-time")
	a, _, _ := newCapturingApp()
	err := runMain(context.Background(), a, []string{"import", "--data", t.TempDir(), "--format", "csv", "--log-level", "error", input})
	want := "no row was imported: all 2 rows were invalid; see the messages above"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestImportSomeRowsValidSucceeds(t *testing.T) {
	input := writeUsersCSV(t,
		"u1,Ana,ana@example.com,BR,SP,São Paulo,01310,-23.56,-46.65,2018-07-29T13:54:51-03:00",
		"u2,Bia,bia@example.com,BR,SP,São Paulo,01310,-23.56,-46.65,not-a-time")
	a, stdout, _ := newCapturingApp()
	err := runMain(context.Background(), a, []string{"import", "--data", t.TempDir(), "--format", "csv", "--log-level", "error", input})
	if err != nil {
		t.Errorf("import with one valid row: %v", err)
	}
	if !strings.Contains(stdout.String(), "1 of 2 rows skipped") {
		t.Errorf("summary = %q, want the skipped count", stdout.String())
	}
}

func TestCommandsRequireExistingStore(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir")
	commands := [][]string{
		{"serve", "--data", missing, "--addr", "127.0.0.1:0"},
		{"train", "recommend", "--data", missing},
		{"forecast", "--data", missing, "--all", "--groupBy", "all"},
		{"keys", "list", "--data", missing},
		{"backup", "--data", missing, "--to", filepath.Join(t.TempDir(), "b")},
	}
	for _, args := range commands {
		t.Run(args[0], func(t *testing.T) {
			a, _, _ := newCapturingApp()
			err := runMain(context.Background(), a, append(args, "--log-level", "error"))
			if !errors.Is(err, storage.ErrNoStore) {
				t.Errorf("error = %v, want ErrNoStore", err)
			}
			if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s created %s: stat error %v", args[0], missing, err)
			}
		})
	}
}

func TestCheckDemoDir(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T, dir string) *storage.Store {
		t.Helper()
		s, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	writeMarker := func(t *testing.T, dir string, m demoMarker) {
		t.Helper()
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dir, demoMarkerFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("empty directory generates", func(t *testing.T) {
		dir := t.TempDir()
		reuse, err := checkDemoDir(ctx, open(t, dir), dir, 1, 1)
		if err != nil || reuse {
			t.Errorf("checkDemoDir = %v, %v; want false, nil", reuse, err)
		}
	})
	t.Run("same seed and scale reuses", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		writeMarker(t, dir, demoMarker{Seed: 1, Scale: 1, Finished: time.Now()})
		reuse, err := checkDemoDir(ctx, s, dir, 1, 1)
		if err != nil || !reuse {
			t.Errorf("checkDemoDir = %v, %v; want true, nil", reuse, err)
		}
	})
	t.Run("unfinished demo of same seed regenerates", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		if err := s.PutSellers(ctx, []storage.Seller{{ID: "s1", Region: storage.Region{Country: "BR"}}}); err != nil {
			t.Fatal(err)
		}
		writeMarker(t, dir, demoMarker{Seed: 1, Scale: 1})
		reuse, err := checkDemoDir(ctx, s, dir, 1, 1)
		if err != nil || reuse {
			t.Errorf("checkDemoDir = %v, %v; want false, nil", reuse, err)
		}
	})
	t.Run("other seed is rejected", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		writeMarker(t, dir, demoMarker{Seed: 1, Scale: 1})
		_, err := checkDemoDir(ctx, s, dir, 2, 1)
		want := dir + " contains a demo of seed 1, scale 1: pass another --data directory, or delete " + dir + " to regenerate"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	})
	t.Run("other scale is rejected", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		writeMarker(t, dir, demoMarker{Seed: 1, Scale: 0.5})
		_, err := checkDemoDir(ctx, s, dir, 1, 1)
		if err == nil || !strings.Contains(err.Error(), "contains a demo of seed 1, scale 0.5") {
			t.Errorf("error = %v, want the stored seed and scale named", err)
		}
	})
	t.Run("records without marker are rejected", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		if err := s.PutSellers(ctx, []storage.Seller{{ID: "s1", Region: storage.Region{Country: "BR"}}}); err != nil {
			t.Fatal(err)
		}
		_, err := checkDemoDir(ctx, s, dir, 1, 1)
		if err == nil || !strings.Contains(err.Error(), "is not empty (1 records) and has no demo.json marker") {
			t.Errorf("error = %v, want the records without a marker named", err)
		}
	})
}

func TestProgressThrottle(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgressThrottle(2*time.Second, func() time.Time { return now })
	steps := []struct {
		advance time.Duration
		stage   string
		final   bool
		want    bool
	}{
		{0, "users", false, true},                       // a stage's first line
		{500 * time.Millisecond, "users", false, false}, // within 2 s
		{0, "orders", false, true},                      // other stages count apart
		{time.Second, "users", false, false},
		{600 * time.Millisecond, "users", true, true}, // the last line always
		{2 * time.Second, "users", false, true},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if got := p.allow(s.stage, s.final); got != s.want {
			t.Errorf("step %d (%s, final %v): allow = %v, want %v", i, s.stage, s.final, got, s.want)
		}
	}
}
