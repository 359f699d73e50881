package service

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Environment variables that turn the test binary into a training child
// process for TestTrainingSurvivesSIGKILL.
const (
	envTrainChildDir   = "SHOPSIGHT_RECOMMEND_CHILD_DIR"
	envTrainChildStage = "SHOPSIGHT_RECOMMEND_CHILD_KILL_STAGE"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envTrainChildDir); dir != "" {
		os.Exit(runTrainingChild(dir, os.Getenv(envTrainChildStage)))
	}
	os.Exit(m.Run())
}

// runTrainingChild starts a training on the store in dir and prints each
// stage it enters on stdout. With stage "save" it kills itself with
// SIGKILL during the save, so that a partial version is left. The parent
// kills it at the other stages. It returns the exit code when the training
// ends first.
func runTrainingChild(dir, killStage string) int {
	store, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open store:", err)
		return 2
	}
	defer store.Close()
	opts := killTestOptions()
	opts.afterProgress = func(stage string, done, total int) {
		switch {
		case stage != killStage:
		case stage == StageSave && done >= 1 && done < total:
			// Kill the process once the first blobs are written and
			// before the manifest commits, so the version stays partial.
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		case stage != StageSave:
			// Announce the stage and wait in it for the parent's kill, so
			// a fast training cannot finish first.
			fmt.Println(stage)
			select {}
		}
	}
	svc, err := Open(context.Background(), store, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open service:", err)
		return 3
	}
	if err := svc.StartTraining(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "child: start training:", err)
		return 4
	}
	stage := ""
	for {
		st := svc.Status()
		if st.Stage != stage {
			stage = st.Stage
			fmt.Println(stage)
		}
		if !st.Running {
			break
		}
		time.Sleep(20 * time.Microsecond)
	}
	svc.Wait()
	if st := svc.Status(); st.LastError != "" {
		fmt.Fprintln(os.Stderr, "child: training:", st.LastError)
		return 5
	}
	return 0
}

// killTestOptions are testOptions with the smallest chunks, so that saving
// writes many chunks and lasts long enough to be interrupted.
func killTestOptions() Options {
	return testOptions().WithChunkSize(1 << 10)
}

// TestTrainingSurvivesSIGKILL trains a first version, then kills training
// child processes during model training and during the save, and checks
// after each kill that Open serves the first version and has deleted the
// partial version.
func TestTrainingSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("trains recommendation models in child processes")
	}
	dir := t.TempDir()
	first := writeTrainedStore(t, dir)

	for _, stage := range []string{StageFactors, StageSave} {
		t.Run(stage, func(t *testing.T) {
			// A child that finishes commits a second version, which
			// would make the checks below meaningless.
			if !runTrainingChildProcess(t, dir, stage) {
				t.Fatalf("the child finished training before the kill at stage %s", stage)
			}

			store, err := storage.Open(storage.DefaultOptions(dir).WithLogger(quietLogger()))
			if err != nil {
				t.Fatalf("open store: %v", err)
			}
			defer store.Close()
			versions, err := listVersions(store.DB())
			if err != nil {
				t.Fatal(err)
			}
			partial := 0
			for _, v := range versions {
				if !v.complete {
					partial++
				}
			}
			t.Logf("after the kill at stage %s: %d versions, %d partial", stage, len(versions), partial)
			if stage == StageSave && partial == 0 {
				t.Error("no partial version after a kill during the save, want the written chunks left behind")
			}

			svc := mustOpen(t, store, killTestOptions())
			v, ok := svc.Version()
			if !ok || v.ID != first.ID {
				t.Errorf("serving version = %q (trained: %v), want the first version %s", v.ID, ok, first.ID)
			}
			versions, err = listVersions(store.DB())
			if err != nil {
				t.Fatal(err)
			}
			if len(versions) != 1 || versions[0].id != first.ID || !versions[0].complete {
				t.Errorf("versions after Open = %+v, want only the complete %s", versions, first.ID)
			}
			if items, err := svc.Trending(context.Background(), "", Window7d, 5); err != nil || len(items) == 0 {
				t.Errorf("Trending after the kill = %d items, %v; want items from the first version", len(items), err)
			}
		})
	}
}

// writeTrainedStore fills a store in dir with the demo shop and trains its
// first version.
func writeTrainedStore(t *testing.T, dir string) Version {
	t.Helper()
	records, err := demoRecords()
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(storage.DefaultOptions(dir).WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer store.Close()
	ctx := context.Background()
	for _, put := range []func() error{
		func() error { return store.PutSellers(ctx, records.sellers) },
		func() error { return store.PutUsers(ctx, records.users) },
		func() error { return store.PutProducts(ctx, records.products) },
		func() error { return store.PutOrders(ctx, records.orders) },
		func() error { return store.PutEvents(ctx, records.events) },
	} {
		if err := put(); err != nil {
			t.Fatalf("fill demo store: %v", err)
		}
	}
	return mustTrain(t, store, killTestOptions())
}

// runTrainingChildProcess runs runTrainingChild on dir. At a stage other
// than save it sends SIGKILL when the child reports the stage. It returns
// whether the child was killed before its training finished.
func runTrainingChildProcess(t *testing.T, dir, stage string) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envTrainChildDir+"="+filepath.Clean(dir), envTrainChildStage+"="+stage)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if stage != StageSave && lines.Text() == stage {
			cmd.Process.Kill()
		}
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if err == nil {
		return false
	}
	if ee, ok := err.(*exec.ExitError); ok && ee.Sys().(syscall.WaitStatus).Signaled() {
		return true
	}
	t.Fatalf("child: %v: %s", err, stderr.String())
	return false
}
