// Package arima fits seasonal ARIMA models with automatic order selection in
// the stepwise style of Hyndman and Khandakar (2008), "Automatic time series
// forecasting: the forecast package for R", J. Stat. Softw. 27(3).
//
// The seasonal difference D comes from the seasonal strength of a classical
// decomposition, the regular difference d from repeated KPSS tests, and p, q,
// P and Q from a stepwise search that minimises AICc. Coefficients are
// estimated by conditional sum of squares (CSS) only; the likelihood used for
// AICc is the CSS approximation, as R's arima(method = "CSS") reports it.
package arima

import (
	"fmt"
	"math"
	"strings"

	"github.com/shopsight/shopsight/ml/forecast/decompose"
	"github.com/shopsight/shopsight/ml/forecast/transform"
)

// Order is the (p,d,q)(P,D,Q)[m] order of a seasonal ARIMA model, plus
// whether it has a constant (a mean when d+D = 0, a drift when d+D = 1).
type Order struct {
	P, D, Q                         int // non-seasonal AR, difference, MA
	SeasonalP, SeasonalD, SeasonalQ int
	Season                          int
	Constant                        bool
}

// String returns the order as "ARIMA(1,1,1)(0,1,1)[7] with drift".
func (o Order) String() string {
	s := fmt.Sprintf("ARIMA(%d,%d,%d)", o.P, o.D, o.Q)
	if o.Season > 1 && o.SeasonalP+o.SeasonalD+o.SeasonalQ > 0 {
		s += fmt.Sprintf("(%d,%d,%d)[%d]", o.SeasonalP, o.SeasonalD, o.SeasonalQ, o.Season)
	}
	if o.Constant {
		if o.D+o.SeasonalD == 0 {
			s += " with mean"
		} else {
			s += " with drift"
		}
	}
	return s
}

// kpssCritical5 is the 5 % critical value of the KPSS level-stationarity
// test (Kwiatkowski, Phillips, Schmidt and Shin, 1992).
const kpssCritical5 = 0.463

// KPSS returns the KPSS statistic for level stationarity of y, with the
// Bartlett-window lag trunc(3*sqrt(n)/13) used by R's forecast::ndiffs.
func KPSS(y []float64) float64 {
	n := len(y)
	var mean float64
	for _, v := range y {
		mean += v
	}
	mean /= float64(n)
	e := make([]float64, n)
	var s0, cum, eta float64
	for t, v := range y {
		e[t] = v - mean
		s0 += e[t] * e[t]
		cum += e[t]
		eta += cum * cum
	}
	lags := int(3 * math.Sqrt(float64(n)) / 13)
	longRun := s0
	for s := 1; s <= lags; s++ {
		var gamma float64
		for t := s; t < n; t++ {
			gamma += e[t] * e[t-s]
		}
		longRun += 2 * (1 - float64(s)/float64(lags+1)) * gamma
	}
	longRun /= float64(n)
	if longRun <= 0 {
		return 0
	}
	return eta / (float64(n) * float64(n) * longRun)
}

// NDiffs returns the number of regular differences (0 to maxD) after which
// the KPSS test no longer rejects level stationarity at 5 %. Series shorter
// than 10 values or constant ones get 0.
func NDiffs(y []float64, maxD int) int {
	d := 0
	for d < maxD && len(y) >= 10 && !constant(y) && KPSS(y) > kpssCritical5 {
		y = transform.Diff(y, 1)
		d++
	}
	return d
}

// seasonalStrengthThreshold is the seasonal strength above which NSDiffs
// takes a seasonal difference, the default of R's forecast::nsdiffs
// (test = "seas").
const seasonalStrengthThreshold = 0.64

// NSDiffs returns 1 when y has at least three full seasons and its seasonal
// strength exceeds 0.64, else 0.
func NSDiffs(y []float64, season int) int {
	if season <= 1 || len(y) < 3*season {
		return 0
	}
	if decompose.SeasonalStrength(y, season) > seasonalStrengthThreshold {
		return 1
	}
	return 0
}

func constant(y []float64) bool {
	for _, v := range y {
		if v != y[0] {
			return false
		}
	}
	return true
}

// ParseOrder parses an order printed by Order.String, such as
// "ARIMA(1,1,1)(0,1,1)[7] with drift".
func ParseOrder(text string) (Order, error) {
	var o Order
	rest, found := strings.CutPrefix(text, "ARIMA")
	if !found {
		return Order{}, fmt.Errorf("arima: order %q does not start with ARIMA", text)
	}
	if _, err := fmt.Sscanf(rest, "(%d,%d,%d)", &o.P, &o.D, &o.Q); err != nil {
		return Order{}, fmt.Errorf("arima: order %q: %w", text, err)
	}
	rest = rest[strings.Index(rest, ")")+1:]
	if strings.HasPrefix(rest, "(") {
		if _, err := fmt.Sscanf(rest, "(%d,%d,%d)[%d]", &o.SeasonalP, &o.SeasonalD, &o.SeasonalQ, &o.Season); err != nil {
			return Order{}, fmt.Errorf("arima: seasonal part of order %q: %w", text, err)
		}
		rest = rest[strings.Index(rest, "]")+1:]
	}
	switch rest {
	case "":
	case " with mean", " with drift":
		o.Constant = true
	default:
		return Order{}, fmt.Errorf("arima: order %q ends in unknown text %q", text, rest)
	}
	return o, nil
}
