// Package auth authenticates API requests with API keys and carries the
// caller's role in the request context.
//
// Keys live in the store under their own key family, 0x06, as
// "\x06key/<id>" with a JSON value (see keyRecord); only the SHA-256 of a
// key's secret is stored, so the plaintext is shown once, by Create. Roles
// are viewer, analyst and admin (see Role). Handler is the HTTP middleware;
// resolvers call Require with the role an operation needs.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

// keyFamily is the first byte of every key this package writes.
const keyFamily = "\x06key/"

// maxNameLen bounds a key's name in bytes.
const maxNameLen = 100

var (
	// ErrInvalidKey reports a well-formed API key that is unknown or whose
	// secret does not match.
	ErrInvalidKey = errors.New("invalid API key")
	// ErrRevoked reports an API key that was revoked.
	ErrRevoked = errors.New("API key is revoked")
	// ErrKeyNotFound reports a key id that is not in the store.
	ErrKeyNotFound = errors.New("API key not found")
)

// Key describes an API key. It never contains the secret.
type Key struct {
	ID        string
	Name      string
	Role      Role
	Created   time.Time
	Revoked   bool
	RevokedAt time.Time // zero unless Revoked
}

// keyRecord is the stored form of a Key.
type keyRecord struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Hash      []byte    `json:"sha256"`
	Created   time.Time `json:"created"`
	Revoked   bool      `json:"revoked,omitempty"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
}

func (r keyRecord) key(id string) Key {
	return Key{ID: id, Name: r.Name, Role: r.Role, Created: r.Created, Revoked: r.Revoked, RevokedAt: r.RevokedAt}
}

// Keys stores API keys in a ShopSight store. It is safe for concurrent use.
type Keys struct {
	store *storage.Store
	now   func() time.Time
}

// NewKeys returns the API keys of store.
func NewKeys(store *storage.Store) *Keys {
	return &Keys{store: store, now: time.Now}
}

func dbKey(id string) []byte { return []byte(keyFamily + id) }

// Create adds a key named name with role and returns its plaintext, which
// is not stored and cannot be shown again.
func (k *Keys) Create(ctx context.Context, name string, role Role) (string, Key, error) {
	if err := validateName(name); err != nil {
		return "", Key{}, err
	}
	if _, ok := roleNames[role]; !ok {
		return "", Key{}, fmt.Errorf("invalid role %d: use RoleViewer, RoleAnalyst or RoleAdmin", uint8(role))
	}
	if err := ctx.Err(); err != nil {
		return "", Key{}, err
	}
	if err := k.store.CheckFreeSpace(); err != nil {
		return "", Key{}, fmt.Errorf("create API key %q: %w", name, err)
	}
	id, secret, err := newToken()
	if err != nil {
		return "", Key{}, err
	}
	hash := sha256.Sum256(secret)
	rec := keyRecord{Name: name, Role: role, Hash: hash[:], Created: k.now().UTC().Truncate(time.Second)}
	val, err := json.Marshal(rec)
	if err != nil {
		return "", Key{}, fmt.Errorf("encode API key %q: %w", name, err)
	}
	err = k.store.DB().Update(func(txn *badger.Txn) error {
		// A collision of 64 random bits is unlikely but would overwrite a key.
		if _, err := txn.Get(dbKey(id)); err == nil {
			return fmt.Errorf("generated API key id %s already exists; retry", id)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		return txn.Set(dbKey(id), val)
	})
	if err != nil {
		return "", Key{}, fmt.Errorf("store API key %q: %w", name, err)
	}
	return formatToken(id, secret), rec.key(id), nil
}

func validateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("missing API key name: give each key a name that identifies its user, such as \"dashboard\"")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("invalid API key name: %d bytes, the maximum is %d", len(name), maxNameLen)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("invalid API key name %q: contains a control character or invalid UTF-8", name)
		}
	}
	return nil
}

// List returns every key, revoked ones included, oldest first.
func (k *Keys) List(ctx context.Context) ([]Key, error) {
	var out []Key
	err := k.store.DB().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(keyFamily), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			id := string(it.Item().Key()[len(keyFamily):])
			rec, err := decodeRecord(it.Item(), id)
			if err != nil {
				return err
			}
			out = append(out, rec.key(id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func decodeRecord(item *badger.Item, id string) (keyRecord, error) {
	var rec keyRecord
	err := item.Value(func(v []byte) error { return json.Unmarshal(v, &rec) })
	if err != nil {
		return rec, fmt.Errorf("%w: API key %s: %w", storage.ErrCorruptRecord, id, err)
	}
	return rec, nil
}

// Revoke marks the key id as revoked; requests with it fail from then on.
// Revoking a revoked key changes nothing.
func (k *Keys) Revoke(ctx context.Context, id string) error {
	if !ValidID(id) {
		return fmt.Errorf("invalid API key id %q: want 16 lowercase hex digits, as \"keys list\" shows", id)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := k.store.CheckFreeSpace(); err != nil {
		return fmt.Errorf("revoke API key %s: %w", id, err)
	}
	err := k.store.DB().Update(func(txn *badger.Txn) error {
		item, err := txn.Get(dbKey(id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%w: %s; run \"shopsight keys list\" for the ids", ErrKeyNotFound, id)
		}
		if err != nil {
			return err
		}
		rec, err := decodeRecord(item, id)
		if err != nil || rec.Revoked {
			return err
		}
		rec.Revoked, rec.RevokedAt = true, k.now().UTC().Truncate(time.Second)
		val, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return txn.Set(dbKey(id), val)
	})
	if err != nil {
		return fmt.Errorf("revoke API key %s: %w", id, err)
	}
	return nil
}

// Authenticate returns the key whose plaintext is token. It returns an
// error wrapping ErrMalformedKey, ErrInvalidKey or ErrRevoked for a token
// that must be rejected, and another error when the store fails. The
// secret's hash is compared in constant time.
func (k *Keys) Authenticate(ctx context.Context, token string) (Key, error) {
	id, secret, err := ParseKey(token)
	if err != nil {
		return Key{}, err
	}
	if err := ctx.Err(); err != nil {
		return Key{}, err
	}
	var rec keyRecord
	found := false
	err = k.store.DB().View(func(txn *badger.Txn) error {
		item, err := txn.Get(dbKey(id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		rec, err = decodeRecord(item, id)
		return err
	})
	if err != nil {
		return Key{}, fmt.Errorf("read API key %s: %w", id, err)
	}
	hash := sha256.Sum256(secret)
	if !found || subtle.ConstantTimeCompare(hash[:], rec.Hash) != 1 {
		return Key{}, fmt.Errorf("%w: no key with id %s and this secret", ErrInvalidKey, id)
	}
	if rec.Revoked {
		return Key{}, fmt.Errorf("%w: %s (%s) was revoked at %s", ErrRevoked, id, rec.Name, rec.RevokedAt.Format(time.RFC3339))
	}
	return rec.key(id), nil
}

// HasActive reports whether the store holds at least one key that is not
// revoked.
func (k *Keys) HasActive(ctx context.Context) (bool, error) {
	keys, err := k.List(ctx)
	if err != nil {
		return false, err
	}
	for _, key := range keys {
		if !key.Revoked {
			return true, nil
		}
	}
	return false, nil
}
