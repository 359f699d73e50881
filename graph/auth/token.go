package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// An API key's plaintext is "ss_<id>_<secret>": the id is 16 lowercase hex
// digits (8 random bytes) and names the key in lists and revocations; the
// secret is 64 lowercase hex digits (32 random bytes). The store keeps only
// the SHA-256 of the secret bytes.
const (
	tokenPrefix = "ss_"
	idBytes     = 8
	secretBytes = 32
	tokenLen    = len(tokenPrefix) + 2*idBytes + 1 + 2*secretBytes
)

// ErrMalformedKey reports a string that is not in the API key format.
var ErrMalformedKey = errors.New("malformed API key")

// newToken returns a fresh id and secret from crypto/rand.
func newToken() (id string, secret []byte, err error) {
	buf := make([]byte, idBytes+secretBytes)
	if _, err := rand.Read(buf); err != nil {
		return "", nil, fmt.Errorf("generate API key: %w", err)
	}
	return hex.EncodeToString(buf[:idBytes]), buf[idBytes:], nil
}

func formatToken(id string, secret []byte) string {
	return tokenPrefix + id + "_" + hex.EncodeToString(secret)
}

// ParseKey splits an API key into its id and secret bytes. It accepts only
// the exact format that Create returns.
func ParseKey(s string) (id string, secret []byte, err error) {
	if len(s) != tokenLen || !strings.HasPrefix(s, tokenPrefix) {
		return "", nil, fmt.Errorf("%w: want %d characters of the form ss_<16 hex digits>_<64 hex digits>", ErrMalformedKey, tokenLen)
	}
	rest := s[len(tokenPrefix):]
	id, secretHex := rest[:2*idBytes], rest[2*idBytes+1:]
	if rest[2*idBytes] != '_' || !isLowerHex(id) || !isLowerHex(secretHex) {
		return "", nil, fmt.Errorf("%w: want the form ss_<16 hex digits>_<64 hex digits>", ErrMalformedKey)
	}
	secret, err = hex.DecodeString(secretHex)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrMalformedKey, err)
	}
	return id, secret, nil
}

// ValidID reports whether id has the form of a key id.
func ValidID(id string) bool { return len(id) == 2*idBytes && isLowerHex(id) }

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
