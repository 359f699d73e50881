package search

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/index/hnsw"
)

// Options configures a Service. Start from DefaultOptions and change
// settings with the With methods.
type Options struct {
	// Fulltext configures the Bleve index.
	Fulltext fulltext.Options
	// HNSW configures the vector index when it is rebuilt. A loaded file
	// keeps the parameters it was built with.
	HNSW hnsw.Options
	// VectorModel is the model id of product vectors imported into the
	// store without a text model. It is used when the Service has no
	// encoder; with an encoder, the encoder's model id wins. Empty means
	// the model recorded in the saved vector index, if any.
	VectorModel string
	// PollInterval is how often Follow reads the change log.
	PollInterval time.Duration
	// ChangeBatch is the maximum number of change log entries read and
	// applied at once.
	ChangeBatch int
	// SaveInterval is the minimum time between two saves of the vector
	// index file while Follow applies changes. Close always saves.
	SaveInterval time.Duration
	// CandidateDepth is the minimum number of hits each source contributes
	// to a semantic or hybrid search before fusion and paging.
	CandidateDepth int
	// RRFK is the constant k of reciprocal rank fusion: score = Σ 1/(k + rank).
	RRFK float64
	// Weights are the default weights of weighted score fusion.
	Weights Weights
	// EmbedWorkers is the number of products embedded concurrently when
	// the vector index is rebuilt with an encoder.
	EmbedWorkers int
	Logger       *slog.Logger
}

// Weights are the weights of the keyword and vector scores in weighted
// fusion. They need not sum to 1.
type Weights struct {
	Keyword float64
	Vector  float64
}

// DefaultOptions returns Bleve's defaults, HNSW with M 16 and
// efConstruction 200 under cosine, a 500 ms poll of at most 1000 changes, a
// vector index save at most every 30 s, 100 candidates per source, RRF
// k = 60, equal fusion weights and 8 embedding workers.
func DefaultOptions() Options {
	return Options{
		Fulltext:       fulltext.DefaultOptions(),
		HNSW:           hnsw.DefaultOptions().WithMetric(hnsw.Cosine),
		PollInterval:   500 * time.Millisecond,
		ChangeBatch:    1000,
		SaveInterval:   30 * time.Second,
		CandidateDepth: 100,
		RRFK:           60,
		Weights:        Weights{Keyword: 0.5, Vector: 0.5},
		EmbedWorkers:   8,
		Logger:         slog.Default(),
	}
}

// WithFulltext sets the Bleve index options.
func (o Options) WithFulltext(f fulltext.Options) Options { o.Fulltext = f; return o }

// WithHNSW sets the options of a rebuilt vector index.
func (o Options) WithHNSW(h hnsw.Options) Options { o.HNSW = h; return o }

// WithVectorModel sets the model id of imported product vectors.
func (o Options) WithVectorModel(id string) Options { o.VectorModel = id; return o }

// WithPollInterval sets how often Follow reads the change log.
func (o Options) WithPollInterval(d time.Duration) Options { o.PollInterval = d; return o }

// WithChangeBatch sets the number of change log entries applied at once.
func (o Options) WithChangeBatch(n int) Options { o.ChangeBatch = n; return o }

// WithSaveInterval sets the minimum time between vector index saves.
func (o Options) WithSaveInterval(d time.Duration) Options { o.SaveInterval = d; return o }

// WithCandidateDepth sets the minimum number of hits per source before fusion.
func (o Options) WithCandidateDepth(n int) Options { o.CandidateDepth = n; return o }

// WithRRFK sets the constant k of reciprocal rank fusion.
func (o Options) WithRRFK(k float64) Options { o.RRFK = k; return o }

// WithWeights sets the default weights of weighted fusion.
func (o Options) WithWeights(w Weights) Options { o.Weights = w; return o }

// WithEmbedWorkers sets the number of concurrent product embeddings.
func (o Options) WithEmbedWorkers(n int) Options { o.EmbedWorkers = n; return o }

// WithLogger sets the logger of start-up, rebuilds and Follow.
func (o Options) WithLogger(l *slog.Logger) Options {
	o.Logger = l
	o.Fulltext = o.Fulltext.WithLogger(l)
	return o
}

func (o Options) validate() error {
	switch {
	case o.PollInterval <= 0:
		return fmt.Errorf("search: invalid poll interval %s: must be positive", o.PollInterval)
	case o.ChangeBatch < 1:
		return fmt.Errorf("search: invalid change batch %d: must be at least 1", o.ChangeBatch)
	case o.SaveInterval < 0:
		return fmt.Errorf("search: invalid save interval %s: must not be negative", o.SaveInterval)
	case o.CandidateDepth < 1 || o.CandidateDepth > fulltext.MaxSize:
		return fmt.Errorf("search: invalid candidate depth %d: use 1 to %d", o.CandidateDepth, fulltext.MaxSize)
	case !(o.RRFK > 0):
		return fmt.Errorf("search: invalid RRF k %v: must be positive, typically 60", o.RRFK)
	case o.EmbedWorkers < 1:
		return fmt.Errorf("search: invalid embed workers %d: must be at least 1", o.EmbedWorkers)
	}
	return o.Weights.validate()
}

func (w Weights) validate() error {
	if !(w.Keyword >= 0) || !(w.Vector >= 0) || w.Keyword+w.Vector == 0 {
		return fmt.Errorf("search: invalid fusion weights keyword %v, vector %v: use non-negative weights, not both 0", w.Keyword, w.Vector)
	}
	return nil
}
