package recommend

import (
	"context"
	"fmt"
	"log/slog"
	"math"
)

// ALSOptions sets the training of an implicit ALS model.
type ALSOptions struct {
	Factors    int
	Iterations int
	// Regularization is the L2 penalty λ on user and item vectors.
	Regularization float64
	// Alpha scales interaction weights into confidences c = 1 + Alpha·w
	// (Hu, Koren and Volinsky, "Collaborative Filtering for Implicit
	// Feedback Datasets", ICDM 2008).
	Alpha float64
	// CGSteps is the number of conjugate gradient steps per row and
	// iteration (Takács, Pilászy and Tikk, "Applications of the Conjugate
	// Gradient Method for Implicit Feedback Collaborative Filtering",
	// RecSys 2011). Each row starts from its previous solution, so a few
	// steps suffice.
	CGSteps int
	Seed    uint64
	// Workers is the number of goroutines. Zero means GOMAXPROCS.
	Workers int
}

// DefaultALSOptions returns 64 factors, 15 iterations, λ = 30, α = 2 and
// 3 CG steps: the best of a small grid on MovieLens-100K with unit weights
// (random 75/25 per-user split). Retune λ and α when event weights or data
// size change much, because the best λ grows with the number of
// interactions per row.
func DefaultALSOptions() ALSOptions {
	return ALSOptions{Factors: 64, Iterations: 15, Regularization: 30, Alpha: 2, CGSteps: 3, Seed: 1}
}

// WithFactors sets the number of latent factors.
func (o ALSOptions) WithFactors(n int) ALSOptions { o.Factors = n; return o }

// WithIterations sets the number of alternating sweeps.
func (o ALSOptions) WithIterations(n int) ALSOptions { o.Iterations = n; return o }

// WithRegularization sets λ.
func (o ALSOptions) WithRegularization(l float64) ALSOptions { o.Regularization = l; return o }

// WithAlpha sets the confidence scale α.
func (o ALSOptions) WithAlpha(a float64) ALSOptions { o.Alpha = a; return o }

// WithCGSteps sets the conjugate gradient steps per row.
func (o ALSOptions) WithCGSteps(n int) ALSOptions { o.CGSteps = n; return o }

// WithSeed sets the seed of the initial factors.
func (o ALSOptions) WithSeed(s uint64) ALSOptions { o.Seed = s; return o }

// WithWorkers sets the number of goroutines.
func (o ALSOptions) WithWorkers(n int) ALSOptions { o.Workers = n; return o }

func (o ALSOptions) validate() error {
	switch {
	case o.Factors <= 0:
		return fmt.Errorf("invalid ALS factors %d: must be positive", o.Factors)
	case o.Iterations <= 0:
		return fmt.Errorf("invalid ALS iterations %d: must be positive", o.Iterations)
	case o.CGSteps <= 0:
		return fmt.Errorf("invalid ALS CG steps %d: must be positive", o.CGSteps)
	case o.Regularization < 0 || math.IsNaN(o.Regularization):
		return fmt.Errorf("invalid ALS regularization %v: must be >= 0", o.Regularization)
	case o.Alpha < 0 || math.IsNaN(o.Alpha):
		return fmt.Errorf("invalid ALS alpha %v: must be >= 0", o.Alpha)
	}
	return nil
}

// ALS is an implicit-feedback matrix factorisation model.
type ALS struct {
	*factorModel
}

// Name returns "als".
func (m *ALS) Name() string { return "als" }

// Candidates ranks all items for a known user by x_u·y_i.
func (m *ALS) Candidates(ctx context.Context, q *Query, n int) ([]Candidate, error) {
	return m.candidates(ctx, q, n, m.Name())
}

// TrainALS fits implicit ALS on ds.Matrix, alternating user and item sweeps.
// Each sweep solves every row's weighted least-squares problem with a few
// conjugate gradient steps, in parallel over rows.
func TrainALS(ctx context.Context, ds *Dataset, opts ALSOptions) (*ALS, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("train ALS: %w", err)
	}
	if ds.Matrix.NNZ() == 0 {
		return nil, fmt.Errorf("train ALS: the dataset has no interactions")
	}
	fm := newFactorModel(ds.Users, ds.Items, opts.Factors, opts.Seed, 0.01)
	userItems := ds.Matrix
	itemUsers := ds.Matrix.Transpose()
	for it := 0; it < opts.Iterations; it++ {
		if err := alsSweep(ctx, userItems, fm.UserVecs, fm.ItemVecs, opts); err != nil {
			return nil, fmt.Errorf("train ALS: iteration %d, user sweep: %w", it, err)
		}
		if err := alsSweep(ctx, itemUsers, fm.ItemVecs, fm.UserVecs, opts); err != nil {
			return nil, fmt.Errorf("train ALS: iteration %d, item sweep: %w", it, err)
		}
		slog.Debug("als iteration done", "iteration", it+1, "of", opts.Iterations)
	}
	return &ALS{fm}, nil
}

// alsSweep updates every row vector of x (one per row of m) with y fixed.
func alsSweep(ctx context.Context, m *Matrix, x, y []float32, opts ALSOptions) error {
	f := opts.Factors
	yty := gramian(y, f, opts.Regularization)
	workers := numWorkers(opts.Workers)
	type scratch struct{ xr, r, p, ap []float64 }
	scr := make([]scratch, workers)
	for w := range scr {
		scr[w] = scratch{make([]float64, f), make([]float64, f), make([]float64, f), make([]float64, f)}
	}
	alpha := opts.Alpha
	return parallelRows(ctx, m.Rows, workers, func(worker, row int) {
		s := scr[worker]
		cols, vals := m.Row(row)
		xrow := x[row*f : (row+1)*f]
		for k := range f {
			s.xr[k] = float64(xrow[k])
		}
		// r = b − A·x with A = YᵀY + λI + Yᵀ(C−I)Y and b = YᵀCp, p = 1.
		mulSym(yty, s.xr, s.r, f)
		for k := range f {
			s.r[k] = -s.r[k]
		}
		for j, c := range cols {
			conf := 1 + alpha*float64(vals[j])
			yi := y[int(c)*f : int(c+1)*f]
			yx := dot64(yi, s.xr)
			axpy32(conf-(conf-1)*yx, yi, s.r)
		}
		copy(s.p, s.r)
		rsOld := sumSquares(s.r)
		for step := 0; step < opts.CGSteps && rsOld > 1e-20; step++ {
			mulSym(yty, s.p, s.ap, f)
			for j, c := range cols {
				conf := 1 + alpha*float64(vals[j])
				yi := y[int(c)*f : int(c+1)*f]
				axpy32((conf-1)*dot64(yi, s.p), yi, s.ap)
			}
			pAp := 0.0
			for k := range f {
				pAp += s.p[k] * s.ap[k]
			}
			if pAp <= 0 {
				break
			}
			a := rsOld / pAp
			for k := range f {
				s.xr[k] += a * s.p[k]
				s.r[k] -= a * s.ap[k]
			}
			rsNew := sumSquares(s.r)
			for k := range f {
				s.p[k] = s.r[k] + rsNew/rsOld*s.p[k]
			}
			rsOld = rsNew
		}
		for k := range f {
			xrow[k] = float32(s.xr[k])
		}
	})
}

// gramian returns YᵀY + λI as a dense f × f matrix.
func gramian(y []float32, f int, lambda float64) []float64 {
	g := make([]float64, f*f)
	for off := 0; off < len(y); off += f {
		row := y[off : off+f]
		for a := range f {
			ra := float64(row[a])
			if ra == 0 {
				continue
			}
			ga := g[a*f : (a+1)*f]
			for b := a; b < f; b++ {
				ga[b] += ra * float64(row[b])
			}
		}
	}
	for a := range f {
		g[a*f+a] += lambda
		for b := a + 1; b < f; b++ {
			g[b*f+a] = g[a*f+b]
		}
	}
	return g
}

// mulSym sets out = g·v for a dense f × f matrix g.
func mulSym(g, v, out []float64, f int) {
	for a := range f {
		ga := g[a*f : (a+1)*f]
		s := 0.0
		for b, gv := range ga {
			s += gv * v[b]
		}
		out[a] = s
	}
}

func dot64(a []float32, b []float64) float64 {
	s := 0.0
	for k, v := range a {
		s += float64(v) * b[k]
	}
	return s
}

// axpy32 adds a·x to y.
func axpy32(a float64, x []float32, y []float64) {
	for k, v := range x {
		y[k] += a * float64(v)
	}
}

func sumSquares(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return s
}
