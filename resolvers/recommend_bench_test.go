package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// BenchmarkRecommendationsQuery measures the latency of one
// `recommendations` request of 10 items with products and reasons on the
// demo shop at scale 1 (about 5,000 users and 30,000 orders) with a
// trained version: "graphql" over HTTP to an in-process server, "service"
// by calling Service.Recommend for comparison. Requests cycle through the
// demo's users in order. Each reports the 50th and 99th percentiles.
//
//	go test ./resolvers/ -run '^$' -bench RecommendationsQuery -benchtime 2000x
func BenchmarkRecommendationsQuery(b *testing.B) {
	store, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(discardLogger()))
	if err != nil {
		b.Fatalf("open in-memory store: %v", err)
	}
	defer store.Close()
	start := time.Now()
	if _, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(1), store); err != nil {
		b.Fatalf("generate demo data: %v", err)
	}
	generated := time.Since(start)
	svc := openRecommender(b, store, true)
	v, _ := svc.Version()
	b.Logf("demo generated in %s; trained %s in %s on %d users and %d items", generated.Round(time.Millisecond),
		v.ID, v.Duration.Round(time.Millisecond), v.Users, v.Items)

	var users []string
	err = store.EachUser(context.Background(), storage.UserFilter{}, func(u *storage.User) error {
		users = append(users, u.ID)
		return nil
	})
	if err != nil || len(users) == 0 {
		b.Fatalf("list users: %d users, %v", len(users), err)
	}

	b.Run("graphql", func(b *testing.B) {
		h, err := NewHandler(store, DefaultOptions().WithLogger(discardLogger()).WithRecommender(svc))
		if err != nil {
			b.Fatalf("NewHandler: %v", err)
		}
		srv := httptest.NewServer(auth.Open(h))
		defer srv.Close()
		bodies := make([][]byte, len(users))
		for i, u := range users {
			bodies[i], _ = json.Marshal(map[string]any{"query": recommendationsQuery, "variables": map[string]any{"user": u, "first": 10}})
		}
		var latencies []time.Duration
		for i := 0; b.Loop(); i++ {
			began := time.Now()
			res, err := http.Post(srv.URL, "application/json", bytes.NewReader(bodies[i%len(bodies)]))
			if err != nil {
				b.Fatalf("POST: %v", err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			latencies = append(latencies, time.Since(began))
			if err != nil || res.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
				b.Fatalf("request for user %s: status %d, body %s, err %v", users[i%len(users)], res.StatusCode, body, err)
			}
		}
		reportPercentiles(b, latencies)
	})

	b.Run("service", func(b *testing.B) {
		var latencies []time.Duration
		for i := 0; b.Loop(); i++ {
			began := time.Now()
			if _, err := svc.Recommend(context.Background(), users[i%len(users)], 10, service.RecContext{}); err != nil {
				b.Fatalf("Recommend for user %s: %v", users[i%len(users)], err)
			}
			latencies = append(latencies, time.Since(began))
		}
		reportPercentiles(b, latencies)
	})
}

func reportPercentiles(b *testing.B, latencies []time.Duration) {
	slices.Sort(latencies)
	percentile := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(percentile(0.50), "p50_ms")
	b.ReportMetric(percentile(0.99), "p99_ms")
}
