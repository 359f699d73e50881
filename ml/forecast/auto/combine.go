package auto

import (
	"math"
	"strings"

	"github.com/shopsight/shopsight/ml/forecast"
)

// combine returns the equal-weight mean of results, all fitted to s.
// Parameters keep their model's name as a prefix ("ETS(A,N,A).alpha").
// NOTE: the interval bounds are the mean of the members' bounds, which
// assumes perfectly correlated forecast errors and so errs on the wide side.
func combine(s forecast.Series, results []*forecast.Result) *forecast.Result {
	h := len(results[0].Mean)
	n := len(s.Values)
	names := make([]string, len(results))
	out := &forecast.Result{
		Params:  make(map[string]float64),
		Mean:    make([]float64, h),
		Lower80: make([]float64, h),
		Upper80: make([]float64, h),
		Lower95: make([]float64, h),
		Upper95: make([]float64, h),
		Fitted:  make([]float64, n),
	}
	weight := 1 / float64(len(results))
	for k, r := range results {
		names[k] = r.Model
		for name, v := range r.Params {
			out.Params[r.Model+"."+name] = v
		}
		for j := range h {
			out.Mean[j] += weight * r.Mean[j]
			out.Lower80[j] += weight * r.Lower80[j]
			out.Upper80[j] += weight * r.Upper80[j]
			out.Lower95[j] += weight * r.Lower95[j]
			out.Upper95[j] += weight * r.Upper95[j]
		}
		// A NaN fitted value of any member makes the mean NaN, as it should.
		for t := range n {
			out.Fitted[t] += weight * r.Fitted[t]
		}
	}
	out.Model = "Mean(" + strings.Join(names, ", ") + ")"
	out.SetResiduals(s.Values, 0)
	if math.IsNaN(out.Sigma) {
		out.Sigma = 0
	}
	if s.Count {
		out.ClipCounts()
	}
	return out
}
