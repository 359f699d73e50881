package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/shopsight/shopsight/ml/recommend/eval"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
)

// evalModelNames maps the --models names to the model names of package
// eval. popularity and hybrid map to "" because eval always scores them.
func evalModelNames() map[string]string {
	return map[string]string{
		"als": "als", "bpr": "bpr", "itemknn": "itemknn",
		"bought_together": "bought_together", "fbt": "bought_together",
		"trending": "trending", "popularity": "", "hybrid": "",
	}
}

func runEvalRecommend(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "eval recommend",
		"eval recommend (--interactions FILE [--format F] [--split S | --test FILE] [--models LIST] | --data DIR [--split S]) [--k N] [--seed N] [flags]")
	var lf logFlags
	lf.register(fs)
	interactions := fs.String("interactions", "", "interaction file to train and test on")
	formatName := fs.String("format", "interactions", "format of --interactions and --test: interactions (user_id,item_id,timestamp[,event]), movielens (u.data) or taobao (UserBehavior.csv)")
	splitName := fs.String("split", "time:0.8", "train/test split: time:F (earliest share F by time trains), random:F (share F of each user's rows, seeded) or leave-last-out")
	testFile := fs.String("test", "", "test file in --format; --interactions then trains on all of its rows, and --split is not used")
	dataDir := fs.String("data", "", "store directory whose orders and events to evaluate, instead of --interactions")
	k := fs.Int("k", 10, "ranking cut-off: metrics score the top k items")
	models := fs.String("models", "als,bpr,itemknn,popularity,hybrid", "models evaluated from --interactions, comma-separated: als, bpr, itemknn, bought_together, trending, popularity, hybrid. The hybrid blends the listed models; popularity and hybrid are always evaluated")
	seed := fs.Uint64("seed", 1, "seed of the random split and of the ALS and BPR initialisation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *k <= 0 || *k > service.MaxK {
		return fmt.Errorf("invalid --k %d: use 1 to %d", *k, service.MaxK)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: eval recommend takes only flags", fs.Arg(0))
	}
	switch {
	case *interactions != "" && *dataDir != "":
		return errors.New("both --interactions and --data are set: evaluate either an interaction file or a store")
	case *dataDir != "":
		if set["test"] || set["models"] || set["format"] {
			return errors.New("--test, --models and --format apply to --interactions only; with --data, pass --split, --k and --seed")
		}
		split, err := parseSplit(*splitName, *seed)
		if err != nil {
			return err
		}
		return evalRecommendStore(ctx, a, logger, *dataDir, split, *k, *seed)
	case *interactions == "":
		return errors.New("missing input: pass --interactions FILE or --data DIR")
	case *testFile != "" && set["split"]:
		return errors.New("both --split and --test are set: --test gives the test set, so drop --split")
	}
	return evalRecommendFile(ctx, a, *interactions, *testFile, *formatName, *splitName, *models, *k, *seed)
}

// evalRecommendFile evaluates the models of package eval on an interaction
// file, split by splitName or tested against testFile.
func evalRecommendFile(ctx context.Context, a *app, trainFile, testFile, formatName, splitName, models string, k int, seed uint64) error {
	format, err := eval.ParseFormat(formatName)
	if err != nil {
		return err
	}
	opts, err := evalOptions(models, k, seed)
	if err != nil {
		return err
	}
	var table *eval.Table
	var protocol string
	if testFile != "" {
		protocol = fmt.Sprintf("protocol: train on every row of %s, test on %s", trainFile, testFile)
		if table, err = eval.EvaluateFiles(ctx, trainFile, testFile, format, opts); err != nil {
			return err
		}
	} else {
		split, err := parseSplit(splitName, seed)
		if err != nil {
			return err
		}
		protocol = "protocol: " + describeSplit(split) + " of " + trainFile
		data, err := eval.ReadFile(trainFile, format)
		if err != nil {
			return err
		}
		if table, err = eval.EvaluateSplit(ctx, data, split, opts); err != nil {
			return err
		}
	}
	fmt.Fprintln(a.stdout, protocol)
	fmt.Fprintln(a.stdout, rankingProtocol(k, "interactions"))
	return table.WriteText(a.stdout)
}

func parseSplit(name string, seed uint64) (eval.Split, error) {
	split, err := eval.ParseSplit(name)
	if err != nil {
		return eval.Split{}, fmt.Errorf("invalid --split: %w", err)
	}
	split.Seed = seed
	return split, nil
}

// evalOptions builds the evaluation options for the --models list. The
// hybrid keeps its default weights for the listed models only.
func evalOptions(list string, k int, seed uint64) (eval.Options, error) {
	opts := eval.DefaultOptions()
	opts.K = k
	opts.ALS = opts.ALS.WithSeed(seed)
	opts.BPR = opts.BPR.WithSeed(seed)
	opts.Models = []string{}
	listed := make(map[string]bool)
	names := evalModelNames()
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		model, ok := names[name]
		if !ok {
			return eval.Options{}, fmt.Errorf("invalid --models entry %q: use %s", name, strings.Join(slices.Sorted(maps.Keys(names)), ", "))
		}
		if model != "" && !listed[model] {
			listed[model] = true
			opts.Models = append(opts.Models, model)
		}
	}
	for name := range opts.HybridWeights {
		if !listed[name] {
			delete(opts.HybridWeights, name)
		}
	}
	return opts, nil
}

// describeSplit states what a split puts in the test set.
func describeSplit(s eval.Split) string {
	switch s.Kind {
	case eval.SplitTime:
		return fmt.Sprintf("split %s: the earliest %.0f%% of rows by time train, the rest is the test set,", s, 100*s.Fraction)
	case eval.SplitRandom:
		return fmt.Sprintf("split %s (seed %d): a random %.0f%% of each user's rows train, the rest is the test set,", s, s.Seed, 100*s.Fraction)
	}
	return fmt.Sprintf("split %s: each user's latest row is the test set, for users with two rows or more,", s)
}

// rankingProtocol states how rankings are scored, the same in package eval
// and in service.EvaluateStore.
func rankingProtocol(k int, relevant string) string {
	return fmt.Sprintf("each model ranks k=%d items per test user, excluding the user's training items; relevant items are the user's test %s not in training. "+
		"Metrics are averaged over those users; MAP divides by min(relevant, k); coverage is the share of training items recommended at least once.", k, relevant)
}

func evalRecommendStore(ctx context.Context, a *app, logger *slog.Logger, dir string, split eval.Split, k int, seed uint64) error {
	store, err := storage.Open(storage.DefaultOptions(dir).WithReadOnly(true).WithLogger(logger).WithMustExist(true))
	if err != nil {
		return err
	}
	defer store.Close()
	opts := service.DefaultOptions().WithLogger(logger)
	opts = opts.WithALS(opts.ALS.WithSeed(seed)).WithBPR(opts.BPR.WithSeed(seed))
	res, err := service.EvaluateStore(ctx, store, split, k, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "protocol: "+describeSplit(split)+" of the orders (purchases) and view and cart events in "+dir+";")
	if !res.TestFrom.IsZero() {
		fmt.Fprintf(a.stdout, "test purchases start at %s;\n", res.TestFrom.UTC().Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(a.stdout, rankingProtocol(k, "purchases")+" Each user is ranked in the region of their first test order.")
	for _, part := range []struct {
		title string
		table *eval.Table
	}{{"all test users", res.All}, {"returning users (with training history)", res.Returning}} {
		fmt.Fprintf(a.stdout, "\n%s:\n", part.title)
		if err := part.table.WriteText(a.stdout); err != nil {
			return err
		}
	}
	return nil
}
