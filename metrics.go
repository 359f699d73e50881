package main

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/shopsight/shopsight/storage"
)

// maxOperationLabels bounds the distinct GraphQL operation names used as
// metric labels; later names are counted as "other", because clients choose
// operation names and an unbounded label set would grow without limit.
const maxOperationLabels = 200

var operationNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// serverMetrics are the Prometheus metrics of the HTTP server and the store.
type serverMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	http     *prometheus.CounterVec
	imported *prometheus.CounterVec

	mu    sync.Mutex
	names map[string]bool
}

func newServerMetrics(store *storage.Store) *serverMetrics {
	m := &serverMetrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shopsight_graphql_requests_total",
			Help: "GraphQL operations by operation name and outcome (ok or an error code).",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "shopsight_graphql_request_duration_seconds",
			Help:    "GraphQL operation latency in seconds by operation name.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"operation"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shopsight_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		imported: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shopsight_import_records_total",
			Help: "Records written by imports and demo generation in this process, by kind.",
		}, []string{"kind"}),
		names: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.http, m.imported,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if store != nil {
		m.registry.MustRegister(newStoreCollector(store))
	}
	return m
}

// operationLabel returns name when it is a plain identifier within the
// label budget, "anonymous" for an empty name and "other" otherwise.
func (m *serverMetrics) operationLabel(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !operationNamePattern.MatchString(name) {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperationLabels {
		return "other"
	}
	m.names[name] = true
	return name
}

// observeOperation records one GraphQL operation; code is "" on success.
func (m *serverMetrics) observeOperation(name string, d time.Duration, code string) {
	label := m.operationLabel(name)
	outcome := code
	if outcome == "" {
		outcome = "ok"
	}
	m.requests.WithLabelValues(label, outcome).Inc()
	m.latency.WithLabelValues(label).Observe(d.Seconds())
}

// storeCollector reports record counts and on-disk size at scrape time.
type storeCollector struct {
	store   *storage.Store
	records *prometheus.Desc
	size    *prometheus.Desc
}

func newStoreCollector(s *storage.Store) *storeCollector {
	return &storeCollector{
		store:   s,
		records: prometheus.NewDesc("shopsight_store_records", "Records in the store by kind.", []string{"kind"}, nil),
		size:    prometheus.NewDesc("shopsight_store_size_bytes", "Disk space the store uses by part, from allocated blocks: lsm (.sst files) or vlog (.vlog files).", []string{"part"}, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.records
	ch <- c.size
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if counts, err := c.store.Counts(ctx); err == nil {
		for kind, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.records, prometheus.GaugeValue, float64(n), string(kind))
		}
	}
	lsm, vlog := c.store.Size()
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(lsm), "lsm")
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(vlog), "vlog")
}
