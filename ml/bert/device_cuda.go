//go:build cuda

// NOTE: this file has never been compiled or run: it was written on a
// machine without a GPU or the CUDA toolkit, against the sources of
// gorgonia.org/gorgonia v0.9.18 (package cuda: Engine.Init, Engine.MatMul)
// and gorgonia.org/cu v0.9.4. It was only type-checked with go/types
// against those sources, with cgo faked. Building it needs the CUDA
// toolkit with cuBLAS and cuDNN, because gorgonia.org/gorgonia/cuda imports
// gorgonia.org/cu/dnn.

package bert

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"gorgonia.org/cu"
	"gorgonia.org/gorgonia/cuda"
	"gorgonia.org/tensor"
)

// cudaCompiled reports whether this binary was built with the cuda tag.
const cudaCompiled = true

// cudaMatmul runs dense-layer matmuls through Gorgonia's CUDA engine. The
// operands live in the engine's CUDA managed memory, which the host can
// read and write, and tensor.MatMul dispatches to Engine.MatMul, which calls
// cuBLAS sgemm.
type cudaMatmul struct {
	// mu serializes calls because the engine's allocator has no lock.
	mu     sync.Mutex
	engine *cuda.Engine
	// weights maps a layer's host weight view to its copy in device memory.
	weights map[*tensor.Dense]*tensor.Dense
}

// newCUDAMatmul starts a Gorgonia CUDA engine on device 0 with arenaBytes
// for its allocator, and checks it with a small matmul.
func newCUDAMatmul(arenaBytes int64) (acceleratedMatmul, error) {
	// NOTE: gorgonia.org/cu v0.9.4 calls cuInit in its package init and
	// exits the process when that fails (for example without a driver), so
	// this fallback only covers a driver without devices and an engine
	// that fails to start.
	devices, err := cu.NumDevices()
	if err != nil {
		return nil, fmt.Errorf("count CUDA devices: %w", err)
	}
	if devices == 0 {
		return nil, errors.New("no CUDA device found")
	}
	dev, err := cu.GetDevice(0)
	if err != nil {
		return nil, fmt.Errorf("get CUDA device 0: %w", err)
	}
	engine := &cuda.Engine{}
	if err := engine.Init(dev, arenaBytes); err != nil {
		return nil, fmt.Errorf("start the Gorgonia CUDA engine on device 0 with %d bytes: %w", arenaBytes, err)
	}
	g := &cudaMatmul{engine: engine, weights: make(map[*tensor.Dense]*tensor.Dense)}
	if err := g.selfCheck(); err != nil {
		if closeErr := engine.Close(); closeErr != nil {
			return nil, errors.Join(err, fmt.Errorf("close the CUDA engine: %w", closeErr))
		}
		return nil, err
	}
	return g, nil
}

// selfCheck multiplies a 2×3 matrix by a 3×2 weight on the device.
func (g *cudaMatmul) selfCheck() error {
	l := newLinear([]float32{1, 2, 3, 4, 5, 6}, make([]float32, 2), 2, 3)
	dst := make([]float32, 4)
	if err := g.matmul(l, []float32{1, 0, -1, 2, 1, 0}, 2, dst); err != nil {
		return fmt.Errorf("CUDA self-check matmul: %w", err)
	}
	if want := []float32{-2, -2, 4, 13}; !slices.Equal(dst, want) {
		return fmt.Errorf("CUDA self-check matmul returned %v, expected %v", dst, want)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.free(g.weights[l.wT])
	delete(g.weights, l.wT)
	return nil
}

// matmul sets dst = src·Wᵀ on the device. It copies the weight to the
// device on first use and the activations on every call.
func (g *cudaMatmul) matmul(l linear, src []float32, rows int, dst []float32) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	w, err := g.deviceWeight(l)
	if err != nil {
		return err
	}
	a, err := g.newDeviceMatrix(rows, l.in)
	if err != nil {
		return err
	}
	defer g.free(a)
	c, err := g.newDeviceMatrix(rows, l.out)
	if err != nil {
		return err
	}
	defer g.free(c)

	copy(a.Float32s(), src[:rows*l.in])
	if _, err := tensor.MatMul(a, w, tensor.WithReuse(c)); err != nil {
		return fmt.Errorf("cuBLAS matmul [%d×%d]·[%d×%d]: %w", rows, l.in, l.in, l.out, err)
	}
	// cuBLAS runs asynchronously: wait for it before the host reads c.
	if err := g.engine.Context().Do(cu.Synchronize); err != nil {
		return fmt.Errorf("synchronize the CUDA context: %w", err)
	}
	copy(dst[:rows*l.out], c.Float32s())
	return nil
}

// deviceWeight returns the transposed device copy of l's weight, [in, out].
func (g *cudaMatmul) deviceWeight(l linear) (*tensor.Dense, error) {
	if w, ok := g.weights[l.wT]; ok {
		return w, nil
	}
	w, err := g.newDeviceMatrix(l.out, l.in)
	if err != nil {
		return nil, err
	}
	copy(w.Float32s(), l.weights())
	if err := w.T(); err != nil {
		g.free(w)
		return nil, fmt.Errorf("transpose the device weight [%d×%d]: %w", l.out, l.in, err)
	}
	g.weights[l.wT] = w
	return w, nil
}

// newDeviceMatrix allocates a rows×cols float32 matrix in the engine's
// memory. tensor.New panics when the allocation fails; the panic becomes
// the returned error.
func (g *cudaMatmul) newDeviceMatrix(rows, cols int) (t *tensor.Dense, err error) {
	defer func() {
		switch r := recover().(type) {
		case nil:
		case error:
			err = fmt.Errorf("allocate a %d×%d float32 matrix in CUDA memory: %w", rows, cols, r)
		default:
			err = fmt.Errorf("allocate a %d×%d float32 matrix in CUDA memory: %v", rows, cols, r)
		}
	}()
	return tensor.New(tensor.WithShape(rows, cols), tensor.Of(tensor.Float32), tensor.WithEngine(g.engine)), nil
}

// free returns t's memory to the engine's allocator.
func (g *cudaMatmul) free(t *tensor.Dense) {
	if t != nil {
		// Engine.Free always returns nil in gorgonia v0.9.18.
		_ = g.engine.Free(t, int64(t.MemSize()))
	}
}
