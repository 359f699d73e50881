package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/embed"
)

// embedTestModel returns the directory of the small golden checkpoint.
func embedTestModel(t *testing.T) string {
	t.Helper()
	return filepath.Join(shareddata.Dir(t, "golden/bert"), "models", "bert-tiny-h32-l2")
}

func TestEmbedCommandGolden(t *testing.T) {
	modelDir := embedTestModel(t)
	var stdout, stderr bytes.Buffer
	a := &app{
		stdout: &stdout,
		stderr: &stderr,
		stdin:  strings.NewReader("Wireless earbuds, great battery\r\n蓝牙无线耳机 降噪\n\n<b>&</b> last line without newline"),
	}
	if err := runEmbed(context.Background(), a, []string{"--model", modelDir, "--batch", "2", "--log-level", "error"}); err != nil {
		t.Fatalf("embed: %v\nstderr: %s", err, stderr.String())
	}

	texts := []string{"Wireless earbuds, great battery", "蓝牙无线耳机 降噪", "", "<b>&</b> last line without newline"}
	enc, err := embed.Load(context.Background(), modelDir, embed.DefaultEncoderOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, err := enc.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}

	outLines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(outLines) != len(texts) {
		t.Fatalf("got %d output lines for %d input lines:\n%s", len(outLines), len(texts), stdout.String())
	}
	for i, raw := range outLines {
		var got embedLine
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, raw)
		}
		if got.Text != texts[i] {
			t.Errorf("line %d text = %q, want %q", i+1, got.Text, texts[i])
		}
		if len(got.Embedding) != enc.Dimensions() {
			t.Fatalf("line %d has %d dimensions, want %d", i+1, len(got.Embedding), enc.Dimensions())
		}
		for j := range got.Embedding {
			if d := math.Abs(float64(got.Embedding[j] - want[i][j])); d > 1e-6 {
				t.Errorf("line %d: embedding differs from Encoder.Embed by %.2e at %d", i+1, d, j)
				break
			}
		}
	}
	if !strings.Contains(outLines[3], `"<b>&</b>`) {
		t.Errorf("HTML characters were escaped in %s", outLines[3])
	}
}

func TestEmbedCommandStreams(t *testing.T) {
	modelDir := embedTestModel(t)
	stdinReader, stdinWriter := io.Pipe()
	stdoutReader, stdoutWriter := io.Pipe()
	a := &app{stdout: stdoutWriter, stderr: io.Discard, stdin: stdinReader}

	result := make(chan error, 1)
	go func() {
		err := runEmbed(context.Background(), a, []string{"--model", modelDir, "--log-level", "error"})
		stdoutWriter.CloseWithError(err)
		result <- err
	}()

	// The first line must come back while stdin is still open.
	if _, err := io.WriteString(stdinWriter, "first\n"); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 2)
	go func() {
		scanner := bufio.NewScanner(stdoutReader)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
		close(lines)
	}()
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, `{"text":"first",`) {
			t.Errorf("first output line = %s", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no output within 10 s while stdin is open: the command does not stream")
	}

	if _, err := io.WriteString(stdinWriter, "second\n"); err != nil {
		t.Fatal(err)
	}
	stdinWriter.Close()
	if line := <-lines; !strings.HasPrefix(line, `{"text":"second",`) {
		t.Errorf("second output line = %s", line)
	}
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}

func TestEmbedCommandErrors(t *testing.T) {
	modelDir := embedTestModel(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing model flag", nil, "missing --model"},
		{"missing model directory", []string{"--model", filepath.Join(t.TempDir(), "absent")}, "model directory"},
		{"zero batch", []string{"--model", modelDir, "--batch", "0"}, "invalid --batch 0"},
		{"negative max length", []string{"--model", modelDir, "--max-length", "-1"}, "invalid --max-length -1"},
		{"max length above positions", []string{"--model", modelDir, "--max-length", "65"}, "max_position_embeddings 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			a := &app{stdout: &stdout, stderr: io.Discard, stdin: strings.NewReader("x\n")}
			err := runEmbed(context.Background(), a, tt.args)
			if err == nil {
				t.Fatal("embed succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("wrote output before failing: %s", stdout.String())
			}
		})
	}
	if err := runEmbed(context.Background(), &app{stdout: io.Discard, stderr: io.Discard, stdin: strings.NewReader("")}, nil); !errors.Is(err, errMissingModel) {
		t.Errorf("without --model: err = %v, want errMissingModel", err)
	}
}

func TestEmbedCommandEmptyInput(t *testing.T) {
	var stdout bytes.Buffer
	a := &app{stdout: &stdout, stderr: io.Discard, stdin: strings.NewReader("")}
	if err := runEmbed(context.Background(), a, []string{"--model", embedTestModel(t), "--log-level", "error"}); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("empty input produced output: %s", stdout.String())
	}
}
