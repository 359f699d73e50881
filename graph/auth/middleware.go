package auth

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/shopsight/shopsight/graph/errcode"
)

// principal is the caller identity that the middleware stores in a request's context.
type principal struct {
	role Role
	key  Key
	// open marks a request served without authentication.
	open bool
}

type principalKey struct{}

// WithRole returns a context whose caller has role but no key, as in open
// mode. Tests of resolvers use it to call them with a role.
func WithRole(ctx context.Context, role Role) context.Context {
	return context.WithValue(ctx, principalKey{}, principal{role: role, open: true})
}

func withKey(ctx context.Context, key Key) context.Context {
	return context.WithValue(ctx, principalKey{}, principal{role: key.Role, key: key})
}

// RoleFrom returns the caller's role, or false when the context did not
// pass through Handler, Open or WithRole.
func RoleFrom(ctx context.Context) (Role, bool) {
	p, ok := ctx.Value(principalKey{}).(principal)
	return p.role, ok
}

// KeyFrom returns the API key that authenticated the request, or false in
// open mode and outside the middleware.
func KeyFrom(ctx context.Context) (Key, bool) {
	p, ok := ctx.Value(principalKey{}).(principal)
	if !ok || p.open {
		return Key{}, false
	}
	return p.key, true
}

// Require returns nil when the caller's role includes required. Otherwise
// it returns an *errcode.Error: FORBIDDEN naming both roles, or
// UNAUTHENTICATED when the context has no role, because a context that
// skipped the middleware must not be trusted.
func Require(ctx context.Context, required Role) error {
	role, ok := RoleFrom(ctx)
	if !ok {
		return errcode.Unauthenticatedf("this operation requires an API key with role %s or higher; send Authorization: Bearer <key>", required)
	}
	if !role.Includes(required) {
		return errcode.Forbid(role.String(), required.String())
	}
	return nil
}

// Handler authenticates every request with the bearer token of its
// Authorization header against keys, then calls next with the key's role
// in the context. A missing, malformed, unknown or revoked key gets 401
// with extensions.code UNAUTHENTICATED and a WWW-Authenticate challenge; a
// store failure gets 500 and is logged.
func Handler(keys *Keys, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := BearerToken(r.Header.Values("Authorization"))
		if err != nil {
			unauthenticated(w, err.Error(), false)
			return
		}
		key, err := keys.Authenticate(r.Context(), token)
		switch {
		case err == nil:
			next.ServeHTTP(w, r.WithContext(withKey(r.Context(), key)))
		case errors.Is(err, ErrMalformedKey), errors.Is(err, ErrInvalidKey), errors.Is(err, ErrRevoked):
			unauthenticated(w, err.Error(), true)
		case r.Context().Err() != nil:
			// The client disconnected, so no response is written.
		default:
			logger.Error("authenticate request failed", "path", r.URL.Path, "err", err)
			errcode.WriteHTTP(w, http.StatusInternalServerError, &errcode.Error{Code: errcode.Internal, Message: "internal error"})
		}
	})
}

// unauthenticated writes a 401 response. invalidToken adds error="invalid_token" to
// the challenge, as RFC 6750 section 3.1 asks for a rejected token.
func unauthenticated(w http.ResponseWriter, message string, invalidToken bool) {
	challenge := `Bearer realm="shopsight"`
	if invalidToken {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	errcode.WriteHTTP(w, http.StatusUnauthorized, errcode.Unauthenticatedf("%s", message))
}

// BearerToken returns the token of the one Authorization header in values,
// which must use the Bearer scheme (in any case, as RFC 7235 allows).
func BearerToken(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", errors.New("missing API key: send the header Authorization: Bearer <key>")
	case 1:
	default:
		return "", errors.New("invalid Authorization: the request has more than one Authorization header; send one")
	}
	value := strings.TrimSpace(values[0])
	if strings.EqualFold(value, "Bearer") {
		return "", errors.New("missing API key after Bearer in the Authorization header")
	}
	scheme, token, ok := strings.Cut(value, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errors.New("invalid Authorization: use the Bearer scheme, Authorization: Bearer <key>")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", errors.New("missing API key after Bearer in the Authorization header")
	}
	return token, nil
}

// Open calls next with role admin for every request, without checking
// credentials. It is for the demo and for serve --insecure-no-auth.
func Open(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithRole(r.Context(), RoleAdmin)))
	})
}

// RequireRole responds 403 FORBIDDEN, or 401 outside the middleware, unless
// the caller's role includes required. It guards HTTP routes outside
// GraphQL, such as /admin/backup.
func RequireRole(required Role, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := Require(r.Context(), required)
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		e := errcode.As(err)
		if e.Code == errcode.Unauthenticated {
			unauthenticated(w, e.Message, false)
			return
		}
		errcode.WriteHTTP(w, http.StatusForbidden, e)
	})
}

// ClientID names the caller for per-client limits: "key:<id>" for a
// request authenticated by an API key, else "ip:<remote address>".
//
// NOTE: behind a reverse proxy every anonymous request has the proxy's
// address; X-Forwarded-For is not trusted because any client can set it.
func ClientID(r *http.Request) string {
	if key, ok := KeyFrom(r.Context()); ok {
		return "key:" + key.ID
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host
}
