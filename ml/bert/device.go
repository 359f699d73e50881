package bert

import (
	"fmt"
	"log/slog"
	"strings"
)

// Device identifies the hardware that runs the dense-layer matmuls.
type Device string

// Devices accepted by ParseDevice and Options.Device.
const (
	// DeviceAuto uses a CUDA GPU when the binary is built with the cuda tag
	// and one is found, and the CPU otherwise.
	DeviceAuto Device = "auto"
	// DeviceCPU runs everything on the CPU.
	DeviceCPU Device = "cpu"
	// DeviceCUDA requests a CUDA GPU. Without one, or in a binary built
	// without the cuda tag, the model logs a warning and uses the CPU.
	DeviceCUDA Device = "cuda"
)

// ParseDevice parses a --device flag value: "cuda", "cpu" or "auto",
// in any case. The empty string means DeviceAuto.
func ParseDevice(s string) (Device, error) {
	switch d := Device(strings.ToLower(strings.TrimSpace(s))); d {
	case "":
		return DeviceAuto, nil
	case DeviceAuto, DeviceCPU, DeviceCUDA:
		return d, nil
	}
	return "", fmt.Errorf("bert: invalid device %q: use cuda, cpu or auto", s)
}

// acceleratedMatmul runs the dense-layer matmuls on a GPU. The only
// implementation is cudaMatmul in device_cuda.go (cuda build tag).
type acceleratedMatmul interface {
	// matmul sets dst = src·Wᵀ, without the bias, for rows input rows.
	matmul(l linear, src []float32, rows int, dst []float32) error
}

// selectDevice returns the device the model runs on and, for a GPU, its
// matmul backend. It falls back to the CPU, with a log line, when CUDA was
// requested but is not compiled in or no device works.
func selectDevice(requested Device, logger *slog.Logger, arenaBytes int64) (Device, acceleratedMatmul, error) {
	switch requested {
	case "", DeviceAuto, DeviceCUDA:
	case DeviceCPU:
		return DeviceCPU, nil, nil
	default:
		return "", nil, fmt.Errorf("bert: invalid device %q: use cuda, cpu or auto", requested)
	}
	if !cudaCompiled {
		if requested == DeviceCUDA {
			logger.Warn("CUDA support is not compiled in (build with -tags cuda); using the CPU")
		}
		return DeviceCPU, nil, nil
	}
	gpu, err := newCUDAMatmul(arenaBytes)
	if err != nil {
		logger.Warn("no usable CUDA device; using the CPU", "device", requested, "error", err)
		return DeviceCPU, nil, nil
	}
	logger.Info("dense-layer matmuls run on the GPU", "device", DeviceCUDA)
	return DeviceCUDA, gpu, nil
}

// cudaArenaBytes sizes the CUDA engine's allocator for cfg: every
// dense-layer weight, plus the input and output of the largest matmul of a
// batchSize × max_position_embeddings batch, doubled for fragmentation.
// Larger batches fail on the GPU with an allocation error.
func cudaArenaBytes(cfg Config, batchSize int) int64 {
	H, I := int64(cfg.HiddenSize), int64(cfg.IntermediateSize)
	weights := int64(cfg.NumHiddenLayers)*(4*H*H+2*H*I) + H*H
	rows := int64(max(batchSize, 1)) * int64(cfg.MaxPositionEmbeddings)
	activations := rows * (H + I)
	return 2 * 4 * (weights + activations)
}
