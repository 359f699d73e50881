//go:build !cuda

package bert

import "errors"

// cudaCompiled reports whether this binary was built with the cuda tag.
const cudaCompiled = false

func newCUDAMatmul(int64) (acceleratedMatmul, error) {
	return nil, errors.New("bert: CUDA support is not compiled in (build with -tags cuda)")
}
