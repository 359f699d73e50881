package bert

import (
	"context"
	"fmt"
	"math"
	"time"

	"gorgonia.org/tensor"
)

// Batch is a padded batch of B sequences of length T.
type Batch struct {
	// IDs are the token ids, [B][T].
	IDs [][]int32
	// Mask is 1 for a real token and 0 for padding, [B][T]. Nil means every
	// token is real.
	Mask [][]int32
	// TypeIDs are the token type (segment) ids, [B][T]. Nil means all 0.
	TypeIDs [][]int32
	// OutputHiddenStates makes Forward fill Output.HiddenStates.
	OutputHiddenStates bool
}

// Output is the result of a forward pass over a batch of B sequences of
// length T with hidden size H.
type Output struct {
	BatchSize, SeqLen, HiddenSize int
	// LastHiddenState is the last layer's output, [B][T][H] flattened
	// row-major. Rows of padded positions are computed but meaningless.
	LastHiddenState []float32
	// HiddenStates, when requested, are the embedding output followed by the
	// output of every layer but the last, each [B][T][H] flattened.
	HiddenStates [][]float32
	// PoolerOutput is tanh(x[:, 0]·Wpᵀ + bp), [B][H].
	PoolerOutput [][]float32
	// MeanPooled is the mean of the real-token rows, [B][H].
	MeanPooled [][]float32
	// MeanPooledNormalized is MeanPooled scaled to unit L2 norm, [B][H].
	MeanPooledNormalized [][]float32
}

// Hidden returns the last hidden state of sequence b at position t.
func (o *Output) Hidden(b, t int) []float32 {
	start := (b*o.SeqLen + t) * o.HiddenSize
	return o.LastHiddenState[start : start+o.HiddenSize]
}

// Forward runs the encoder over a padded batch. It checks ctx between layers.
func (m *Model) Forward(ctx context.Context, batch Batch) (*Output, error) {
	start := time.Now()
	B, T, err := m.checkBatch(batch)
	if err != nil {
		return nil, err
	}
	H := m.cfg.HiddenSize
	out := &Output{BatchSize: B, SeqLen: T, HiddenSize: H}
	if B == 0 {
		return out, nil
	}
	mask := batch.Mask
	if mask == nil {
		mask = onesMask(B, T)
	}

	s := m.newScratch(B, T)
	m.embed(s.x, batch, B, T)
	for i := range m.w.layers {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("bert: forward pass stopped before layer %d: %w", i, err)
		}
		if batch.OutputHiddenStates {
			out.HiddenStates = append(out.HiddenStates, append([]float32(nil), s.x...))
		}
		if err := m.runLayer(&m.w.layers[i], s, mask, B, T); err != nil {
			return nil, fmt.Errorf("bert: layer %d: %w", i, err)
		}
	}
	out.LastHiddenState = s.x

	if out.PoolerOutput, err = m.pool(s.x, B, T); err != nil {
		return nil, fmt.Errorf("bert: pooler: %w", err)
	}
	out.MeanPooled = make([][]float32, B)
	out.MeanPooledNormalized = make([][]float32, B)
	for b := range B {
		v := make([]float32, H)
		meanPoolRow(v, s.x[b*T*H:(b+1)*T*H], mask[b])
		out.MeanPooled[b] = v
		n := append([]float32(nil), v...)
		l2Normalize(n)
		out.MeanPooledNormalized[b] = n
	}
	m.stats.forwardNanos.Add(int64(time.Since(start)))
	return out, nil
}

// Embed runs Forward and returns one sentence vector per sequence, pooled and
// normalized as configured in the model's options.
func (m *Model) Embed(ctx context.Context, batch Batch) ([][]float32, error) {
	batch.OutputHiddenStates = false
	out, err := m.Forward(ctx, batch)
	if err != nil {
		return nil, err
	}
	mask := batch.Mask
	if mask == nil {
		mask = onesMask(out.BatchSize, out.SeqLen)
	}
	H, T := out.HiddenSize, out.SeqLen
	vectors := make([][]float32, out.BatchSize)
	for b := range vectors {
		switch m.pooling {
		case PoolingMean:
			vectors[b] = append([]float32(nil), out.MeanPooled[b]...)
		default:
			vectors[b] = make([]float32, H)
			poolRow(vectors[b], out.LastHiddenState[b*T*H:(b+1)*T*H], mask[b], m.pooling)
		}
		if m.normalize {
			l2Normalize(vectors[b])
		}
	}
	return vectors, nil
}

// checkBatch validates shapes and id ranges and returns B and T.
func (m *Model) checkBatch(batch Batch) (B, T int, err error) {
	B = len(batch.IDs)
	if B == 0 {
		return 0, 0, nil
	}
	T = len(batch.IDs[0])
	if T == 0 {
		return 0, 0, fmt.Errorf("bert: batch rows are empty; every sequence needs at least one token ([CLS])")
	}
	if T > m.cfg.MaxPositionEmbeddings {
		return 0, 0, fmt.Errorf("bert: sequence length %d exceeds max_position_embeddings %d; truncate the input", T, m.cfg.MaxPositionEmbeddings)
	}
	if batch.Mask != nil && len(batch.Mask) != B {
		return 0, 0, fmt.Errorf("bert: batch has %d id rows but %d mask rows", B, len(batch.Mask))
	}
	if batch.TypeIDs != nil && len(batch.TypeIDs) != B {
		return 0, 0, fmt.Errorf("bert: batch has %d id rows but %d token type rows", B, len(batch.TypeIDs))
	}
	for b, ids := range batch.IDs {
		if len(ids) != T {
			return 0, 0, fmt.Errorf("bert: row %d has %d ids but row 0 has %d; pad every row to the same length", b, len(ids), T)
		}
		for t, id := range ids {
			if id < 0 || int(id) >= m.cfg.VocabSize {
				return 0, 0, fmt.Errorf("bert: row %d position %d: token id %d is outside the vocabulary [0, %d)", b, t, id, m.cfg.VocabSize)
			}
		}
		if batch.Mask != nil {
			if len(batch.Mask[b]) != T {
				return 0, 0, fmt.Errorf("bert: row %d has %d mask values, expected %d", b, len(batch.Mask[b]), T)
			}
			for t, v := range batch.Mask[b] {
				if v != 0 && v != 1 {
					return 0, 0, fmt.Errorf("bert: row %d position %d: attention mask value %d is not 0 or 1", b, t, v)
				}
			}
		}
		if batch.TypeIDs != nil {
			if len(batch.TypeIDs[b]) != T {
				return 0, 0, fmt.Errorf("bert: row %d has %d token type ids, expected %d", b, len(batch.TypeIDs[b]), T)
			}
			for t, v := range batch.TypeIDs[b] {
				if v < 0 || int(v) >= m.cfg.TypeVocabSize {
					return 0, 0, fmt.Errorf("bert: row %d position %d: token type id %d is outside [0, %d)", b, t, v, m.cfg.TypeVocabSize)
				}
			}
		}
	}
	return B, T, nil
}

func onesMask(B, T int) [][]int32 {
	mask := make([][]int32, B)
	for b := range mask {
		mask[b] = make([]int32, T)
		for t := range mask[b] {
			mask[b][t] = 1
		}
	}
	return mask
}

// scratch holds the activations of one forward pass; rows = B·T.
type scratch struct {
	x, qkv, context, attnOut, intermediate []float32
}

func (m *Model) newScratch(B, T int) *scratch {
	rows, H := B*T, m.cfg.HiddenSize
	return &scratch{
		x:            make([]float32, rows*H),
		qkv:          make([]float32, rows*3*H),
		context:      make([]float32, rows*H),
		attnOut:      make([]float32, rows*H),
		intermediate: make([]float32, rows*m.cfg.IntermediateSize),
	}
}

// embed writes LayerNorm(word + position + token type) into x.
func (m *Model) embed(x []float32, batch Batch, B, T int) {
	H := m.cfg.HiddenSize
	w := m.w
	parallelFor(B, func(b int) {
		for t := range T {
			row := x[(b*T+t)*H : (b*T+t+1)*H]
			word := w.word[int(batch.IDs[b][t])*H:]
			pos := w.position[t*H:]
			typeID := 0
			if batch.TypeIDs != nil {
				typeID = int(batch.TypeIDs[b][t])
			}
			tt := w.tokenType[typeID*H:]
			for i := range row {
				row[i] = word[i] + pos[i] + tt[i]
			}
		}
		layerNormRows(x[b*T*H:(b+1)*T*H], H, w.embeddingNorm, m.cfg.LayerNormEps)
	})
}

// runLayer applies one encoder layer to s.x in place.
func (m *Model) runLayer(layer *encoderLayer, s *scratch, mask [][]int32, B, T int) error {
	rows, H, I := B*T, m.cfg.HiddenSize, m.cfg.IntermediateSize
	eps := m.cfg.LayerNormEps

	// The q, k and v biases are added while attention splits the heads.
	if err := m.linear(layer.qkv, s.x, rows, s.qkv); err != nil {
		return fmt.Errorf("query/key/value projection: %w", err)
	}
	if err := m.attention(layer.qkv.bias, s.qkv, s.context, mask, B, T); err != nil {
		return fmt.Errorf("self-attention: %w", err)
	}

	if err := m.linear(layer.attnOutput, s.context, rows, s.attnOut); err != nil {
		return fmt.Errorf("attention output: %w", err)
	}
	parallelRows(rows, H, func(lo, hi int) {
		addBiasResidualRows(s.attnOut[lo:hi], s.x[lo:hi], layer.attnOutput.bias)
		layerNormRows(s.attnOut[lo:hi], H, layer.attnNorm, eps)
	})

	if err := m.linear(layer.intermediate, s.attnOut, rows, s.intermediate); err != nil {
		return fmt.Errorf("intermediate: %w", err)
	}
	parallelRows(rows, I, func(lo, hi int) {
		addBiasGELURows(s.intermediate[lo:hi], layer.intermediate.bias)
	})

	if err := m.linear(layer.output, s.intermediate, rows, s.x); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	parallelRows(rows, H, func(lo, hi int) {
		addBiasResidualRows(s.x[lo:hi], s.attnOut[lo:hi], layer.output.bias)
		layerNormRows(s.x[lo:hi], H, layer.outputNorm, eps)
	})
	return nil
}

// linear computes dst = src·Wᵀ (without the bias) for rows input rows.
func (m *Model) linear(l linear, src []float32, rows int, dst []float32) error {
	start := time.Now()
	a := tensor.New(tensor.WithShape(rows, l.in), tensor.WithBacking(src[:rows*l.in]))
	c := tensor.New(tensor.WithShape(rows, l.out), tensor.WithBacking(dst[:rows*l.out]))
	if _, err := tensor.MatMul(a, l.wT, tensor.WithReuse(c)); err != nil {
		return fmt.Errorf("matmul [%d×%d]·[%d×%d]: %w", rows, l.in, l.in, l.out, err)
	}
	m.stats.linearNanos.Add(int64(time.Since(start)))
	m.stats.linearFlops.Add(int64(2 * rows * l.in * l.out))
	return nil
}

// pool computes the pooler output tanh(x[:, 0]·Wpᵀ + bp) for every sequence.
func (m *Model) pool(x []float32, B, T int) ([][]float32, error) {
	H := m.cfg.HiddenSize
	cls := make([]float32, B*H)
	for b := range B {
		copy(cls[b*H:(b+1)*H], x[b*T*H:])
	}
	pooled := make([]float32, B*H)
	if err := m.linear(m.w.pooler, cls, B, pooled); err != nil {
		return nil, err
	}
	out := make([][]float32, B)
	for b := range out {
		row := pooled[b*H : (b+1)*H]
		for i, v := range row {
			row[i] = float32(math.Tanh(float64(v + m.w.pooler.bias[i])))
		}
		out[b] = row
	}
	return out, nil
}
