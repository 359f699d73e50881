package resolvers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
)

// The key resolvers read and write the keys of the resolver's store
// through auth.Keys, which keeps no cache, so a revoked key fails from the
// next request on.

func (r *queryResolver) APIKeys(ctx context.Context) ([]*model.APIKey, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	keys, err := auth.NewKeys(r.store).List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.APIKey, len(keys))
	for i, k := range keys {
		out[i] = apiKeyModel(k)
	}
	return out, nil
}

func (r *mutationResolver) CreateAPIKey(ctx context.Context, name string, role model.Role) (*model.CreatedAPIKey, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	authRole, err := auth.ParseRole(string(role))
	if err != nil {
		return nil, errcode.BadInput("role", "%s", err.Error())
	}
	if strings.TrimSpace(name) == "" || len(name) > 100 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return nil, errcode.BadInput("name", "invalid API key name %q: give 1 to 100 bytes of UTF-8 text without control characters that say who uses the key, such as \"dashboard\"", name)
	}
	plain, key, err := auth.NewKeys(r.store).Create(ctx, name, authRole)
	if err != nil {
		return nil, fmt.Errorf("create API key %q: %w", name, err)
	}
	r.opts.Logger.Info("API key created", "id", key.ID, "name", key.Name, "role", key.Role.String())
	return &model.CreatedAPIKey{Key: plain, ID: key.ID, Name: key.Name, Role: roleModel(key.Role), CreatedAt: key.Created}, nil
}

func (r *mutationResolver) RevokeAPIKey(ctx context.Context, id string) (*model.APIKey, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if !auth.ValidID(id) {
		return nil, errcode.BadInput("id", "invalid API key id %q: want 16 lowercase hex digits, as apiKeys returns", id)
	}
	keys := auth.NewKeys(r.store)
	err := keys.Revoke(ctx, id)
	if errors.Is(err, auth.ErrKeyNotFound) {
		return nil, errcode.NotFoundf("API key %q not found; list the ids with apiKeys", id)
	}
	if err != nil {
		return nil, err
	}
	r.opts.Logger.Info("API key revoked", "id", id)
	all, err := keys.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range all {
		if k.ID == id {
			return apiKeyModel(k), nil
		}
	}
	return nil, errcode.NotFoundf("API key %q not found after it was revoked; it was deleted meanwhile", id)
}

func apiKeyModel(k auth.Key) *model.APIKey {
	return &model.APIKey{ID: k.ID, Name: k.Name, Role: roleModel(k.Role), CreatedAt: k.Created,
		Revoked: k.Revoked, RevokedAt: nullIfZero(k.RevokedAt)}
}

// roleModel converts a role to its GraphQL enum value, such as ANALYST.
func roleModel(r auth.Role) model.Role { return model.Role(strings.ToUpper(r.String())) }
