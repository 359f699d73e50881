// Package transform holds the invertible preprocessing steps the forecasting
// models use: Box-Cox transforms with automatic lambda, regular and seasonal
// differencing, and affine scaling.
package transform

import (
	"fmt"
	"math"
)

// Default search range for the Box-Cox lambda. Lambdas below 0 make the
// back-transformed upper bounds grow without limit on short series, so the
// search stays within [0, 1] (log to no transform).
const (
	LambdaMin = 0.0
	LambdaMax = 1.0
)

// BoxCox returns the Box-Cox transform of y: (y^lambda - 1)/lambda, or log(y)
// when lambda is 0. Every value of y must be positive.
func BoxCox(y []float64, lambda float64) ([]float64, error) {
	out := make([]float64, len(y))
	for i, v := range y {
		if v <= 0 {
			return nil, fmt.Errorf("transform: Box-Cox needs positive values, got %v at index %d: shift the series or skip the transform", v, i)
		}
		out[i] = boxCox(v, lambda)
	}
	return out, nil
}

func boxCox(v, lambda float64) float64 {
	if math.Abs(lambda) < 1e-8 {
		return math.Log(v)
	}
	return (math.Pow(v, lambda) - 1) / lambda
}

// InvBoxCox inverts BoxCox in place and returns z. Values outside the range of
// the transform (below -1/lambda for lambda > 0) map to 0.
func InvBoxCox(z []float64, lambda float64) []float64 {
	for i, v := range z {
		if math.Abs(lambda) < 1e-8 {
			z[i] = math.Exp(v)
			continue
		}
		base := lambda*v + 1
		if base <= 0 {
			z[i] = 0
			continue
		}
		z[i] = math.Pow(base, 1/lambda)
	}
	return z
}

// GuerreroLambda chooses the Box-Cox lambda in [LambdaMin, LambdaMax] by
// Guerrero's (1993) method: it splits y into consecutive blocks of length
// season (2 when season <= 1) and minimises the coefficient of variation of
// sd_i / mean_i^(1-lambda) over the blocks. It returns an error when a value
// is not positive or fewer than two blocks fit.
func GuerreroLambda(y []float64, season int) (float64, error) {
	block := max(season, 2)
	nBlocks := len(y) / block
	if nBlocks < 2 {
		return 0, fmt.Errorf("transform: Guerrero's method needs at least 2 blocks of %d values, got %d values", block, len(y))
	}
	// Use the most recent complete blocks.
	start := len(y) - nBlocks*block
	means := make([]float64, nBlocks)
	sds := make([]float64, nBlocks)
	for b := range nBlocks {
		seg := y[start+b*block : start+(b+1)*block]
		for _, v := range seg {
			if v <= 0 {
				return 0, fmt.Errorf("transform: Guerrero's method needs positive values, got %v", v)
			}
		}
		means[b], sds[b] = meanStd(seg)
	}
	cv := func(lambda float64) float64 {
		ratio := make([]float64, nBlocks)
		for b := range ratio {
			ratio[b] = sds[b] / math.Pow(means[b], 1-lambda)
		}
		m, s := meanStd(ratio)
		if m == 0 {
			return math.Inf(1)
		}
		return s / m
	}
	return goldenSection(cv, LambdaMin, LambdaMax), nil
}

// LogLikLambda chooses the Box-Cox lambda in [LambdaMin, LambdaMax] that
// maximises the profile log-likelihood of an independent normal model for
// the transformed values. It returns an error when a value is not positive.
func LogLikLambda(y []float64) (float64, error) {
	var logSum float64
	for i, v := range y {
		if v <= 0 {
			return 0, fmt.Errorf("transform: Box-Cox needs positive values, got %v at index %d", v, i)
		}
		logSum += math.Log(v)
	}
	n := float64(len(y))
	negLogLik := func(lambda float64) float64 {
		z, _ := BoxCox(y, lambda)
		_, sd := meanStd(z)
		if sd == 0 {
			return math.Inf(1)
		}
		return n*math.Log(sd) - (lambda-1)*logSum
	}
	return goldenSection(negLogLik, LambdaMin, LambdaMax), nil
}

// goldenSection minimises a unimodal f on [a, b].
func goldenSection(f func(float64) float64, a, b float64) float64 {
	const invPhi = 0.6180339887498949
	c := b - invPhi*(b-a)
	d := a + invPhi*(b-a)
	fc, fd := f(c), f(d)
	for b-a > 1e-5 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - invPhi*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + invPhi*(b-a)
			fd = f(d)
		}
	}
	return (a + b) / 2
}

func meanStd(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}
