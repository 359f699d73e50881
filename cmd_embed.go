package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shopsight/shopsight/ml/bert"
	"github.com/shopsight/shopsight/ml/embed"
)

var errMissingModel = errors.New("missing --model: pass a Hugging Face BERT model directory")

func embedCommand() command {
	return command{
		name:    "embed",
		summary: "embed the lines of stdin with a BERT model and write JSON lines",
		run:     runEmbed,
	}
}

// embedLine is one output line of the embed command.
type embedLine struct {
	Text      string    `json:"text"`
	Embedding []float32 `json:"embedding"`
}

// runEmbed writes {"text": ..., "embedding": [...]} for every line of stdin,
// in input order. It embeds lines as they arrive, in batches of the lines
// already read, and flushes after each batch, so it works on a pipe that
// stays open. An empty line gets the embedding of the empty string, whose
// tokens are [CLS] [SEP]. A trailing "\r" is removed from each line.
func runEmbed(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "embed", "embed --model DIR [--batch N] [--max-length N] [flags] < lines.txt")
	var lf logFlags
	lf.register(fs)
	modelDir := fs.String("model", "", "Hugging Face BERT model directory with config.json, vocab.txt and model.safetensors (required)")
	batchSize := fs.Int("batch", 32, "maximum number of lines per forward pass")
	device := fs.String("device", "auto", "where the text model's matmuls run: cuda, cpu or auto (cuda needs a binary built with -tags cuda)")
	maxLength := fs.Int("max-length", 0, "maximum tokens per line, [CLS] and [SEP] included; longer lines are truncated (0 = the model's max_position_embeddings)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if *modelDir == "" {
		fs.Usage()
		return errMissingModel
	}
	if *batchSize <= 0 {
		return fmt.Errorf("invalid --batch %d: use a positive number of lines", *batchSize)
	}
	if *maxLength < 0 {
		return fmt.Errorf("invalid --max-length %d: use 0 for the model's maximum or a positive token count", *maxLength)
	}

	dev, err := bert.ParseDevice(*device)
	if err != nil {
		return fmt.Errorf("parse --device: %w", err)
	}

	opts := embed.DefaultEncoderOptions().WithBatchSize(*batchSize).WithMaxLength(*maxLength).
		WithModelOptions(bert.DefaultOptions().WithDevice(dev).WithLogger(logger))
	enc, err := embed.Load(ctx, *modelDir, opts)
	if err != nil {
		return err
	}
	logger.Info("embedding model loaded", "model", enc.ModelID(), "dimensions", enc.Dimensions(), "max_length", enc.MaxLength())

	done := make(chan struct{})
	defer close(done)
	lines, readErr := readLines(a.stdin, *batchSize, done)

	out := bufio.NewWriter(a.stdout)
	jsonOut := json.NewEncoder(out)
	jsonOut.SetEscapeHTML(false)
	total := 0
	for {
		texts, err := nextLines(ctx, lines, *batchSize)
		if err != nil {
			return err
		}
		if len(texts) == 0 {
			break
		}
		vectors, err := enc.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed lines %d to %d: %w", total+1, total+len(texts), err)
		}
		for i, text := range texts {
			if err := jsonOut.Encode(embedLine{Text: text, Embedding: vectors[i]}); err != nil {
				return fmt.Errorf("write embedding of line %d: %w", total+i+1, err)
			}
		}
		if err := out.Flush(); err != nil {
			return fmt.Errorf("write embeddings: %w", err)
		}
		total += len(texts)
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("read stdin after line %d: %w", total, err)
	}
	logger.Info("embedding finished", "lines", total)
	return nil
}

// readLines sends the lines of r on the returned channel until r ends or
// done is closed, then sends the read error (nil at end of input) on the
// second channel.
func readLines(r io.Reader, buffer int, done <-chan struct{}) (<-chan string, <-chan error) {
	lines := make(chan string, buffer)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			if err != nil && (!errors.Is(err, io.EOF) || line == "") {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				errc <- err
				return
			}
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			select {
			case lines <- line:
			case <-done:
				errc <- nil
				return
			}
		}
	}()
	return lines, errc
}

// nextLines waits for one line, then takes the lines already read, up to
// max in all. It returns no lines at the end of input.
func nextLines(ctx context.Context, lines <-chan string, max int) ([]string, error) {
	var texts []string
	select {
	case line, ok := <-lines:
		if !ok {
			return nil, nil
		}
		texts = append(texts, line)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for len(texts) < max {
		select {
		case line, ok := <-lines:
			if !ok {
				return texts, nil
			}
			texts = append(texts, line)
		default:
			return texts, nil
		}
	}
	return texts, nil
}
