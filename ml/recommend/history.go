package recommend

// Histories stores each user's interacted items, for models that work from a
// history (item-kNN, bought together, content) and for exclusion.
type Histories struct {
	Users, Items *Index
	Matrix       *Matrix
}

// NewHistories takes the user histories of ds.
func NewHistories(ds *Dataset) *Histories {
	return &Histories{Users: ds.Users, Items: ds.Items, Matrix: ds.Matrix}
}

// Of returns the history of user, and false when the user is unknown.
func (h *Histories) Of(user string) ([]HistoryItem, bool) {
	u, ok := h.Users.Lookup(user)
	if !ok {
		return nil, false
	}
	lo, hi := h.Matrix.RowPtr[u], h.Matrix.RowPtr[u+1]
	out := make([]HistoryItem, 0, hi-lo)
	for k := lo; k < hi; k++ {
		out = append(out, HistoryItem{Item: h.Items.ID(h.Matrix.Col[k]), Weight: float64(h.Matrix.Value[k]), Event: h.Matrix.Event[k]})
	}
	return out, true
}
