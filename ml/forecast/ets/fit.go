package ets

import (
	"math"

	"github.com/shopsight/shopsight/ml/forecast/decompose"
	"github.com/shopsight/shopsight/ml/forecast/optim"
)

// Parameter bounds: the "usual" region of the ETS literature, with
// beta = alpha*betaStar and gamma = (1-alpha)*gammaStar so that
// 0 < beta < alpha and 0 < gamma < 1 - alpha hold by construction.
// NOTE: only these bounds are enforced, not the eigenvalue admissibility
// check of R's ets(bounds = "both"). For seasonal forms a few points of the
// usual region may therefore be outside the forecastable region.
const (
	paramMin = 1e-4
	alphaMax = 0.9999
	phiMin   = 0.8
	phiMax   = 0.98
)

// fitted is one ETS form fitted to a scaled series.
type fitted struct {
	spec                    Spec
	m                       int
	alpha, beta, gamma, phi float64
	l0, b0                  float64
	s0                      []float64

	neg2LogLik, aicc, sigma2 float64
	nParams                  int
	oneStep                  []float64 // one-step-ahead forecasts
	level, trend             float64   // final states
	seasons                  []float64 // final seasonal states, indexed by t % m
}

// setParams unpacks the optimiser's vector for f.spec into f.
func (f *fitted) setParams(x []float64) {
	i := 0
	f.alpha = x[i]
	i++
	f.beta, f.gamma, f.phi = 0, 0, 1
	if f.spec.hasTrend() {
		f.beta = f.alpha * x[i]
		i++
	}
	if f.spec.hasSeason() {
		f.gamma = (1 - f.alpha) * x[i]
		i++
	}
	if f.spec.Trend == Damped {
		f.phi = x[i]
		i++
	}
	f.l0 = x[i]
	i++
	f.b0 = 0
	if f.spec.hasTrend() {
		f.b0 = x[i]
	}
}

// run filters y through the model with the current parameters, storing the
// one-step forecasts and final states when keep is true, and returns the sum
// of squared errors and of log|forecast| (used by multiplicative error).
// It returns ok=false when a forecast or state leaves the admissible range.
func (f *fitted) run(y []float64, keep bool) (sse, sumLog float64, ok bool) {
	m := f.m
	l, b := f.l0, f.b0
	seas := f.seasons[:0]
	seas = append(seas, f.s0...)
	if keep {
		f.oneStep = make([]float64, len(y))
	}
	multErr := f.spec.Error == Multiplicative
	for t, v := range y {
		lt := l + f.phi*b
		var s, yhat float64
		switch f.spec.Season {
		case None:
			yhat = lt
		case Additive:
			s = seas[t%m]
			yhat = lt + s
		case Multiplicative:
			s = seas[t%m]
			if s <= 0 {
				return 0, 0, false
			}
			yhat = lt * s
		}
		if keep {
			f.oneStep[t] = yhat
		}
		var e float64
		if multErr {
			if yhat <= 1e-8 {
				return 0, 0, false
			}
			e = (v - yhat) / yhat
			sumLog += math.Log(yhat)
		} else {
			e = v - yhat
		}
		sse += e * e

		// Error-correction form of the state equations for each error type.
		switch {
		case !multErr:
			l = lt + f.alpha*e
			b = f.phi*b + f.beta*e
			if f.spec.Season == Additive {
				seas[t%m] = s + f.gamma*e
			}
		case f.spec.Season == Additive:
			l = lt + f.alpha*yhat*e
			b = f.phi*b + f.beta*yhat*e
			seas[t%m] = s + f.gamma*yhat*e
		default: // multiplicative error, no or multiplicative season
			l = lt * (1 + f.alpha*e)
			b = f.phi*b + f.beta*lt*e
			if f.spec.Season == Multiplicative {
				seas[t%m] = s * (1 + f.gamma*e)
			}
		}
		if math.IsNaN(l) || math.IsInf(l, 0) || math.Abs(l) > 1e10 {
			return 0, 0, false
		}
	}
	f.seasons = seas
	f.level, f.trend = l, b
	return sse, sumLog, true
}

// objective returns -2 log-likelihood for the current parameters, or +Inf
// when the run is not admissible. The sum of squares has a small floor so a
// perfectly fitting model on a constant series stays finite.
func (f *fitted) objective(y []float64) float64 {
	sse, sumLog, ok := f.run(y, false)
	if !ok {
		return math.Inf(1)
	}
	n := float64(len(y))
	sse = math.Max(sse, 1e-12*n)
	return n*math.Log(2*math.Pi*sse/n) + n + 2*sumLog
}

// fitSpec estimates spec on the scaled series y and returns ok=false when
// the series is too short for the form or no admissible fit was found.
func fitSpec(y []float64, m int, spec Spec, maxEvals int) (*fitted, bool) {
	n := len(y)
	if !spec.hasSeason() {
		m = 1
	}
	f := &fitted{spec: spec, m: m}
	nSmooth := 1
	if spec.hasTrend() {
		nSmooth++
	}
	if spec.hasSeason() {
		nSmooth++
	}
	if spec.Trend == Damped {
		nSmooth++
	}
	nStates := 1
	if spec.hasTrend() {
		nStates++
	}
	if spec.hasSeason() {
		nStates += m - 1
	}
	f.nParams = nSmooth + nStates + 1 // + sigma
	if n-f.nParams-1 <= 0 {
		return nil, false
	}

	l0, b0, s0, ok := initialStates(y, m, spec)
	if !ok {
		return nil, false
	}
	f.s0 = s0
	f.seasons = make([]float64, 0, m)

	start := []float64{0.2}
	lower := []float64{paramMin}
	upper := []float64{alphaMax}
	if spec.hasTrend() {
		start, lower, upper = append(start, 0.1), append(lower, paramMin), append(upper, 1)
	}
	if spec.hasSeason() {
		start, lower, upper = append(start, 0.1), append(lower, paramMin), append(upper, 1)
	}
	if spec.Trend == Damped {
		start, lower, upper = append(start, 0.95), append(lower, phiMin), append(upper, phiMax)
	}
	start, lower, upper = append(start, l0), append(lower, math.Inf(-1)), append(upper, math.Inf(1))
	if spec.hasTrend() {
		start, lower, upper = append(start, b0), append(lower, math.Inf(-1)), append(upper, math.Inf(1))
	}

	objective := func(x []float64) float64 {
		f.setParams(x)
		return f.objective(y)
	}
	settings := optim.DefaultSettings(len(start))
	settings.MaxEvals = maxEvals * len(start)
	best, value := optim.NelderMead(objective, start, optim.Bounds{Lower: lower, Upper: upper}, settings)
	if math.IsInf(value, 1) {
		return nil, false
	}
	f.setParams(best)
	sse, _, ok := f.run(y, true)
	if !ok {
		return nil, false
	}
	f.sigma2 = sse / math.Max(1, float64(n-f.nParams))
	// A relative error with standard deviation above 100 % means the
	// multiplicative likelihood drifted to a near-zero level that fits
	// nothing (it happens around gross outliers), so reject the fit.
	if spec.Error == Multiplicative && f.sigma2 > 1 {
		return nil, false
	}
	k := float64(f.nParams)
	f.neg2LogLik = value
	f.aicc = value + 2*k + 2*k*(k+1)/(float64(n)-k-1)
	return f, true
}

// initialStates returns starting level, trend and seasonal states from the
// first seasons of y (a classical decomposition for seasonal forms, a line
// through the first observations otherwise).
func initialStates(y []float64, m int, spec Spec) (l0, b0 float64, s0 []float64, ok bool) {
	n := len(y)
	if !spec.hasSeason() {
		k := min(n, 10)
		l0, b0 = lineFit(y[:k])
		if spec.Error == Multiplicative && l0 <= 0 {
			return 0, 0, nil, false
		}
		return l0, b0, nil, true
	}
	if n < 3*m {
		return 0, 0, nil, false
	}

	window := y[:min(n, 10*m)]
	parts, err := decompose.Additive(window, m, false)
	if err != nil {
		return 0, 0, nil, false
	}
	s0 = make([]float64, m)
	copy(s0, parts.Seasonal[:m])

	deseason := make([]float64, 2*m)
	for t := range deseason {
		deseason[t] = window[t] - parts.Seasonal[t]
	}
	if spec.Season == Multiplicative {
		var mean float64
		for t := range m {
			mean += parts.Trend[t]
		}
		mean /= float64(m)
		if mean <= 0 {
			return 0, 0, nil, false
		}
		for t := range s0 {
			s0[t] = 1 + s0[t]/mean
			if s0[t] <= 0.01 {
				return 0, 0, nil, false
			}
		}
	}

	l0 = average(deseason[:m])
	b0 = (average(deseason[m:]) - l0) / float64(m)
	if spec.Season == Multiplicative && l0 <= 0 {
		return 0, 0, nil, false
	}
	return l0, b0, s0, true
}

// lineFit returns the intercept and slope of the least-squares line through
// y against t = 0, 1, ...
func lineFit(y []float64) (intercept, slope float64) {
	n := float64(len(y))
	if len(y) == 1 {
		return y[0], 0
	}
	var st, sy, stt, sty float64
	for t, v := range y {
		ft := float64(t)
		st += ft
		sy += v
		stt += ft * ft
		sty += ft * v
	}
	slope = (n*sty - st*sy) / (n*stt - st*st)
	return (sy - slope*st) / n, slope
}

func average(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
