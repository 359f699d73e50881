package bert

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/safetensors"
)

// tinyConfig is a small architecture for checkpoint tests.
func tinyConfig() Config {
	cfg := MiniLML6Config()
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers = 50, 8, 1
	cfg.NumAttentionHeads, cfg.IntermediateSize, cfg.MaxPositionEmbeddings = 2, 16, 12
	return cfg
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rewriteCheckpoint writes dir's tensors again after edit changes the list.
func rewriteCheckpoint(t *testing.T, dir string, edit func([]safetensors.Tensor) []safetensors.Tensor) {
	t.Helper()
	path := filepath.Join(dir, "model.safetensors")
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var tensors []safetensors.Tensor
	for _, name := range f.Names() {
		tt, _ := f.Tensor(name)
		tt.Data = append([]byte(nil), tt.Data...)
		tensors = append(tensors, tt)
	}
	f.Close()
	if err := safetensors.WriteFile(path, edit(tensors), nil); err != nil {
		t.Fatal(err)
	}
}

func randomCheckpoint(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteRandom(dir, tinyConfig(), 3); err != nil {
		t.Fatal(err)
	}
	return dir
}

func embedOne(t *testing.T, m *Model) []float32 {
	t.Helper()
	v, err := m.Embed(context.Background(), Batch{IDs: [][]int32{{1, 7, 9, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	return v[0]
}

func TestLoadMatchesNewRandom(t *testing.T) {
	dir := randomCheckpoint(t)
	loaded, err := Load(dir, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	inMemory, err := NewRandom(tinyConfig(), 3, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	a, b := embedOne(t, loaded), embedOne(t, inMemory)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("element %d: loaded %g, in memory %g", i, a[i], b[i])
		}
	}
	if !strings.HasPrefix(loaded.ID(), filepath.Base(dir)+"@") || !strings.HasSuffix(loaded.ID(), ":mean-normalized") {
		t.Errorf("ID() = %q, want <dir>@<hash>:mean-normalized", loaded.ID())
	}
}

func TestLoadPrefixedCheckpoint(t *testing.T) {
	dir := randomCheckpoint(t)
	want := embedOne(t, mustLoad(t, dir, DefaultOptions()))
	rewriteCheckpoint(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
		for i := range ts {
			ts[i].Name = "bert." + ts[i].Name
		}
		return append(ts,
			safetensors.Float32Tensor("cls.predictions.bias", []int{50}, make([]float32, 50)),
			safetensors.Tensor{Name: "bert.embeddings.position_ids", DType: safetensors.I64, Shape: []int{1, 12}, Data: make([]byte, 96)},
		)
	})
	got := embedOne(t, mustLoad(t, dir, DefaultOptions()))
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d: prefixed %g, plain %g", i, got[i], want[i])
		}
	}
}

func mustLoad(t *testing.T, dir string, opts Options) *Model {
	t.Helper()
	m, err := Load(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadRejectsBadCheckpoints(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"model type", func(t *testing.T, dir string) {
			cfg := tinyConfig()
			cfg.ModelType = "roberta"
			writeJSON(t, filepath.Join(dir, "config.json"), cfg)
		}, `model_type is "roberta"`},
		{"activation", func(t *testing.T, dir string) {
			cfg := tinyConfig()
			cfg.HiddenAct = "gelu_new"
			writeJSON(t, filepath.Join(dir, "config.json"), cfg)
		}, `hidden_act "gelu_new" is not supported`},
		{"heads", func(t *testing.T, dir string) {
			cfg := tinyConfig()
			cfg.NumAttentionHeads = 3
			writeJSON(t, filepath.Join(dir, "config.json"), cfg)
		}, "not a multiple of num_attention_heads"},
		{"missing tensor", func(t *testing.T, dir string) {
			rewriteCheckpoint(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				var kept []safetensors.Tensor
				for _, tt := range ts {
					if tt.Name != "encoder.layer.0.intermediate.dense.weight" {
						kept = append(kept, tt)
					}
				}
				return kept
			})
		}, `tensor "encoder.layer.0.intermediate.dense.weight" is missing (expected shape [16 8])`},
		{"wrong shape", func(t *testing.T, dir string) {
			rewriteCheckpoint(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i, tt := range ts {
					if tt.Name == "encoder.layer.0.output.dense.weight" {
						ts[i].Shape = []int{16, 8} // stored transposed
					}
				}
				return ts
			})
		}, `tensor "encoder.layer.0.output.dense.weight" has shape [16 8], expected [8 16]`},
		{"missing weights file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "model.safetensors"))
		}, "model.safetensors"},
		{"unsupported module", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "modules.json"), []map[string]string{
				{"path": "", "type": "sentence_transformers.models.Transformer"},
				{"path": "2_Dense", "type": "sentence_transformers.models.Dense"},
			})
		}, `module type "sentence_transformers.models.Dense"`},
		{"two pooling modes", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "modules.json"), []map[string]string{
				{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
			})
			writeJSON(t, filepath.Join(dir, "1_Pooling", "config.json"), map[string]any{
				"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true,
			})
		}, "enables 2 pooling modes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := randomCheckpoint(t)
			tc.setup(t, dir)
			_, err := Load(dir, DefaultOptions())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadPoolingFromModules(t *testing.T) {
	tests := []struct {
		name          string
		mode          string
		normalize     bool
		wantPooling   Pooling
		wantNormalize bool
	}{
		{"cls without normalize", "pooling_mode_cls_token", false, PoolingCLS, false},
		{"max with normalize", "pooling_mode_max_tokens", true, PoolingMax, true},
		{"mean without normalize", "pooling_mode_mean_tokens", false, PoolingMean, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := randomCheckpoint(t)
			modules := []map[string]string{
				{"path": "", "type": "sentence_transformers.models.Transformer"},
				{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
			}
			if tc.normalize {
				modules = append(modules, map[string]string{"path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
			}
			writeJSON(t, filepath.Join(dir, "modules.json"), modules)
			writeJSON(t, filepath.Join(dir, "1_Pooling", "config.json"), map[string]any{"word_embedding_dimension": 8, tc.mode: true})
			m := mustLoad(t, dir, DefaultOptions())
			if m.Pooling() != tc.wantPooling || m.Normalized() != tc.wantNormalize {
				t.Errorf("pooling %q normalized %v, want %q %v", m.Pooling(), m.Normalized(), tc.wantPooling, tc.wantNormalize)
			}
			v := embedOne(t, m)
			if norm := l2(v); tc.wantNormalize != (math.Abs(norm-1) < 1e-6) {
				t.Errorf("vector norm %g with normalize %v", norm, tc.wantNormalize)
			}
		})
	}
}

func l2(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestEmbedPoolingModes(t *testing.T) {
	batch := Batch{
		IDs:  [][]int32{{1, 5, 6, 2, 0}, {1, 9, 2, 0, 0}},
		Mask: [][]int32{{1, 1, 1, 1, 0}, {1, 1, 1, 0, 0}},
	}
	base, err := NewRandom(tinyConfig(), 5, DefaultOptions().WithNormalize(false))
	if err != nil {
		t.Fatal(err)
	}
	out, err := base.Forward(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Pooling{PoolingMean, PoolingCLS, PoolingMax} {
		t.Run(string(mode), func(t *testing.T) {
			m, err := NewRandom(tinyConfig(), 5, DefaultOptions().WithPooling(mode).WithNormalize(false))
			if err != nil {
				t.Fatal(err)
			}
			vectors, err := m.Embed(context.Background(), batch)
			if err != nil {
				t.Fatal(err)
			}
			for b, v := range vectors {
				for i := range v {
					want := expectedPooled(out, batch.Mask[b], b, i, mode)
					if math.Abs(float64(v[i]-want)) > 1e-6 {
						t.Fatalf("row %d element %d = %g, want %g", b, i, v[i], want)
					}
				}
			}
		})
	}
}

func expectedPooled(out *Output, mask []int32, b, i int, mode Pooling) float32 {
	switch mode {
	case PoolingCLS:
		return out.Hidden(b, 0)[i]
	case PoolingMax:
		best := float32(math.Inf(-1))
		for t, m := range mask {
			if m == 1 {
				best = max(best, out.Hidden(b, t)[i])
			}
		}
		return best
	}
	return out.MeanPooled[b][i]
}

func TestForwardRejectsBadBatches(t *testing.T) {
	m, err := NewRandom(tinyConfig(), 1, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		batch Batch
		want  string
	}{
		{"ragged", Batch{IDs: [][]int32{{1, 2}, {1}}}, "row 1 has 1 ids but row 0 has 2"},
		{"id out of range", Batch{IDs: [][]int32{{1, 50}}}, "token id 50 is outside the vocabulary"},
		{"too long", Batch{IDs: [][]int32{make([]int32, 13)}}, "exceeds max_position_embeddings 12"},
		{"bad mask", Batch{IDs: [][]int32{{1, 2}}, Mask: [][]int32{{1, 2}}}, "attention mask value 2"},
		{"bad type id", Batch{IDs: [][]int32{{1, 2}}, TypeIDs: [][]int32{{0, 2}}}, "token type id 2 is outside [0, 2)"},
		{"empty row", Batch{IDs: [][]int32{{}}}, "rows are empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Forward(context.Background(), tc.batch)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Forward error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestForwardCanceled(t *testing.T) {
	m, err := NewRandom(tinyConfig(), 1, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Forward(ctx, Batch{IDs: [][]int32{{1, 2}}}); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("Forward error = %v, want context canceled", err)
	}
}

// TestEncodeGoldenOrder encodes the golden texts in small batches and checks
// that the sorted, bucketed results come back in input order.
func TestEncodeGoldenOrder(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			g, _ := loadGolden(t, name)
			dir := shareddata.Dir(t, "golden/bert")
			m := mustLoad(t, filepath.Join(dir, g.ModelDir), DefaultOptions().WithBatchSize(3))
			var seqs []Sequence
			var want [][]float64
			for _, gb := range g.Batches {
				for b, n := range gb.SeqLengths {
					seqs = append(seqs, Sequence{IDs: gb.InputIDs[b][:n], TypeIDs: gb.TokenTypeIDs[b][:n]})
					want = append(want, gb.MeanPooledNormalized[b])
				}
			}
			got, err := m.Encode(context.Background(), seqs)
			if err != nil {
				t.Fatal(err)
			}
			var diff maxDiff
			diff.rows("encoded", got, want)
			diff.check(t, "Encode vs mean_pooled_normalized", g.Tolerance.MaxAbsNormalized)
		})
	}
}
