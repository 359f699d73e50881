package bert

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shopsight/shopsight/ml/safetensors"
)

// NewRandom builds a cfg-shaped model with seeded random weights in memory,
// for tests and benchmarks. The weights follow the scaling of the golden
// checkpoints: word embeddings N(0, 0.05²), position and token-type
// embeddings N(0, 0.03²), LayerNorm weight 1 + N(0, 0.1²) and bias
// N(0, 0.05²), query and key weights N(0, (1.5/√in)²), other dense weights
// N(0, (1/√in)²), dense biases N(0, 0.05²). Its outputs mean nothing.
func NewRandom(cfg Config, seed uint64, opts Options) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bert: random model: %w", err)
	}
	w, err := loadWeights(cfg, randomSource(seed))
	if err != nil {
		return nil, fmt.Errorf("bert: random model: %w", err)
	}
	return newModel(cfg, w, fmt.Sprintf("random-seed-%d", seed), PoolingMean, true, opts)
}

// WriteRandom writes a cfg-shaped checkpoint with the weights NewRandom
// would draw into dir, as config.json and model.safetensors.
func WriteRandom(dir string, cfg Config, seed uint64) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("bert: random checkpoint: %w", err)
	}
	var tensors []safetensors.Tensor
	src := randomSource(seed)
	record := func(name string, shape []int) ([]float32, error) {
		values, err := src(name, shape)
		if err == nil {
			tensors = append(tensors, safetensors.Float32Tensor(name, shape, values))
		}
		return values, err
	}
	if _, err := loadWeights(cfg, record); err != nil {
		return fmt.Errorf("bert: random checkpoint: %w", err)
	}
	slices.SortFunc(tensors, func(a, b safetensors.Tensor) int { return strings.Compare(a.Name, b.Name) })

	raw, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("bert: random checkpoint: encode config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		return fmt.Errorf("bert: random checkpoint: %w", err)
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := safetensors.WriteFile(path, tensors, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("bert: random checkpoint: %w", err)
	}
	return nil
}

// randomSource draws each tensor from its own generator, seeded by seed and
// the tensor name, so the values do not depend on the order of the calls.
func randomSource(seed uint64) tensorSource {
	return func(name string, shape []int) ([]float32, error) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		var nameHash uint64 = 1469598103934665603
		for _, c := range []byte(name) {
			nameHash = (nameHash ^ uint64(c)) * 1099511628211
		}
		rng := rand.New(rand.NewPCG(seed, nameHash))
		mean, std := randomScale(name, shape)
		values := make([]float32, n)
		for i := range values {
			values[i] = float32(mean + std*rng.NormFloat64())
		}
		return values, nil
	}
}

// randomScale returns the mean and standard deviation of a tensor's elements.
func randomScale(name string, shape []int) (mean, std float64) {
	switch {
	case strings.HasSuffix(name, "word_embeddings.weight"):
		return 0, 0.05
	case strings.HasSuffix(name, "position_embeddings.weight"), strings.HasSuffix(name, "token_type_embeddings.weight"):
		return 0, 0.03
	case strings.Contains(name, "LayerNorm.weight"):
		return 1, 0.1
	case strings.HasSuffix(name, ".bias"):
		return 0, 0.05
	case strings.HasSuffix(name, "query.weight"), strings.HasSuffix(name, "key.weight"):
		return 0, 1.5 / math.Sqrt(float64(shape[1]))
	default:
		return 0, 1 / math.Sqrt(float64(shape[1]))
	}
}
