// Package ets fits exponential smoothing state space models (ETS, Hyndman et
// al. 2008, "Forecasting with Exponential Smoothing") by maximum likelihood
// and selects the form by AICc.
//
// Supported forms: additive (A) or multiplicative (M) error; no (N), additive
// (A) or additive damped (Ad) trend; no (N), additive (A) or multiplicative
// (M) season. Additive error with multiplicative season is excluded because
// it is numerically unstable, as in the R forecast package's default.
//
// Nelder-Mead estimates the smoothing parameters and the initial level and
// trend within the usual bounds (0 < beta < alpha, 0 < gamma < 1 - alpha,
// 0.8 <= phi <= 0.98). The initial seasonal states come from a classical
// decomposition of the first seasons and are not optimised, though AICc
// counts them as parameters.
package ets

import (
	"fmt"
	"slices"
	"strings"
)

// Component letters.
const (
	None           = 'N'
	Additive       = 'A'
	Multiplicative = 'M'
	Damped         = 'D' // additive damped trend, printed "Ad"
)

// Spec is one ETS form.
type Spec struct {
	Error, Trend, Season byte
}

// String returns the form as "ETS(A,Ad,M)".
func (s Spec) String() string {
	trend := string(s.Trend)
	if s.Trend == Damped {
		trend = "Ad"
	}
	return fmt.Sprintf("ETS(%c,%s,%c)", s.Error, trend, s.Season)
}

func (s Spec) hasTrend() bool  { return s.Trend != None }
func (s Spec) hasSeason() bool { return s.Season != None }

// AllSpecs returns the 15 forms this package fits: 6 with additive error and
// 9 with multiplicative error.
func AllSpecs() []Spec {
	var specs []Spec
	for _, e := range []byte{Additive, Multiplicative} {
		for _, t := range []byte{None, Additive, Damped} {
			for _, s := range []byte{None, Additive, Multiplicative} {
				if e == Additive && s == Multiplicative {
					continue
				}
				specs = append(specs, Spec{e, t, s})
			}
		}
	}
	return specs
}

// ParseSpec parses a form printed by Spec.String, such as "ETS(M,Ad,A)".
func ParseSpec(text string) (Spec, error) {
	var e, s byte
	var trend string
	inner, ok := strings.CutPrefix(text, "ETS(")
	if ok {
		inner, ok = strings.CutSuffix(inner, ")")
	}
	parts := strings.Split(inner, ",")
	if !ok || len(parts) != 3 || len(parts[0]) != 1 || len(parts[2]) != 1 {
		return Spec{}, fmt.Errorf("ets: form %q is not like ETS(A,Ad,M)", text)
	}
	e, trend, s = parts[0][0], parts[1], parts[2][0]
	spec := Spec{Error: e, Season: s}
	switch trend {
	case "N", "A":
		spec.Trend = trend[0]
	case "Ad":
		spec.Trend = Damped
	default:
		return Spec{}, fmt.Errorf("ets: form %q has unknown trend %q", text, trend)
	}
	if !slices.Contains(AllSpecs(), spec) {
		return Spec{}, fmt.Errorf("ets: form %q is not one of the 15 supported forms", text)
	}
	return spec, nil
}
