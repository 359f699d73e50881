package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzHandler sends requests with arbitrary remote addresses, bodies and
// declared lengths through every limit: the handler must never panic and
// must respond 200, 413 or 429 with a Retry-After of whole seconds.
func FuzzHandler(f *testing.F) {
	f.Add("192.0.2.1:1234", "{}", int64(2))
	f.Add("[::1]:80", strings.Repeat("x", 40), int64(-1))
	f.Add("no-port", "", int64(0))
	f.Add("", "abc", int64(1<<62))
	opts := DefaultOptions().WithMaxBodyBytes(32).WithRate(5).WithBurst(2).WithMaxClients(16).WithTimeout(time.Second)
	l, err := New(opts)
	if err != nil {
		f.Fatal(err)
	}
	h := l.Handler(echo)
	f.Fuzz(func(t *testing.T, remoteAddr, body string, contentLength int64) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.RemoteAddr = remoteAddr
		req.ContentLength = contentLength
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusRequestEntityTooLarge:
		case http.StatusTooManyRequests:
			if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
				t.Fatalf("Retry-After = %q, want whole seconds of at least 1", rec.Header().Get("Retry-After"))
			}
		default:
			t.Fatalf("status %d for remote %q, %d body bytes, Content-Length %d", rec.Code, remoteAddr, len(body), contentLength)
		}
	})
}

// FuzzRetryAfterSeconds checks the rounding for every duration, the
// negative and huge ones included.
func FuzzRetryAfterSeconds(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(-1))
	f.Add(int64(1<<63 - 1))
	f.Add(int64(1_500_000_000))
	f.Fuzz(func(t *testing.T, ns int64) {
		s := RetryAfterSeconds(time.Duration(ns))
		if s < 1 {
			t.Fatalf("RetryAfterSeconds(%d ns) = %d, want at least 1", ns, s)
		}
		if ns > 0 && time.Duration(s)*time.Second < time.Duration(ns) && s < 1<<31-1 {
			t.Fatalf("RetryAfterSeconds(%d ns) = %d s, shorter than the wait", ns, s)
		}
	})
}
