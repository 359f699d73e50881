// Package bert loads BERT checkpoints in Hugging Face layout and runs the
// float32 encoder forward pass with Gorgonia dense tensors, then pools the
// token vectors into sentence embeddings the way sentence-transformers does.
//
// The matmuls run through gorgonia.org/tensor's BLAS hook: Gonum's pure-Go
// BLAS by default, OpenBLAS through cgo when built with the openblas tag
// (needs libopenblas-dev). Attention calls the same BLAS's sgemm directly on
// strided head views, and the element-wise steps (softmax, GELU) use the
// AVX2 kernels of internal/vecmath where the CPU has them.
//
// Built with the cuda tag, Options.Device can move the dense-layer matmuls
// to a GPU through Gorgonia's CUDA engine (device_cuda.go). That path has
// never been compiled or run: it was written without a GPU or the CUDA
// toolkit.
package bert

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/shopsight/shopsight/ml/safetensors"
)

// Options are the settings of a Model.
type Options struct {
	// Pooling overrides the checkpoint's pooling mode.
	Pooling Pooling
	// Normalize overrides the checkpoint's normalization.
	Normalize Normalization
	// BatchSize is the number of sequences Encode runs per forward pass.
	BatchSize int
	// Device selects the hardware that runs the dense-layer matmuls.
	Device Device
	// Logger receives the device choice and fallback warnings; nil means
	// slog.Default().
	Logger *slog.Logger
}

// DefaultOptions returns the checkpoint's own pooling and normalization,
// batches of 32 sequences and DeviceAuto.
func DefaultOptions() Options {
	return Options{BatchSize: 32, Device: DeviceAuto}
}

// WithPooling returns o with the pooling mode set.
func (o Options) WithPooling(p Pooling) Options { o.Pooling = p; return o }

// WithNormalize returns o with normalization switched on or off.
func (o Options) WithNormalize(on bool) Options {
	o.Normalize = NormalizeOff
	if on {
		o.Normalize = NormalizeOn
	}
	return o
}

// WithBatchSize returns o with Encode's batch size set.
func (o Options) WithBatchSize(n int) Options { o.BatchSize = n; return o }

// WithDevice returns o with the matmul device set.
func (o Options) WithDevice(d Device) Options { o.Device = d; return o }

// WithLogger returns o with the logger set.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

// Model is a loaded BERT encoder. It is safe for concurrent use.
type Model struct {
	cfg       Config
	w         *weights
	pooling   Pooling
	normalize bool
	batchSize int
	id        string
	// device runs the dense-layer matmuls. gpu is their backend on a GPU
	// and nil on the CPU.
	device Device
	gpu    acceleratedMatmul
	stats  forwardStats
	// arenas pools the activation buffers of finished forward passes.
	arenas sync.Pool
}

// forwardStats accumulates where forward time goes, for benchmarks.
type forwardStats struct {
	forwardNanos         atomic.Int64
	linearNanos          atomic.Int64 // wall time of the dense-layer matmuls
	linearFlops          atomic.Int64
	attentionNanos       atomic.Int64 // wall time of the attention step
	attentionMatmulNanos atomic.Int64 // summed over the goroutines that run it
	attentionFlops       atomic.Int64
}

// Load reads config.json and model.safetensors from a Hugging Face model
// directory, plus the optional sentence-transformers files modules.json and
// 1_Pooling/config.json that choose pooling and normalization.
func Load(dir string, opts Options) (*Model, error) {
	cfg, err := readConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	pooling, normalize, err := readSentenceTransformers(dir, cfg.HiddenSize)
	if err != nil {
		return nil, err
	}

	path := filepath.Join(dir, "model.safetensors")
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	defer f.Close()
	w, err := loadWeights(cfg, safetensorsSource(f))
	if err != nil {
		return nil, fmt.Errorf("bert: %s: %w", path, err)
	}
	sum := sha256.Sum256(f.Bytes())

	name := filepath.Base(filepath.Clean(dir))
	return newModel(cfg, w, name+"@"+hex.EncodeToString(sum[:6]), pooling, normalize, opts)
}

func newModel(cfg Config, w *weights, id string, pooling Pooling, normalize bool, opts Options) (*Model, error) {
	switch opts.Pooling {
	case PoolingFromCheckpoint:
	case PoolingMean, PoolingCLS, PoolingMax:
		pooling = opts.Pooling
	default:
		return nil, fmt.Errorf("bert: pooling %q is not supported; use mean, cls or max", opts.Pooling)
	}
	switch opts.Normalize {
	case NormalizeOn:
		normalize = true
	case NormalizeOff:
		normalize = false
	}
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("bert: batch size is %d; it must be positive", opts.BatchSize)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	device, gpu, err := selectDevice(opts.Device, logger, cudaArenaBytes(cfg, opts.BatchSize))
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, w: w, pooling: pooling, normalize: normalize, batchSize: opts.BatchSize, device: device, gpu: gpu}
	m.id = fmt.Sprintf("%s:%s", id, pooling)
	if normalize {
		m.id += "-normalized"
	}
	return m, nil
}

// Device returns where the dense-layer matmuls run: DeviceCPU or
// DeviceCUDA, after any fallback.
func (m *Model) Device() Device { return m.device }

// Config returns the model's architecture.
func (m *Model) Config() Config { return m.cfg }

// Pooling returns the pooling mode Embed and Encode use.
func (m *Model) Pooling() Pooling { return m.pooling }

// Normalized reports whether Embed and Encode return unit-length vectors.
func (m *Model) Normalized() bool { return m.normalize }

// Dimensions returns the length of a sentence vector.
func (m *Model) Dimensions() int { return m.cfg.HiddenSize }

// ID identifies the model for tagging stored vectors: the directory name,
// the first 12 hex digits of the weights file's SHA-256, the pooling mode and
// whether vectors are normalized, for example
// "all-MiniLM-L6-v2@53aa51172d14:mean-normalized".
func (m *Model) ID() string { return m.id }

// BLASBackend returns the BLAS the matmuls run on: "gonum" (pure Go, the
// default build) or "openblas" (built with the openblas tag and cgo).
func BLASBackend() string { return blasBackend }
