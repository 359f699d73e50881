package bert

import (
	"encoding/json"
	"fmt"
	"os"
)

// Config is the architecture part of a Hugging Face BERT config.json.
type Config struct {
	ModelType             string  `json:"model_type"`
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	IntermediateSize      int     `json:"intermediate_size"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	TypeVocabSize         int     `json:"type_vocab_size"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	HiddenAct             string  `json:"hidden_act"`
	// PositionEmbeddingType is "absolute" or empty; others are rejected.
	PositionEmbeddingType string `json:"position_embedding_type"`
}

// MiniLML6Config returns the shape of sentence-transformers/all-MiniLM-L6-v2:
// 6 layers, hidden size 384, 12 heads, intermediate size 1536, the 30522-token
// bert-base-uncased vocabulary and 512 positions.
func MiniLML6Config() Config {
	return Config{
		ModelType:             "bert",
		VocabSize:             30522,
		HiddenSize:            384,
		NumHiddenLayers:       6,
		NumAttentionHeads:     12,
		IntermediateSize:      1536,
		MaxPositionEmbeddings: 512,
		TypeVocabSize:         2,
		LayerNormEps:          1e-12,
		HiddenAct:             "gelu",
		PositionEmbeddingType: "absolute",
	}
}

// HeadDim returns the width of one attention head.
func (c Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// readConfig reads and validates a config.json file.
func readConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("bert: read config: %w", err)
	}
	// Hugging Face fills layer_norm_eps with 1e-12 when the field is absent.
	cfg := Config{LayerNormEps: 1e-12, TypeVocabSize: 2}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return Config{}, fmt.Errorf("bert: parse %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("bert: %s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks that the config describes a BERT encoder this package can
// run.
func (c Config) Validate() error {
	if c.ModelType != "bert" {
		return fmt.Errorf("model_type is %q, but only \"bert\" checkpoints are supported", c.ModelType)
	}
	switch c.HiddenAct {
	case "gelu":
	default:
		return fmt.Errorf("hidden_act %q is not supported; only \"gelu\" (exact erf GELU) is", c.HiddenAct)
	}
	if c.PositionEmbeddingType != "" && c.PositionEmbeddingType != "absolute" {
		return fmt.Errorf("position_embedding_type %q is not supported; only \"absolute\" is", c.PositionEmbeddingType)
	}
	positive := []struct {
		name  string
		value int
	}{
		{"vocab_size", c.VocabSize},
		{"hidden_size", c.HiddenSize},
		{"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads},
		{"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings},
		{"type_vocab_size", c.TypeVocabSize},
	}
	for _, p := range positive {
		if p.value <= 0 {
			return fmt.Errorf("%s is %d; it must be positive", p.name, p.value)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if !(c.LayerNormEps > 0) {
		return fmt.Errorf("layer_norm_eps is %g; it must be positive", c.LayerNormEps)
	}
	return nil
}
