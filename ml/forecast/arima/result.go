package arima

import (
	"math"
	"strconv"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/transform"
)

// result forecasts h steps of the scaled series z from the estimate e of its
// differenced form, with fitted values and intervals still on z's scale.
func (e *estimate) result(z []float64, diff *transform.Differencer, h int) *forecast.Result {
	o := e.order
	params := map[string]float64{"sigma2": e.sigma2}
	for name, coefs := range map[string][]float64{"ar": e.ar, "ma": e.ma, "sar": e.sar, "sma": e.sma} {
		for i, c := range coefs {
			params[name+strconv.Itoa(i+1)] = c
		}
	}
	r := &forecast.Result{
		Model:  o.String(),
		Params: params,
		AICc:   e.aicc,
		Mean:   e.forecastDifferenced(h),
	}
	r.Mean = diff.Invert(r.Mean)

	// Fitted values: the residual of the differenced series equals the
	// one-step error of z, because differencing only adds known past values.
	offset := len(z) - len(e.residuals)
	r.Fitted = make([]float64, len(z))
	for t := range z {
		i := t - offset
		if i < e.ncond {
			r.Fitted[t] = math.NaN()
			continue
		}
		r.Fitted[t] = z[t] - e.residuals[i]
	}

	psi := e.psiWeights(diff, h)
	sd := make([]float64, h)
	var sum float64
	for j := range h {
		sum += psi[j] * psi[j]
		sd[j] = math.Sqrt(e.sigma2 * sum)
	}
	r.SetIntervals(forecast.CapStdDev(sd, z))
	return r
}

// forecastDifferenced continues the differenced series h steps with future
// errors set to zero.
func (e *estimate) forecastDifferenced(h int) []float64 {
	n := len(e.residuals)
	w := make([]float64, n+h)
	res := make([]float64, n+h)
	copy(res, e.residuals)
	copy(w, e.wValues)
	for t := n; t < n+h; t++ {
		v := e.mean
		for _, a := range e.arTaps {
			if t-a.lag >= 0 {
				v += a.coef * (w[t-a.lag] - e.mean)
			}
		}
		for _, m := range e.maTaps {
			if t-m.lag >= 0 {
				v += m.coef * res[t-m.lag]
			}
		}
		w[t] = v
	}
	return w[n:]
}

// psiWeights returns psi_0..psi_{h-1} of the MA(infinity) form of the
// integrated model: the AR polynomial times (1-B)^d (1-B^m)^D.
func (e *estimate) psiWeights(diff *transform.Differencer, h int) []float64 {
	// poly holds the coefficients of 1 - sum phi_k B^k (poly[0] = 1).
	maxLag := 0
	for _, a := range e.arTaps {
		maxLag = max(maxLag, a.lag)
	}
	poly := make([]float64, maxLag+1)
	poly[0] = 1
	for _, a := range e.arTaps {
		poly[a.lag] -= a.coef
	}

	for _, lag := range diff.Lags {
		next := make([]float64, len(poly)+lag)
		for i, c := range poly {
			next[i] += c
			next[i+lag] -= c
		}
		poly = next
	}

	ma := make([]float64, h)
	for _, m := range e.maTaps {
		if m.lag < h {
			ma[m.lag] = m.coef
		}
	}
	psi := make([]float64, h)
	psi[0] = 1
	for j := 1; j < h; j++ {
		v := ma[j]
		for k := 1; k < len(poly) && k <= j; k++ {
			v -= poly[k] * psi[j-k]
		}
		psi[j] = v
	}
	return psi
}

// constantResult returns ARIMA(0,0,0) with mean for a constant series: the
// forecast repeats the value and the intervals have zero width.
func constantResult(s forecast.Series, h int) *forecast.Result {
	y := s.Values
	r := &forecast.Result{
		Model:  Order{Constant: true}.String(),
		Params: map[string]float64{"constant": y[0], "sigma2": 0},
		Fitted: make([]float64, len(y)),
		Mean:   make([]float64, h),
	}
	for t := range r.Fitted {
		r.Fitted[t] = y[0]
	}
	for j := range r.Mean {
		r.Mean[j] = y[0]
	}
	r.SetResiduals(y, 0)
	r.SetIntervals(make([]float64, h))
	if s.Count {
		r.ClipCounts()
	}
	return r
}
