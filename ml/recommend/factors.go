package recommend

import (
	"context"
	"math/rand/v2"
)

// factorModel is the scoring half shared by ALS and BPR: a user and an item
// latent vector per index, and an optional item bias.
type factorModel struct {
	Users, Items *Index
	Factors      int
	UserVecs     []float32 // Users.Len() × Factors, row-major
	ItemVecs     []float32 // Items.Len() × Factors, row-major
	ItemBias     []float32 // nil or one per item
}

func newFactorModel(users, items *Index, factors int, seed uint64, scale float64) *factorModel {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * scale)
		}
		return v
	}
	return &factorModel{
		Users: users, Items: items, Factors: factors,
		UserVecs: fill(users.Len() * factors),
		ItemVecs: fill(items.Len() * factors),
	}
}

func (m *factorModel) userVec(u int32) []float32 {
	return m.UserVecs[int(u)*m.Factors : int(u+1)*m.Factors]
}

func (m *factorModel) itemVec(i int32) []float32 {
	return m.ItemVecs[int(i)*m.Factors : int(i+1)*m.Factors]
}

func dot32(a, b []float32) float32 {
	var s float32
	for k := range a {
		s += a[k] * b[k]
	}
	return s
}

// Score returns the model's preference of user for item, and false when
// either is unknown.
func (m *factorModel) Score(user, item string) (float64, bool) {
	u, ok := m.Users.Lookup(user)
	if !ok {
		return 0, false
	}
	i, ok := m.Items.Lookup(item)
	if !ok {
		return 0, false
	}
	s := dot32(m.userVec(u), m.itemVec(i))
	if m.ItemBias != nil {
		s += m.ItemBias[i]
	}
	return float64(s), true
}

// candidates ranks all items for a known user. It returns nil for an
// unknown user.
func (m *factorModel) candidates(ctx context.Context, q *Query, n int, name string) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, ok := m.Users.Lookup(q.User)
	if !ok || n <= 0 {
		return nil, nil
	}
	uv := m.userVec(u)
	t := newTopK(n, excludedIndexes(q, m.Items))
	for i := int32(0); i < int32(m.Items.Len()); i++ {
		s := dot32(uv, m.itemVec(i))
		if m.ItemBias != nil {
			s += m.ItemBias[i]
		}
		t.offer(i, s)
	}
	top := t.sorted()
	out := make([]Candidate, len(top))
	for k, s := range top {
		out[k] = Candidate{
			Item:    m.Items.ID(s.item),
			Score:   float64(s.score),
			Reasons: []Reason{{Kind: ReasonCollaborative, Model: name, Score: float64(s.score)}},
		}
	}
	return out, nil
}
