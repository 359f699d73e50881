package storage

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs of the given size on a new directory and
// unmounts it at cleanup. It skips the test where mounting is not allowed.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("skipping: cannot mount a %s tmpfs on %s (needs root): %v: %s", size, dir, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// TestDiskFullRejectsWrites fills a small tmpfs below the store's free
// space requirement: writes must fail with ErrDiskFull naming the
// directory, reads must keep working, and writes must succeed again once a
// filler file is deleted.
func TestDiskFullRejectsWrites(t *testing.T) {
	dir := mountTmpfs(t, "64m")
	const memTable = 8 << 20 // the smallest Badger accepts with its 1 MiB value threshold
	s, err := Open(DefaultOptions(dir).WithLogger(quietLogger()).WithMemTableSize(memTable))
	if err != nil {
		t.Fatalf("Open on tmpfs: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1", "a")}); err != nil {
		t.Fatalf("write with free space: %v", err)
	}

	// Leave 8 MiB free: less than the 2 × 8 MiB + 16 MiB a write needs, but
	// enough that nothing Badger maps runs out of pages meanwhile.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, freeBytes(t, dir)-8<<20), 0o644); err != nil {
		t.Fatalf("write filler file: %v", err)
	}

	err = s.PutProducts(ctx, []Product{sampleProduct("p2", "a")})
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("write on a full disk: error = %v, want ErrDiskFull", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the directory %s", err, dir)
	}
	if _, err := s.Product(ctx, "p1"); err != nil {
		t.Errorf("read on a full disk: %v", err)
	}
	if counts, err := s.Counts(ctx); err != nil || counts[KindProduct] != 1 {
		t.Errorf("Counts on a full disk = %v, %v; want 1 product", counts, err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := s.PutProducts(ctx, []Product{sampleProduct("p2", "a")}); err != nil {
		t.Fatalf("write after freeing space: %v", err)
	}
	if _, err := s.Product(ctx, "p2"); err != nil {
		t.Errorf("read of the record written after freeing space: %v", err)
	}
}

func TestCheckFreeSpaceSettings(t *testing.T) {
	s, err := Open(DefaultOptions(t.TempDir()).WithLogger(quietLogger()).WithMinFreeBytes(-1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckFreeSpace(); err != nil {
		t.Errorf("CheckFreeSpace with MinFreeBytes -1 = %v, want nil", err)
	}
	huge, err := Open(DefaultOptions(t.TempDir()).WithLogger(quietLogger()).WithMinFreeBytes(1 << 62))
	if err != nil {
		t.Fatal(err)
	}
	defer huge.Close()
	if err := huge.CheckFreeSpace(); !errors.Is(err, ErrDiskFull) {
		t.Errorf("CheckFreeSpace with MinFreeBytes 2^62 = %v, want ErrDiskFull", err)
	}
}
