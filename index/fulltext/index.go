// Package fulltext is ShopSight's full-text search over products and
// reviews, built on Bleve.
//
// An index lives in one directory that holds a Bleve index of products, one
// of reviews and a metadata file (see Metadata). Each text is indexed into a
// sub-field per detected language, such as "title_en" or "title_zh", and a
// query searches all of them, so one query string finds English and Chinese
// text. Chinese uses the gse analyzers of package zh, which the process must
// register with zh.Register before calling Open or Create.
//
// An Index is safe for concurrent use: searches and writes run in parallel,
// and Rebuild swaps a freshly built directory in while searches continue.
package fulltext

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/shopsight/shopsight/index/analysis/zh"
)

// ErrNeedsRebuild is returned (wrapped) by Open when the index directory is
// missing, damaged or built with another MappingVersion. Create an empty
// index with Create and fill it with Rebuild.
var ErrNeedsRebuild = errors.New("full-text index needs a rebuild")

// ErrClosed is returned by operations on a closed Index.
var ErrClosed = errors.New("full-text index is closed")

const (
	productsDir = "products"
	reviewsDir  = "reviews"
	tmpSuffix   = ".tmp" // directory being built by Create or Rebuild
	oldSuffix   = ".old" // previous directory during the swap
)

// Index is an open full-text index directory.
type Index struct {
	dir  string
	opts Options
	log  *slog.Logger

	// mu guards set, meta and closed. Searches and writes hold it for
	// reading; Rebuild's swap and Close hold it for writing.
	mu     sync.RWMutex
	set    *indexSet
	meta   Metadata
	closed bool

	// rebuildMu allows one Rebuild at a time.
	rebuildMu sync.Mutex
	// pendingMu guards recording and pending. While a Rebuild runs,
	// recording is true and pending collects the writes made meanwhile; the
	// Rebuild replays them into the new index before the swap.
	pendingMu sync.Mutex
	recording bool
	pending   []func(context.Context, *indexSet) error
}

// indexSet is the pair of Bleve indexes of one directory.
type indexSet struct {
	products bleve.Index
	reviews  bleve.Index
}

func (s *indexSet) close() error {
	return errors.Join(s.products.Close(), s.reviews.Close())
}

func (s *indexSet) counts() (products, reviews uint64, err error) {
	if products, err = s.products.DocCount(); err != nil {
		return 0, 0, fmt.Errorf("count product documents: %w", err)
	}
	if reviews, err = s.reviews.DocCount(); err != nil {
		return 0, 0, fmt.Errorf("count review documents: %w", err)
	}
	return products, reviews, nil
}

func checkRegistered() error {
	if _, err := registry.NewCache().AnalyzerNamed(zh.AnalyzerName); err != nil {
		return fmt.Errorf("analyzer %q is not registered: load a zh.Segmenter and call zh.Register once at start: %w", zh.AnalyzerName, err)
	}
	return nil
}

func validateOptions(o Options) error {
	if o.BatchSize < 1 {
		return fmt.Errorf("invalid batch size %d: must be at least 1", o.BatchSize)
	}
	if o.FacetSize < 1 {
		return fmt.Errorf("invalid facet size %d: must be at least 1", o.FacetSize)
	}
	return nil
}

// Open opens the index in dir. It first completes or undoes a swap that a
// crash interrupted. A missing, damaged or outdated index returns an error
// that wraps ErrNeedsRebuild.
func Open(dir string, opts Options) (*Index, error) {
	if err := validateOptions(opts); err != nil {
		return nil, err
	}
	if err := checkRegistered(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := recoverSwap(dir, opts.Logger); err != nil {
		return nil, err
	}
	meta, err := readMeta(dir)
	if err != nil {
		return nil, fmt.Errorf("open full-text index %s: %w: %w", dir, ErrNeedsRebuild, err)
	}
	if meta.MappingVersion != MappingVersion {
		return nil, fmt.Errorf("open full-text index %s: mapping version %d, this build uses %d: %w",
			dir, meta.MappingVersion, MappingVersion, ErrNeedsRebuild)
	}
	set, err := openSet(dir)
	if err != nil {
		return nil, fmt.Errorf("open full-text index %s: %w: %w", dir, ErrNeedsRebuild, err)
	}
	return &Index{dir: dir, opts: opts, log: opts.Logger, set: set, meta: meta}, nil
}

// Create replaces whatever is in dir with an empty index and opens it.
func Create(dir string, opts Options) (*Index, error) {
	if err := validateOptions(opts); err != nil {
		return nil, err
	}
	if err := checkRegistered(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	tmp := dir + tmpSuffix
	set, err := createSet(tmp)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	meta := Metadata{MappingVersion: MappingVersion, BuiltAt: now, UpdatedAt: now}
	if err := finishTemp(tmp, set, meta); err != nil {
		return nil, err
	}
	if err := swapIn(dir); err != nil {
		return nil, err
	}
	return Open(dir, opts)
}

// openSet opens both Bleve indexes of dir and reads their document counts,
// turning a panic inside Bleve on damaged files into an error.
func openSet(dir string) (set *indexSet, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("bleve panicked reading %s: %v", dir, r)
		}
	}()
	products, err := bleve.Open(filepath.Join(dir, productsDir))
	if err != nil {
		return nil, fmt.Errorf("open product index: %w", err)
	}
	reviews, err := bleve.Open(filepath.Join(dir, reviewsDir))
	if err != nil {
		products.Close()
		return nil, fmt.Errorf("open review index: %w", err)
	}
	set = &indexSet{products: products, reviews: reviews}
	if _, _, err := set.counts(); err != nil {
		set.close()
		return nil, err
	}
	return set, nil
}

// createSet creates empty Bleve indexes in dir, removing what was there.
func createSet(dir string) (*indexSet, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("remove old build directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index directory %s: %w", dir, err)
	}
	products, err := bleve.New(filepath.Join(dir, productsDir), productMapping())
	if err != nil {
		return nil, fmt.Errorf("create product index in %s: %w", dir, err)
	}
	reviews, err := bleve.New(filepath.Join(dir, reviewsDir), reviewMapping())
	if err != nil {
		products.Close()
		return nil, fmt.Errorf("create review index in %s: %w", dir, err)
	}
	return &indexSet{products: products, reviews: reviews}, nil
}

// finishTemp closes a freshly built set, which waits for Bleve to persist
// it, and then writes its metadata. The metadata file marks the directory
// as complete, so recoverSwap never moves in a half-written build.
func finishTemp(tmp string, set *indexSet, meta Metadata) error {
	products, reviews, err := set.counts()
	if err != nil {
		set.close()
		return err
	}
	meta.Products, meta.Reviews = products, reviews
	if err := set.close(); err != nil {
		return fmt.Errorf("close new index in %s: %w", tmp, err)
	}
	return writeMeta(tmp, meta)
}

// swapIn replaces dir with dir.tmp by two renames. A crash between them
// leaves dir missing, and recoverSwap finishes the swap on the next Open.
func swapIn(dir string) error {
	tmp, old := dir+tmpSuffix, dir+oldSuffix
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove previous index %s: %w", old, err)
	}
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("move index %s aside: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("move new index %s into place: %w", tmp, err)
	}
	syncDir(filepath.Dir(dir))
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove previous index %s: %w", old, err)
	}
	return nil
}

// recoverSwap finishes or undoes a swap interrupted by a crash and removes
// leftovers of an unfinished build.
func recoverSwap(dir string, log *slog.Logger) error {
	tmp, old := dir+tmpSuffix, dir+oldSuffix
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(tmp, metaFile)); err == nil {
			log.Warn("finishing interrupted full-text index swap", "dir", dir, "from", tmp)
			if err := os.Rename(tmp, dir); err != nil {
				return fmt.Errorf("finish interrupted index swap from %s: %w", tmp, err)
			}
		} else if _, err := os.Stat(old); err == nil {
			log.Warn("restoring previous full-text index after interrupted swap", "dir", dir, "from", old)
			if err := os.Rename(old, dir); err != nil {
				return fmt.Errorf("restore index from %s: %w", old, err)
			}
		}
	}
	for _, leftover := range []string{tmp, old} {
		if _, err := os.Stat(leftover); err == nil {
			log.Info("removing leftover full-text index directory", "dir", leftover)
			if err := os.RemoveAll(leftover); err != nil {
				return fmt.Errorf("remove leftover index directory %s: %w", leftover, err)
			}
		}
	}
	return nil
}

// syncDir flushes a directory's entries so renames survive a power loss.
// Errors are ignored because some file systems do not support it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// Dir returns the index directory.
func (x *Index) Dir() string { return x.dir }

// Meta returns the metadata with the current document counts.
func (x *Index) Meta() (Metadata, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return Metadata{}, ErrClosed
	}
	m := x.meta
	var err error
	m.Products, m.Reviews, err = x.set.counts()
	return m, err
}

// SetStoreVersion records the store checksum or sequence that the index now
// reflects, with the current counts, in the metadata file.
func (x *Index) SetStoreVersion(version string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return ErrClosed
	}
	x.meta.StoreVersion = version
	return x.writeMetaLocked()
}

func (x *Index) writeMetaLocked() error {
	m := x.meta
	var err error
	if m.Products, m.Reviews, err = x.set.counts(); err != nil {
		return err
	}
	m.UpdatedAt = time.Now().UTC()
	if err := writeMeta(x.dir, m); err != nil {
		return err
	}
	x.meta = m
	return nil
}

// Close writes the metadata file with the current counts and closes the
// index. Later calls return nil.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	return errors.Join(x.writeMetaLocked(), x.set.close())
}
