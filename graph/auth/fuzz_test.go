package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// FuzzParseKey checks that ParseKey never panics, accepts only the exact
// format, and that an accepted key formats back to the same string.
func FuzzParseKey(f *testing.F) {
	f.Add("ss_0123456789abcdef_" + strings.Repeat("ab", 32))
	f.Add("ss__")
	f.Add("ss_0123456789abcdef" + strings.Repeat("_", 65))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, err := ParseKey(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedKey) {
				t.Fatalf("ParseKey(%q) error = %v, want ErrMalformedKey", s, err)
			}
			return
		}
		if !ValidID(id) || len(secret) != secretBytes {
			t.Fatalf("ParseKey(%q) = %q, %d secret bytes", s, id, len(secret))
		}
		if formatToken(id, secret) != s {
			t.Fatalf("ParseKey(%q) does not round-trip: %q", s, formatToken(id, secret))
		}
	})
}

// FuzzBearerToken checks that Authorization parsing never panics and
// returns a token without surrounding space.
func FuzzBearerToken(f *testing.F) {
	f.Add("Bearer ss_0123456789abcdef_"+strings.Repeat("0", 64), "")
	f.Add("bearer", "")
	f.Add("Basic abc", "Bearer x")
	f.Add(" Bearer \t x ", "")
	f.Fuzz(func(t *testing.T, first, second string) {
		values := []string{first}
		if second != "" {
			values = append(values, second)
		}
		token, err := BearerToken(values)
		if err != nil {
			return
		}
		if token == "" || token != strings.TrimSpace(token) {
			t.Fatalf("BearerToken(%q) = %q, want a non-empty trimmed token", values, token)
		}
	})
}

// FuzzAuthenticate checks that Authenticate never panics and never
// accepts anything but the one key it created.
func FuzzAuthenticate(f *testing.F) {
	keys := newKeys(f)
	plain, _, err := keys.Create(context.Background(), "fuzz", RoleViewer)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	f.Add(plain[:len(plain)-1] + "0")
	f.Add("ss_" + plain[3:19] + "_")
	f.Fuzz(func(t *testing.T, token string) {
		key, err := keys.Authenticate(context.Background(), token)
		if err == nil && token != plain {
			t.Fatalf("Authenticate(%q) accepted key %s", token, key.ID)
		}
		if err != nil && token == plain {
			t.Fatalf("Authenticate of the created key: %v", err)
		}
	})
}
