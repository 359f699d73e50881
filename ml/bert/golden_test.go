package bert

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// goldenForward is a forward_<model>.json file.
type goldenForward struct {
	ModelDir  string `json:"model_dir"`
	Tolerance struct {
		MaxAbs           float64 `json:"max_abs"`
		MaxAbsNormalized float64 `json:"max_abs_mean_pooled_normalized"`
		MaxAbsCosine     float64 `json:"max_abs_cosine_similarity"`
	} `json:"tolerance"`
	Batches []goldenBatch `json:"batches"`
	Debug   struct {
		InputIDs        []int32     `json:"input_ids"`
		TokenTypeIDs    []int32     `json:"token_type_ids"`
		EmbeddingOutput [][]float64 `json:"embedding_output"`
		Layer0Output    [][]float64 `json:"layer0_output"`
	} `json:"debug_first_text_unpadded"`
}

type goldenBatch struct {
	Name                 string          `json:"name"`
	SeqLengths           []int           `json:"seq_lengths"`
	InputIDs             [][]int32       `json:"input_ids"`
	AttentionMask        [][]int32       `json:"attention_mask"`
	TokenTypeIDs         [][]int32       `json:"token_type_ids"`
	LastHiddenState      [][][]float64   `json:"last_hidden_state"`
	HiddenStates         [][][][]float64 `json:"hidden_states"`
	PoolerOutput         [][]float64     `json:"pooler_output"`
	MeanPooled           [][]float64     `json:"mean_pooled"`
	MeanPooledNormalized [][]float64     `json:"mean_pooled_normalized"`
	CosineSimilarity     [][]float64     `json:"cosine_similarity"`
}

var goldenModels = []string{"bert-tiny-h32-l2", "bert-h384-l1"}

func loadGolden(t *testing.T, name string) (*goldenForward, *Model) {
	t.Helper()
	dir := shareddata.Dir(t, "golden/bert")
	raw, err := os.ReadFile(filepath.Join(dir, "forward_"+name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenForward
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	m, err := Load(filepath.Join(dir, g.ModelDir), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return &g, m
}

// maxDiff tracks the largest absolute difference seen and where.
type maxDiff struct {
	value float64
	where string
}

func (d *maxDiff) rows(where string, got [][]float32, want [][]float64) {
	for i := range want {
		d.row(where, got[i], want[i])
	}
}

func (d *maxDiff) row(where string, got []float32, want []float64) {
	if len(got) != len(want) {
		d.value, d.where = math.Inf(1), where+": length mismatch"
		return
	}
	for i := range want {
		if diff := math.Abs(float64(got[i]) - want[i]); diff > d.value || math.IsNaN(diff) {
			d.value, d.where = diff, where
		}
	}
}

func (d *maxDiff) check(t *testing.T, what string, tolerance float64) {
	t.Helper()
	if !(d.value <= tolerance) {
		t.Errorf("%s: max abs error %.3g at %s exceeds %g", what, d.value, d.where, tolerance)
	} else {
		t.Logf("%s: max abs error %.3g", what, d.value)
	}
}

// tokenRows returns the first n token rows of a flattened [T][H] sequence.
func tokenRows(flat []float32, b, T, H, n int) [][]float32 {
	rows := make([][]float32, n)
	for t := range n {
		rows[t] = flat[(b*T+t)*H : (b*T+t+1)*H]
	}
	return rows
}

func TestForwardGolden(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			g, m := loadGolden(t, name)
			for _, gb := range g.Batches {
				t.Run(gb.Name, func(t *testing.T) {
					out, err := m.Forward(context.Background(), Batch{
						IDs: gb.InputIDs, Mask: gb.AttentionMask, TypeIDs: gb.TokenTypeIDs,
						OutputHiddenStates: true,
					})
					if err != nil {
						t.Fatal(err)
					}
					checkBatchOutput(t, g, gb, out)
				})
			}
		})
	}
}

func checkBatchOutput(t *testing.T, g *goldenForward, gb goldenBatch, out *Output) {
	t.Helper()
	T, H := out.SeqLen, out.HiddenSize
	var last, hidden, pooler, mean, normalized, cosine maxDiff
	for b, n := range gb.SeqLengths {
		last.rows("last_hidden_state", tokenRows(out.LastHiddenState, b, T, H, n), gb.LastHiddenState[b])
	}
	if len(out.HiddenStates) != len(gb.HiddenStates) {
		t.Fatalf("got %d hidden states, want %d", len(out.HiddenStates), len(gb.HiddenStates))
	}
	for l := range gb.HiddenStates {
		for b, n := range gb.SeqLengths {
			hidden.rows("hidden_states", tokenRows(out.HiddenStates[l], b, T, H, n), gb.HiddenStates[l][b])
		}
	}
	pooler.rows("pooler_output", out.PoolerOutput, gb.PoolerOutput)
	mean.rows("mean_pooled", out.MeanPooled, gb.MeanPooled)
	normalized.rows("mean_pooled_normalized", out.MeanPooledNormalized, gb.MeanPooledNormalized)
	cosine.rows("cosine_similarity", cosineMatrix(out.MeanPooledNormalized), gb.CosineSimilarity)

	last.check(t, "last_hidden_state", g.Tolerance.MaxAbs)
	hidden.check(t, "hidden_states", g.Tolerance.MaxAbs)
	pooler.check(t, "pooler_output", g.Tolerance.MaxAbs)
	mean.check(t, "mean_pooled", g.Tolerance.MaxAbs)
	normalized.check(t, "mean_pooled_normalized", g.Tolerance.MaxAbsNormalized)
	cosine.check(t, "cosine_similarity", g.Tolerance.MaxAbsCosine)
}

func cosineMatrix(vectors [][]float32) [][]float32 {
	out := make([][]float32, len(vectors))
	for i, a := range vectors {
		out[i] = make([]float32, len(vectors))
		for j, b := range vectors {
			var dot float64
			for k := range a {
				dot += float64(a[k]) * float64(b[k])
			}
			out[i][j] = float32(dot)
		}
	}
	return out
}

// TestForwardGoldenUnpadded runs every text alone, without padding.
func TestForwardGoldenUnpadded(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			g, m := loadGolden(t, name)
			var last, pooler, normalized maxDiff
			for _, gb := range g.Batches {
				for b, n := range gb.SeqLengths {
					out, err := m.Forward(context.Background(), Batch{
						IDs:     [][]int32{gb.InputIDs[b][:n]},
						TypeIDs: [][]int32{gb.TokenTypeIDs[b][:n]},
					})
					if err != nil {
						t.Fatal(err)
					}
					last.rows("last_hidden_state", tokenRows(out.LastHiddenState, 0, n, out.HiddenSize, n), gb.LastHiddenState[b])
					pooler.row("pooler_output", out.PoolerOutput[0], gb.PoolerOutput[b])
					normalized.row("mean_pooled_normalized", out.MeanPooledNormalized[0], gb.MeanPooledNormalized[b])
				}
			}
			last.check(t, "last_hidden_state", g.Tolerance.MaxAbs)
			pooler.check(t, "pooler_output", g.Tolerance.MaxAbs)
			normalized.check(t, "mean_pooled_normalized", g.Tolerance.MaxAbsNormalized)
		})
	}
}

// TestForwardGoldenDebug checks the embedding output and the first layer's
// output for the first text run alone.
func TestForwardGoldenDebug(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			g, m := loadGolden(t, name)
			out, err := m.Forward(context.Background(), Batch{
				IDs:                [][]int32{g.Debug.InputIDs},
				TypeIDs:            [][]int32{g.Debug.TokenTypeIDs},
				OutputHiddenStates: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			n, H := len(g.Debug.InputIDs), out.HiddenSize
			var embedding, layer0 maxDiff
			embedding.rows("embedding_output", tokenRows(out.HiddenStates[0], 0, n, H, n), g.Debug.EmbeddingOutput)
			layer0Output := out.LastHiddenState
			if len(out.HiddenStates) > 1 {
				layer0Output = out.HiddenStates[1]
			}
			layer0.rows("layer0_output", tokenRows(layer0Output, 0, n, H, n), g.Debug.Layer0Output)
			embedding.check(t, "embedding_output", g.Tolerance.MaxAbs)
			layer0.check(t, "layer0_output", g.Tolerance.MaxAbs)
		})
	}
}
