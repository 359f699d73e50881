// Package optim minimises smooth objectives of a few bounded parameters with
// the Nelder-Mead simplex method, as the ETS and ARIMA fitters need.
package optim

import (
	"math"
	"sort"
)

// Bounds is the closed box [Lower[i], Upper[i]] for each parameter. Nil
// slices mean no bound.
type Bounds struct {
	Lower, Upper []float64
}

func (b Bounds) clamp(x []float64) {
	for i := range x {
		if b.Lower != nil && x[i] < b.Lower[i] {
			x[i] = b.Lower[i]
		}
		if b.Upper != nil && x[i] > b.Upper[i] {
			x[i] = b.Upper[i]
		}
	}
}

// Settings controls NelderMead.
type Settings struct {
	// MaxEvals is the maximum number of objective evaluations.
	MaxEvals int
	// Tol stops the search when the spread of objective values in the simplex
	// falls below Tol * (|best| + Tol).
	Tol float64
	// Step is the initial simplex edge, relative to each start value (or
	// absolute where the start value is 0).
	Step float64
}

// DefaultSettings returns settings that suit the likelihoods of ETS and
// ARIMA models with up to about ten parameters.
func DefaultSettings(dim int) Settings {
	return Settings{MaxEvals: 200 * dim, Tol: 1e-8, Step: 0.1}
}

type vertex struct {
	x []float64
	v float64
}

// initialSimplex returns start and, for each coordinate, start moved by
// step times that coordinate (or by step where it is 0), moved down instead
// when moving up would leave the bounds.
func initialSimplex(start []float64, bounds Bounds, step float64) [][]float64 {
	points := make([][]float64, len(start)+1)
	for i := range points {
		x := append([]float64(nil), start...)
		if i > 0 {
			j := i - 1
			delta := step * math.Abs(x[j])
			if delta == 0 {
				delta = step
			}
			x[j] += delta
			if bounds.Upper != nil && x[j] > bounds.Upper[j] {
				x[j] -= 2 * delta
			}
		}
		points[i] = x
	}
	return points
}

// NelderMead minimises f from start within bounds and returns the best point
// and its value. Points are projected onto the bounds before every
// evaluation, and f may return +Inf to reject a point.
func NelderMead(f func([]float64) float64, start []float64, bounds Bounds, s Settings) ([]float64, float64) {
	dim := len(start)
	if dim == 0 {
		return nil, f(nil)
	}
	evals := 0
	eval := func(x []float64) float64 {
		bounds.clamp(x)
		evals++
		v := f(x)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}

	simplex := make([]vertex, dim+1)
	for i, x := range initialSimplex(start, bounds, s.Step) {
		simplex[i] = vertex{x, eval(x)}
	}

	centroid := make([]float64, dim)
	point := func(alpha float64) []float64 {
		worst := simplex[dim].x
		x := make([]float64, dim)
		for j := range x {
			x[j] = centroid[j] + alpha*(worst[j]-centroid[j])
		}
		return x
	}
	for evals < s.MaxEvals {
		sort.SliceStable(simplex, func(a, b int) bool { return simplex[a].v < simplex[b].v })
		best, worst := simplex[0].v, simplex[dim].v
		if !math.IsInf(worst, 1) && math.Abs(worst-best) <= s.Tol*(math.Abs(best)+s.Tol) {
			break
		}
		for j := range centroid {
			centroid[j] = 0
			for _, vx := range simplex[:dim] {
				centroid[j] += vx.x[j]
			}
			centroid[j] /= float64(dim)
		}

		reflected := point(-1)
		fr := eval(reflected)
		switch {
		case fr < best:
			expanded := point(-2)
			if fe := eval(expanded); fe < fr {
				simplex[dim] = vertex{expanded, fe}
			} else {
				simplex[dim] = vertex{reflected, fr}
			}
		case fr < simplex[dim-1].v:
			simplex[dim] = vertex{reflected, fr}
		default:
			alpha := 0.5 // inside contraction
			if fr < worst {
				alpha = -0.5 // outside contraction
			}
			contracted := point(alpha)
			if fc := eval(contracted); fc < math.Min(fr, worst) {
				simplex[dim] = vertex{contracted, fc}
				continue
			}
			for i := 1; i <= dim; i++ {
				for j := range simplex[i].x {
					simplex[i].x[j] = simplex[0].x[j] + 0.5*(simplex[i].x[j]-simplex[0].x[j])
				}
				simplex[i].v = eval(simplex[i].x)
			}
		}
	}
	sort.SliceStable(simplex, func(a, b int) bool { return simplex[a].v < simplex[b].v })
	return simplex[0].x, simplex[0].v
}
