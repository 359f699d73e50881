package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/graph/ratelimit"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/backup"
)

// accessFlags are the authentication and request limit flags of serve and
// demo.
type accessFlags struct {
	maxBodyBytes   int64
	timeout        time.Duration
	rate           float64
	burst          int
	insecureNoAuth bool
}

// register adds the limit flags to fs, and --insecure-no-auth when
// withAuth is set (demo always serves without authentication).
func (f *accessFlags) register(fs *flag.FlagSet, withAuth bool) {
	d := ratelimit.DefaultOptions()
	fs.Int64Var(&f.maxBodyBytes, "max-body-bytes", d.MaxBodyBytes, "largest accepted request body in bytes; larger requests get 413")
	fs.DurationVar(&f.timeout, "request-timeout", d.Timeout, "time limit of one API request, such as 30s; 0 for none")
	fs.Float64Var(&f.rate, "rate-limit", d.Rate, "sustained API requests per second per API key, or per client IP without keys; 0 for none")
	fs.IntVar(&f.burst, "rate-burst", d.Burst, "requests a client may send at once above --rate-limit")
	if withAuth {
		fs.BoolVar(&f.insecureNoAuth, "insecure-no-auth", false, "serve without API keys: every request gets the admin role; only for trusted networks (default: off, keys required)")
	}
}

func (f *accessFlags) limits() ratelimit.Options {
	return ratelimit.DefaultOptions().
		WithMaxBodyBytes(f.maxBodyBytes).
		WithTimeout(f.timeout).
		WithRate(f.rate).
		WithBurst(f.burst).
		WithClientID(auth.ClientID)
}

// accessControl wraps routes with authentication and request limits.
type accessControl struct {
	// keys authenticates requests; nil serves open, with role admin for
	// every request.
	keys     *auth.Keys
	limiter  *ratelimit.Limiter
	failures *authFailures
	logger   *slog.Logger
}

func newAccessControl(keys *auth.Keys, limits ratelimit.Options, logger *slog.Logger) (*accessControl, error) {
	limiter, err := ratelimit.New(limits)
	if err != nil {
		return nil, fmt.Errorf("invalid request limits: %w", err)
	}
	return &accessControl{keys: keys, limiter: limiter, failures: newAuthFailures(time.Now), logger: logger}, nil
}

// serveAccess returns the access control of serve: API keys from store,
// which must hold an active one, or open mode with a warning when the
// flags ask for it.
func serveAccess(ctx context.Context, f *accessFlags, store *storage.Store, logger *slog.Logger) (*accessControl, error) {
	if f.insecureNoAuth {
		logger.Warn("serving without authentication: every request gets the admin role; use this only on a trusted network",
			"flag", "--insecure-no-auth")
		return newAccessControl(nil, f.limits(), logger)
	}
	keys := auth.NewKeys(store)
	ok, err := keys.HasActive(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("no active API key in %s, so every request would be rejected: run \"shopsight keys create --data %s --name NAME --role admin\" before serve, or pass --insecure-no-auth on a trusted network",
			store.Dir(), store.Dir())
	}
	return newAccessControl(keys, f.limits(), logger)
}

func (a *accessControl) authenticate(next http.Handler) http.Handler {
	if a.keys == nil {
		return auth.Open(next)
	}
	return a.failures.limit(auth.Handler(a.keys, a.logger, next))
}

// api guards an API route, such as /graphql, with every limit.
func (a *accessControl) api(next http.Handler) http.Handler {
	return a.authenticate(a.limiter.Handler(next))
}

// admin guards a route for role admin. It applies no timeout, because
// admin routes such as /admin/backup stream for as long as they need.
func (a *accessControl) admin(next http.Handler) http.Handler {
	return a.authenticate(a.limiter.RateLimit(a.limiter.LimitBody(auth.RequireRole(auth.RoleAdmin, next))))
}

// export guards the CSV export routes for role analyst. Like admin it
// applies no timeout, because an export streams its rows.
func (a *accessControl) export(next http.Handler) http.Handler {
	return a.authenticate(a.limiter.RateLimit(a.limiter.LimitBody(auth.RequireRole(auth.RoleAnalyst, next))))
}

// adminRoutes serves the /admin/ routes; access.admin guards them.
func adminRoutes(store *storage.Store, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/backup", func(w http.ResponseWriter, r *http.Request) {
		serveBackup(w, r, store, logger)
	})
	return mux
}

// serveBackup streams an online backup of store. An error after the first
// byte cannot change the status, so it is logged and the stream ends
// without a trailer, which backup.Verify and backup.Restore reject.
func serveBackup(w http.ResponseWriter, r *http.Request, store *storage.Store, logger *slog.Logger) {
	started := time.Now()
	name := "shopsight-" + started.UTC().Format("20060102T150405Z") + ".ssbak"
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	key, _ := auth.KeyFrom(r.Context())
	info, err := backup.Backup(r.Context(), store, w)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			logger.Error("online backup failed", "key_id", key.ID, "err", err)
		}
		return
	}
	logger.Info("online backup sent", "key_id", key.ID, "bytes", info.Bytes, "seconds", time.Since(started).Seconds())
}

// openAccess returns open access control with the default limits.
func openAccess(logger *slog.Logger) (*accessControl, error) {
	return newAccessControl(nil, ratelimit.DefaultOptions().WithClientID(auth.ClientID), logger)
}
