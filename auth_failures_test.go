package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestAuthFailuresBlockAfterLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newAuthFailures(func() time.Time { return now })
	valid := "good"
	h := f.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != valid {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	send := func(auth, addr string) int {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = addr
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}

	for i := range maxAuthFailures {
		if code := send("bad", "10.0.0.1:1000"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, code)
		}
	}
	if code := send("bad", "10.0.0.1:1001"); code != http.StatusTooManyRequests {
		t.Errorf("after %d failures: status %d, want 429", maxAuthFailures, code)
	}
	if code := send(valid, "10.0.0.1:1002"); code != http.StatusTooManyRequests {
		t.Errorf("valid key from a blocked client: status %d, want 429 until the window ends", code)
	}
	if code := send("bad", "10.0.0.2:1000"); code != http.StatusUnauthorized {
		t.Errorf("another client: status %d, want 401", code)
	}
	now = now.Add(authFailureWindow)
	if code := send(valid, "10.0.0.1:1003"); code != http.StatusOK {
		t.Errorf("after the window: status %d, want 200", code)
	}
}

func TestAuthFailuresSuccessNotCounted(t *testing.T) {
	f := newAuthFailures(time.Now)
	h := f.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for range maxAuthFailures * 2 {
		r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d for successful requests, want 200", w.Code)
		}
	}
}
