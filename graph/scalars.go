package graph

import (
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/storage"
)

// MarshalMoney writes a Decimal: a JSON string with two fraction digits,
// such as "109.90".
func MarshalMoney(m storage.Money) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(m.String()))
	})
}

// UnmarshalMoney reads a Decimal from a string such as "19.90", or from an
// integer or float with at most two fraction digits. Errors are
// BAD_USER_INPUT; the error presenter adds the input field from the path.
func UnmarshalMoney(v any) (storage.Money, error) {
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = x.String()
	case int:
		text = strconv.Itoa(x)
	case int32:
		text = strconv.FormatInt(int64(x), 10)
	case int64:
		text = strconv.FormatInt(x, 10)
	case float64:
		// The shortest representation that round-trips, so 19.9 stays "19.9"
		// and ParseMoney can reject more than two fraction digits.
		text = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return 0, errcode.BadInput("", "invalid Decimal %v (%T): send a string such as \"19.90\"", v, v)
	}
	m, err := storage.ParseMoney(text)
	if err != nil {
		return 0, errcode.BadInputWrap("", err)
	}
	return m, nil
}

// MarshalDateTime writes a DateTime in RFC 3339 format in UTC.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads a DateTime from an RFC 3339 string with any
// offset and returns it in UTC.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errcode.BadInput("", "invalid DateTime %v (%T): send an RFC 3339 string such as \"2018-03-01T12:30:00Z\"", v, v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errcode.BadInput("", "invalid DateTime %q: send an RFC 3339 string such as \"2018-03-01T12:30:00Z\"", s)
	}
	return t.UTC(), nil
}
