package recommend

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
)

// Serialised models start with a header: the 4-byte magic "SSRM", a
// big-endian uint16 format version, a uint8 kind length and the kind name
// ("als", "bpr", ...). A gob-encoded body follows.
const (
	modelMagic = "SSRM"
	// FormatVersion is the serialisation format written by MarshalBinary.
	// UnmarshalBinary rejects other versions.
	FormatVersion uint16 = 1
)

// marshalModel writes the header and the gob encoding of body.
func marshalModel(kind string, body any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(modelMagic)
	binary.Write(&buf, binary.BigEndian, FormatVersion)
	buf.WriteByte(byte(len(kind)))
	buf.WriteString(kind)
	if err := gob.NewEncoder(&buf).Encode(body); err != nil {
		return nil, fmt.Errorf("marshal %s model: %w", kind, err)
	}
	return buf.Bytes(), nil
}

// unmarshalModel checks the header against kind and decodes the body.
func unmarshalModel(data []byte, kind string, body any) error {
	header := len(modelMagic) + 3
	if len(data) < header || string(data[:len(modelMagic)]) != modelMagic {
		return fmt.Errorf("unmarshal %s model: data does not start with the %q header; it is not a serialised ShopSight model", kind, modelMagic)
	}
	version := binary.BigEndian.Uint16(data[4:6])
	if version != FormatVersion {
		return fmt.Errorf("unmarshal %s model: format version %d is not supported (this build reads version %d); retrain the model", kind, version, FormatVersion)
	}
	n := int(data[6])
	if len(data) < header+n {
		return fmt.Errorf("unmarshal %s model: truncated header", kind)
	}
	if got := string(data[header : header+n]); got != kind {
		return fmt.Errorf("unmarshal %s model: data contains a %q model", kind, got)
	}
	if err := gob.NewDecoder(bytes.NewReader(data[header+n:])).Decode(body); err != nil {
		return fmt.Errorf("unmarshal %s model: %w", kind, err)
	}
	return nil
}

// factorState is the serialised form of a factor model.
type factorState struct {
	Users, Items       []string
	Factors            int
	UserVecs, ItemVecs []float32
	ItemBias           []float32
}

func (m *factorModel) state() factorState {
	return factorState{m.Users.IDs(), m.Items.IDs(), m.Factors, m.UserVecs, m.ItemVecs, m.ItemBias}
}

func (s factorState) model() (*factorModel, error) {
	if s.Factors <= 0 || len(s.UserVecs) != len(s.Users)*s.Factors || len(s.ItemVecs) != len(s.Items)*s.Factors ||
		(s.ItemBias != nil && len(s.ItemBias) != len(s.Items)) {
		return nil, fmt.Errorf("inconsistent factor sizes: %d users, %d items, %d factors", len(s.Users), len(s.Items), s.Factors)
	}
	return &factorModel{newIndexFrom(s.Users), newIndexFrom(s.Items), s.Factors, s.UserVecs, s.ItemVecs, s.ItemBias}, nil
}

// MarshalBinary serialises the model with a version header.
func (m *ALS) MarshalBinary() ([]byte, error) { return marshalModel("als", m.state()) }

// UnmarshalBinary restores a model written by MarshalBinary.
func (m *ALS) UnmarshalBinary(data []byte) error {
	var s factorState
	if err := unmarshalModel(data, "als", &s); err != nil {
		return err
	}
	fm, err := s.model()
	if err != nil {
		return fmt.Errorf("unmarshal als model: %w", err)
	}
	m.factorModel = fm
	return nil
}

// MarshalBinary serialises the model with a version header.
func (m *BPR) MarshalBinary() ([]byte, error) { return marshalModel("bpr", m.state()) }

// UnmarshalBinary restores a model written by MarshalBinary.
func (m *BPR) UnmarshalBinary(data []byte) error {
	var s factorState
	if err := unmarshalModel(data, "bpr", &s); err != nil {
		return err
	}
	fm, err := s.model()
	if err != nil {
		return fmt.Errorf("unmarshal bpr model: %w", err)
	}
	m.factorModel = fm
	return nil
}

// neighbourState is the serialised form of ItemKNN and FBT.
type neighbourState struct {
	Name     string
	Items    []string
	Ptr      []int
	Neighbor []int32
	Score    []float32
	Baskets  int
}

func (s neighbourState) check(kind string) error {
	if len(s.Ptr) != len(s.Items)+1 || len(s.Neighbor) != len(s.Score) || s.Ptr[len(s.Ptr)-1] != len(s.Neighbor) {
		return fmt.Errorf("unmarshal %s model: inconsistent neighbour lists", kind)
	}
	for _, j := range s.Neighbor {
		if j < 0 || int(j) >= len(s.Items) {
			return fmt.Errorf("unmarshal %s model: neighbour index %d out of range", kind, j)
		}
	}
	return nil
}

// MarshalBinary serialises the model with a version header.
func (m *ItemKNN) MarshalBinary() ([]byte, error) {
	return marshalModel("itemknn", neighbourState{Name: m.ModelName, Items: m.Items.IDs(), Ptr: m.Ptr, Neighbor: m.Neighbor, Score: m.Sim})
}

// UnmarshalBinary restores a model written by MarshalBinary.
func (m *ItemKNN) UnmarshalBinary(data []byte) error {
	var s neighbourState
	if err := unmarshalModel(data, "itemknn", &s); err != nil {
		return err
	}
	if err := s.check("itemknn"); err != nil {
		return err
	}
	*m = ItemKNN{ModelName: s.Name, Items: newIndexFrom(s.Items), Ptr: s.Ptr, Neighbor: s.Neighbor, Sim: s.Score}
	return nil
}

// MarshalBinary serialises the model with a version header.
func (m *FBT) MarshalBinary() ([]byte, error) {
	return marshalModel("fbt", neighbourState{Items: m.Items.IDs(), Ptr: m.Ptr, Neighbor: m.Neighbor, Score: m.Score, Baskets: m.Baskets})
}

// UnmarshalBinary restores a model written by MarshalBinary.
func (m *FBT) UnmarshalBinary(data []byte) error {
	var s neighbourState
	if err := unmarshalModel(data, "fbt", &s); err != nil {
		return err
	}
	if err := s.check("fbt"); err != nil {
		return err
	}
	*m = FBT{Items: newIndexFrom(s.Items), Ptr: s.Ptr, Neighbor: s.Neighbor, Score: s.Score, Baskets: s.Baskets}
	return nil
}

// popularityState is the serialised form of Popularity.
type popularityState struct {
	Name, Window   string
	Trending       bool
	Items, Regions []string
	Popular, Trend [][]ScoredItem
}

// MarshalBinary serialises the model with a version header.
func (m *Popularity) MarshalBinary() ([]byte, error) {
	return marshalModel("popularity", popularityState{m.ModelName, m.WindowLabel, m.Trending, m.Items.IDs(), m.Regions, m.Popular, m.Trend})
}

// UnmarshalBinary restores a model written by MarshalBinary.
func (m *Popularity) UnmarshalBinary(data []byte) error {
	var s popularityState
	if err := unmarshalModel(data, "popularity", &s); err != nil {
		return err
	}
	if len(s.Regions) == 0 || len(s.Popular) != len(s.Regions) || len(s.Trend) != len(s.Regions) {
		return fmt.Errorf("unmarshal popularity model: %d regions but %d popular and %d trend lists", len(s.Regions), len(s.Popular), len(s.Trend))
	}
	for _, lists := range [][][]ScoredItem{s.Popular, s.Trend} {
		for _, l := range lists {
			for _, it := range l {
				if it.Item < 0 || int(it.Item) >= len(s.Items) {
					return fmt.Errorf("unmarshal popularity model: item index %d out of range", it.Item)
				}
			}
		}
	}
	*m = Popularity{ModelName: s.Name, Items: newIndexFrom(s.Items), Regions: s.Regions, Popular: s.Popular, Trend: s.Trend, WindowLabel: s.Window, Trending: s.Trending}
	return nil
}

// textState is the serialised form of TextIndex.
type textState struct {
	Items      []string
	Terms      [][]int32
	Weights    [][]float32
	PostItem   [][]int32
	PostWeight [][]float32
	Options    TextOptions
}

// MarshalBinary serialises the index with a version header.
func (x *TextIndex) MarshalBinary() ([]byte, error) {
	return marshalModel("text", textState{x.Items.IDs(), x.Terms, x.Weights, x.PostItem, x.PostWeight, x.Options})
}

// UnmarshalBinary restores an index written by MarshalBinary.
func (x *TextIndex) UnmarshalBinary(data []byte) error {
	var s textState
	if err := unmarshalModel(data, "text", &s); err != nil {
		return err
	}
	if len(s.Terms) != len(s.Items) || len(s.Weights) != len(s.Items) || len(s.PostItem) != len(s.PostWeight) {
		return fmt.Errorf("unmarshal text model: inconsistent term vectors")
	}
	for d, terms := range s.Terms {
		if len(s.Weights[d]) != len(terms) {
			return fmt.Errorf("unmarshal text model: item %d has %d terms but %d weights", d, len(terms), len(s.Weights[d]))
		}
		for _, t := range terms {
			if t < 0 || int(t) >= len(s.PostItem) {
				return fmt.Errorf("unmarshal text model: term index %d out of range", t)
			}
		}
	}
	for t, items := range s.PostItem {
		if len(s.PostWeight[t]) != len(items) {
			return fmt.Errorf("unmarshal text model: term %d has %d postings but %d weights", t, len(items), len(s.PostWeight[t]))
		}
		for _, d := range items {
			if d < 0 || int(d) >= len(s.Items) {
				return fmt.Errorf("unmarshal text model: posting item index %d out of range", d)
			}
		}
	}
	*x = TextIndex{Items: newIndexFrom(s.Items), Terms: s.Terms, Weights: s.Weights, PostItem: s.PostItem, PostWeight: s.PostWeight, Options: s.Options}
	return nil
}
