package bert

import (
	"fmt"
	"math"
	"time"

	"gorgonia.org/tensor"
)

// maskedScore is added to the score of a padded key, as Hugging Face BERT
// does. exp(-10000) underflows to 0 in float32, so padded keys get exactly
// zero weight.
const maskedScore = -10000

// attention computes multi-head self-attention for every sequence: qkv holds
// the [rows, 3H] projections without bias, context receives the [rows, H]
// merged heads.
func (m *Model) attention(qkvBias, qkv, context []float32, mask [][]int32, B, T int) error {
	start := time.Now()
	errs := make([]error, B)
	parallelFor(B, func(b int) {
		errs[b] = m.sequenceAttention(qkvBias, qkv, context, mask[b], b, T)
	})
	m.stats.attentionNanos.Add(int64(time.Since(start)))
	for b, err := range errs {
		if err != nil {
			return fmt.Errorf("sequence %d: %w", b, err)
		}
	}
	return nil
}

// sequenceAttention runs every head of sequence b. Keys after the last real
// token are skipped: their weight would be exactly 0 anyway.
func (m *Model) sequenceAttention(qkvBias, qkv, context []float32, mask []int32, b, T int) error {
	H, heads, d := m.cfg.HiddenSize, m.cfg.NumAttentionHeads, m.cfg.HeadDim()
	keys := T
	for keys > 0 && mask[keys-1] == 0 {
		keys--
	}
	if keys == 0 {
		// Every key is padding: softmax over equal scores, as the reference does.
		keys = T
	}
	scale := float32(1 / math.Sqrt(float64(d)))

	q := make([]float32, T*d)
	k := make([]float32, keys*d)
	v := make([]float32, keys*d)
	scores := make([]float32, T*keys)
	headContext := make([]float32, T*d)
	var matmulNanos time.Duration
	for h := range heads {
		// Split head h out of the [T, 3H] rows, adding the bias; fold the
		// 1/√d scale into q.
		for t := range T {
			row := qkv[(b*T+t)*3*H:]
			qh, qb := row[h*d:h*d+d], qkvBias[h*d:h*d+d]
			for i := range d {
				q[t*d+i] = (qh[i] + qb[i]) * scale
			}
			if t < keys {
				copyAdd(k[t*d:t*d+d], row[H+h*d:H+h*d+d], qkvBias[H+h*d:H+h*d+d])
				copyAdd(v[t*d:t*d+d], row[2*H+h*d:2*H+h*d+d], qkvBias[2*H+h*d:2*H+h*d+d])
			}
		}

		start := time.Now()
		qT := tensor.New(tensor.WithShape(T, d), tensor.WithBacking(q))
		kT := tensor.New(tensor.WithShape(keys, d), tensor.WithBacking(k))
		kT.T()
		sT := tensor.New(tensor.WithShape(T, keys), tensor.WithBacking(scores))
		if _, err := tensor.MatMul(qT, kT, tensor.WithReuse(sT)); err != nil {
			return fmt.Errorf("head %d scores: %w", h, err)
		}
		matmulNanos += time.Since(start)

		for t := range T {
			row := scores[t*keys : (t+1)*keys]
			for j := range row {
				if mask[j] == 0 {
					row[j] += maskedScore
				}
			}
			softmaxRow(row)
		}

		start = time.Now()
		vT := tensor.New(tensor.WithShape(keys, d), tensor.WithBacking(v))
		cT := tensor.New(tensor.WithShape(T, d), tensor.WithBacking(headContext))
		if _, err := tensor.MatMul(sT, vT, tensor.WithReuse(cT)); err != nil {
			return fmt.Errorf("head %d context: %w", h, err)
		}
		matmulNanos += time.Since(start)

		for t := range T {
			copy(context[(b*T+t)*H+h*d:(b*T+t)*H+h*d+d], headContext[t*d:t*d+d])
		}
	}
	m.stats.attentionMatmulNanos.Add(int64(matmulNanos))
	m.stats.attentionFlops.Add(int64(heads * 2 * 2 * T * keys * d))
	return nil
}

// copyAdd sets dst = a + b element-wise.
func copyAdd(dst, a, b []float32) {
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}
