package service

import (
	"bytes"
	"encoding"
	"encoding/gob"
	"fmt"

	"github.com/shopsight/shopsight/ml/recommend"
)

// marshal serialises every model into named blobs.
func (m *models) marshal(factorModel string) ([]blob, error) {
	type named struct {
		name  string
		model encoding.BinaryMarshaler
	}
	list := []named{
		{factorModel, m.factors.(encoding.BinaryMarshaler)},
		{blobCoPurchase, m.copurchase},
		{blobFBT, m.fbt},
		{blobPopular, m.popular},
		{blobText, m.text},
	}
	if m.coview != nil {
		list = append(list, named{blobCoView, m.coview})
	}
	for _, w := range Windows() {
		list = append(list, named{trendingPrefix + w, m.trending[w]})
	}
	out := make([]blob, 0, len(list)+1)
	for _, n := range list {
		data, err := n.model.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("serialise model %s: %w", n.name, err)
		}
		out = append(out, blob{n.name, data})
	}
	data, err := marshalHistories(m.histories)
	if err != nil {
		return nil, err
	}
	return append(out, blob{blobHistories, data}), nil
}

// unmarshalModels restores the models of a version from its blobs.
func unmarshalModels(v Version, blobs map[string][]byte) (*models, error) {
	m := &models{trending: make(map[string]*recommend.Popularity)}
	decode := func(name string, into encoding.BinaryUnmarshaler) error {
		data, ok := blobs[name]
		if !ok {
			return fmt.Errorf("version %s has no %s model", v.ID, name)
		}
		if err := into.UnmarshalBinary(data); err != nil {
			return fmt.Errorf("version %s: %w", v.ID, err)
		}
		return nil
	}
	switch v.Model {
	case ModelALS:
		als := &recommend.ALS{}
		if err := decode(ModelALS, als); err != nil {
			return nil, err
		}
		m.factors = als
	case ModelBPR:
		bpr := &recommend.BPR{}
		if err := decode(ModelBPR, bpr); err != nil {
			return nil, err
		}
		m.factors = bpr
	default:
		return nil, fmt.Errorf("version %s has unknown factor model %q", v.ID, v.Model)
	}
	m.copurchase, m.fbt, m.popular, m.text = &recommend.ItemKNN{}, &recommend.FBT{}, &recommend.Popularity{}, &recommend.TextIndex{}
	for name, into := range map[string]encoding.BinaryUnmarshaler{
		blobCoPurchase: m.copurchase, blobFBT: m.fbt, blobPopular: m.popular, blobText: m.text,
	} {
		if err := decode(name, into); err != nil {
			return nil, err
		}
	}
	if _, ok := blobs[blobCoView]; ok {
		m.coview = &recommend.ItemKNN{}
		if err := decode(blobCoView, m.coview); err != nil {
			return nil, err
		}
	}
	for _, w := range Windows() {
		p := &recommend.Popularity{}
		if err := decode(trendingPrefix+w, p); err != nil {
			return nil, err
		}
		m.trending[w] = p
	}
	h, err := unmarshalHistories(blobs[blobHistories])
	if err != nil {
		return nil, fmt.Errorf("version %s: %w", v.ID, err)
	}
	m.histories = h
	return m, nil
}

// historiesMagic starts a serialised Histories, followed by a gob body.
const historiesMagic = "SSRH1"

// historiesState is the serialised form of recommend.Histories.
type historiesState struct {
	Users, Items []string
	RowPtr       []int
	Col          []int32
	Value        []float32
	Event        []recommend.EventType
	Time         []int64
}

func marshalHistories(h *recommend.Histories) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(historiesMagic)
	m := h.Matrix
	s := historiesState{h.Users.IDs(), h.Items.IDs(), m.RowPtr, m.Col, m.Value, m.Event, m.Time}
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		return nil, fmt.Errorf("serialise user histories: %w", err)
	}
	return buf.Bytes(), nil
}

func unmarshalHistories(data []byte) (*recommend.Histories, error) {
	if !bytes.HasPrefix(data, []byte(historiesMagic)) {
		return nil, fmt.Errorf("user histories: missing or not in the %q format", historiesMagic)
	}
	var s historiesState
	if err := gob.NewDecoder(bytes.NewReader(data[len(historiesMagic):])).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode user histories: %w", err)
	}
	nnz := len(s.Col)
	if len(s.RowPtr) != len(s.Users)+1 || s.RowPtr[len(s.Users)] != nnz ||
		len(s.Value) != nnz || len(s.Event) != nnz || len(s.Time) != nnz {
		return nil, fmt.Errorf("user histories: inconsistent sizes (%d users, %d row offsets, %d cells)", len(s.Users), len(s.RowPtr), nnz)
	}
	for r := range len(s.Users) {
		if s.RowPtr[r] > s.RowPtr[r+1] {
			return nil, fmt.Errorf("user histories: row offsets decrease at user %d", r)
		}
	}
	for _, c := range s.Col {
		if c < 0 || int(c) >= len(s.Items) {
			return nil, fmt.Errorf("user histories: item index %d out of range", c)
		}
	}
	users, items := recommend.NewIndex(), recommend.NewIndex()
	for _, id := range s.Users {
		users.Add(id)
	}
	for _, id := range s.Items {
		items.Add(id)
	}
	if users.Len() != len(s.Users) || items.Len() != len(s.Items) {
		return nil, fmt.Errorf("user histories: duplicate user or item ids")
	}
	matrix := &recommend.Matrix{Rows: len(s.Users), Cols: len(s.Items), RowPtr: s.RowPtr, Col: s.Col, Value: s.Value, Event: s.Event, Time: s.Time}
	return &recommend.Histories{Users: users, Items: items, Matrix: matrix}, nil
}
