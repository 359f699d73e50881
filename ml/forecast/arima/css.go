package arima

import (
	"math"

	"github.com/shopsight/shopsight/ml/forecast/optim"
)

// tap is one non-zero coefficient of an expanded lag polynomial.
type tap struct {
	lag  int
	coef float64
}

// estimate is an ARMA model fitted by CSS to a differenced series w.
type estimate struct {
	order          Order
	ar, ma         []float64 // non-seasonal coefficients
	sar, sma       []float64 // seasonal coefficients
	mean           float64
	arTaps, maTaps []tap
	ncond          int
	sigma2         float64
	neg2LogLik     float64
	aicc           float64
	wValues        []float64 // the differenced, scaled series
	residuals      []float64 // one per value of w; zero before ncond
}

// partrans maps unconstrained values to the coefficients of a stationary AR
// polynomial through partial autocorrelations tanh(raw) and the
// Durbin-Levinson recursion, as R's arima does.
func partrans(raw []float64) []float64 {
	p := len(raw)
	out := make([]float64, p)
	work := make([]float64, p)
	for j, v := range raw {
		out[j] = math.Tanh(v)
		work[j] = out[j]
	}
	for j := 1; j < p; j++ {
		a := out[j]
		for k := range j {
			work[k] -= a * out[j-k-1]
		}
		copy(out[:j], work[:j])
	}
	return out
}

// expand multiplies (1 - sum a_i B^i)(1 - sum A_j B^(j*m)) for AR (sign -1)
// or (1 + sum a_i B^i)(1 + sum A_j B^(j*m)) for MA (sign +1) and returns the
// non-zero coefficients of lags >= 1 in the convention x_t = sum c_k x_{t-k}
// for AR and e_t + sum c_k e_{t-k} for MA.
func expand(a, seasonal []float64, m int, sign float64) []tap {
	coef := make(map[int]float64)
	for i, v := range a {
		coef[i+1] += v
	}
	for j, sv := range seasonal {
		coef[(j+1)*m] += sv
		for i, v := range a {
			// AR: -(-a)(-A) contributes -a*A; MA: +a*A.
			coef[i+1+(j+1)*m] += sign * v * sv
		}
	}
	maxLag := 0
	for lag := range coef {
		maxLag = max(maxLag, lag)
	}
	var taps []tap
	for lag := 1; lag <= maxLag; lag++ {
		if c, ok := coef[lag]; ok && c != 0 {
			taps = append(taps, tap{lag, c})
		}
	}
	return taps
}

func (e *estimate) setParams(x []float64) {
	o := e.order
	i := 0
	e.ar = partrans(x[i : i+o.P])
	i += o.P
	e.ma = negate(partrans(x[i : i+o.Q]))
	i += o.Q
	e.sar = partrans(x[i : i+o.SeasonalP])
	i += o.SeasonalP
	e.sma = negate(partrans(x[i : i+o.SeasonalQ]))
	i += o.SeasonalQ
	e.mean = 0
	if o.Constant {
		e.mean = x[i]
	}
	e.arTaps = expand(e.ar, e.sar, o.Season, -1)
	e.maTaps = expand(e.ma, e.sma, o.Season, 1)
}

func negate(x []float64) []float64 {
	for i := range x {
		x[i] = -x[i]
	}
	return x
}

// sse returns the conditional sum of squared residuals of w from index
// e.ncond on, writing the residuals into res (len(w)).
func (e *estimate) sse(w, res []float64) float64 {
	var sum float64
	for t := range w {
		if t < e.ncond {
			res[t] = 0
			continue
		}
		v := w[t] - e.mean
		for _, a := range e.arTaps {
			v -= a.coef * (w[t-a.lag] - e.mean)
		}
		for _, m := range e.maTaps {
			if t-m.lag >= 0 {
				v -= m.coef * res[t-m.lag]
			}
		}
		res[t] = v
		sum += v * v
	}
	return sum
}

// fitCSS estimates order on the differenced, scaled series w. It returns
// ok=false when too few values remain to estimate the parameters.
func fitCSS(w []float64, order Order, maxEvalsPerParam int) (*estimate, bool) {
	e := &estimate{order: order, ncond: order.P + order.SeasonalP*order.Season}
	nParams := order.P + order.Q + order.SeasonalP + order.SeasonalQ
	if order.Constant {
		nParams++
	}
	k := float64(nParams + 1) // + sigma
	nUsed := len(w) - e.ncond
	if float64(nUsed)-k-1 <= 0 {
		return nil, false
	}

	res := make([]float64, len(w))
	start := make([]float64, nParams)
	lower := make([]float64, nParams)
	upper := make([]float64, nParams)
	for i := range start {
		lower[i], upper[i] = -4, 4 // tanh(4) = 0.9993
	}
	if order.Constant {
		var mean float64
		for _, v := range w {
			mean += v
		}
		start[nParams-1] = mean / float64(len(w))
		lower[nParams-1], upper[nParams-1] = math.Inf(-1), math.Inf(1)
	}

	objective := func(x []float64) float64 {
		e.setParams(x)
		s := e.sse(w, res)
		return 0.5 * math.Log(math.Max(s, 1e-12)/float64(nUsed))
	}
	settings := optim.DefaultSettings(nParams)
	settings.MaxEvals = maxEvalsPerParam * max(nParams, 1)
	best, value := optim.NelderMead(objective, start, optim.Bounds{Lower: lower, Upper: upper}, settings)
	if math.IsInf(value, 1) || math.IsNaN(value) {
		return nil, false
	}

	e.setParams(best)
	e.residuals = res
	e.wValues = w
	s := e.sse(w, res)
	e.sigma2 = math.Max(s, 1e-12) / float64(nUsed)
	// -2 log-likelihood as R's arima reports it for CSS, over the len(w)
	// values of the differenced series.
	n := float64(len(w))
	e.neg2LogLik = n * (math.Log(e.sigma2) + 1 + math.Log(2*math.Pi))
	e.aicc = e.neg2LogLik + 2*k + 2*k*(k+1)/(n-k-1)
	return e, true
}
