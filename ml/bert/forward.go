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

	s, hidden, err := m.encode(ctx, batch, mask, B, T)
	if err != nil {
		return nil, err
	}
	// The output keeps s.x, so only the other buffers go back to the pool.
	out.LastHiddenState, out.HiddenStates = s.x, hidden
	s.x = nil
	defer m.arenas.Put(s)

	if out.PoolerOutput, err = m.pool(out.LastHiddenState, B, T); err != nil {
		return nil, fmt.Errorf("bert: pooler: %w", err)
	}
	out.MeanPooled = make([][]float32, B)
	out.MeanPooledNormalized = make([][]float32, B)
	for b := range B {
		v := make([]float32, H)
		meanPoolRow(v, out.LastHiddenState[b*T*H:(b+1)*T*H], mask[b])
		out.MeanPooled[b] = v
		n := append([]float32(nil), v...)
		l2Normalize(n)
		out.MeanPooledNormalized[b] = n
	}
	m.stats.forwardNanos.Add(int64(time.Since(start)))
	return out, nil
}

// Embed runs the encoder and returns one sentence vector per sequence,
// pooled and normalized as configured in the model's options.
func (m *Model) Embed(ctx context.Context, batch Batch) ([][]float32, error) {
	start := time.Now()
	B, T, err := m.checkBatch(batch)
	if err != nil {
		return nil, err
	}
	vectors := make([][]float32, B)
	if B == 0 {
		return vectors, nil
	}
	mask := batch.Mask
	if mask == nil {
		mask = onesMask(B, T)
	}
	batch.OutputHiddenStates = false
	s, _, err := m.encode(ctx, batch, mask, B, T)
	if err != nil {
		return nil, err
	}
	defer m.arenas.Put(s)

	H := m.cfg.HiddenSize
	for b := range vectors {
		vectors[b] = make([]float32, H)
		poolRow(vectors[b], s.x[b*T*H:(b+1)*T*H], mask[b], m.pooling)
		if m.normalize {
			l2Normalize(vectors[b])
		}
	}
	m.stats.forwardNanos.Add(int64(time.Since(start)))
	return vectors, nil
}

// encode runs the embeddings and every encoder layer. It returns the arena,
// whose x holds the last hidden state; the caller puts it back in m.arenas.
// hidden holds copies of the embedding output and of every layer output
// but the last when batch.OutputHiddenStates is set.
func (m *Model) encode(ctx context.Context, batch Batch, mask [][]int32, B, T int) (s *arena, hidden [][]float32, err error) {
	s, _ = m.arenas.Get().(*arena)
	if s == nil {
		s = &arena{}
	}
	s.resize(B*T, m.cfg.HiddenSize, m.cfg.IntermediateSize)
	m.embed(s.x, batch, B, T)
	for i := range m.w.layers {
		if err := ctx.Err(); err != nil {
			m.arenas.Put(s)
			return nil, nil, fmt.Errorf("bert: forward pass stopped before layer %d: %w", i, err)
		}
		if batch.OutputHiddenStates {
			hidden = append(hidden, append([]float32(nil), s.x...))
		}
		if err := m.runLayer(&m.w.layers[i], s, mask, B, T); err != nil {
			m.arenas.Put(s)
			return nil, nil, fmt.Errorf("bert: layer %d: %w", i, err)
		}
	}
	return s, hidden, nil
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

// arena holds the activation buffers of one forward pass, [rows, width]
// each with rows = B·T. Every layer reuses them, and Model.arenas keeps them
// for later calls, so a steady stream of batches allocates nothing large.
type arena struct {
	x, qkv, context, attnOut, intermediate []float32
	// scores holds one [T, keys] attention score buffer per goroutine.
	scores [][]float32
}

// resize sets the activation buffers to rows rows, reallocating only those
// whose capacity is too small. Their contents are undefined afterwards.
func (s *arena) resize(rows, hidden, intermediate int) {
	s.x = resizeBuffer(s.x, rows*hidden)
	s.qkv = resizeBuffer(s.qkv, rows*3*hidden)
	s.context = resizeBuffer(s.context, rows*hidden)
	s.attnOut = resizeBuffer(s.attnOut, rows*hidden)
	s.intermediate = resizeBuffer(s.intermediate, rows*intermediate)
}

// scoreBuffers returns workers buffers of size elements each.
func (s *arena) scoreBuffers(workers, size int) [][]float32 {
	for len(s.scores) < workers {
		s.scores = append(s.scores, nil)
	}
	for i := range workers {
		s.scores[i] = resizeBuffer(s.scores[i], size)
	}
	return s.scores[:workers]
}

func resizeBuffer(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
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
func (m *Model) runLayer(layer *encoderLayer, s *arena, mask [][]int32, B, T int) error {
	rows, H, I := B*T, m.cfg.HiddenSize, m.cfg.IntermediateSize
	eps := m.cfg.LayerNormEps

	// The q, k and v biases are added inside attention, head by head.
	if err := m.linear(layer.qkv, s.x, rows, s.qkv); err != nil {
		return fmt.Errorf("query/key/value projection: %w", err)
	}
	m.attention(layer.qkv.bias, s.qkv, s.context, mask, B, T, s)

	if err := m.linear(layer.attnOutput, s.context, rows, s.attnOut); err != nil {
		return fmt.Errorf("attention output: %w", err)
	}
	parallelRows(rows, H, func(lo, hi int) {
		addResidualLayerNormRows(s.attnOut[lo:hi], s.x[lo:hi], layer.attnOutput.bias, layer.attnNorm, eps)
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
		addResidualLayerNormRows(s.x[lo:hi], s.attnOut[lo:hi], layer.output.bias, layer.outputNorm, eps)
	})
	return nil
}

// linear computes dst = src·Wᵀ (without the bias) for rows input rows.
func (m *Model) linear(l linear, src []float32, rows int, dst []float32) error {
	start := time.Now()
	if m.gpu != nil {
		if err := m.gpu.matmul(l, src, rows, dst); err != nil {
			return err
		}
	} else {
		a := tensor.New(tensor.WithShape(rows, l.in), tensor.WithBacking(src[:rows*l.in]))
		c := tensor.New(tensor.WithShape(rows, l.out), tensor.WithBacking(dst[:rows*l.out]))
		if _, err := tensor.MatMul(a, l.wT, tensor.WithReuse(c)); err != nil {
			return fmt.Errorf("matmul [%d×%d]·[%d×%d]: %w", rows, l.in, l.in, l.out, err)
		}
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
