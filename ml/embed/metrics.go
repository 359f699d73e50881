package embed

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a Batcher request, the values of the outcome label.
const (
	outcomeOK         = "ok"
	outcomeError      = "error"
	outcomeCanceled   = "canceled"
	outcomeOverloaded = "overloaded"
	outcomeClosed     = "closed"
)

// batcherMetrics are the Prometheus metrics of one Batcher.
type batcherMetrics struct {
	batchSize     prometheus.Histogram
	batchDuration prometheus.Histogram
	tokens        prometheus.Counter
	queueWait     prometheus.Histogram
	queueLength   prometheus.Gauge
	requests      *prometheus.CounterVec
}

func newBatcherMetrics() *batcherMetrics {
	m := &batcherMetrics{
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "shopsight_embed_batch_size",
			Help:    "Texts per forward pass of the embedding batcher.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		batchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "shopsight_embed_batch_duration_seconds",
			Help:    "Time the embedding batcher spends on one batch, in seconds.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		tokens: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "shopsight_embed_tokens_total",
			Help: "Tokens embedded by the batcher, [CLS] and [SEP] included; rate() gives tokens per second.",
		}),
		queueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "shopsight_embed_queue_wait_seconds",
			Help:    "Time an embedding request waits from submission until its batch starts, in seconds.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
		queueLength: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "shopsight_embed_queue_length",
			Help: "Embedding requests submitted whose batch has not started.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shopsight_embed_requests_total",
			Help: "Embedding requests by outcome: ok, error, canceled, overloaded (queue full) or closed.",
		}, []string{"outcome"}),
	}
	for _, outcome := range []string{outcomeOK, outcomeError, outcomeCanceled, outcomeOverloaded, outcomeClosed} {
		m.requests.WithLabelValues(outcome)
	}
	return m
}

func (m *batcherMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.batchSize, m.batchDuration, m.tokens, m.queueWait, m.queueLength, m.requests}
}

// register adds every metric to reg. On failure it unregisters the ones
// already added, so the caller may retry with another registry.
func (m *batcherMetrics) register(reg prometheus.Registerer) error {
	var done []prometheus.Collector
	for _, c := range m.collectors() {
		if err := reg.Register(c); err != nil {
			for _, d := range done {
				reg.Unregister(d)
			}
			var already prometheus.AlreadyRegisteredError
			if errors.As(err, &already) {
				return fmt.Errorf("embed: register batcher metrics: %w; use one registry per batcher", err)
			}
			return fmt.Errorf("embed: register batcher metrics: %w", err)
		}
		done = append(done, c)
	}
	return nil
}

func (m *batcherMetrics) unregister(reg prometheus.Registerer) {
	for _, c := range m.collectors() {
		reg.Unregister(c)
	}
}
