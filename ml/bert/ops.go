package bert

import (
	"math"

	"github.com/shopsight/shopsight/ml/bert/internal/vecmath"
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
		normalizeRow(row, sum, n, eps)
	}
}

// addResidualLayerNormRows sets each row of x to
// LayerNorm(x + bias + residual), the residual step that follows the
// attention output and FFN output matmuls, in one pass over the row plus the
// two passes LayerNorm needs.
func addResidualLayerNormRows(x, residual, bias []float32, n norm, eps float64) {
	width := len(bias)
	for start := 0; start+width <= len(x); start += width {
		row := x[start : start+width]
		res := residual[start : start+width]
		var sum float64
		for i := range row {
			v := row[i] + bias[i] + res[i]
			row[i] = v
			sum += float64(v)
		}
		normalizeRow(row, sum, n, eps)
	}
}

// normalizeRow applies LayerNorm to row, given the sum of its elements.
func normalizeRow(row []float32, sum float64, n norm, eps float64) {
	width := len(row)
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

// addBiasGELURows sets x[r] = GELU(x[r] + bias) for each row, with the exact
// GELU 0.5·z·(1 + erf(z/√2)).
func addBiasGELURows(x, bias []float32) {
	width := len(bias)
	for start := 0; start+width <= len(x); start += width {
		vecmath.AddBiasGELU(x[start:start+width], bias)
	}
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
