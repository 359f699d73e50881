package tokenizer

// Encoding is one tokenized sequence: [CLS] A [SEP], or [CLS] A [SEP] B [SEP]
// for a pair. The four slices have the same length.
type Encoding struct {
	Tokens []string
	IDs    []int32
	// TypeIDs is 0 for [CLS] A [SEP] and 1 for B [SEP] of a pair.
	TypeIDs []int32
	// AttentionMask is 1 for real tokens and 0 for padding.
	AttentionMask []int32
}

// Len returns the number of tokens.
func (e Encoding) Len() int { return len(e.IDs) }

// Batch is a set of encodings padded on the right to a common length T. Each
// field has one row per input, in input order, and every row has length T.
// The rows of IDs, TypeIDs and AttentionMask are views into one row-major
// [B*T] array each, which Flat returns.
type Batch struct {
	Tokens        [][]string
	IDs           [][]int32
	TypeIDs       [][]int32
	AttentionMask [][]int32
	// Lengths holds the number of real tokens per row.
	Lengths []int

	flatIDs, flatTypeIDs, flatMask []int32
}

// SeqLen returns T, the padded length of every row.
func (b Batch) SeqLen() int {
	if len(b.IDs) == 0 {
		return 0
	}
	return len(b.IDs[0])
}

// Flat returns IDs, TypeIDs and AttentionMask as row-major [B*T] arrays, the
// memory that the rows share, ready to copy into a tensor.
func (b Batch) Flat() (ids, typeIDs, attentionMask []int32) {
	return b.flatIDs, b.flatTypeIDs, b.flatMask
}

// Encode tokenizes text as [CLS] pieces [SEP]. With maxLength > 0 the result
// has at most maxLength tokens, [CLS] and [SEP] included: pieces are removed
// from the right end, which may cut a word between its pieces, and [SEP] is
// always kept. A maxLength of 1 acts as 2, because [CLS] and [SEP] are always
// present. maxLength <= 0 disables truncation.
func (t *Tokenizer) Encode(text string, maxLength int) Encoding {
	s := t.getScratch()
	defer t.putScratch(s)

	s.ids = t.appendTextIDs(s, s.ids[:0], text)
	pieces := s.ids
	if maxLength > 0 {
		pieces = pieces[:min(len(pieces), max(maxLength-2, 0))]
	}

	enc := t.newEncoding(len(pieces) + 2)
	n := 0
	n = enc.put(t, n, t.clsID, 0)
	for _, id := range pieces {
		n = enc.put(t, n, id, 0)
	}
	enc.put(t, n, t.sepID, 0)
	return enc
}

// EncodePair tokenizes a text pair as [CLS] A [SEP] B [SEP], with TypeIDs 0
// for [CLS] A [SEP] and 1 for B [SEP]. With maxLength > 0 the result has at
// most maxLength tokens (a maxLength below 3 acts as 3): the longer of A and B
// loses pieces from its right end until both fit, see pairBudget.
// maxLength <= 0 disables truncation.
func (t *Tokenizer) EncodePair(a, b string, maxLength int) Encoding {
	s := t.getScratch()
	defer t.putScratch(s)

	s.ids = t.appendTextIDs(s, s.ids[:0], a)
	s.pair = t.appendTextIDs(s, s.pair[:0], b)
	first, second := s.ids, s.pair
	if maxLength > 0 {
		n1, n2 := pairBudget(len(first), len(second), max(maxLength-3, 0))
		first, second = first[:n1], second[:n2]
	}

	enc := t.newEncoding(len(first) + len(second) + 3)
	n := 0
	n = enc.put(t, n, t.clsID, 0)
	for _, id := range first {
		n = enc.put(t, n, id, 0)
	}
	n = enc.put(t, n, t.sepID, 0)
	for _, id := range second {
		n = enc.put(t, n, id, 1)
	}
	enc.put(t, n, t.sepID, 1)
	return enc
}

// pairBudget returns how many pieces of a pair with n1 and n2 pieces to keep
// so that at most budget remain, as HuggingFace's longest_first strategy
// does. When only the longer side must shrink, it keeps budget minus the
// shorter side. When both must shrink, they get budget/2 each, and the odd
// piece goes to the side that was longer, or to the second when they were
// equally long.
func pairBudget(n1, n2, budget int) (int, int) {
	if n1+n2 <= budget {
		return n1, n2
	}
	short, long := n1, n2
	swapped := n1 > n2
	if swapped {
		short, long = n2, n1
	}
	if short > budget {
		long = short
	} else {
		long = max(short, budget-short)
	}
	if short+long > budget {
		short = budget / 2
		long = short + budget%2
	}
	if swapped {
		return long, short
	}
	return short, long
}

// newEncoding allocates an Encoding of n tokens with one array for the three
// id slices.
func (t *Tokenizer) newEncoding(n int) Encoding {
	ints := make([]int32, 3*n)
	return Encoding{
		Tokens:        make([]string, n),
		IDs:           ints[0:n:n],
		TypeIDs:       ints[n : 2*n : 2*n],
		AttentionMask: ints[2*n : 3*n : 3*n],
	}
}

// put stores token id with type typeID at position i and returns i+1.
func (e Encoding) put(t *Tokenizer, i int, id, typeID int32) int {
	e.Tokens[i] = t.vocab[id]
	e.IDs[i] = id
	e.TypeIDs[i] = typeID
	e.AttentionMask[i] = 1
	return i + 1
}

// EncodeBatch encodes each text with Encode and pads the results with Pad.
func (t *Tokenizer) EncodeBatch(texts []string, maxLength int) Batch {
	encs := make([]Encoding, len(texts))
	for i, text := range texts {
		encs[i] = t.Encode(text, maxLength)
	}
	return t.Pad(encs)
}

// EncodePairBatch encodes each pair with EncodePair and pads the results with Pad.
func (t *Tokenizer) EncodePairBatch(pairs [][2]string, maxLength int) Batch {
	encs := make([]Encoding, len(pairs))
	for i, p := range pairs {
		encs[i] = t.EncodePair(p[0], p[1], maxLength)
	}
	return t.Pad(encs)
}

// Pad right-pads encodings to the longest one with PadToken, type id 0 and
// attention mask 0.
func (t *Tokenizer) Pad(encs []Encoding) Batch {
	seqLen := 0
	for _, e := range encs {
		seqLen = max(seqLen, e.Len())
	}
	rows, size := len(encs), len(encs)*seqLen
	b := Batch{
		Tokens:        make([][]string, rows),
		IDs:           make([][]int32, rows),
		TypeIDs:       make([][]int32, rows),
		AttentionMask: make([][]int32, rows),
		Lengths:       make([]int, rows),
		flatIDs:       make([]int32, size),
		flatTypeIDs:   make([]int32, size),
		flatMask:      make([]int32, size),
	}
	tokens := make([]string, size)
	padToken := t.vocab[t.padID]
	for r, e := range encs {
		lo, hi := r*seqLen, (r+1)*seqLen
		b.Tokens[r] = tokens[lo:hi:hi]
		b.IDs[r] = b.flatIDs[lo:hi:hi]
		b.TypeIDs[r] = b.flatTypeIDs[lo:hi:hi]
		b.AttentionMask[r] = b.flatMask[lo:hi:hi]
		b.Lengths[r] = e.Len()

		n := copy(b.Tokens[r], e.Tokens)
		copy(b.IDs[r], e.IDs)
		copy(b.TypeIDs[r], e.TypeIDs)
		copy(b.AttentionMask[r], e.AttentionMask)
		for i := n; i < seqLen; i++ {
			b.Tokens[r][i] = padToken
			b.IDs[r][i] = t.padID
		}
	}
	return b
}
