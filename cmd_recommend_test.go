package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// servingAddr matches the log line of serveHTTP that names the bound
// address.
var servingAddr = regexp.MustCompile(`msg=serving addr=(127\.0\.0\.1:\d+)`)

// commandServer is a serve or demo command running in the background.
type commandServer struct {
	*liveServer
	stderr *syncBuffer
}

// startCommand runs a serving command with args on 127.0.0.1 port 0 and
// returns once it listens. The command stops when the test ends, and the
// test fails unless it returns nil.
func startCommand(t *testing.T, args ...string) *commandServer {
	t.Helper()
	a, _, stderr := newCapturingApp()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runMain(ctx, a, append(args, "--addr", "127.0.0.1:0")) }()

	s := &commandServer{
		liveServer: &liveServer{cancel: cancel, done: done, client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{}}},
		stderr:     stderr,
	}
	deadline := time.Now().Add(20 * time.Second)
	for s.addr == "" {
		if m := servingAddr.FindStringSubmatch(stderr.String()); m != nil {
			s.addr, s.url = m[1], "http://"+m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("%s returned before listening: %v\n%s", args[0], err, stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("%s did not listen within 20 s:\n%s", args[0], stderr)
		}
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the command once and checks that it returns nil.
func (s *commandServer) stop(t *testing.T) {
	if s.done == nil {
		return
	}
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("command returned %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("command did not return within 30 s of the cancel")
	}
	s.done = nil
	s.client.CloseIdleConnections()
}

// waitReady polls /readyz until it returns 200.
func (s *commandServer) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if status, _, _ := s.fetch(t, "/readyz"); status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within %s:\n%s", timeout, s.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type recommendationStatus struct {
	Running     bool
	LastVersion *string
	LastError   *string
}

func (s *commandServer) recommendationStatus(t *testing.T) recommendationStatus {
	t.Helper()
	var data struct{ RecommendationStatus recommendationStatus }
	s.ok(t, `{ recommendationStatus { running lastVersion lastError } }`, nil, &data)
	return data.RecommendationStatus
}

// checkColdStart checks that an unknown user gets ten recommendations
// with reasons.
func (s *commandServer) checkColdStart(t *testing.T) {
	t.Helper()
	var data struct {
		Recommendations []struct {
			Product struct{ ID string }
			Reasons []struct{ Text string }
		}
	}
	s.ok(t, `{ recommendations(userId: "no-such-user") { product { id } reasons { text } } }`, nil, &data)
	if len(data.Recommendations) != 10 {
		t.Fatalf("recommendations for an unknown user: %d, want 10", len(data.Recommendations))
	}
	for _, r := range data.Recommendations {
		if r.Product.ID == "" || len(r.Reasons) == 0 || r.Reasons[0].Text == "" {
			t.Errorf("recommendation %+v, want a product and a reason with text", r)
		}
	}
}

func TestServeRecommendsWithoutTraining(t *testing.T) {
	dir := t.TempDir()
	store, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	if _, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.05), store); err != nil {
		t.Fatalf("generate demo data: %v", err)
	}
	if err := store.Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}

	s := startCommand(t, "serve", "--data", dir, "--insecure-no-auth")
	s.waitReady(t, 30*time.Second)
	s.checkColdStart(t)
	if st := s.recommendationStatus(t); st.Running || st.LastVersion != nil || st.LastError != nil {
		t.Errorf("status = %+v, want idle without a version or error", st)
	}
	s.stop(t)
	logs := s.stderr.String()
	for _, want := range []string{"no trained recommendation models", "recommendation service closed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("serve log lacks %q:\n%s", want, logs)
		}
	}
}

func TestDemoTrainsRecommendations(t *testing.T) {
	s := startCommand(t, "demo", "--scale", "0.05")

	// The demo starts training before it reports ready, so a ready demo
	// that is not training has finished its training.
	s.waitReady(t, 60*time.Second)
	deadline := time.Now().Add(60 * time.Second)
	for s.recommendationStatus(t).Running {
		if time.Now().After(deadline) {
			t.Fatalf("demo training still running after 60 s:\n%s", s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st := s.recommendationStatus(t); st.LastVersion == nil || st.LastError != nil {
		t.Fatalf("status after the demo's training = %+v, want a version and no error", st)
	}
	s.checkColdStart(t)

	// The progress logger polls once a second, so it may report the end
	// after the status does.
	for !strings.Contains(s.stderr.String(), "recommendation training finished") {
		if time.Now().After(deadline) {
			t.Fatalf("demo log lacks the end of training:\n%s", s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop(t)
	logs := s.stderr.String()
	for _, want := range []string{"recommendation training started", "recommendation training progress", "recommendation service closed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("demo log lacks %q:\n%s", want, logs)
		}
	}
}
