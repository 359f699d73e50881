package embed

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// goldenSingle is the part of a forward_<model>.json file these tests read:
// the batch of single texts and its normalized mean-pooled vectors.
type goldenSingle struct {
	ModelDir  string `json:"model_dir"`
	Tolerance struct {
		MaxAbsNormalized float64 `json:"max_abs_mean_pooled_normalized"`
	} `json:"tolerance"`
	Batches []struct {
		Name                 string      `json:"name"`
		MaxLength            int         `json:"max_length"`
		Texts                []string    `json:"texts"`
		MeanPooledNormalized [][]float64 `json:"mean_pooled_normalized"`
	} `json:"batches"`
}

var goldenModels = []string{"bert-tiny-h32-l2", "bert-h384-l1"}

// goldenModelDir returns the directory of a golden checkpoint.
func goldenModelDir(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(shareddata.Dir(t, "golden/bert"), "models", name)
}

func loadGoldenEncoder(t testing.TB, name string) *Encoder {
	t.Helper()
	enc, err := Load(context.Background(), goldenModelDir(t, name), DefaultEncoderOptions())
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestEncoderGoldenEmbeddings(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			dir := shareddata.Dir(t, "golden/bert")
			raw, err := os.ReadFile(filepath.Join(dir, "forward_"+name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var g goldenSingle
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatal(err)
			}
			enc, err := Load(context.Background(), filepath.Join(dir, g.ModelDir), DefaultEncoderOptions())
			if err != nil {
				t.Fatal(err)
			}

			checked := 0
			for _, batch := range g.Batches {
				if batch.Name != "single" {
					continue
				}
				if enc.MaxLength() != batch.MaxLength {
					t.Errorf("MaxLength() = %d, golden batch used %d", enc.MaxLength(), batch.MaxLength)
				}
				got, err := enc.Embed(context.Background(), batch.Texts)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(batch.Texts) {
					t.Fatalf("got %d vectors for %d texts", len(got), len(batch.Texts))
				}
				for i, want := range batch.MeanPooledNormalized {
					if len(got[i]) != len(want) || len(want) != enc.Dimensions() {
						t.Fatalf("text %d: got %d dimensions, golden %d, Dimensions() %d", i, len(got[i]), len(want), enc.Dimensions())
					}
					worst := 0.0
					for j := range want {
						worst = math.Max(worst, math.Abs(float64(got[i][j])-want[j]))
					}
					if worst > g.Tolerance.MaxAbsNormalized {
						t.Errorf("text %d %q: max abs error %.2e above %.0e", i, batch.Texts[i], worst, g.Tolerance.MaxAbsNormalized)
					}
				}
				checked++
			}
			if checked == 0 {
				t.Fatal("golden file has no batch named single")
			}
		})
	}
}

func TestEncoderModelID(t *testing.T) {
	enc := loadGoldenEncoder(t, "bert-tiny-h32-l2")
	if !strings.HasPrefix(enc.ModelID(), "bert-tiny-h32-l2@") {
		t.Errorf("ModelID() = %q, want the directory name and weights hash", enc.ModelID())
	}
	if strings.Contains(enc.ModelID(), ":max") {
		t.Errorf("ModelID() = %q has a max-length suffix at the model's own max length", enc.ModelID())
	}

	short, err := Load(context.Background(), goldenModelDir(t, "bert-tiny-h32-l2"), DefaultEncoderOptions().WithMaxLength(16))
	if err != nil {
		t.Fatal(err)
	}
	if want := enc.ModelID() + ":max16"; short.ModelID() != want {
		t.Errorf("ModelID() with max length 16 = %q, want %q", short.ModelID(), want)
	}
	if short.MaxLength() != 16 {
		t.Errorf("MaxLength() = %d, want 16", short.MaxLength())
	}
	seqs := short.Tokenize([]string{strings.Repeat("battery ", 100)})
	if len(seqs[0].IDs) != 16 {
		t.Errorf("long text tokenized to %d ids, want 16", len(seqs[0].IDs))
	}
}

func TestLoadErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	goldenDir := goldenModelDir(t, "bert-tiny-h32-l2")
	tests := []struct {
		name string
		dir  string
		opts EncoderOptions
		want string
	}{
		{"missing directory", filepath.Join(t.TempDir(), "nope"), DefaultEncoderOptions(), "model directory"},
		{"file instead of directory", file, DefaultEncoderOptions(), "is a file"},
		{"empty directory", t.TempDir(), DefaultEncoderOptions(), "load tokenizer"},
		{"max length above positions", goldenDir, DefaultEncoderOptions().WithMaxLength(65), "exceeds the model's max_position_embeddings 64"},
		{"negative max length", goldenDir, DefaultEncoderOptions().WithMaxLength(-1), "invalid max length"},
		{"zero batch size", goldenDir, DefaultEncoderOptions().WithBatchSize(0), "invalid batch size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), tt.dir, tt.opts)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestEncoderEmbedEmpty(t *testing.T) {
	enc := loadGoldenEncoder(t, "bert-tiny-h32-l2")
	got, err := enc.Embed(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("Embed(nil) returned %d vectors", len(got))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := enc.Embed(ctx, []string{"a"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Embed with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestErrNoTextModelMessage(t *testing.T) {
	want := "no text model configured: start the server with --model DIR to enable semantic features"
	if ErrNoTextModel.Error() != want {
		t.Errorf("ErrNoTextModel = %q, want %q", ErrNoTextModel, want)
	}
}
