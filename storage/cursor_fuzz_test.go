package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"
)

// FuzzCursor checks that decodeCursor never panics, that every error wraps
// ErrInvalidCursor, that an accepted cursor re-encodes to one with the same
// position, and that EncodeCursor round-trips every valid time and id.
func FuzzCursor(f *testing.F) {
	f.Add(EncodeCursor(t0, "o1"), t0.UnixMicro(), "o1")
	f.Add(EncodeCursor(time.Time{}, ""), int64(0), "")
	f.Add("", int64(-1), "id with spaces")
	f.Add("AQ", int64(1)<<62, "\x00")
	f.Add("!!not base64", int64(-1)<<62, "\xff\xfe")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte{2, 0, 0, 0, 0, 0, 0, 0, 0}), int64(0), "日本")
	f.Add(EncodeCursor(t0, "o1")+"=", int64(7), "o1/x")

	f.Fuzz(func(t *testing.T, cursor string, micros int64, id string) {
		suffix, err := decodeCursor(cursor)
		switch {
		case err != nil && !errors.Is(err, ErrInvalidCursor):
			t.Fatalf("decodeCursor(%q) error = %v, want one wrapping ErrInvalidCursor", cursor, err)
		case err == nil:
			if len(suffix) < 8 {
				t.Fatalf("decodeCursor(%q) = %x, want at least 8 time bytes", cursor, suffix)
			}
			again := base64.RawURLEncoding.EncodeToString(append([]byte{cursorVersion}, suffix...))
			if back, err := decodeCursor(again); err != nil || !bytes.Equal(back, suffix) {
				t.Fatalf("re-encoded cursor %q decodes to %x, %v; want %x", again, back, err, suffix)
			}
		}

		at := time.UnixMicro(micros).UTC()
		encoded := EncodeCursor(at, id)
		suffix, err = decodeCursor(encoded)
		if checkKeyPart("id", id) != nil {
			if !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("cursor of invalid id %q: error = %v, want ErrInvalidCursor", id, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("decodeCursor(EncodeCursor(%v, %q)): %v", at, id, err)
		}
		tb := timeBytes(at)
		if want := append(tb[:], id...); !bytes.Equal(suffix, want) {
			t.Fatalf("cursor of %v, %q decodes to %x, want %x", at, id, suffix, want)
		}
		if gotID := string(suffix[8:]); gotID != id {
			t.Fatalf("cursor id = %q, want %q", gotID, id)
		}
		if got := timeFromBytes(suffix[:8]); micros != minMicros && !got.Equal(at) {
			t.Fatalf("cursor time = %v, want %v", got, at)
		}
	})
}

// minMicros is the one instant whose time bytes equal those of the zero
// time, so its cursor decodes as the zero time.
const minMicros = -1 << 63

// FuzzListOrdersAfter lists orders after a fuzzed cursor and checks that the
// listing never panics, rejects garbage with ErrInvalidCursor only, and
// returns only orders past the cursor's position.
func FuzzListOrdersAfter(f *testing.F) {
	s := openMem(f)
	ctx := context.Background()
	var orders []Order
	for i := range 12 {
		at := t0.Add(time.Duration(i/2) * time.Hour) // pairs tie on time
		orders = append(orders, sampleOrder(fmt.Sprintf("o%02d", i), fmt.Sprintf("u%d", i%3), at, "p1"))
	}
	if err := s.PutOrders(ctx, orders); err != nil {
		f.Fatalf("PutOrders: %v", err)
	}
	f.Add(EncodeCursor(orders[3].PurchasedAt, orders[3].ID), false, false)
	f.Add(EncodeCursor(orders[3].PurchasedAt, orders[3].ID), true, true)
	f.Add(EncodeCursor(t0.Add(-time.Hour), "zzz"), false, true)
	f.Add(EncodeCursor(time.Time{}, ""), true, false)
	f.Add("AQ", false, false)
	f.Add("garbage cursor", true, false)

	f.Fuzz(func(t *testing.T, after string, desc, byUser bool) {
		var filter OrderFilter
		if byUser {
			filter.UserID = "u1"
		}
		req := PageRequest{First: 5, After: after, Desc: desc, CountTotal: true}
		page, err := s.ListOrders(ctx, filter, req)
		if err != nil {
			if after == "" || !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("ListOrders after %q: %v, want nil or ErrInvalidCursor", after, err)
			}
			return
		}
		if len(page.Items) > req.First || len(page.Cursors) != len(page.Items) {
			t.Fatalf("page has %d items and %d cursors, want at most %d of each", len(page.Items), len(page.Cursors), req.First)
		}
		if after == "" {
			return
		}
		position, err := decodeCursor(after)
		if err != nil {
			t.Fatalf("ListOrders accepted cursor %q that decodeCursor rejects: %v", after, err)
		}
		for i, c := range page.Cursors {
			got, err := decodeCursor(c)
			if err != nil {
				t.Fatalf("returned cursor %q is invalid: %v", c, err)
			}
			if cmp := bytes.Compare(got, position); desc && cmp >= 0 || !desc && cmp <= 0 {
				t.Fatalf("item %d (%s) is not past cursor %q (desc %v)", i, page.Items[i].ID, after, desc)
			}
		}
	})
}
