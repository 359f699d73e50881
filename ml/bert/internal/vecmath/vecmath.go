// Package vecmath holds the float32 element-wise kernels of the BERT forward
// pass: exp, erf, GELU, softmax and bias addition. On amd64 CPUs with AVX2
// and FMA they run eight lanes at a time in assembly (kernels_amd64.s).
// Other CPUs, and the last len%8 elements, run the scalar Go code in this
// file, which computes the same approximations.
package vecmath

import "math"

// Constants of Exp32.
const (
	// expMin is ln of the smallest normal float32; Exp32 returns 0 below it.
	expMin = -87.33654
	// expMax keeps 2^n within the float32 exponent range.
	expMax = 88
	ln2Hi  = 0.693359375 // ln 2 split so that n·ln2Hi is exact in float32
	ln2Lo  = -2.12194440e-4
)

// Exp32 returns e^x in float32 with the range reduction and polynomial of
// Cephes' expf, the cephes_exp_* constants that Eigen's SSE exp also uses:
// x = n·ln2 + r with |r| ≤ ln2/2 and a degree-7 polynomial for e^r. Its relative error against math.Exp is below
// 1e-7 on [-87, 88] (TestExp32). It returns 0 for x < -87.33654, where a
// float32 softmax underflows too, and e^88 for x > 88.
func Exp32(x float32) float32 {
	if x < expMin {
		return 0
	}
	x = min(x, expMax)
	n := float32(math.RoundToEven(float64(x * math.Log2E)))
	r := x - n*ln2Hi
	r -= n * ln2Lo
	p := r*1.9875691500e-4 + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	p = p*(r*r) + r + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// Erf32 approximates erf in float32 with the rational function Eigen uses for
// float (generic_fast_erf_float). Its absolute error against math.Erf is
// below 5e-7 (TestErf32), far below the ~1e-3 gap between exact GELU and its
// tanh form.
func Erf32(x float32) float32 {
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

// GELU returns the exact GELU 0.5·z·(1 + erf(z/√2)), with Erf32.
func GELU(z float32) float32 {
	return 0.5 * z * (1 + Erf32(z*math.Sqrt2/2))
}

// Softmax replaces row by its softmax, computed in float32 after subtracting
// the row's maximum.
func Softmax(row []float32) {
	vec := vectorLen(len(row))
	maxValue := float32(math.Inf(-1))
	if vec > 0 {
		maxValue = maxVector(row[:vec])
	}
	for _, v := range row[vec:] {
		maxValue = max(maxValue, v)
	}

	var sum float32
	if vec > 0 {
		sum = expShiftSumVector(row[:vec], maxValue)
	}
	for i := vec; i < len(row); i++ {
		e := Exp32(row[i] - maxValue)
		row[i] = e
		sum += e
	}

	inv := 1 / sum
	if vec > 0 {
		scaleVector(row[:vec], inv)
	}
	for i := vec; i < len(row); i++ {
		row[i] *= inv
	}
}

// AddBias adds bias to x element-wise. bias must be at least as long as x.
func AddBias(x, bias []float32) {
	bias = bias[:len(x)]
	vec := vectorLen(len(x))
	if vec > 0 {
		addVector(x[:vec], bias)
	}
	for i := vec; i < len(x); i++ {
		x[i] += bias[i]
	}
}

// AddBiasGELU sets x[i] = GELU(x[i] + bias[i]). bias must be at least as
// long as x.
func AddBiasGELU(x, bias []float32) {
	bias = bias[:len(x)]
	vec := vectorLen(len(x))
	if vec > 0 {
		addBiasGELUVector(x[:vec], bias)
	}
	for i := vec; i < len(x); i++ {
		x[i] = GELU(x[i] + bias[i])
	}
}
