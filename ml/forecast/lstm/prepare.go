package lstm

import (
	"fmt"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/transform"
)

// minWindows is the fewest training windows a series needs before the
// network is trained on it. Shorter series get the seasonal naive forecast.
const minWindows = 20

// prepared is one series after differencing and scaling.
type prepared struct {
	series forecast.Series
	diff   *transform.Differencer
	scaler transform.Scaler
	// z is the scaled, differenced series. z[i] belongs to time
	// i+offset of the original series.
	z      []float64
	offset int
	// constant is set when every value of the series is the same.
	constant bool
	// short is set when the series has fewer than minWindows windows, so
	// it is not trained on and falls back to seasonal naive.
	short bool
}

// prepare differences and scales s for a network with the given window.
func prepare(s forecast.Series, opts Options) (*prepared, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("lstm: %w", err)
	}
	p := &prepared{series: s, constant: isConstant(s.Values)}
	seasonalD := opts.SeasonalDiff
	if s.Season <= 1 {
		seasonalD = 0
	}
	p.diff = transform.NewDifferencer(opts.Diff, seasonalD, s.Season)
	for _, lag := range p.diff.Lags {
		p.offset += lag
	}
	if len(s.Values)-p.offset < opts.Window+minWindows {
		p.short = true
		return p, nil
	}
	w, err := p.diff.Apply(s.Values)
	if err != nil {
		return nil, fmt.Errorf("lstm: differencing a series of %d values: %w", len(s.Values), err)
	}
	p.scaler = transform.NewScaler(w)
	p.z = p.scaler.Apply(w)
	return p, nil
}

// windows returns the number of training windows of p.
func (p *prepared) windows(window int) int {
	if p.short {
		return 0
	}
	return len(p.z) - window
}

// input returns window k: z[k : k+window]. Its target is z[k+window].
func (p *prepared) input(k, window int) []float64 {
	return p.z[k : k+window]
}

func isConstant(y []float64) bool {
	for _, v := range y {
		if v != y[0] {
			return false
		}
	}
	return true
}
