package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
)

// trainCommand trains models on the records of a store.
func trainCommand() command {
	return command{
		name:    "train",
		summary: "train models on the store: train recommend",
		run: func(ctx context.Context, a *app, args []string) error {
			return runTarget(ctx, a, "train", trainTargets(), args)
		},
	}
}

// trainTargets lists the targets of "shopsight train".
func trainTargets() []target {
	return []target{
		{name: "recommend", summary: "train the recommendation models and make them the serving version", run: runTrainRecommend},
	}
}

func runTrainRecommend(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "train recommend", "train recommend --data DIR [--model als|bpr] [--keep N] [--now TIME] [flags]")
	var lf logFlags
	lf.register(fs)
	dataDir := fs.String("data", "", "store directory to train on (required; no default)")
	model := fs.String("model", service.ModelALS, "collaborative factor model: als or bpr")
	keep := fs.Int("keep", 2, "number of trained versions kept in the store, the new one included")
	now := fs.String("now", "", "reference time of decay and trending windows, RFC 3339 (default: the newest order or event)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		return errMissingData
	}
	opts := service.DefaultOptions().WithModel(*model).WithKeep(*keep).WithLogger(logger)
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return fmt.Errorf("invalid --now %q: use RFC 3339, such as 2018-08-31T00:00:00Z", *now)
		}
		opts = opts.WithNow(t)
	}
	store, err := storage.Open(storeOptions(*dataDir, logger).WithMustExist(true))
	if err != nil {
		return err
	}
	defer closeStore(store, logger)

	lastStage := ""
	v, err := service.Train(ctx, store, opts, func(stage string, done, total int) {
		switch {
		case stage != lastStage:
			fmt.Fprintf(a.stderr, "train recommend: %s\n", stage)
			lastStage = stage
		case stage == service.StageLoad || stage == service.StageSave:
			fmt.Fprintf(a.stderr, "train recommend: %s %d/%d\n", stage, done, total)
		}
	})
	if errors.Is(err, service.ErrNoInteractions) {
		return fmt.Errorf("%w (store %s)", err, *dataDir)
	}
	if err != nil {
		return err
	}
	size := 0
	for _, b := range v.Blobs {
		size += b.Size
	}
	fmt.Fprintf(a.stdout, "version %s: %s model, %d interactions, %d session events, %d users, %d items, %d model bytes, trained in %v\n",
		v.ID, v.Model, v.Interactions, v.Sessions, v.Users, v.Items, size, v.Duration.Round(time.Millisecond))
	return nil
}
