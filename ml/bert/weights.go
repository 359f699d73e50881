package bert

import (
	"fmt"
	"slices"

	"gorgonia.org/tensor"

	"github.com/shopsight/shopsight/ml/safetensors"
)

// linear is a dense layer y = x·Wᵀ + b. PyTorch stores W as [out, in]; wT is
// a lazily transposed view of it (shape [in, out]) created once at load, so
// every matmul passes W to BLAS with the transpose flag instead of copying it.
type linear struct {
	in, out int
	wT      *tensor.Dense
	bias    []float32
}

// norm is a LayerNorm's scale and shift.
type norm struct {
	weight, bias []float32
}

// encoderLayer holds one transformer layer. Query, key and value weights are
// stacked into one [3H, H] matrix so the three projections are one matmul.
type encoderLayer struct {
	qkv          linear
	attnOutput   linear
	attnNorm     norm
	intermediate linear
	output       linear
	outputNorm   norm
}

// weights is every tensor the forward pass reads.
type weights struct {
	word, position, tokenType []float32
	embeddingNorm             norm
	layers                    []encoderLayer
	pooler                    linear
}

// tensorSource returns the float32 elements of the named tensor after
// checking that its shape is want.
type tensorSource func(name string, want []int) ([]float32, error)

// safetensorsSource reads tensors from f, with the "bert." prefix that
// BertFor* checkpoints use when the file has it.
func safetensorsSource(f *safetensors.File) tensorSource {
	prefix := ""
	if _, ok := f.Tensor("bert.embeddings.word_embeddings.weight"); ok {
		prefix = "bert."
	}
	return func(name string, want []int) ([]float32, error) {
		t, ok := f.Tensor(prefix + name)
		if !ok {
			return nil, fmt.Errorf("tensor %q is missing (expected shape %v)", prefix+name, want)
		}
		if !slices.Equal(t.Shape, want) {
			return nil, fmt.Errorf("tensor %q has shape %v, expected %v", prefix+name, t.Shape, want)
		}
		return t.Float32s()
	}
}

// loadWeights reads every tensor of a cfg-shaped BERT from src.
func loadWeights(cfg Config, src tensorSource) (*weights, error) {
	H, I := cfg.HiddenSize, cfg.IntermediateSize
	w := &weights{}
	var err error
	get := func(name string, shape ...int) []float32 {
		if err != nil {
			return nil
		}
		var v []float32
		v, err = src(name, shape)
		return v
	}
	w.word = get("embeddings.word_embeddings.weight", cfg.VocabSize, H)
	w.position = get("embeddings.position_embeddings.weight", cfg.MaxPositionEmbeddings, H)
	w.tokenType = get("embeddings.token_type_embeddings.weight", cfg.TypeVocabSize, H)
	w.embeddingNorm = norm{get("embeddings.LayerNorm.weight", H), get("embeddings.LayerNorm.bias", H)}

	getLinear := func(prefix string, out, in int) linear {
		weight := get(prefix+".weight", out, in)
		bias := get(prefix+".bias", out)
		return newLinear(weight, bias, out, in)
	}
	getNorm := func(prefix string) norm {
		return norm{get(prefix+".weight", H), get(prefix+".bias", H)}
	}
	for i := range cfg.NumHiddenLayers {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		q := getLinear(p+"attention.self.query", H, H)
		k := getLinear(p+"attention.self.key", H, H)
		v := getLinear(p+"attention.self.value", H, H)
		if err != nil {
			break
		}
		qkvWeight := slices.Concat(q.weights(), k.weights(), v.weights())
		qkvBias := slices.Concat(q.bias, k.bias, v.bias)
		w.layers = append(w.layers, encoderLayer{
			qkv:          newLinear(qkvWeight, qkvBias, 3*H, H),
			attnOutput:   getLinear(p+"attention.output.dense", H, H),
			attnNorm:     getNorm(p + "attention.output.LayerNorm"),
			intermediate: getLinear(p+"intermediate.dense", I, H),
			output:       getLinear(p+"output.dense", H, I),
			outputNorm:   getNorm(p + "output.LayerNorm"),
		})
	}
	w.pooler = getLinear("pooler.dense", H, H)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// newLinear wraps a row-major [out, in] weight. A nil weight (after a failed
// read) gives an empty layer; loadWeights returns the error instead.
func newLinear(weight, bias []float32, out, in int) linear {
	if weight == nil {
		return linear{}
	}
	w := tensor.New(tensor.WithShape(out, in), tensor.WithBacking(weight))
	w.T() // a view only: data stays [out, in] and MatMul passes the transpose flag
	return linear{in: in, out: out, wT: w, bias: bias}
}

// weights returns the row-major [out, in] weight data.
func (l linear) weights() []float32 { return l.wT.Float32s() }
