package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
)

// trainingLogInterval is how often the demo checks the progress of its
// background training. It logs only when the stage changes.
const trainingLogInterval = time.Second

// openRecommender opens the recommendation service over store. Without a
// trained version the service serves popularity computed from the store.
func openRecommender(ctx context.Context, store *storage.Store, logger *slog.Logger) (*service.Service, error) {
	return service.Open(ctx, store, service.DefaultOptions().WithLogger(logger))
}

// closeRecommender stops a running training and waits for it.
func closeRecommender(svc *service.Service, logger *slog.Logger) {
	if err := svc.Close(); err != nil {
		logger.Error("closing recommendation service failed", "err", err)
		return
	}
	logger.Info("recommendation service closed")
}

// startTraining starts a background training of svc and logs its stages
// until it ends or ctx is done. The training stops when ctx is cancelled.
func startTraining(ctx context.Context, svc *service.Service, logger *slog.Logger) error {
	if err := svc.StartTraining(ctx); err != nil {
		return err
	}
	logger.Info("recommendation training started")
	go logTraining(ctx, svc, logger, trainingLogInterval)
	return nil
}

// logTraining logs each new stage of the running training, then its
// result: the new version or the error.
func logTraining(ctx context.Context, svc *service.Service, logger *slog.Logger, every time.Duration) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	stage := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		st := svc.Status()
		if st.Stage != stage {
			stage = st.Stage
			logger.Info("recommendation training progress", "stage", st.Stage, "done", st.Done, "total", st.Total)
		}
		if st.Running {
			continue
		}
		if st.LastError != "" {
			logger.Error("recommendation training failed; the previous models keep serving", "err", st.LastError)
			return
		}
		v, _ := svc.Version()
		logger.Info("recommendation training finished; the new models are serving",
			"version", v.ID, "seconds", v.Duration.Seconds(), "users", v.Users, "items", v.Items)
		return
	}
}
