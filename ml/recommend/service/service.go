package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// ErrTrainingRunning reports a training request while one is running.
var ErrTrainingRunning = errors.New("recommendation training is already running")

// TrainingStatus is the state of background training.
type TrainingStatus struct {
	Running bool
	// Stage, Done and Total are the last progress report of the running
	// or last training; see ProgressFunc.
	Stage     string
	Done      int
	Total     int
	StartedAt time.Time
	// LastVersion is the id of the serving version, or "" while serving
	// bootstrap popularity.
	LastVersion string
	// LastError is the error of the last training or load, or "".
	LastError string
}

// Service serves recommendations from the current model version and
// retrains in the background. It is safe for concurrent use: requests read
// an immutable snapshot through an atomic pointer, so they never wait for
// training or reloading.
type Service struct {
	store *storage.Store
	opts  Options
	snap  atomic.Pointer[snapshot]

	mu     sync.Mutex // guards status and cancel
	status TrainingStatus
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open loads the current model version of store. It first deletes partial
// versions that an interrupted training left. Without a version, or when
// the current one cannot be decoded, it serves popularity and trending
// computed from the store's records, so a non-empty catalog always gets
// recommendations.
func Open(ctx context.Context, store *storage.Store, opts Options) (*Service, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("open recommendation service: %w", err)
	}
	log := opts.logger()
	db := store.DB()
	deleted, err := cleanPartial(db)
	if err != nil {
		return nil, fmt.Errorf("open recommendation service: %w", err)
	}
	if len(deleted) > 0 {
		log.Warn("deleted partial recommendation versions left by an interrupted training", "versions", deleted)
	}
	s := &Service{store: store, opts: opts}
	id, err := currentVersion(db)
	switch {
	case errors.Is(err, errNoVersion):
		log.Info("no trained recommendation models; serving popularity computed from the store")
	case err != nil:
		return nil, fmt.Errorf("open recommendation service: %w", err)
	default:
		snap, err := s.loadVersion(ctx, id)
		if err == nil {
			s.snap.Store(snap)
			s.status.LastVersion = id
			log.Info("recommendation models loaded", "version", id, "model", snap.version.Model, "items", snap.version.Items)
			return s, nil
		}
		log.Error("loading recommendation models failed; serving popularity computed from the store", "version", id, "err", err)
		s.status.LastError = err.Error()
	}
	snap, err := s.bootstrap(ctx)
	if err != nil {
		return nil, fmt.Errorf("open recommendation service: %w", err)
	}
	s.snap.Store(snap)
	return s, nil
}

func (s *Service) loadVersion(ctx context.Context, id string) (*snapshot, error) {
	v, blobs, err := readVersion(s.store.DB(), id)
	if err != nil {
		return nil, err
	}
	m, err := unmarshalModels(v, blobs)
	if err != nil {
		return nil, err
	}
	cat, err := loadCatalog(ctx, s.store)
	if err != nil {
		return nil, err
	}
	return newSnapshot(&v, m, cat, s.opts)
}

func (s *Service) bootstrap(ctx context.Context) (*snapshot, error) {
	m, err := bootstrapModels(ctx, s.store, s.opts)
	if err != nil {
		return nil, fmt.Errorf("compute bootstrap popularity: %w", err)
	}
	cat, err := loadCatalog(ctx, s.store)
	if err != nil {
		return nil, err
	}
	return newSnapshot(nil, m, cat, s.opts)
}

// Version returns the serving version, and false while serving bootstrap
// popularity.
func (s *Service) Version() (Version, bool) {
	snap := s.snap.Load()
	if snap.version == nil {
		return Version{}, false
	}
	return *snap.version, true
}

// Status returns the state of background training.
func (s *Service) Status() TrainingStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// StartTraining trains a new version in the background and serves it when
// done. Cancelling ctx or calling Close stops the training, and the
// current version keeps serving. Pass a long-lived context, not one of a
// request that ends before training does. It returns ErrTrainingRunning
// while a training runs.
func (s *Service) StartTraining(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status.Running {
		return fmt.Errorf("%w (started at %s, stage %s); wait for it to finish", ErrTrainingRunning,
			s.status.StartedAt.Format(time.RFC3339), s.status.Stage)
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.status = TrainingStatus{Running: true, StartedAt: time.Now().UTC(), LastVersion: s.status.LastVersion}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		s.runTraining(ctx)
	}()
	return nil
}

func (s *Service) runTraining(ctx context.Context) {
	progress := func(stage string, done, total int) {
		s.mu.Lock()
		s.status.Stage, s.status.Done, s.status.Total = stage, done, total
		s.mu.Unlock()
		if s.opts.afterProgress != nil {
			s.opts.afterProgress(stage, done, total)
		}
	}
	v, m, err := train(ctx, s.store, s.opts, progress)
	var snap *snapshot
	if err == nil {
		var cat *catalog
		if cat, err = loadCatalog(ctx, s.store); err == nil {
			snap, err = newSnapshot(&v, m, cat, s.opts)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.Running = false
	if err != nil {
		s.status.LastError = err.Error()
		s.opts.logger().Error("recommendation training failed; the previous version keeps serving", "err", err)
		return
	}
	s.snap.Store(snap)
	s.status.LastVersion = v.ID
	s.status.LastError = ""
}

// Wait blocks until the running training, if any, has finished.
func (s *Service) Wait() { s.wg.Wait() }

// Close stops a running training and waits for it. The store stays open.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}
