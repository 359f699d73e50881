package bert

import (
	"context"
	"fmt"
	"slices"
)

// Sequence is one unpadded input: token ids from [CLS] to the last [SEP],
// and optional token type ids (nil means all 0).
type Sequence struct {
	IDs     []int32
	TypeIDs []int32
}

// Encode returns one sentence vector per sequence, in input order, pooled
// and normalized as configured in the model's options. It sorts the sequences by
// length and runs them in batches of Options.BatchSize, so each batch is
// padded only to its own longest sequence.
func (m *Model) Encode(ctx context.Context, seqs []Sequence) ([][]float32, error) {
	for i, s := range seqs {
		if len(s.IDs) == 0 {
			return nil, fmt.Errorf("bert: sequence %d is empty; it needs at least [CLS] and [SEP]", i)
		}
		if len(s.IDs) > m.cfg.MaxPositionEmbeddings {
			return nil, fmt.Errorf("bert: sequence %d has %d tokens, more than max_position_embeddings %d; truncate it", i, len(s.IDs), m.cfg.MaxPositionEmbeddings)
		}
		if s.TypeIDs != nil && len(s.TypeIDs) != len(s.IDs) {
			return nil, fmt.Errorf("bert: sequence %d has %d ids but %d token type ids", i, len(s.IDs), len(s.TypeIDs))
		}
	}

	order := make([]int, len(seqs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(seqs[a].IDs) - len(seqs[b].IDs) })

	out := make([][]float32, len(seqs))
	for start := 0; start < len(order); start += m.batchSize {
		members := order[start:min(start+m.batchSize, len(order))]
		vectors, err := m.Embed(ctx, padBatch(seqs, members))
		if err != nil {
			return nil, fmt.Errorf("bert: encode sequences %d to %d of %d (sorted by length): %w", start, start+len(members)-1, len(seqs), err)
		}
		for j, i := range members {
			out[i] = vectors[j]
		}
	}
	return out, nil
}

// padBatch pads the sequences at the given indexes on the right with id 0,
// mask 0 and type 0 to the longest of them.
func padBatch(seqs []Sequence, members []int) Batch {
	T := 0
	for _, i := range members {
		T = max(T, len(seqs[i].IDs))
	}
	batch := Batch{
		IDs:     make([][]int32, len(members)),
		Mask:    make([][]int32, len(members)),
		TypeIDs: make([][]int32, len(members)),
	}
	for j, i := range members {
		s := seqs[i]
		ids, mask, types := make([]int32, T), make([]int32, T), make([]int32, T)
		copy(ids, s.IDs)
		copy(types, s.TypeIDs)
		for t := range s.IDs {
			mask[t] = 1
		}
		batch.IDs[j], batch.Mask[j], batch.TypeIDs[j] = ids, mask, types
	}
	return batch
}
