package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

func openStore(t *testing.T, dir string) *storage.Store {
	t.Helper()
	s, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("open store in %s: %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// demoStore returns an on-disk store with a small demo data set and one
// key in another package's family, so the backup must carry both.
func demoStore(t *testing.T) *storage.Store {
	t.Helper()
	s := openStore(t, t.TempDir())
	if _, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.02), s); err != nil {
		t.Fatalf("generate demo data: %v", err)
	}
	err := s.DB().Update(func(txn *badger.Txn) error { return txn.Set([]byte("\x06key/test"), []byte("value")) })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func backupBytes(t *testing.T, s *storage.Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	info, err := Backup(context.Background(), s, &buf)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if info.Bytes != int64(buf.Len()) {
		t.Errorf("Backup Info.Bytes = %d, wrote %d", info.Bytes, buf.Len())
	}
	return buf.Bytes()
}

func checksumOf(t *testing.T, s *storage.Store) string {
	t.Helper()
	sum, err := s.Checksum(context.Background())
	if err != nil {
		t.Fatalf("Checksum: %v", err)
	}
	return sum
}

func TestRestoreMatchesSource(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	data := backupBytes(t, src)

	dir := filepath.Join(t.TempDir(), "restored")
	info, err := Restore(ctx, bytes.NewReader(data), dir)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if info.SchemaVersion != storage.SchemaVersion || info.FormatVersion != FormatVersion {
		t.Errorf("Restore Info = %+v, want schema %d, format %d", info, storage.SchemaVersion, FormatVersion)
	}
	if info.Bytes != int64(len(data)) {
		t.Errorf("Restore Info.Bytes = %d, want %d", info.Bytes, len(data))
	}
	if age := time.Since(info.Created); age < 0 || age > time.Minute {
		t.Errorf("Restore Info.Created = %s, want about now", info.Created)
	}

	dst := openStore(t, dir)
	if a, b := checksumOf(t, src), checksumOf(t, dst); a != b {
		t.Errorf("checksum of restored store = %s, source = %s", b, a)
	}
	srcCounts, _ := src.Counts(ctx)
	dstCounts, err := dst.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(srcCounts, dstCounts) {
		t.Errorf("restored counts = %v, source = %v", dstCounts, srcCounts)
	}
	if srcCounts[storage.KindOrder] == 0 {
		t.Error("the demo store has no orders; the test compares nothing")
	}

	// Badger must hand out versions above the restored ones, or new writes
	// would hide behind old values.
	p := storage.Product{ID: "after-restore", Title: "New", Category: []string{"a"}, Price: 100, Currency: "USD", Language: "en", CreatedAt: time.Now().UTC()}
	if err := dst.PutProducts(ctx, []storage.Product{p}); err != nil {
		t.Fatalf("write to the restored store: %v", err)
	}
	if got, err := dst.Product(ctx, p.ID); err != nil || got.Title != "New" {
		t.Errorf("read back after restore = %+v, %v", got, err)
	}
}

// TestBackupDuringWrites backs up while a writer adds products and orders
// that reference them, each pair in one call, then checks the restored
// store is a snapshot: counts match the records, every order's product
// exists, and the size lies between the before and after sizes.
func TestBackupDuringWrites(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	before, _ := src.Counts(ctx)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var written atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			id := fmt.Sprintf("concurrent-%d", i)
			p := storage.Product{ID: id, Title: id, Category: []string{"c"}, Price: 100, Currency: "USD", Language: "en", CreatedAt: time.Now().UTC()}
			if err := src.PutProducts(ctx, []storage.Product{p}); err != nil {
				t.Errorf("concurrent product write: %v", err)
				return
			}
			o := storage.Order{ID: id, UserID: "u-concurrent", Status: storage.OrderDelivered, PurchasedAt: time.Now().UTC(),
				ShipTo: storage.Region{Country: "BR"}, Items: []storage.OrderItem{{ProductID: id, SellerID: "s1", Quantity: 1, UnitPrice: 100}}}
			if err := src.PutOrders(ctx, []storage.Order{o}); err != nil {
				t.Errorf("concurrent order write: %v", err)
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	data := backupBytes(t, src)
	stop.Store(true)
	wg.Wait()
	after, _ := src.Counts(ctx)

	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, bytes.NewReader(data), dir); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	dst := openStore(t, dir)
	counts, err := dst.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []storage.Kind{storage.KindProduct, storage.KindOrder} {
		if counts[k] < before[k]+20 || counts[k] > after[k] {
			t.Errorf("restored %s count = %d, want between %d and %d", k, counts[k], before[k]+20, after[k])
		}
	}

	var products, orders int64
	if err := dst.EachProduct(ctx, storage.ProductFilter{}, func(*storage.Product) error { products++; return nil }); err != nil {
		t.Fatal(err)
	}
	err = dst.EachOrder(ctx, storage.OrderFilter{}, func(o *storage.Order) error {
		orders++
		for _, it := range o.Items {
			if _, err := dst.Product(ctx, it.ProductID); err != nil {
				return fmt.Errorf("order %s item product %s: %w", o.ID, it.ProductID, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("restored orders: %v", err)
	}
	if products != counts[storage.KindProduct] || orders != counts[storage.KindOrder] {
		t.Errorf("restored records: %d products, %d orders; counters say %d and %d",
			products, orders, counts[storage.KindProduct], counts[storage.KindOrder])
	}
}

func TestRestoreRejectsCorruption(t *testing.T) {
	data := backupBytes(t, demoStore(t))
	flip := func(i int) []byte {
		b := bytes.Clone(data)
		b[i] ^= 0x40
		return b
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty file", nil, "read header"},
		{"header magic", flip(0), "backup header"},
		{"body byte", flip(len(data) / 2), ""},
		{"last body byte", flip(len(data) - trailerLen - 1), ""},
		{"trailer checksum", flip(len(data) - 1), "checksum mismatch"},
		{"trailer length", flip(len(data) - 33), "trailer gives a body"},
		{"truncated by one byte", data[:len(data)-1], ""},
		{"truncated trailer", data[:len(data)-trailerLen], ""},
		{"truncated to half", data[:len(data)/2], ""},
		{"header only", data[:headerLen], "trailer is missing"},
		{"extra byte", append(bytes.Clone(data), 0), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "restored")
			_, err := Restore(context.Background(), bytes.NewReader(tc.data), dir)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Restore error = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Restore error = %q, want it to contain %q", err, tc.want)
			}
			if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("failed Restore left %s behind (stat error %v)", dir, statErr)
			}
		})
	}
}

func TestRestoreRejectsOtherVersions(t *testing.T) {
	data := backupBytes(t, demoStore(t))
	cases := []struct {
		name   string
		offset int
		want   string
	}{
		{"format version", 8, "unsupported backup format version"},
		{"schema version", 12, "schema version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(data)
			b[tc.offset+3] = 99
			_, err := Restore(context.Background(), bytes.NewReader(b), filepath.Join(t.TempDir(), "restored"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Restore error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRestoreRejectsNonEmptyDir(t *testing.T) {
	data := backupBytes(t, demoStore(t))
	dir := t.TempDir()
	marker := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(marker, []byte("existing data"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Restore(context.Background(), bytes.NewReader(data), dir)
	if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Restore into a non-empty directory: error = %v, want one naming %s as not empty", err, dir)
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "existing data" {
		t.Errorf("existing file after the rejected restore = %q, %v; want it unchanged", b, err)
	}
}

func TestRestoreIntoEmptyDirCleansUpOnFailure(t *testing.T) {
	dir := t.TempDir()
	_, err := Restore(context.Background(), strings.NewReader("SSBACKUP but not really"), dir)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Restore error = %v, want ErrCorrupt", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("the existing empty directory holds %d entries after a failed restore, want 0", len(entries))
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the existing directory was removed: %v", err)
	}
}

func TestBackupCancelled(t *testing.T) {
	s := demoStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Backup(ctx, s, &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Backup with a cancelled context: error = %v, want context.Canceled", err)
	}
}

func TestVerify(t *testing.T) {
	data := backupBytes(t, demoStore(t))
	info, err := Verify(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Verify of an intact backup: %v", err)
	}
	if info.Bytes != int64(len(data)) {
		t.Errorf("Verify Info.Bytes = %d, want %d", info.Bytes, len(data))
	}
	bad := bytes.Clone(data)
	bad[len(bad)/2] ^= 1
	if _, err := Verify(context.Background(), bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Verify of a flipped byte: error = %v, want ErrCorrupt", err)
	}
	if _, err := Verify(context.Background(), bytes.NewReader(data[:len(data)-10])); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Verify of a truncated file: error = %v, want ErrCorrupt", err)
	}
}
