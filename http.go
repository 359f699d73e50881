package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shopsight/shopsight/graph/explorer"
)

// readiness is the state /readyz reports: ready once the store is loaded
// (and, for demo, generated). Until then it contains the reason.
type readiness struct {
	reason atomic.Pointer[string]
}

func newReadiness(reason string) *readiness {
	r := &readiness{}
	r.setNotReady(reason)
	return r
}

func (r *readiness) setReady()              { r.reason.Store(nil) }
func (r *readiness) setNotReady(why string) { r.reason.Store(&why) }
func (r *readiness) notReadyReason() string {
	if p := r.reason.Load(); p != nil {
		return *p
	}
	return ""
}

// routes builds the HTTP handler: GraphQL at /graphql, CSV exports under
// /export/, the explorer at /, health, readiness and Prometheus metrics.
// access guards /graphql, the exports and the admin routes under /admin/.
func routes(graphql http.Handler, ready *readiness, metrics *serverMetrics, logger *slog.Logger,
	access *accessControl, admin, export http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", access.api(requireReady(ready, graphql)))
	mux.Handle("/export/", access.export(requireReady(ready, export)))
	mux.Handle("/admin/", access.admin(admin))
	mux.Handle("/", explorer.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if why := ready.notReadyReason(); why != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", why)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("/metrics", promhttp.HandlerFor(metrics.registry, promhttp.HandlerOpts{}))
	return countRequests(mux, metrics)
}

// requireReady responds 503 with a GraphQL error body until the store is
// ready, so clients can tell a loading server from a failing one.
func requireReady(ready *readiness, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if why := ready.notReadyReason(); why != "" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
				"message":    "the server is not ready: " + why + "; retry shortly",
				"extensions": map[string]string{"code": "UNAVAILABLE"},
			}}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func countRequests(next http.Handler, metrics *serverMetrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.URL.Path
		switch route {
		case "/graphql", "/healthz", "/readyz", "/metrics", "/", "/admin/backup",
			"/export/metrics.csv", "/export/funnel.csv", "/export/cohorts.csv":
		default:
			route = "other"
		}
		metrics.http.WithLabelValues(route, fmt.Sprint(rec.status)).Inc()
	})
}

// serveHTTP listens on addr and serves h until ctx is cancelled, then shuts
// down gracefully, letting requests in flight finish for up to 10 seconds.
// started, when not nil, receives the bound address once listening.
func serveHTTP(ctx context.Context, addr string, h http.Handler, logger *slog.Logger, started func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; pass another --addr", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving", "addr", ln.Addr().String(), "graphql", "/graphql", "explorer", "/")
	if started != nil {
		started(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "reason", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
