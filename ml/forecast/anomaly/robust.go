package anomaly

import (
	"fmt"
	"math"
	"slices"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/decompose"
	"gonum.org/v1/gonum/stat/distuv"
)

// Method selects the test Robust applies to the remainder.
type Method int

// Tests on the remainder of the decomposition.
const (
	// MAD flags remainders more than Threshold robust standard deviations
	// (1.4826 * median absolute deviation) from the median.
	MAD Method = iota
	// GESD applies the generalized extreme Studentized deviate test
	// (Rosner 1983) at significance Alpha with at most MaxFraction of the
	// points as outliers.
	GESD
)

// Options configures Robust.
type Options struct {
	Method Method
	// Season is the seasonal period; <= 1 means no seasonal component.
	Season int
	// Threshold is the MAD score above which a point is flagged.
	Threshold float64
	// Alpha is the significance level of the GESD test.
	Alpha float64
	// MaxFraction bounds the share of points GESD may flag.
	MaxFraction float64
}

// DefaultOptions returns MAD with threshold 3.5 (Iglewicz and Hoaglin's
// modified z-score cut-off), no season, and GESD settings alpha 0.05 and
// at most 10 % outliers.
func DefaultOptions() Options {
	return Options{Method: MAD, Threshold: 3.5, Alpha: 0.05, MaxFraction: 0.1}
}

// WithMethod returns a copy of o using method.
func (o Options) WithMethod(method Method) Options { o.Method = method; return o }

// WithSeason returns a copy of o with the seasonal period set.
func (o Options) WithSeason(season int) Options { o.Season = season; return o }

// WithThreshold returns a copy of o with the MAD threshold set.
func (o Options) WithThreshold(t float64) Options { o.Threshold = t; return o }

// WithAlpha returns a copy of o with the GESD significance level set.
func (o Options) WithAlpha(alpha float64) Options { o.Alpha = alpha; return o }

// WithMaxFraction returns a copy of o with the GESD outlier share set.
func (o Options) WithMaxFraction(f float64) Options { o.MaxFraction = f; return o }

// Robust decomposes y into a running-median trend and a median seasonal
// profile (when it spans two seasons), then tests the remainder. The
// expected value of a point is trend + seasonal + median remainder. It
// returns an error for an empty series or a non-finite value.
func Robust(y []float64, opts Options) ([]Anomaly, error) {
	if err := (forecast.Series{Values: y}).Validate(); err != nil {
		return nil, fmt.Errorf("anomaly: %w", err)
	}
	baseline, remainder, err := decomposeRobust(y, opts.Season)
	if err != nil {
		return nil, err
	}
	switch opts.Method {
	case MAD:
		return madTest(y, baseline, remainder, opts.Threshold), nil
	case GESD:
		return gesdTest(y, baseline, remainder, opts.Alpha, opts.MaxFraction), nil
	}
	return nil, fmt.Errorf("anomaly: method %d is unknown: use MAD or GESD", opts.Method)
}

// decomposeRobust returns the robust expected value of each point and the
// remainder y - expected, whose median is 0.
func decomposeRobust(y []float64, season int) (baseline, remainder []float64, err error) {
	n := len(y)
	baseline = make([]float64, n)
	if season >= 2 && n >= 2*season {
		parts, err := decompose.Additive(y, season, true)
		if err != nil {
			return nil, nil, fmt.Errorf("anomaly: decomposing: %w", err)
		}
		for t := range y {
			baseline[t] = parts.Trend[t] + parts.Seasonal[t]
		}
	} else {
		m := decompose.Median(slices.Clone(y))
		for t := range baseline {
			baseline[t] = m
		}
	}
	remainder = make([]float64, n)
	for t, v := range y {
		remainder[t] = v - baseline[t]
	}
	center := decompose.Median(slices.Clone(remainder))
	for t := range baseline {
		baseline[t] += center
		remainder[t] -= center
	}
	return baseline, remainder, nil
}

// CleanThreshold is the robust score above which Clean replaces a point: 10
// robust standard deviations, so only gross errors are replaced. At 5, the
// holiday peaks and dips of the M5 store series were replaced too, and ETS
// accuracy on them fell.
const CleanThreshold = 10.0

// Clean returns a copy of y in which every point more than CleanThreshold
// robust standard deviations (1.4826*MAD) from its robust expected value is
// replaced by that expected value, and the replaced points. When the MAD is
// 0 (more than half the points fit the baseline exactly, as in intermittent
// series) y is returned unchanged, because every non-zero value would look
// like an outlier. Models call it before fitting so that one bad value does
// not dominate a Gaussian likelihood.
func Clean(y []float64, season int) ([]float64, []Anomaly) {
	cleaned := slices.Clone(y)
	if len(y) < 5 {
		return cleaned, nil
	}
	baseline, remainder, err := decomposeRobust(y, season)
	if err != nil {
		return cleaned, nil
	}
	abs := make([]float64, len(remainder))
	for i, r := range remainder {
		abs[i] = math.Abs(r)
	}
	scale := 1.4826 * decompose.Median(abs)
	if scale == 0 {
		return cleaned, nil
	}
	var replaced []Anomaly
	for t, r := range remainder {
		if score := math.Abs(r) / scale; score > CleanThreshold {
			replaced = append(replaced, newAnomaly(t, y[t], baseline[t], score))
			cleaned[t] = baseline[t]
		}
	}
	return cleaned, replaced
}

func madTest(y, baseline, remainder []float64, threshold float64) []Anomaly {
	abs := make([]float64, len(remainder))
	for i, r := range remainder {
		abs[i] = math.Abs(r)
	}
	scale := 1.4826 * decompose.Median(slices.Clone(abs))
	if scale == 0 {
		// More than half the remainders are 0 (for example an intermittent
		// series): use the mean absolute deviation, scaled to a standard
		// deviation for normal data.
		var sum float64
		for _, a := range abs {
			sum += a
		}
		scale = 1.2533 * sum / float64(len(abs))
	}
	if scale == 0 {
		return nil
	}
	var out []Anomaly
	for t, a := range abs {
		if score := a / scale; score > threshold {
			out = append(out, newAnomaly(t, y[t], baseline[t], score))
		}
	}
	return out
}

// gesdTest runs the generalized ESD test on the remainder; scores are the
// test statistics R_i (Studentized deviations at the step each point left).
func gesdTest(y, baseline, remainder []float64, alpha, maxFraction float64) []Anomaly {
	n := len(remainder)
	maxOutliers := int(maxFraction * float64(n))
	active := make([]bool, n)
	for i := range active {
		active[i] = true
	}
	type step struct {
		index int
		stat  float64
	}
	var steps []step
	found := 0
	for i := 1; i <= maxOutliers && n-i-1 > 0; i++ {
		var mean, m2 float64
		var k int
		for t, r := range remainder {
			if active[t] {
				k++
				delta := r - mean
				mean += delta / float64(k)
				m2 += delta * (r - mean)
			}
		}
		sd := math.Sqrt(m2 / float64(k-1))
		if sd == 0 {
			break
		}
		worst, stat := -1, 0.0
		for t, r := range remainder {
			if d := math.Abs(r-mean) / sd; active[t] && d > stat {
				worst, stat = t, d
			}
		}
		active[worst] = false
		steps = append(steps, step{worst, stat})

		p := 1 - alpha/(2*float64(n-i+1))
		nu := float64(n - i - 1)
		tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(p)
		lambda := float64(n-i) * tq / math.Sqrt((nu+tq*tq)*float64(n-i+1))
		if stat > lambda {
			found = i
		}
	}
	out := make([]Anomaly, 0, found)
	for _, s := range steps[:found] {
		out = append(out, newAnomaly(s.index, y[s.index], baseline[s.index], s.stat))
	}
	slices.SortFunc(out, func(a, b Anomaly) int { return a.Index - b.Index })
	return out
}
