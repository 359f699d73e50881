package storage

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidCursor reports an after cursor that no listing returned.
var ErrInvalidCursor = errors.New("invalid cursor")

// A cursor is the position of a record in a listing: its sort time and id,
// the same bytes that end every index key. A cursor from one page stays
// valid when records are added or removed, because the next page seeks past
// that position instead of counting an offset; records that tie on time are
// ordered by id, so none is skipped or repeated.

const cursorVersion = 1

// EncodeCursor returns the opaque cursor for a record at t with id.
func EncodeCursor(t time.Time, id string) string {
	tb := timeBytes(t)
	b := make([]byte, 0, 9+len(id))
	b = append(b, cursorVersion)
	b = append(b, tb[:]...)
	b = append(b, id...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the key suffix (time and id) a cursor stands for.
func decodeCursor(c string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 9 || b[0] != cursorVersion {
		return nil, fmt.Errorf("%w %q: pass a cursor returned by a previous page of the same listing", ErrInvalidCursor, c)
	}
	if err := checkKeyPart("cursor id", string(b[9:])); err != nil {
		return nil, fmt.Errorf("%w %q: pass a cursor returned by a previous page of the same listing", ErrInvalidCursor, c)
	}
	return b[1:], nil
}
