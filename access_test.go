package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// TestKeysCommand creates, lists and revokes a key with the CLI.
func TestKeysCommand(t *testing.T) {
	ctx := context.Background()
	dir := newStoreDir(t)
	a, stdout, _ := newCapturingApp()
	if err := runMain(ctx, a, []string{"keys", "create", "--data", dir, "--name", "ops", "--role", "admin", "--log-level", "error"}); err != nil {
		t.Fatalf("keys create: %v", err)
	}
	key := strings.TrimSpace(stdout.String())
	id, _, err := auth.ParseKey(key)
	if err != nil {
		t.Fatalf("keys create printed %q, not a key: %v", key, err)
	}

	a, stdout, _ = newCapturingApp()
	if err := runMain(ctx, a, []string{"keys", "list", "--data", dir, "--log-level", "error"}); err != nil {
		t.Fatalf("keys list: %v", err)
	}
	if out := stdout.String(); !strings.Contains(out, id) || !strings.Contains(out, "ops") || !strings.Contains(out, "active") {
		t.Errorf("keys list = %q, want the id, name and status of the key", out)
	}
	if strings.Contains(stdout.String(), key[len(key)-64:]) {
		t.Error("keys list shows the secret")
	}

	a, _, _ = newCapturingApp()
	if err := runMain(ctx, a, []string{"keys", "revoke", "--data", dir, "--id", id, "--log-level", "error"}); err != nil {
		t.Fatalf("keys revoke: %v", err)
	}
	a, stdout, _ = newCapturingApp()
	if err := runMain(ctx, a, []string{"keys", "list", "--data", dir, "--log-level", "error"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "revoked") {
		t.Errorf("keys list after revoke = %q, want the key revoked", stdout.String())
	}

	a, _, _ = newCapturingApp()
	err = runMain(ctx, a, []string{"keys", "create", "--data", dir, "--name", "x", "--role", "root"})
	if err == nil || !strings.Contains(err.Error(), "invalid role") {
		t.Errorf("keys create --role root: error = %v, want invalid role", err)
	}
}

func TestKeysCommandOnHeldStore(t *testing.T) {
	dir := t.TempDir()
	s, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _, _ := newCapturingApp()
	err = runMain(context.Background(), a, []string{"keys", "list", "--data", dir})
	if !errors.Is(err, storage.ErrLocked) || !strings.Contains(err.Error(), "while a server holds the store") {
		t.Errorf("keys list on a held store: error = %v, want ErrLocked with the reason", err)
	}
}

func TestServeWithoutKeysFails(t *testing.T) {
	a, _, _ := newCapturingApp()
	err := runMain(context.Background(), a, []string{"serve", "--data", newStoreDir(t), "--addr", "127.0.0.1:0", "--log-level", "error"})
	if err == nil || !strings.Contains(err.Error(), "no active API key") || !strings.Contains(err.Error(), "--insecure-no-auth") {
		t.Errorf("serve on a store without keys: error = %v, want one naming keys create and --insecure-no-auth", err)
	}
}

// accessServer is runServer with API keys and tight rate limits.
type accessServer struct {
	url                  string
	store                *storage.Store
	viewer, admin, flood string
	client               *http.Client
}

func startAccessServer(t *testing.T) *accessServer {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := storage.Open(storage.DefaultOptions(t.TempDir()).WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, demo.DefaultConfig().WithScale(0.02), store); err != nil {
		t.Fatal(err)
	}

	s := &accessServer{store: store, client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{}}}
	keys := auth.NewKeys(store)
	for _, k := range []struct {
		dst  *string
		role auth.Role
	}{{&s.viewer, auth.RoleViewer}, {&s.admin, auth.RoleAdmin}, {&s.flood, auth.RoleViewer}} {
		if *k.dst, _, err = keys.Create(ctx, "test "+k.role.String(), k.role); err != nil {
			t.Fatal(err)
		}
	}

	flags := accessFlags{maxBodyBytes: 4096, timeout: 10 * time.Second, rate: 5, burst: 5}
	access, err := serveAccess(ctx, &flags, store, logger)
	if err != nil {
		t.Fatalf("serveAccess: %v", err)
	}

	ready := newReadiness("test")
	ready.setReady()
	serveCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	bound := make(chan net.Addr, 1)
	go func() {
		done <- runServer(serveCtx, serverParams{addr: "127.0.0.1:0", store: store, logger: logger, ready: ready, access: access,
			started: func(a net.Addr) { bound <- a }})
	}()

	select {
	case addr := <-bound:
		s.url = "http://" + addr.String()
	case err := <-done:
		t.Fatalf("runServer: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		s.client.CloseIdleConnections()
		store.Close()
	})
	return s
}

func (s *accessServer) do(t *testing.T, method, path, key, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

const countQuery = `{"query":"{ products(first: 1) { totalCount } }"}`

// TestAccessControlEndToEnd checks authentication, roles, limits and the
// online backup through real HTTP on loopback.
func TestAccessControlEndToEnd(t *testing.T) {
	s := startAccessServer(t)

	t.Run("no key", func(t *testing.T) {
		status, h, body := s.do(t, http.MethodPost, "/graphql", "", countQuery)
		if status != http.StatusUnauthorized || !strings.Contains(body, `"UNAUTHENTICATED"`) || h.Get("WWW-Authenticate") == "" {
			t.Errorf("POST /graphql without a key = %d %q, want 401 UNAUTHENTICATED with a challenge", status, body)
		}
	})
	t.Run("viewer queries", func(t *testing.T) {
		status, _, body := s.do(t, http.MethodPost, "/graphql", s.viewer, countQuery)
		if status != http.StatusOK || !strings.Contains(body, "totalCount") {
			t.Errorf("viewer query = %d %q, want 200 with data", status, body)
		}
	})
	t.Run("health needs no key", func(t *testing.T) {
		if status, _, _ := s.do(t, http.MethodGet, "/healthz", "", ""); status != http.StatusOK {
			t.Errorf("/healthz without a key = %d, want 200", status)
		}
	})
	t.Run("body too large", func(t *testing.T) {
		big := `{"query":"{ products(first: 1) { totalCount } }","x":"` + strings.Repeat("a", 5000) + `"}`
		status, _, body := s.do(t, http.MethodPost, "/graphql", s.viewer, big)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "4096 bytes") {
			t.Errorf("5 kB body = %d %q, want 413 naming the 4096-byte limit", status, body)
		}
	})
	t.Run("rate limit per key", func(t *testing.T) {
		var status int
		var h http.Header
		var body string
		for range 6 {
			status, h, body = s.do(t, http.MethodPost, "/graphql", s.flood, countQuery)
		}
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "retryAfterSeconds") {
			t.Errorf("6th request at burst 5 = %d %q, want 429 with Retry-After", status, body)
		}
		if status, _, _ := s.do(t, http.MethodPost, "/graphql", s.viewer, countQuery); status != http.StatusOK {
			t.Errorf("another key after the flood = %d, want 200", status)
		}
	})
	t.Run("backup needs admin", func(t *testing.T) {
		status, _, body := s.do(t, http.MethodGet, "/admin/backup", s.viewer, "")
		if status != http.StatusForbidden || !strings.Contains(body, `"FORBIDDEN"`) {
			t.Errorf("viewer GET /admin/backup = %d %q, want 403 FORBIDDEN", status, body)
		}
	})
	t.Run("online backup and restore", func(t *testing.T) { checkOnlineBackup(t, s) })
}

func checkOnlineBackup(t *testing.T, s *accessServer) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "shop.ssbak")
	a, stdout, _ := newCapturingApp()
	err := runMain(ctx, a, []string{"backup", "--url", s.url, "--key", s.admin, "--to", file, "--log-level", "error"})
	if err != nil {
		t.Fatalf("backup --url: %v", err)
	}
	if !strings.Contains(stdout.String(), "wrote backup "+file) {
		t.Errorf("backup output = %q, want the file name", stdout.String())
	}

	a, _, _ = newCapturingApp()
	err = runMain(ctx, a, []string{"backup", "--url", s.url, "--key", s.viewer, "--to", file + ".2"})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("backup --url with a viewer key: error = %v, want 403", err)
	}
	if _, statErr := os.Stat(file + ".2"); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("a failed backup left %s.2 behind", file)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	a, _, _ = newCapturingApp()
	if err := runMain(ctx, a, []string{"restore", "--from", file, "--data", dir}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	restored, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	want, _ := s.store.Checksum(ctx)
	got, err := restored.Checksum(ctx)
	if err != nil || got != want {
		t.Errorf("restored checksum = %s, %v; want the server's %s", got, err, want)
	}
	// The restored store carries the API keys too.
	if _, err := auth.NewKeys(restored).Authenticate(ctx, s.admin); err != nil {
		t.Errorf("admin key on the restored store: %v", err)
	}
}

func TestBackupOfflineOnHeldStore(t *testing.T) {
	dir := t.TempDir()
	s, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _, _ := newCapturingApp()
	err = runMain(context.Background(), a, []string{"backup", "--data", dir, "--to", filepath.Join(t.TempDir(), "b")})
	if !errors.Is(err, storage.ErrLocked) || !strings.Contains(err.Error(), "--url") {
		t.Errorf("offline backup of a held store: error = %v, want ErrLocked with the --url hint", err)
	}
}
