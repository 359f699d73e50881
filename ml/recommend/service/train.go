package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/storage"
)

// Blob names of a version.
const (
	blobCoPurchase = "copurchase"
	blobCoView     = "coview"
	blobFBT        = "fbt"
	blobPopular    = "popularity"
	blobHistories  = "histories"
	blobText       = "text"
	trendingPrefix = "trending_"
)

// Training stages, in order, as reported to the progress function.
const (
	StageLoad       = "load"
	StageDataset    = "dataset"
	StageFactors    = "factors"
	StageCoPurchase = "copurchase"
	StageCoView     = "coview"
	StageFBT        = "bought_together"
	StagePopularity = "popularity"
	StageContent    = "content"
	StageSave       = "save"
)

// ProgressFunc receives training progress. Within the load stage, done
// counts the orders and events read and total is their number in the store.
// Within the save stage, done and total count model blobs. Other stages
// report 0 of 1 when they start and 1 of 1 when they end.
type ProgressFunc func(stage string, done, total int)

// ErrNoInteractions reports a store without orders or behaviour events.
var ErrNoInteractions = errors.New("no orders or behaviour events to train on")

// trendingWindows pairs each trending window with the baseline period its
// rate is compared against.
func trendingWindows() []struct {
	name             string
	window, baseline time.Duration
} {
	const day = 24 * time.Hour
	return []struct {
		name             string
		window, baseline time.Duration
	}{
		{Window24h, day, 7 * day},
		{Window7d, 7 * day, 28 * day},
		{Window30d, 30 * day, 90 * day},
	}
}

// models is one set of trained models in memory. A bootstrap set, computed
// when the store has no version, holds only popularity, trending and
// histories.
type models struct {
	// factors is an *recommend.ALS or *recommend.BPR, or nil.
	factors    recommend.Scorer
	copurchase *recommend.ItemKNN
	// coview is nil when the store has no behaviour events.
	coview    *recommend.ItemKNN
	fbt       *recommend.FBT
	trending  map[string]*recommend.Popularity
	popular   *recommend.Popularity
	histories *recommend.Histories
	text      *recommend.TextIndex
}

// Train trains every model on the records of store and commits them as a
// new version, which becomes current. It then deletes the oldest versions
// beyond opts.Keep. progress may be nil. When ctx is cancelled, the
// current version stays and the blobs written so far remain as a partial
// version, which the next Open deletes.
//
// Train must not run twice at once on one store; Service.StartTraining
// enforces that.
func Train(ctx context.Context, store *storage.Store, opts Options, progress ProgressFunc) (Version, error) {
	v, _, err := train(ctx, store, opts, progress)
	return v, err
}

func train(ctx context.Context, store *storage.Store, opts Options, progress ProgressFunc) (Version, *models, error) {
	if err := opts.validate(); err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	started := time.Now()
	counts, err := store.Counts(ctx)
	if err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	total := int(counts[storage.KindOrder] + counts[storage.KindEvent])
	progress(StageLoad, 0, total)
	data, err := loadInteractions(ctx, store, func(done int) { progress(StageLoad, done, total) })
	if err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	cat, err := loadCatalog(ctx, store)
	if err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	progress(StageLoad, total, total)
	if len(data.users) == 0 {
		return Version{}, nil, fmt.Errorf("train recommendations: %w; import orders or events first", ErrNoInteractions)
	}

	m, ds, err := trainModels(ctx, data, cat, opts, progress)
	if err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	v := Version{
		ID:           time.Now().UTC().Format(versionIDLayout),
		CreatedAt:    time.Now().UTC(),
		Reference:    ds.Reference,
		Model:        opts.Model,
		Interactions: len(data.users),
		Sessions:     len(data.sessions),
		Users:        ds.Users.Len(),
		Items:        ds.Items.Len(),
	}
	blobs, err := m.marshal(opts.Model)
	if err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	progress(StageSave, 0, len(blobs))
	db := store.DB()
	v.Blobs, err = writeBlobs(ctx, db, v.ID, blobs, opts.ChunkSize, func(done int) { progress(StageSave, done, len(blobs)) })
	if err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	v.Duration = time.Since(started)
	if err := commitVersion(db, v); err != nil {
		return Version{}, nil, fmt.Errorf("train recommendations: %w", err)
	}
	deleted, err := prune(db, v.ID, opts.Keep)
	if err != nil {
		// The new version is committed, so serving can use it; pruning is
		// retried after the next training.
		opts.logger().Error("pruning old recommendation versions failed", "version", v.ID, "err", err)
	}
	opts.logger().Info("recommendation models trained", "version", v.ID, "model", v.Model,
		"interactions", v.Interactions, "sessions", v.Sessions, "users", v.Users, "items", v.Items,
		"seconds", v.Duration.Seconds(), "pruned", deleted)
	return v, m, nil
}

// trainModels trains every model of a version on data.
func trainModels(ctx context.Context, data *interactions, cat *catalog, opts Options, progress ProgressFunc) (*models, *recommend.Dataset, error) {
	step := func(stage string, fn func() error) error {
		progress(stage, 0, 1)
		if err := fn(); err != nil {
			return fmt.Errorf("stage %s: %w", stage, err)
		}
		progress(stage, 1, 1)
		return nil
	}
	weights := opts.Weights.WithReference(opts.Now)
	var ds, sessions *recommend.Dataset
	m := &models{trending: make(map[string]*recommend.Popularity)}
	err := step(StageDataset, func() (err error) {
		if ds, err = recommend.NewDataset(data.users, weights); err != nil {
			return err
		}
		m.histories = recommend.NewHistories(ds)
		if len(data.sessions) > 0 {
			// Sessions share the reference time, so one decay applies to both.
			sessions, err = recommend.NewDataset(data.sessions, weights.WithReference(ds.Reference))
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	steps := []struct {
		stage string
		fn    func() error
	}{
		{StageFactors, func() (err error) { m.factors, err = trainFactors(ctx, ds, opts); return err }},
		{StageCoPurchase, func() (err error) {
			m.copurchase, err = recommend.TrainItemKNN(ctx, ds, recommend.DefaultItemKNNOptions().
				WithNeighbors(opts.Neighbors).WithShrink(opts.Shrink).WithMinEvent(recommend.EventPurchase).WithName(blobCoPurchase))
			return err
		}},
		{StageCoView, func() (err error) {
			if sessions == nil {
				return nil
			}
			m.coview, err = recommend.TrainItemKNN(ctx, sessions, recommend.DefaultItemKNNOptions().
				WithNeighbors(opts.Neighbors).WithShrink(opts.Shrink).WithMinEvent(recommend.EventView).WithName(blobCoView))
			return err
		}},
		{StageFBT, func() (err error) { m.fbt, err = recommend.TrainFBT(ctx, ds, opts.FBT); return err }},
		{StagePopularity, func() error { return trainPopularity(ctx, ds, m) }},
		{StageContent, func() (err error) { m.text, err = recommend.NewTextIndex(cat.texts, opts.Text); return err }},
	}
	for _, s := range steps {
		if err := step(s.stage, s.fn); err != nil {
			return nil, nil, err
		}
	}
	return m, ds, nil
}

func trainFactors(ctx context.Context, ds *recommend.Dataset, opts Options) (recommend.Scorer, error) {
	if opts.Model == ModelBPR {
		return recommend.TrainBPR(ctx, ds, opts.BPR)
	}
	return recommend.TrainALS(ctx, ds, opts.ALS)
}

// trainPopularity fills the trending models of every window and the
// all-time popularity model.
func trainPopularity(ctx context.Context, ds *recommend.Dataset, m *models) error {
	for _, w := range trendingWindows() {
		p, err := recommend.TrainPopularity(ctx, ds, recommend.DefaultPopularityOptions().
			WithWindow(w.window).WithBaseline(w.baseline).WithTrending(true))
		if err != nil {
			return fmt.Errorf("trending over %s: %w", w.name, err)
		}
		m.trending[w.name] = p
	}
	var err error
	m.popular, err = recommend.TrainPopularity(ctx, ds, recommend.DefaultPopularityOptions().WithTrending(false))
	return err
}
