package lstm

import "fmt"

// Options configures training and forecasting. Build one with
// DefaultOptions and the WithX setters.
type Options struct {
	// Hidden is the size of the LSTM state.
	Hidden int
	// Window is the number of past values of the transformed series the
	// network reads for each one-step prediction.
	Window int
	// Epochs is the maximum number of passes over the training windows.
	Epochs int
	// LearningRate is the Adam step size.
	LearningRate float64
	// WeightDecay is the decoupled (AdamW) weight decay per step, applied
	// to the weight matrices but not to the biases.
	WeightDecay float64
	// BatchSize is the number of windows per gradient step.
	BatchSize int
	// Seed drives weight initialisation, shuffling and the simulated
	// paths, so the same seed and data give the same forecast.
	Seed uint64
	// Patience is the number of epochs without a lower validation loss
	// after which training stops.
	Patience int
	// Diff and SeasonalDiff are the numbers of regular and seasonal (lag
	// Series.Season) differences applied before scaling. Seasonal
	// differences are skipped when the season is <= 1.
	Diff, SeasonalDiff int
	// Paths is the number of simulated sample paths behind the prediction
	// intervals.
	Paths int
}

// DefaultOptions returns hidden size 16, window 28, at most 40 epochs,
// learning rate 0.005, weight decay 1e-4, batch size 32, seed 1,
// patience 5, one seasonal difference and no regular difference, and 200
// simulated paths.
func DefaultOptions() Options {
	return Options{
		Hidden:       16,
		Window:       28,
		Epochs:       40,
		LearningRate: 0.005,
		WeightDecay:  1e-4,
		BatchSize:    32,
		Seed:         1,
		Patience:     5,
		SeasonalDiff: 1,
		Paths:        200,
	}
}

// WithHidden returns a copy of o with LSTM state size n.
func (o Options) WithHidden(n int) Options { o.Hidden = n; return o }

// WithWindow returns a copy of o with an input window of n values.
func (o Options) WithWindow(n int) Options { o.Window = n; return o }

// WithEpochs returns a copy of o with at most n training epochs.
func (o Options) WithEpochs(n int) Options { o.Epochs = n; return o }

// WithLearningRate returns a copy of o with Adam step size lr.
func (o Options) WithLearningRate(lr float64) Options { o.LearningRate = lr; return o }

// WithWeightDecay returns a copy of o with decoupled weight decay wd.
func (o Options) WithWeightDecay(wd float64) Options { o.WeightDecay = wd; return o }

// WithBatchSize returns a copy of o with n windows per gradient step.
func (o Options) WithBatchSize(n int) Options { o.BatchSize = n; return o }

// WithSeed returns a copy of o with random seed seed.
func (o Options) WithSeed(seed uint64) Options { o.Seed = seed; return o }

// WithPatience returns a copy of o that stops after n epochs without
// improvement on the validation windows.
func (o Options) WithPatience(n int) Options { o.Patience = n; return o }

// WithDifferencing returns a copy of o with d regular and seasonalD
// seasonal differences.
func (o Options) WithDifferencing(d, seasonalD int) Options {
	o.Diff, o.SeasonalDiff = d, seasonalD
	return o
}

// WithPaths returns a copy of o with n simulated paths for the intervals.
func (o Options) WithPaths(n int) Options { o.Paths = n; return o }

// validate returns an error naming the first option out of range.
func (o Options) validate() error {
	checks := []struct {
		name string
		ok   bool
		hint string
	}{
		{"hidden size", o.Hidden >= 1, "use at least 1"},
		{"window", o.Window >= 1, "use at least 1"},
		{"epochs", o.Epochs >= 1, "use at least 1"},
		{"learning rate", o.LearningRate > 0, "use a positive value such as 0.005"},
		{"weight decay", o.WeightDecay >= 0, "use 0 or a positive value"},
		{"batch size", o.BatchSize >= 1, "use at least 1"},
		{"patience", o.Patience >= 1, "use at least 1"},
		{"differencing", o.Diff >= 0 && o.SeasonalDiff >= 0, "use 0 or more differences"},
		{"paths", o.Paths >= 10, "use at least 10"},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("lstm: invalid %s in options %+v: %s", c.name, o, c.hint)
		}
	}
	return nil
}
