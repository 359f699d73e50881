package ratelimit

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

type errorBody struct {
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) (string, map[string]any) {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || len(b.Errors) != 1 {
		t.Fatalf("body %q is not one GraphQL error: %v", rec.Body.String(), err)
	}
	return b.Errors[0].Message, b.Errors[0].Extensions
}

// echo returns the request body.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "text/plain")
	w.Write(b)
})

func newLimiter(t *testing.T, opts Options) *Limiter {
	t.Helper()
	l, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l
}

func TestLimitBody(t *testing.T) {
	l := newLimiter(t, DefaultOptions().WithMaxBodyBytes(10))
	h := l.LimitBody(echo)
	cases := []struct {
		name          string
		body          string
		contentLength int64 // -1: unknown, as with chunked encoding
		wantStatus    int
	}{
		{"at the limit", "0123456789", 10, http.StatusOK},
		{"declared over the limit", "0123456789a", 11, http.StatusRequestEntityTooLarge},
		{"chunked over the limit", "0123456789a", -1, http.StatusRequestEntityTooLarge},
		{"chunked at the limit", "0123456789", -1, http.StatusOK},
		{"empty", "", 0, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tc.body))
			req.ContentLength = tc.contentLength
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusOK {
				if rec.Body.String() != tc.body {
					t.Errorf("handler read %q, want %q", rec.Body.String(), tc.body)
				}
				return
			}
			msg, ext := decode(t, rec)
			if ext["code"] != "LIMIT_EXCEEDED" || ext["limit"] != "bodySize" || ext["max"] != float64(10) {
				t.Errorf("extensions = %v, want LIMIT_EXCEEDED bodySize max 10", ext)
			}
			if !strings.Contains(msg, "10 bytes") {
				t.Errorf("message %q does not name the limit", msg)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	opts := DefaultOptions().WithRate(2).WithBurst(3)
	opts.now = clock.now
	h := newLimiter(t, opts).RateLimit(echo)
	send := func(addr string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	for i := range 3 {
		if rec := send("192.0.2.1:1000"); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: status %d", i+1, rec.Code)
		}
	}
	rec := send("192.0.2.1:1001")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("request over the burst: status %d, want 429", rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1 (a token every 0.5 s)", got)
	}
	_, ext := decode(t, rec)
	if ext["code"] != "LIMIT_EXCEEDED" || ext["limit"] != "rate" || ext["retryAfterSeconds"] != float64(1) {
		t.Errorf("extensions = %v, want LIMIT_EXCEEDED rate retryAfterSeconds 1", ext)
	}
	if rec := send("192.0.2.2:1000"); rec.Code != http.StatusOK {
		t.Errorf("another client: status %d, want 200", rec.Code)
	}

	clock.t = clock.t.Add(500 * time.Millisecond)
	if rec := send("192.0.2.1:1000"); rec.Code != http.StatusOK {
		t.Errorf("after one refill interval: status %d, want 200", rec.Code)
	}
	if rec := send("192.0.2.1:1000"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("refill gave more than one token: status %d, want 429", rec.Code)
	}
}

func TestRateLimitBoundsClients(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	opts := DefaultOptions().WithRate(1).WithBurst(1).WithMaxClients(10).
		WithClientID(func(r *http.Request) string { return r.Header.Get("X-Client") })
	opts.now = clock.now
	l := newLimiter(t, opts)
	h := l.RateLimit(echo)
	for i := range 100 {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Client", strings.Repeat("c", i+1))
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if n := l.buckets.size(); n > 11 {
		t.Errorf("%d buckets after 100 clients, want at most MaxClients + 1 overflow = 11", n)
	}
	clock.t = clock.t.Add(2 * time.Second)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Client", "new")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("new client after idle buckets refilled: status %d, want 200", rec.Code)
	}
	if n := l.buckets.size(); n > 2 {
		t.Errorf("%d buckets after the sweep, want the idle ones dropped", n)
	}
}

func TestTimeout(t *testing.T) {
	l := newLimiter(t, DefaultOptions().WithTimeout(50*time.Millisecond))
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		w.Write([]byte("too late"))
	})
	rec := httptest.NewRecorder()
	l.Timeout(slow).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	msg, ext := decode(t, rec)
	if ext["code"] != "LIMIT_EXCEEDED" || ext["limit"] != "timeout" {
		t.Errorf("extensions = %v, want LIMIT_EXCEEDED timeout", ext)
	}
	if !strings.Contains(msg, "50ms") {
		t.Errorf("message %q does not name the limit", msg)
	}

	rec = httptest.NewRecorder()
	l.Timeout(echo).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("fast")))
	if rec.Code != http.StatusOK || rec.Body.String() != "fast" || rec.Header().Get("Content-Type") != "text/plain" {
		t.Errorf("fast handler: %d %q %q, want 200 fast text/plain", rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
	}
}

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"zero body", DefaultOptions().WithMaxBodyBytes(0)},
		{"negative timeout", DefaultOptions().WithTimeout(-time.Second)},
		{"negative rate", DefaultOptions().WithRate(-1)},
		{"zero burst", DefaultOptions().WithBurst(0)},
		{"no clients", DefaultOptions().WithMaxClients(0)},
		{"no client id", DefaultOptions().WithClientID(nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.opts); err == nil {
				t.Error("New error = nil, want one")
			}
		})
	}
	if _, err := New(DefaultOptions().WithRate(0).WithBurst(0).WithTimeout(0)); err != nil {
		t.Errorf("New with rate limiting and timeout off: %v", err)
	}
}
