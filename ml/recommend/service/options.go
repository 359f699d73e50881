// Package service serves ShopSight's recommendations from the models of
// package recommend. It trains them on the records of a storage.Store,
// keeps versioned model blobs in the store's Badger database, switches
// serving to a new version atomically, and renders every recommendation
// with structured reasons and an English sentence.
package service

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/shopsight/shopsight/ml/recommend"
)

// Factor model names accepted by Options.Model.
const (
	ModelALS = "als"
	ModelBPR = "bpr"
)

// Trending windows. Each is measured back from the reference time: the
// newest interaction, or Options.Now when set.
const (
	Window24h = "24h"
	Window7d  = "7d"
	Window30d = "30d"
)

// Windows returns the trending windows in increasing length.
func Windows() []string { return []string{Window24h, Window7d, Window30d} }

// MaxK is the largest number of items one request may ask for.
const MaxK = 100

// Options sets training and serving. Start from DefaultOptions and change
// fields with the WithX methods.
type Options struct {
	// Model is the collaborative factor model: ModelALS or ModelBPR.
	Model string
	// Keep is the number of complete model versions kept in the store,
	// the serving one included.
	Keep int
	// Now is the reference time of time decay and trending windows. The
	// zero value means the newest interaction in the store.
	Now time.Time
	// Weights sets the event weights and the decay half-life.
	Weights recommend.WeightOptions
	ALS     recommend.ALSOptions
	BPR     recommend.BPROptions
	// Neighbors is the number of neighbours kept per item by the
	// co-purchase and co-view item-kNN models.
	Neighbors int
	// Shrink damps item-kNN similarities supported by few users or
	// sessions; see recommend.ItemKNNOptions.Shrink.
	Shrink  float64
	FBT     recommend.FBTOptions
	Session recommend.SessionOptions
	Text    recommend.TextOptions
	// Blend maps component names to their weights in Recommend: factors
	// (ALS or BPR), copurchase, session, bought_together, content,
	// trending (7-day window) and popular (all time), the last two in the
	// request's region. A missing name weighs 0.
	Blend map[string]float64
	// ExcludePurchased drops the items a user bought from Recommend.
	ExcludePurchased bool
	// ChunkSize is the largest Badger value written for one model blob, in
	// bytes. Larger blobs are split into chunks of this size.
	ChunkSize int
	Logger    *slog.Logger

	// afterProgress, when set, runs after every training progress report.
	// Tests use it to stop a training at an exact point.
	afterProgress func(stage string, done, total int)
}

// DefaultOptions returns ALS, keep 2 versions, event weights 1/3/5 for
// view/cart/purchase with a 90-day half-life, 50 neighbours per item with
// shrink 5, the package recommend defaults for every other model, excluding
// purchased items, and 512 KiB chunks. The blend weights favour the factor
// model. All-time popularity outweighs 7-day trending, because it scored
// higher on held-out purchases of the demo shop and of an Olist sample.
func DefaultOptions() Options {
	return Options{
		Model:     ModelALS,
		Keep:      2,
		Weights:   recommend.DefaultWeightOptions().WithHalfLife(90 * 24 * time.Hour),
		ALS:       recommend.DefaultALSOptions(),
		BPR:       recommend.DefaultBPROptions(),
		Neighbors: 50,
		Shrink:    5,
		FBT:       recommend.DefaultFBTOptions(),
		Session:   recommend.DefaultSessionOptions(),
		Text:      recommend.DefaultTextOptions(),
		Blend: map[string]float64{
			blendFactors: 1, blendCoPurchase: 0.5, blendSession: 0.8,
			blendBoughtTogether: 0.4, blendContent: 0.3, blendTrending: 0.2, blendPopular: 0.3,
		},
		ExcludePurchased: true,
		ChunkSize:        512 << 10,
		Logger:           slog.Default(),
	}
}

// Blend component names.
const (
	blendFactors        = "factors"
	blendCoPurchase     = "copurchase"
	blendSession        = "session"
	blendBoughtTogether = "bought_together"
	blendContent        = "content"
	blendTrending       = "trending"
	blendPopular        = "popular"
)

// WithModel sets the factor model, ModelALS or ModelBPR.
func (o Options) WithModel(name string) Options { o.Model = name; return o }

// WithKeep sets the number of complete versions kept.
func (o Options) WithKeep(n int) Options { o.Keep = n; return o }

// WithNow sets the reference time of decay and trending windows.
func (o Options) WithNow(t time.Time) Options { o.Now = t; return o }

// WithWeights sets the event weights and decay.
func (o Options) WithWeights(w recommend.WeightOptions) Options { o.Weights = w; return o }

// WithALS sets the ALS training options.
func (o Options) WithALS(a recommend.ALSOptions) Options { o.ALS = a; return o }

// WithBPR sets the BPR training options.
func (o Options) WithBPR(b recommend.BPROptions) Options { o.BPR = b; return o }

// WithNeighbors sets the neighbours kept per item by the item-kNN models.
func (o Options) WithNeighbors(n int) Options { o.Neighbors = n; return o }

// WithShrink sets the item-kNN shrinkage term.
func (o Options) WithShrink(s float64) Options { o.Shrink = s; return o }

// WithFBT sets the frequently-bought-together options.
func (o Options) WithFBT(f recommend.FBTOptions) Options { o.FBT = f; return o }

// WithSession sets the session model options.
func (o Options) WithSession(s recommend.SessionOptions) Options { o.Session = s; return o }

// WithBlend sets the component weights of Recommend.
func (o Options) WithBlend(weights map[string]float64) Options { o.Blend = weights; return o }

// WithExcludePurchased sets whether Recommend drops items the user bought.
func (o Options) WithExcludePurchased(v bool) Options { o.ExcludePurchased = v; return o }

// WithChunkSize sets the largest Badger value of one model blob chunk.
func (o Options) WithChunkSize(n int) Options { o.ChunkSize = n; return o }

// WithLogger sets the logger of training and loading.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

func (o Options) validate() error {
	if o.Model != ModelALS && o.Model != ModelBPR {
		return fmt.Errorf("invalid recommendation model %q: use %s or %s", o.Model, ModelALS, ModelBPR)
	}
	if o.Keep < 1 {
		return fmt.Errorf("invalid number of kept versions %d: keep at least 1", o.Keep)
	}
	if o.Neighbors < 1 {
		return fmt.Errorf("invalid item-kNN neighbours %d: must be at least 1", o.Neighbors)
	}
	if o.Shrink < 0 {
		return fmt.Errorf("invalid item-kNN shrink %v: must be >= 0", o.Shrink)
	}
	// Chunks stay below Badger's default value threshold of 1 MiB: an
	// in-memory Badger v4.9.6 database panics on a larger value, because it
	// has no value log to move it to.
	if o.ChunkSize < 1<<10 || o.ChunkSize >= 1<<20 {
		return fmt.Errorf("invalid chunk size %d bytes: use 1 KiB to 1023 KiB", o.ChunkSize)
	}
	for name, w := range o.Blend {
		switch name {
		case blendFactors, blendCoPurchase, blendSession, blendBoughtTogether, blendContent, blendTrending, blendPopular:
		default:
			return fmt.Errorf("invalid blend component %q: use factors, copurchase, session, bought_together, content, trending or popular", name)
		}
		if w < 0 {
			return fmt.Errorf("invalid blend weight %v for %s: must be >= 0", w, name)
		}
	}
	return nil
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.Default()
	}
	return o.Logger
}
