package arima

import (
	"context"
	"fmt"
)

// Search limits, the defaults of R's forecast::auto.arima.
const (
	maxP           = 5
	maxQ           = 5
	maxSeasonalP   = 2
	maxSeasonalQ   = 2
	maxOrderSum    = 5
	maxModelsTried = 94
)

func (o Order) valid() bool {
	if o.P < 0 || o.Q < 0 || o.SeasonalP < 0 || o.SeasonalQ < 0 {
		return false
	}
	if o.P > maxP || o.Q > maxQ || o.SeasonalP > maxSeasonalP || o.SeasonalQ > maxSeasonalQ {
		return false
	}
	if o.Season <= 1 && o.SeasonalP+o.SeasonalQ > 0 {
		return false
	}
	if o.Constant && o.D+o.SeasonalD > 1 {
		return false
	}
	return o.P+o.Q+o.SeasonalP+o.SeasonalQ <= maxOrderSum
}

// stepwise runs the Hyndman-Khandakar stepwise search over p, q, P, Q and
// the constant for fixed d and D on the differenced series w, and returns
// the estimate with the lowest AICc, or nil when no order could be fitted.
func stepwise(ctx context.Context, w []float64, d, seasonalD, season int, maxEvals int) (*estimate, error) {
	withConstant := d+seasonalD <= 1
	base := Order{D: d, SeasonalD: seasonalD, Season: season, Constant: withConstant}
	seasonal := season > 1

	tried := make(map[Order]bool)
	var best *estimate
	try := func(o Order) (bool, error) {
		if !o.valid() || tried[o] || len(tried) >= maxModelsTried {
			return false, nil
		}
		if err := ctx.Err(); err != nil {
			return false, fmt.Errorf("arima: fitting %s: %w", o, err)
		}
		tried[o] = true
		e, ok := fitCSS(w, o, maxEvals)
		if !ok {
			return false, nil
		}
		if best == nil || e.aicc < best.aicc-1e-9 {
			best = e
			return true, nil
		}
		return false, nil
	}

	starts := []Order{
		with(base, 2, 2, 1, 1),
		with(base, 0, 0, 0, 0),
		with(base, 1, 0, 1, 0),
		with(base, 0, 1, 0, 1),
	}
	if !seasonal {
		starts[0] = with(base, 2, 2, 0, 0)
		starts[2] = with(base, 1, 0, 0, 0)
		starts[3] = with(base, 0, 1, 0, 0)
	}
	for _, o := range starts {
		if _, err := try(o); err != nil {
			return nil, err
		}
	}
	if withConstant {
		if _, err := try(with(Order{D: d, SeasonalD: seasonalD, Season: season}, 0, 0, 0, 0)); err != nil {
			return nil, err
		}
	}

	for best != nil {
		improved := false
		for _, o := range neighbours(best.order, seasonal, withConstant) {
			ok, err := try(o)
			if err != nil {
				return nil, err
			}
			if ok {
				improved = true
				break
			}
		}
		if !improved {
			break
		}
	}
	return best, nil
}

func with(o Order, p, q, sp, sq int) Order {
	o.P, o.Q, o.SeasonalP, o.SeasonalQ = p, q, sp, sq
	return o
}

// neighbours returns the orders the stepwise search visits from o: each of
// p, q, P, Q changed by one, p and q (or P and Q) changed together, and the
// constant toggled.
func neighbours(o Order, seasonal, constantAllowed bool) []Order {
	var out []Order
	add := func(dp, dq, dsp, dsq int) {
		out = append(out, with(o, o.P+dp, o.Q+dq, o.SeasonalP+dsp, o.SeasonalQ+dsq))
	}
	if seasonal {
		add(0, 0, -1, 0)
		add(0, 0, 1, 0)
		add(0, 0, 0, -1)
		add(0, 0, 0, 1)
		add(0, 0, -1, -1)
		add(0, 0, 1, 1)
	}
	add(-1, 0, 0, 0)
	add(1, 0, 0, 0)
	add(0, -1, 0, 0)
	add(0, 1, 0, 0)
	add(-1, -1, 0, 0)
	add(1, 1, 0, 0)
	if constantAllowed {
		toggled := o
		toggled.Constant = !o.Constant
		out = append(out, toggled)
	}
	return out
}
