package lstm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
)

// validationFraction is the share of each series' most recent windows held
// out for early stopping and for the interval residuals.
const validationFraction = 0.1

// gradientClip bounds each gradient entry before the Adam update.
const gradientClip = 5

// windowRef is window k of series i.
type windowRef struct{ series, k int }

// trainStats describes a finished training run.
type trainStats struct {
	epochs      int     // epochs run
	bestEpoch   int     // epoch of the returned weights, from 1
	trainLoss   float64 // mean training loss of the best epoch
	valLoss     float64 // validation MSE of the returned weights, scaled units
	trainWindow int     // number of training windows
	valWindow   int     // number of validation windows
}

// splitWindows returns the training and validation windows of the series
// that are long enough. The last validationFraction of each series' windows
// (at least 2) is validation.
func splitWindows(preps []*prepared, window int) (train, val []windowRef) {
	for i, p := range preps {
		n := p.windows(window)
		if n < minWindows {
			continue
		}
		nVal := max(2, int(math.Ceil(validationFraction*float64(n))))
		for k := range n {
			if k < n-nVal {
				train = append(train, windowRef{i, k})
			} else {
				val = append(val, windowRef{i, k})
			}
		}
	}
	return train, val
}

// train fits one network to the windows of every long-enough series with
// Adam plus decoupled weight decay (AdamW) on shuffled mini-batches, and
// returns the weights of the epoch with the lowest validation loss.
//
// Each epoch runs only full batches, so up to BatchSize-1 shuffled windows
// sit out each epoch.
func train(ctx context.Context, preps []*prepared, opts Options) (*weights, trainStats, error) {
	trainRefs, valRefs := splitWindows(preps, opts.Window)
	stats := trainStats{trainWindow: len(trainRefs), valWindow: len(valRefs)}
	if len(trainRefs) == 0 {
		return nil, stats, fmt.Errorf("lstm: no series has %d windows of %d values to train on: use longer series or a smaller window", minWindows, opts.Window)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6c73746d))
	w := newWeights(opts.Hidden, rng)
	batch := min(opts.BatchSize, len(trainRefs))

	net, err := buildNetwork(w, batch, opts.Window, true)
	if err != nil {
		return nil, stats, err
	}
	machine := gorgonia.NewTapeMachine(net.graph, gorgonia.BindDualValues(net.params...))
	defer machine.Close()
	solver := gorgonia.NewAdamSolver(gorgonia.WithLearnRate(opts.LearningRate), gorgonia.WithClip(gradientClip))
	_, _, decayed := w.matrices()
	decay := 1 - opts.LearningRate*opts.WeightDecay

	valRows, valTargets := gather(preps, valRefs, opts.Window)
	validator, err := newPredictor(w, min(len(valRows), maxPredictBatch), opts.Window)
	if err != nil {
		return nil, stats, err
	}
	best := w.clone()
	stats.valLoss = math.Inf(1)
	rows := make([][]float64, batch)
	for epoch := 1; epoch <= opts.Epochs; epoch++ {
		rng.Shuffle(len(trainRefs), func(i, j int) { trainRefs[i], trainRefs[j] = trainRefs[j], trainRefs[i] })
		var lossSum float64
		var batches int
		for start := 0; start+batch <= len(trainRefs); start += batch {
			if err := ctx.Err(); err != nil {
				return nil, stats, fmt.Errorf("lstm: training stopped in epoch %d: %w", epoch, err)
			}
			for b, ref := range trainRefs[start : start+batch] {
				p := preps[ref.series]
				rows[b] = p.input(ref.k, opts.Window)
				net.targetBuf[b] = p.z[ref.k+opts.Window]
			}
			net.setInputs(rows)
			if err := machine.RunAll(); err != nil {
				return nil, stats, fmt.Errorf("lstm: training step in epoch %d: %w", epoch, err)
			}
			lossSum += net.loss.Value().Data().(float64)
			batches++
			// Decoupled weight decay: shrink the weights before the Adam
			// step, whose gradients were computed from the unshrunk values.
			for i, data := range net.paramData() {
				for j := range decayed[i] {
					data[j] *= decay
				}
			}
			if err := solver.Step(gorgonia.NodesToValueGrads(net.params)); err != nil {
				return nil, stats, fmt.Errorf("lstm: Adam step in epoch %d: %w", epoch, err)
			}
			machine.Reset()
		}
		stats.epochs = epoch

		current := net.readWeights(opts.Hidden)
		validator.setWeights(current)
		valLoss, err := meanSquaredError(validator, valRows, valTargets)
		if err != nil {
			return nil, stats, err
		}
		if valLoss < stats.valLoss {
			best, stats.valLoss, stats.bestEpoch = current, valLoss, epoch
			stats.trainLoss = lossSum / float64(batches)
		}
		if epoch-stats.bestEpoch >= opts.Patience {
			break
		}
	}
	if stats.bestEpoch == 0 {
		return nil, stats, fmt.Errorf("lstm: validation loss is not finite after %d epochs: lower the learning rate (now %v)", stats.epochs, opts.LearningRate)
	}
	return best, stats, nil
}

// gather returns the input rows and targets of refs.
func gather(preps []*prepared, refs []windowRef, window int) (rows [][]float64, targets []float64) {
	for _, ref := range refs {
		p := preps[ref.series]
		rows = append(rows, p.input(ref.k, window))
		targets = append(targets, p.z[ref.k+window])
	}
	return rows, targets
}

// meanSquaredError returns the one-step MSE of p on rows, NaN when the
// predictions are not finite.
func meanSquaredError(p *predictor, rows [][]float64, targets []float64) (float64, error) {
	pred, err := p.predictMany(rows)
	if err != nil {
		return 0, err
	}
	var sum float64
	for i, p := range pred {
		d := p - targets[i]
		sum += d * d
	}
	mse := sum / float64(len(pred))
	if math.IsInf(mse, 0) {
		return math.NaN(), nil
	}
	return mse, nil
}
