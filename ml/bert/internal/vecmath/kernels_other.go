//go:build !amd64

package vecmath

// vectorLen returns 0 because this architecture has no vector kernels, so
// every element goes through the scalar code. The functions below are
// never called.
func vectorLen(int) int { return 0 }

func expShiftSumVector([]float32, float32) float32 { panic(noKernels) }

func maxVector([]float32) float32 { panic(noKernels) }

func scaleVector([]float32, float32) { panic(noKernels) }

func addVector(_, _ []float32) { panic(noKernels) }

func addBiasGELUVector(_, _ []float32) { panic(noKernels) }

const noKernels = "vecmath: no vector kernels on this architecture"
