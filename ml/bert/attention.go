package bert

import (
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/tensor"

	"github.com/shopsight/shopsight/ml/bert/internal/vecmath"
)

// maskedScore is added to the score of a padded key, as Hugging Face BERT
// does. vecmath.Exp32 returns exactly 0 for it, so padded keys get zero weight.
const maskedScore = -10000

// attention computes multi-head self-attention for every sequence: qkv holds
// the [rows, 3H] projections without bias, context receives the [rows, H]
// merged heads. Each (sequence, head) pair is one task, which adds the
// head's q, k and v biases in place and then runs two GEMMs on the strided
// head columns of qkv and context. Heads are never copied out or merged
// back.
func (m *Model) attention(qkvBias, qkv, context []float32, mask [][]int32, B, T int, s *arena) {
	start := time.Now()
	H, heads, d := m.cfg.HiddenSize, m.cfg.NumAttentionHeads, m.cfg.HeadDim()
	scale := float32(1 / math.Sqrt(float64(d)))
	gemm := tensor.WhichBLAS()

	// Keys after the last real token are skipped: their weight would be
	// exactly 0 anyway. Padding before it is masked in the scores.
	keys := make([]int, B)
	innerPadding := make([]bool, B)
	var flops int64
	for b := range B {
		keys[b], innerPadding[b] = attendedKeys(mask[b])
		flops += int64(heads * 2 * 2 * T * keys[b] * d)
	}

	workers := min(runtime.GOMAXPROCS(0), B*heads)
	scores := s.scoreBuffers(workers, T*T)
	var matmulNanos atomic.Int64
	parallelForWorkers(B*heads, workers, func(worker, i int) {
		b, h := i/heads, i%heads
		n := keys[b]
		base := b * T * 3 * H
		q, k, v := base+h*d, base+H+h*d, base+2*H+h*d
		for t := range T {
			row := t * 3 * H
			vecmath.AddBias(qkv[q+row:q+row+d], qkvBias[h*d:])
			vecmath.AddBias(qkv[k+row:k+row+d], qkvBias[H+h*d:])
			vecmath.AddBias(qkv[v+row:v+row+d], qkvBias[2*H+h*d:])
		}

		// scores = scale · Q·Kᵀ, [T, n].
		sc := scores[worker][:T*n]
		matmulStart := time.Now()
		gemm.Sgemm(blas.NoTrans, blas.Trans, T, n, d, scale, qkv[q:], 3*H, qkv[k:], 3*H, 0, sc, n)
		elapsed := time.Since(matmulStart)

		for t := range T {
			row := sc[t*n : (t+1)*n]
			if innerPadding[b] {
				for j, real := range mask[b][:n] {
					if real == 0 {
						row[j] += maskedScore
					}
				}
			}
			vecmath.Softmax(row)
		}

		// context[:, head h] = softmax(scores)·V, [T, d].
		matmulStart = time.Now()
		gemm.Sgemm(blas.NoTrans, blas.NoTrans, T, d, n, 1, sc, n, qkv[v:], 3*H, 0, context[b*T*H+h*d:], H)
		elapsed += time.Since(matmulStart)
		matmulNanos.Add(int64(elapsed))
	})
	m.stats.attentionNanos.Add(int64(time.Since(start)))
	m.stats.attentionMatmulNanos.Add(matmulNanos.Load())
	m.stats.attentionFlops.Add(flops)
}

// attendedKeys returns the number of keys up to the last real token, and
// whether a padded token comes before it. A row without real tokens attends
// to every key with every score masked, as the reference does.
func attendedKeys(mask []int32) (keys int, innerPadding bool) {
	keys = len(mask)
	for keys > 0 && mask[keys-1] == 0 {
		keys--
	}
	if keys == 0 {
		return len(mask), true
	}
	for _, real := range mask[:keys] {
		if real == 0 {
			return keys, true
		}
	}
	return keys, false
}
