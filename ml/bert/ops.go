package bert

import (
	"math"
)

// layerNormRows normalizes each width-wide row of x in place:
// (v − mean) / sqrt(var + eps) · weight + bias, with the biased variance.
// Mean and variance are accumulated in float64.
func layerNormRows(x []float32, width int, n norm, eps float64) {
	for start := 0; start+width <= len(x); start += width {
		row := x[start : start+width]
		var sum float64
		for _, v := range row {
			sum += float64(v)
		}
		mean := sum / float64(width)
		var sq float64
		for _, v := range row {
			d := float64(v) - mean
			sq += d * d
		}
		inv := float32(1 / math.Sqrt(sq/float64(width)+eps))
		m := float32(mean)
		w, b := n.weight[:width], n.bias[:width]
		for i, v := range row {
			row[i] = (v-m)*inv*w[i] + b[i]
		}
	}
}

// addBiasResidualRows sets x[r] = x[r] + bias + residual[r] for each row.
func addBiasResidualRows(x, residual, bias []float32) {
	width := len(bias)
	for start := 0; start+width <= len(x); start += width {
		row := x[start : start+width]
		res := residual[start : start+width]
		for i := range row {
			row[i] += bias[i] + res[i]
		}
	}
}

// addBiasGELURows sets x[r] = GELU(x[r] + bias) for each row, with the exact
// GELU 0.5·z·(1 + erf(z/√2)).
func addBiasGELURows(x, bias []float32) {
	width := len(bias)
	for start := 0; start+width <= len(x); start += width {
		row := x[start : start+width]
		for i, v := range row {
			row[i] = gelu(v + bias[i])
		}
	}
}

// gelu is the exact GELU, 0.5·z·(1 + erf(z/√2)).
func gelu(z float32) float32 {
	return 0.5 * z * (1 + erf32(z*math.Sqrt2/2))
}

// erf32 approximates erf in float32 with the rational function Eigen uses for
// float (generic_fast_erf_float). Its absolute error against math.Erf is
// below 5e-7 (TestErf32), far below the ~1e-3 gap between exact GELU and its
// tanh form.
func erf32(x float32) float32 {
	// erf rounds to ±1 in float32 outside [-4, 4].
	x = max(min(x, 4), -4)
	x2 := x * x
	p := x2*-2.72614225801306e-10 + 2.77068142495902e-08
	p = x2*p + -2.10102402082508e-06
	p = x2*p + -5.69250639462346e-05
	p = x2*p + -7.34990630326855e-04
	p = x2*p + -2.95459980854025e-03
	p = x2*p + -1.60960333262415e-02
	p *= x
	q := x2*-1.45660718464996e-05 + -2.13374055278905e-04
	q = x2*q + -1.68282697438203e-03
	q = x2*q + -7.37332916720468e-03
	q = x2*q + -1.42647390514189e-02
	return p / q
}

// softmaxRow replaces row by its softmax, in float32 after subtracting the
// row's maximum.
func softmaxRow(row []float32) {
	maxValue := float32(math.Inf(-1))
	for _, v := range row {
		maxValue = max(maxValue, v)
	}
	var sum float32
	for i, v := range row {
		e := exp32(v - maxValue)
		row[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range row {
		row[i] *= inv
	}
}

// exp32 returns e^x for x ≤ 0 in float32 precision.
func exp32(x float32) float32 {
	return float32(math.Exp(float64(x)))
}

// l2Normalize divides v by max(‖v‖₂, 1e-12) in place, as
// torch.nn.functional.normalize does.
func l2Normalize(v []float32) {
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	norm := max(math.Sqrt(sq), 1e-12)
	for i := range v {
		v[i] = float32(float64(v[i]) / norm)
	}
}
