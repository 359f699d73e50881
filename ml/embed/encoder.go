// Package embed turns texts into sentence vectors with a BERT model: Encoder
// pairs the WordPiece tokenizer with the model of one Hugging Face model
// directory, and Batcher gathers concurrent requests into shared forward
// passes.
package embed

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/shopsight/shopsight/ml/bert"
	"github.com/shopsight/shopsight/ml/tokenizer"
)

// ErrNoTextModel is returned by features that need sentence vectors when
// the server runs without a model.
var ErrNoTextModel = errors.New("no text model configured: start the server with --model DIR to enable semantic features")

// EncoderOptions configures Load. Start from DefaultEncoderOptions and change
// single settings with the With methods.
type EncoderOptions struct {
	// MaxLength is the maximum number of tokens per text, [CLS] and [SEP]
	// included; longer texts are truncated from the right. 0 means the
	// model's max_position_embeddings. A larger value is rejected.
	MaxLength int

	// BatchSize is the number of sequences per forward pass. Embed sorts
	// its texts by length and runs them in batches of this size.
	BatchSize int

	// Model holds the settings of the BERT model: pooling,
	// normalization, device and logger. Its BatchSize is replaced by the
	// BatchSize above.
	Model bert.Options
}

// DefaultEncoderOptions returns the checkpoint's own pooling and
// normalization, truncation at the model's max positions and batches of 32.
func DefaultEncoderOptions() EncoderOptions {
	return EncoderOptions{BatchSize: 32, Model: bert.DefaultOptions()}
}

// WithMaxLength returns o with MaxLength set to n tokens.
func (o EncoderOptions) WithMaxLength(n int) EncoderOptions { o.MaxLength = n; return o }

// WithBatchSize returns o with BatchSize set to n sequences.
func (o EncoderOptions) WithBatchSize(n int) EncoderOptions { o.BatchSize = n; return o }

// WithModelOptions returns o with the BERT model settings set to m.
func (o EncoderOptions) WithModelOptions(m bert.Options) EncoderOptions { o.Model = m; return o }

// Encoder embeds texts with the tokenizer and model of one model directory.
// It is safe for concurrent use.
type Encoder struct {
	tok       *tokenizer.Tokenizer
	model     *bert.Model
	maxLength int
	id        string
}

// Load reads the tokenizer and the BERT model from the Hugging Face model
// directory dir (config.json, model.safetensors, and tokenizer.json or
// vocab.txt).
func Load(ctx context.Context, dir string, opts EncoderOptions) (*Encoder, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("embed: model directory %q: %w; pass a Hugging Face BERT directory with config.json, vocab.txt and model.safetensors", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("embed: model path %q is a file; pass the directory that contains config.json, vocab.txt and model.safetensors", dir)
	}
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("embed: invalid batch size %d: it must be positive", opts.BatchSize)
	}
	if opts.MaxLength < 0 {
		return nil, fmt.Errorf("embed: invalid max length %d: use 0 for the model's maximum or a positive token count", opts.MaxLength)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("embed: load tokenizer from %s: %w", dir, err)
	}
	// NOTE: bert.Load takes no context, so a cancelled ctx does not stop a
	// weights file that is being read.
	model, err := bert.Load(dir, opts.Model.WithBatchSize(opts.BatchSize))
	if err != nil {
		return nil, fmt.Errorf("embed: load model from %s: %w", dir, err)
	}
	return newEncoder(tok, model, opts.MaxLength)
}

// NewEncoder pairs a tokenizer and a model that were loaded separately, for
// tests and benchmarks. maxLength follows EncoderOptions.MaxLength.
func NewEncoder(tok *tokenizer.Tokenizer, model *bert.Model, maxLength int) (*Encoder, error) {
	if tok == nil || model == nil {
		return nil, errors.New("embed: NewEncoder needs a tokenizer and a model, got nil")
	}
	if maxLength < 0 {
		return nil, fmt.Errorf("embed: invalid max length %d: use 0 for the model's maximum or a positive token count", maxLength)
	}
	return newEncoder(tok, model, maxLength)
}

func newEncoder(tok *tokenizer.Tokenizer, model *bert.Model, maxLength int) (*Encoder, error) {
	positions := model.Config().MaxPositionEmbeddings
	if maxLength > positions {
		return nil, fmt.Errorf("embed: max length %d exceeds the model's max_position_embeddings %d; use at most %d", maxLength, positions, positions)
	}
	id := model.ID()
	if maxLength == 0 {
		maxLength = positions
	}
	if maxLength < positions {
		// Truncation changes the vectors of long texts, so vectors made
		// with a shorter limit belong to another vector space.
		id = fmt.Sprintf("%s:max%d", id, maxLength)
	}
	return &Encoder{tok: tok, model: model, maxLength: maxLength, id: id}, nil
}

// ModelID identifies the vector space: the model's ID (directory name,
// weights hash, pooling and normalization), plus ":max<N>" when texts are
// truncated below the model's max positions.
func (e *Encoder) ModelID() string { return e.id }

// Dimensions returns the length of every vector.
func (e *Encoder) Dimensions() int { return e.model.Dimensions() }

// MaxLength returns the number of tokens at which texts are truncated,
// [CLS] and [SEP] included.
func (e *Encoder) MaxLength() int { return e.maxLength }

// Tokenize converts texts to model inputs, truncated to MaxLength tokens.
// The empty string becomes [CLS] [SEP].
func (e *Encoder) Tokenize(texts []string) []bert.Sequence {
	seqs := make([]bert.Sequence, len(texts))
	for i, text := range texts {
		seqs[i] = bert.Sequence{IDs: e.tok.Encode(text, e.maxLength).IDs}
	}
	return seqs
}

// Embed returns one vector per text, in input order.
func (e *Encoder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.EmbedSequences(ctx, e.Tokenize(texts))
}

// EmbedSequences returns one vector per sequence from Tokenize, in input
// order.
func (e *Encoder) EmbedSequences(ctx context.Context, seqs []bert.Sequence) ([][]float32, error) {
	if len(seqs) == 0 {
		return [][]float32{}, nil
	}
	vectors, err := e.model.Encode(ctx, seqs)
	if err != nil {
		return nil, fmt.Errorf("embed: %d texts with model %s: %w", len(seqs), e.id, err)
	}
	return vectors, nil
}
