package main

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shopsight/shopsight/graph/errcode"
)

// Failed authentications per client address are limited separately from
// the per-key rate limit, which applies only once a key is known. Without
// this limit, a client could try keys as fast as the server responds.
const (
	maxAuthFailures     = 20
	authFailureWindow   = time.Minute
	maxAuthFailureHosts = 100_000
)

// authFailures counts failed authentications per client address in fixed
// one-minute windows.
type authFailures struct {
	mu      sync.Mutex
	now     func() time.Time
	windows map[string]failureWindow
}

type failureWindow struct {
	start time.Time
	count int
}

func newAuthFailures(now func() time.Time) *authFailures {
	return &authFailures{now: now, windows: map[string]failureWindow{}}
}

// blocked reports whether host has used up its failures in the current
// window, and how long until the window ends.
func (f *authFailures) blocked(host string) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.windows[host]
	if !ok {
		return false, 0
	}
	left := authFailureWindow - f.now().Sub(w.start)
	if left <= 0 {
		delete(f.windows, host)
		return false, 0
	}
	return w.count >= maxAuthFailures, left
}

// add counts one failed authentication of host.
func (f *authFailures) add(host string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	w, ok := f.windows[host]
	if !ok || now.Sub(w.start) >= authFailureWindow {
		if len(f.windows) >= maxAuthFailureHosts {
			// Bounded memory: forgetting every window errs towards letting
			// a client try again, never towards blocking one wrongly.
			f.windows = map[string]failureWindow{}
		}
		w = failureWindow{start: now}
	}
	w.count++
	f.windows[host] = w
}

// limit rejects clients with too many failed authentications with 429
// before they reach next, and counts the 401 responses of next as failures.
func (f *authFailures) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if blocked, wait := f.blocked(host); blocked {
			seconds := int((wait + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(seconds))
			errcode.WriteHTTP(w, http.StatusTooManyRequests, &errcode.Error{
				Code:       errcode.LimitExceeded,
				Message:    fmt.Sprintf("%d failed authentications from this client within %s; retry in %d s with a valid API key", maxAuthFailures, authFailureWindow, seconds),
				Extensions: map[string]any{"limit": "authFailures", "max": maxAuthFailures, "retryAfterSeconds": seconds},
			})
			return
		}
		rec := &authStatusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized {
			f.add(host)
		}
	})
}

// authStatusWriter records the status code and passes flushes through, so
// streaming routes behind it keep streaming.
type authStatusWriter struct {
	http.ResponseWriter
	status int
}

func (w *authStatusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *authStatusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
