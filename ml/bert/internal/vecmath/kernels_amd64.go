//go:build amd64

package vecmath

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasAVX2FMA reports whether the CPU can run the kernels in kernels_amd64.s.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// vectorLen returns how many leading elements of an n-element slice the
// vector kernels process: n rounded down to a multiple of 8, or 0 when the
// CPU lacks AVX2 or FMA.
func vectorLen(n int) int {
	if !hasAVX2FMA {
		return 0
	}
	return n &^ 7
}

// The wrappers below are only called with len(x) = vectorLen(n) > 0, and
// with y and bias at least as long as x, as the kernels need.

func expShiftSumVector(x []float32, shift float32) float32 {
	return expShiftSumAVX2(unsafe.SliceData(x), len(x), shift)
}

func maxVector(x []float32) float32 { return maxAVX2(unsafe.SliceData(x), len(x)) }

func scaleVector(x []float32, s float32) { scaleAVX2(unsafe.SliceData(x), len(x), s) }

func addVector(x, y []float32) { addAVX2(unsafe.SliceData(x), unsafe.SliceData(y), len(x)) }

func addBiasGELUVector(x, bias []float32) {
	addBiasGELUAVX2(unsafe.SliceData(x), unsafe.SliceData(bias), len(x))
}

// expShiftSumAVX2 sets x[i] = Exp32(x[i] − shift) for i < n and returns
// their sum.
//
//go:noescape
func expShiftSumAVX2(x *float32, n int, shift float32) float32

// maxAVX2 returns the largest of x[:n].
//
//go:noescape
func maxAVX2(x *float32, n int) float32

// scaleAVX2 multiplies x[:n] by s.
//
//go:noescape
func scaleAVX2(x *float32, n int, s float32)

// addAVX2 adds y[:n] to x[:n].
//
//go:noescape
func addAVX2(x, y *float32, n int)

// addBiasGELUAVX2 sets x[i] = GELU(x[i] + bias[i]) for i < n.
//
//go:noescape
func addBiasGELUAVX2(x, bias *float32, n int)
