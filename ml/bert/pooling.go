package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Pooling is the rule that reduces token vectors to one sentence vector.
type Pooling string

// Pooling modes of sentence-transformers' Pooling module.
const (
	// PoolingFromCheckpoint takes the mode from the checkpoint's
	// sentence-transformers files, or PoolingMean when it has none.
	PoolingFromCheckpoint Pooling = ""
	// PoolingMean averages the vectors of the real tokens ([CLS] and [SEP]
	// included, padding excluded).
	PoolingMean Pooling = "mean"
	// PoolingCLS takes the vector of the first token.
	PoolingCLS Pooling = "cls"
	// PoolingMax takes the element-wise maximum over the real tokens.
	PoolingMax Pooling = "max"
)

// Normalization is the setting that scales sentence vectors to unit L2 norm.
type Normalization int

// Normalization settings.
const (
	// NormalizeFromCheckpoint normalizes when the checkpoint's modules.json
	// lists a Normalize module, and also when the checkpoint has no
	// modules.json.
	NormalizeFromCheckpoint Normalization = iota
	NormalizeOn
	NormalizeOff
)

// sentenceTransformersModule is one entry of modules.json.
type sentenceTransformersModule struct {
	Path string `json:"path"`
	Type string `json:"type"`
}

// poolingConfig is sentence-transformers' 1_Pooling/config.json.
type poolingConfig struct {
	CLS        bool `json:"pooling_mode_cls_token"`
	Mean       bool `json:"pooling_mode_mean_tokens"`
	Max        bool `json:"pooling_mode_max_tokens"`
	MeanSqrt   bool `json:"pooling_mode_mean_sqrt_len_tokens"`
	Weighted   bool `json:"pooling_mode_weightedmean_tokens"`
	LastToken  bool `json:"pooling_mode_lasttoken"`
	Dimensions int  `json:"word_embedding_dimension"`
}

// readSentenceTransformers returns the pooling mode and normalization that
// dir's modules.json describes. Without modules.json it returns mean pooling
// with normalization, the all-MiniLM-L6-v2 setup.
func readSentenceTransformers(dir string, hidden int) (Pooling, bool, error) {
	path := filepath.Join(dir, "modules.json")
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return PoolingMean, true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("bert: read %s: %w", path, err)
	}
	var modules []sentenceTransformersModule
	if err := json.Unmarshal(raw, &modules); err != nil {
		return "", false, fmt.Errorf("bert: parse %s: %w", path, err)
	}
	pooling, normalize := PoolingCLS, false
	sawPooling := false
	for _, m := range modules {
		switch m.Type {
		case "sentence_transformers.models.Transformer":
		case "sentence_transformers.models.Pooling":
			pooling, err = readPoolingConfig(filepath.Join(dir, m.Path, "config.json"), hidden)
			if err != nil {
				return "", false, err
			}
			sawPooling = true
		case "sentence_transformers.models.Normalize":
			normalize = true
		default:
			return "", false, fmt.Errorf("bert: %s lists module type %q, which is not supported (only Transformer, Pooling and Normalize are)", path, m.Type)
		}
	}
	if !sawPooling {
		// sentence-transformers itself adds mean pooling when a model has none.
		pooling = PoolingMean
	}
	return pooling, normalize, nil
}

func readPoolingConfig(path string, hidden int) (Pooling, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("bert: read pooling config: %w", err)
	}
	var pc poolingConfig
	if err := json.Unmarshal(raw, &pc); err != nil {
		return "", fmt.Errorf("bert: parse %s: %w", path, err)
	}
	if pc.Dimensions != 0 && pc.Dimensions != hidden {
		return "", fmt.Errorf("bert: %s: word_embedding_dimension is %d but the model's hidden_size is %d", path, pc.Dimensions, hidden)
	}
	if pc.MeanSqrt || pc.Weighted || pc.LastToken {
		return "", fmt.Errorf("bert: %s: only the cls, mean and max pooling modes are supported", path)
	}
	var modes []Pooling
	if pc.CLS {
		modes = append(modes, PoolingCLS)
	}
	if pc.Mean {
		modes = append(modes, PoolingMean)
	}
	if pc.Max {
		modes = append(modes, PoolingMax)
	}
	if len(modes) != 1 {
		return "", fmt.Errorf("bert: %s enables %d pooling modes %v; exactly one of cls, mean and max is supported", path, len(modes), modes)
	}
	return modes[0], nil
}

// poolRow pools one sequence's hidden states hidden ([T][H] flattened) under
// mask into dst.
func poolRow(dst, hidden []float32, mask []int32, mode Pooling) {
	H := len(dst)
	switch mode {
	case PoolingCLS:
		copy(dst, hidden[:H])
	case PoolingMax:
		for i := range dst {
			dst[i] = float32(math.Inf(-1))
		}
		seen := false
		for t, m := range mask {
			if m == 0 {
				continue
			}
			seen = true
			row := hidden[t*H : (t+1)*H]
			for i, v := range row {
				dst[i] = max(dst[i], v)
			}
		}
		if !seen {
			// sentence-transformers sets padded positions to -1e9 before the
			// max, so a row without real tokens pools to -1e9.
			for i := range dst {
				dst[i] = -1e9
			}
		}
	default:
		meanPoolRow(dst, hidden, mask)
	}
}

// meanPoolRow averages the real-token rows in float64:
// Σ mask_t·x_t / max(Σ mask_t, 1e-9).
func meanPoolRow(dst, hidden []float32, mask []int32) {
	H := len(dst)
	sum := make([]float64, H)
	count := 0
	for t, m := range mask {
		if m == 0 {
			continue
		}
		count++
		row := hidden[t*H : (t+1)*H]
		for i, v := range row {
			sum[i] += float64(v)
		}
	}
	div := max(float64(count), 1e-9)
	for i := range dst {
		dst[i] = float32(sum[i] / div)
	}
}
