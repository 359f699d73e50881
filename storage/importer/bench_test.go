package importer

import (
	"context"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// BenchmarkImportOlist measures import throughput of the Olist samples into
// a new on-disk store per iteration. It reports rows/s, seconds per import,
// the store directory's size after Close and the process's peak RSS so far.
func BenchmarkImportOlist(b *testing.B) {
	dir := shareddata.Dir(b, "data/olist")
	geo := filepath.Join(dir, "geolocation-one-point-per-zip")
	sellers := filepath.Join(dir, "full-catalog", olistSellers)
	samples := []struct {
		name   string
		inputs []string
	}{
		{"sample-4000", []string{filepath.Join(dir, "sample-4000-orders"), sellers, geo}},
		{"sample-8135", []string{filepath.Join(dir, "sample-8135-orders-casestudy")}},
		{"sample-10000", []string{filepath.Join(dir, "sample-10000-delivered-orders"), filepath.Join(dir, "full-catalog"), geo}},
	}
	for _, s := range samples {
		b.Run(s.name, func(b *testing.B) {
			var rows int64
			var seconds float64
			var size int64
			for b.Loop() {
				b.StopTimer()
				storeDir := b.TempDir()
				st := openStore(b, storeDir)
				b.StartTimer()
				rep, err := Import(context.Background(), st, quietOptions(FormatOlist), s.inputs)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				rows += rep.TotalRows()
				seconds += rep.Elapsed.Seconds()
				st.Close()
				size = dirSize(b, storeDir)
				b.StartTimer()
			}
			var ru syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			b.ReportMetric(float64(rows)/seconds, "rows/s")
			b.ReportMetric(seconds/float64(b.N), "s/import")
			b.ReportMetric(float64(size)/(1<<20), "store-MiB")
			b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
		})
	}
}

// dirSize returns the bytes of the files under dir. (*Store).Size returned 0
// right after these imports, so the directory is measured instead.
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
