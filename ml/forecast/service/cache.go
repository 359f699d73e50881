package service

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/ml/forecast/series"
)

// Key layout of family 0x05 (see storage/keys.go):
//
//	\x05m/cursor                         uint64 big-endian: the last change log
//	                                     sequence number the follower applied
//	\x05fc/<metric>\x00<group>\x00<id>\x00<granularity>\x00<zone>\x00<model>\x00<horizon>\x00<from>
//	                                     a cached forecast as JSON (cacheEntry);
//	                                     <from> is Unix microseconds, or empty
//	\x05wa/<metric>\x00<group>\x00<id>\x00<granularity>\x00<zone>\x00<method>
//	                                     a watched series and its latest
//	                                     anomalies as JSON (watchEntry)
var (
	cursorKey      = []byte("\x05m/cursor")
	forecastPrefix = []byte("\x05fc/")
	watchPrefix    = []byte("\x05wa/")
)

// cacheMeta holds the facts about a cached forecast that invalidation needs.
type cacheMeta struct {
	Key series.Key `json:"key"`
	// FromSet reports that the history starts at a requested time, so
	// orders before First do not change it.
	FromSet bool `json:"fromSet"`
	// First is the start of the first history bucket and End the instant
	// after the last one.
	First time.Time `json:"first"`
	End   time.Time `json:"end"`
}

type cacheEntry struct {
	Meta     cacheMeta `json:"meta"`
	Forecast *Forecast `json:"forecast"`
}

func joinKey(prefix []byte, fields ...string) string {
	return string(prefix) + strings.Join(fields, "\x00")
}

func cacheKey(req ForecastRequest) string {
	from := ""
	if !req.From.IsZero() {
		from = strconv.FormatInt(req.From.UnixMicro(), 10)
	}
	k := req.Key
	return joinKey(forecastPrefix, string(k.Metric), string(k.Group), k.ID, string(k.Granularity), k.TimeZone,
		req.Model, strconv.Itoa(req.Horizon), from)
}

// load reads the follower cursor and the cache and watch indexes. Without
// a cursor the cached forecasts may predate changes that were never applied, so they
// are deleted and the cursor starts at the newest change.
func (s *Service) load(ctx context.Context) error {
	db := s.store.DB()
	var cursor []byte
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(cursorKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		cursor, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("read forecast cursor: %w", err)
	}
	if len(cursor) != 8 {
		seq, err := s.store.LastSeq(ctx)
		if err != nil {
			return fmt.Errorf("read change log position: %w", err)
		}
		if err := s.deletePrefix(forecastPrefix); err != nil {
			return err
		}
		s.applied = seq
		return db.Update(func(txn *badger.Txn) error {
			return txn.Set(cursorKey, binary.BigEndian.AppendUint64(nil, seq))
		})
	}
	s.applied = binary.BigEndian.Uint64(cursor)
	return db.View(func(txn *badger.Txn) error {
		if err := scanJSON(txn, forecastPrefix, func(key string, e *cacheEntry) {
			s.cache[key] = e.Meta
		}); err != nil {
			return fmt.Errorf("load cached forecasts: %w", err)
		}
		if err := scanJSON(txn, watchPrefix, func(key string, e *watchEntry) {
			s.watched[key] = watchMeta{Key: e.Key, Method: e.Method, End: e.End}
		}); err != nil {
			return fmt.Errorf("load watched series: %w", err)
		}
		return nil
	})
}

func scanJSON[T any](txn *badger.Txn, prefix []byte, fn func(key string, v *T)) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var v T
		err := it.Item().Value(func(raw []byte) error { return json.Unmarshal(raw, &v) })
		if err != nil {
			return fmt.Errorf("decode %q: %w", it.Item().Key(), err)
		}
		fn(string(it.Item().KeyCopy(nil)), &v)
	}
	return nil
}

func (s *Service) deletePrefix(prefix []byte) error {
	db := s.store.DB()
	var keys [][]byte
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list keys under %q: %w", prefix, err)
	}
	wb := db.NewWriteBatch()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			wb.Cancel()
			return fmt.Errorf("delete %q: %w", k, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("delete keys under %q: %w", prefix, err)
	}
	return nil
}

// cached returns the cached forecast under key, if any.
func (s *Service) cached(key string) (*Forecast, bool, error) {
	if s.opts.ReadOnly {
		return nil, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[key]; !ok {
		return nil, false, nil
	}
	var e cacheEntry
	err := s.store.DB().View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(key))
		if err != nil {
			return err
		}
		return item.Value(func(raw []byte) error { return json.Unmarshal(raw, &e) })
	})
	if err != nil {
		return nil, false, fmt.Errorf("read cached forecast: %w", err)
	}
	e.Forecast.Cached = true
	return e.Forecast, true, nil
}

// putCache stores f unless the follower has applied changes after readSeq,
// the change log position at which the series was read: such changes were
// checked against the cache before f was in it.
func (s *Service) putCache(key string, req ForecastRequest, ser *series.Series, f *Forecast, readSeq uint64) {
	if s.opts.ReadOnly {
		return
	}
	loc, _ := series.LoadZone(req.TimeZone)
	meta := cacheMeta{Key: req.Key, FromSet: !req.From.IsZero(), First: ser.Points[0].Start, End: ser.End(loc)}
	raw, err := json.Marshal(cacheEntry{Meta: meta, Forecast: f})
	if err != nil {
		s.log.Error("encoding forecast for the cache failed", "key", req.Key.String(), "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if readSeq < s.applied {
		return
	}
	err = s.store.DB().Update(func(txn *badger.Txn) error { return txn.Set([]byte(key), raw) })
	if err != nil {
		s.log.Error("writing forecast to the cache failed", "key", req.Key.String(), "err", err)
		return
	}
	s.cache[key] = meta
}

// CachedForecasts returns the number of cached forecasts.
func (s *Service) CachedForecasts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cache)
}
