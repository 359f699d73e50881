// Package storage keeps ShopSight's records in Badger. keys.go documents
// the key layout, codec.go the binary codec, write.go the transactional
// writes with their secondary indexes, read.go the point reads, list.go the
// keyset-paginated listings and changes.go the change log.
package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// ErrNotFound reports a record id that is not in the store.
var ErrNotFound = errors.New("not found")

// ErrLocked reports a data directory that another process has open.
var ErrLocked = errors.New("data directory is in use")

// ErrSchemaVersion reports a store written with another key layout.
var ErrSchemaVersion = errors.New("unsupported schema version")

// ErrNoStore reports a data directory that holds no ShopSight store, when
// Options.MustExist forbids creating one.
var ErrNoStore = errors.New("no ShopSight store")

// Options configures a Store. Start from DefaultOptions and change fields
// with the WithX methods.
type Options struct {
	Dir      string
	InMemory bool
	ReadOnly bool
	Logger   *slog.Logger
	// SyncWrites makes every commit wait for fsync. Off by default: Badger's
	// value log still makes committed transactions durable against a process
	// crash, and a kill never leaves a half-written transaction.
	SyncWrites bool
	// BatchSize is the number of records a Put call writes per transaction
	// before it commits and starts the next one.
	BatchSize int
	// MemTableSize is Badger's memtable size in bytes; it also bounds the
	// size of one transaction.
	MemTableSize int64
	// Hooks run inside every record write's transaction.
	Hooks []WriteHook
	// TxnHooks make one TxnHook per write transaction.
	TxnHooks []func() TxnHook
	// MinFreeBytes is the free disk space a write requires (see
	// CheckFreeSpace). 0 derives it from MemTableSize; a negative value
	// turns the check off.
	MinFreeBytes int64
	// MustExist makes Open fail with ErrNoStore, creating nothing, when Dir
	// is missing or holds no ShopSight store, so that a mistyped --data
	// path does not serve an empty shop.
	MustExist bool
}

// DefaultOptions returns options for a store in dir.
func DefaultOptions(dir string) Options {
	return Options{Dir: dir, Logger: slog.Default(), BatchSize: 500, MemTableSize: 64 << 20}
}

// WithInMemory keeps the store in memory only (for tests); Dir is ignored.
func (o Options) WithInMemory(v bool) Options { o.InMemory = v; return o }

// WithReadOnly opens the store without write access.
func (o Options) WithReadOnly(v bool) Options { o.ReadOnly = v; return o }

// WithLogger sets the logger for the store and Badger.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

// WithSyncWrites sets whether each commit waits for fsync.
func (o Options) WithSyncWrites(v bool) Options { o.SyncWrites = v; return o }

// WithBatchSize sets the number of records per write transaction.
func (o Options) WithBatchSize(n int) Options { o.BatchSize = n; return o }

// WithWriteHook adds a hook that runs inside every record write's
// transaction.
func (o Options) WithWriteHook(h WriteHook) Options {
	o.Hooks = append(append([]WriteHook(nil), o.Hooks...), h)
	return o
}

// WithTxnHook adds a factory of per-transaction hooks; see TxnHook.
func (o Options) WithTxnHook(newHook func() TxnHook) Options {
	o.TxnHooks = append(append([]func() TxnHook(nil), o.TxnHooks...), newHook)
	return o
}

// WithMemTableSize sets Badger's memtable size in bytes.
func (o Options) WithMemTableSize(n int64) Options { o.MemTableSize = n; return o }

// WithMinFreeBytes sets the free disk space in bytes that a write requires.
func (o Options) WithMinFreeBytes(n int64) Options { o.MinFreeBytes = n; return o }

// WithMustExist sets whether Open requires an existing store in Dir.
func (o Options) WithMustExist(v bool) Options { o.MustExist = v; return o }

// Store is a ShopSight data store. It is safe for concurrent use.
type Store struct {
	db     *badger.DB
	opts   Options
	log    *slog.Logger
	reads  atomic.Int64
	writes atomic.Int64
}

// ownerInfo is written to the data directory so that a second process can
// name the process that holds it.
type ownerInfo struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Started time.Time `json:"started"`
}

const ownerFile = "shopsight.owner"

// Open opens or creates the store described by opts. A new store gets the
// current SchemaVersion; an existing one must have it. With
// opts.MustExist, Open fails with ErrNoStore instead of creating a store.
func Open(opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("invalid batch size %d: must be at least 1", opts.BatchSize)
	}
	if !opts.InMemory && opts.Dir == "" {
		return nil, errors.New("missing data directory: set --data to a directory for the store")
	}
	if opts.MustExist && !opts.InMemory {
		if err := checkStoreFiles(opts.Dir); err != nil {
			return nil, err
		}
	}
	bo := badger.DefaultOptions(opts.Dir).
		WithInMemory(opts.InMemory).
		WithReadOnly(opts.ReadOnly).
		WithSyncWrites(opts.SyncWrites).
		WithLogger(badgerLogger{opts.Logger}).
		WithMemTableSize(opts.MemTableSize).
		WithNumVersionsToKeep(1)
	if opts.InMemory {
		bo = bo.WithDir("").WithValueDir("")
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, describeOpenError(opts.Dir, err)
	}
	s := &Store{db: db, opts: opts, log: opts.Logger}
	if err := s.checkSchema(); err != nil {
		db.Close()
		return nil, err
	}
	if !opts.InMemory && !opts.ReadOnly {
		s.writeOwner()
	}
	return s, nil
}

// badgerManifest is the file that every Badger directory contains.
const badgerManifest = "MANIFEST"

// checkStoreFiles returns an ErrNoStore error unless dir contains a Badger
// manifest. It only reads, so a mistyped path creates nothing.
func checkStoreFiles(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return noStoreError(dir, "it does not exist")
	case err != nil:
		return fmt.Errorf("open store in %s: %w", dir, err)
	case !info.IsDir():
		return noStoreError(dir, "it is not a directory")
	}
	if _, err := os.Stat(filepath.Join(dir, badgerManifest)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return noStoreError(dir, "it has no Badger "+badgerManifest+" file")
		}
		return fmt.Errorf("open store in %s: %w", dir, err)
	}
	return nil
}

// noStoreError returns the ErrNoStore error for dir, with the reason in
// brackets.
func noStoreError(dir, reason string) error {
	return fmt.Errorf("data directory %s has %w (%s): run `shopsight import --data %s` or `shopsight demo --data %s` first",
		dir, ErrNoStore, reason, dir, dir)
}

// describeOpenError turns Badger's directory-lock error into one that names
// the directory and, when known, the process holding it.
func describeOpenError(dir string, err error) error {
	if !strings.Contains(err.Error(), "Cannot acquire directory lock") {
		return fmt.Errorf("open store in %s: %w", dir, err)
	}
	holder := "another process"
	if b, rerr := os.ReadFile(filepath.Join(dir, ownerFile)); rerr == nil {
		var info ownerInfo
		if json.Unmarshal(b, &info) == nil && info.PID > 0 {
			holder = fmt.Sprintf("process %d (%s, started %s)", info.PID, info.Command, info.Started.Format(time.RFC3339))
		}
	}
	return fmt.Errorf("%w: %s is held by %s; stop that process or pass another --data directory", ErrLocked, dir, holder)
}

func (s *Store) writeOwner() {
	info := ownerInfo{PID: os.Getpid(), Command: strings.Join(os.Args, " "), Started: time.Now().UTC()}
	b, _ := json.Marshal(info)
	if err := os.WriteFile(filepath.Join(s.opts.Dir, ownerFile), b, 0o644); err != nil {
		s.log.Warn("cannot record store owner", "dir", s.opts.Dir, "err", err)
	}
}

func (s *Store) checkSchema() error {
	var found uint32
	exists := false
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(keySchema)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		exists = true
		return item.Value(func(v []byte) error {
			if len(v) != 4 {
				return fmt.Errorf("%w: schema version value has %d bytes", ErrCorruptRecord, len(v))
			}
			found = binary.BigEndian.Uint32(v)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("read schema version of store in %s: %w", s.opts.Dir, err)
	}
	if !exists && s.opts.MustExist && !s.opts.InMemory {
		return noStoreError(s.opts.Dir, "its Badger database has no ShopSight schema version")
	}
	if exists {
		if found != SchemaVersion {
			return fmt.Errorf("%w: store in %s has schema version %d, this binary reads version %d; import the data into a new --data directory",
				ErrSchemaVersion, s.opts.Dir, found, SchemaVersion)
		}
		return nil
	}
	if s.opts.ReadOnly {
		return nil
	}
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(keySchema, binary.BigEndian.AppendUint32(nil, SchemaVersion))
	})
}

// Close flushes and closes the store.
func (s *Store) Close() error {
	if !s.opts.InMemory && !s.opts.ReadOnly {
		os.Remove(filepath.Join(s.opts.Dir, ownerFile))
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store in %s: %w", s.opts.Dir, err)
	}
	return nil
}

// Dir returns the data directory, or "" for an in-memory store.
func (s *Store) Dir() string { return s.opts.Dir }

// DB returns the underlying Badger database, for packages that keep their
// own key families (such as cached models) beside the records. Their keys
// must start with a byte other than the ones keys.go uses.
func (s *Store) DB() *badger.DB { return s.db }

// ReadCalls returns the number of read calls served so far: one per Get,
// batch Get or listing, however many keys it touched. Tests use it to catch
// N+1 query patterns.
func (s *Store) ReadCalls() int64 { return s.reads.Load() }

// Size returns the disk space in bytes that the LSM tree (.sst files) and
// the value log (.vlog files) take now, or 0 and 0 for an in-memory store.
// It measures the blocks allocated to each file, so a sparse value log
// counts only its written parts.
func (s *Store) Size() (lsm, vlog int64) {
	if s.opts.InMemory {
		return 0, 0
	}
	return dirUsage(s.opts.Dir)
}

// Counts returns the number of records of each kind.
func (s *Store) Counts(ctx context.Context) (map[Kind]int64, error) {
	s.reads.Add(1)
	out := make(map[Kind]int64, len(Kinds))
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range Kinds {
			n, err := readCount(txn, k)
			if err != nil {
				return err
			}
			out[k] = n
		}
		return nil
	})
	return out, err
}

func readCount(txn *badger.Txn, k Kind) (int64, error) {
	item, err := txn.Get(countKey(k))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s count: %w", k, err)
	}
	var n int64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("%w: %s count has %d bytes", ErrCorruptRecord, k, len(v))
		}
		n = int64(binary.BigEndian.Uint64(v))
		return nil
	})
	return n, err
}

// badgerLogger forwards Badger's log lines to slog.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}

func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}

func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}

func (b badgerLogger) Debugf(f string, a ...any) {
	b.l.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
