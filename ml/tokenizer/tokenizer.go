// Package tokenizer implements the BERT WordPiece tokenizer: the
// BasicTokenizer text normalization and word split, greedy longest-match
// WordPiece, [CLS]/[SEP] encoding of single texts and pairs, truncation and
// batch padding, for uncased English vocabularies and for Chinese character
// vocabularies such as bert-base-chinese. On the bert-base-uncased
// vocabulary its output equals that of HuggingFace BertTokenizerFast
// (tokenizers 0.22) on every reference case the tests check.
//
// Load reads a model directory (tokenizer.json, or vocab.txt plus
// tokenizer_config.json); New builds a Tokenizer from a vocabulary slice.
// A Tokenizer is immutable and safe for concurrent use.
package tokenizer

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// maxPooledBytes is the largest scratch buffer kept for reuse, so that one
// huge input does not pin its buffers for the life of the Tokenizer.
const maxPooledBytes = 64 << 10

// Tokenizer converts text to BERT input ids. Create it with New or Load.
type Tokenizer struct {
	opt   Options
	vocab []string // id -> token

	// pieces maps a word-initial piece to its id, continuations maps a
	// continuing piece with its prefix removed ("##ing" is stored as "ing").
	pieces        map[string]int32
	continuations map[string]int32
	// maxPieceLen and maxContinuationLen are the longest keys in bytes, which
	// bound the longest-match search.
	maxPieceLen        int
	maxContinuationLen int

	unkID, clsID, sepID, padID, maskID int32

	// literals are the special tokens cut out of raw text, longest first, and
	// literalFirst marks the bytes that start one of them.
	literals     []literal
	literalFirst [256]bool

	scratch sync.Pool // *scratch
}

// literal is a special token matched verbatim in raw text.
type literal struct {
	text  string
	bytes []byte
	id    int32
}

// scratch holds the buffers of one Encode call.
type scratch struct {
	clean []byte // text after cleaning and CJK spacing
	nfd   []byte // clean after NFD, when accents are stripped
	word  []byte // the word being built
	ids   []int32
	pair  []int32
}

// New returns a Tokenizer for vocab, where vocab[i] is the token with id i.
// It returns an error when vocab is empty, lacks UnkToken, ClsToken, SepToken
// or PadToken or an added token, or when an option is out of range.
func New(vocab []string, opt Options) (*Tokenizer, error) {
	t, err := build(vocab, opt)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return t, nil
}

// build is New without the package prefix on its errors.
func build(vocab []string, opt Options) (*Tokenizer, error) {
	if len(vocab) == 0 {
		return nil, errors.New("vocabulary is empty")
	}
	if len(vocab) > 1<<31-1 {
		return nil, fmt.Errorf("vocabulary has %d tokens, more than int32 ids can address", len(vocab))
	}
	if opt.MaxInputCharsPerWord <= 0 {
		return nil, fmt.Errorf("MaxInputCharsPerWord is %d; set it to a positive number of code points (BERT uses 100)", opt.MaxInputCharsPerWord)
	}
	if opt.ModelMaxLength < 0 {
		return nil, fmt.Errorf("ModelMaxLength is %d; set it to 0 (unknown) or a positive token count", opt.ModelMaxLength)
	}
	t := &Tokenizer{
		opt:           opt,
		vocab:         append([]string(nil), vocab...),
		pieces:        make(map[string]int32, len(vocab)),
		continuations: make(map[string]int32, len(vocab)/4),
		maskID:        -1,
	}
	t.opt.AddedTokens = append([]string(nil), opt.AddedTokens...)
	t.indexVocab()

	required := []struct {
		option, token string
		id            *int32
	}{
		{"UnkToken", opt.UnkToken, &t.unkID},
		{"ClsToken", opt.ClsToken, &t.clsID},
		{"SepToken", opt.SepToken, &t.sepID},
		{"PadToken", opt.PadToken, &t.padID},
	}
	for _, r := range required {
		id, ok := t.pieces[r.token]
		if !ok || r.token == "" {
			return nil, fmt.Errorf("%s %q is not in the vocabulary of %d tokens; add it or set %s to the vocabulary's token", r.option, r.token, len(vocab), r.option)
		}
		*r.id = id
	}
	if id, ok := t.pieces[opt.MaskToken]; ok && opt.MaskToken != "" {
		t.maskID = id
	}
	if err := t.indexLiterals(); err != nil {
		return nil, err
	}
	t.scratch.New = func() any { return new(scratch) }
	return t, nil
}

// indexVocab fills the piece maps. A token listed twice gets its last id, as
// HuggingFace's vocab.txt loader does.
func (t *Tokenizer) indexVocab() {
	prefix := t.opt.ContinuingSubwordPrefix
	for i, token := range t.vocab {
		id := int32(i)
		t.pieces[token] = id
		t.maxPieceLen = max(t.maxPieceLen, len(token))
		if rest, ok := strings.CutPrefix(token, prefix); ok && rest != "" {
			t.continuations[rest] = id
			t.maxContinuationLen = max(t.maxContinuationLen, len(rest))
		}
	}
}

// indexLiterals collects the special tokens that are matched in raw text.
func (t *Tokenizer) indexLiterals() error {
	add := func(token string, id int32) {
		for _, l := range t.literals {
			if l.text == token {
				return
			}
		}
		t.literals = append(t.literals, literal{text: token, bytes: []byte(token), id: id})
		t.literalFirst[token[0]] = true
	}
	add(t.opt.PadToken, t.padID)
	add(t.opt.UnkToken, t.unkID)
	add(t.opt.ClsToken, t.clsID)
	add(t.opt.SepToken, t.sepID)
	if t.maskID >= 0 {
		add(t.opt.MaskToken, t.maskID)
	}
	for _, token := range t.opt.AddedTokens {
		id, ok := t.pieces[token]
		if !ok || token == "" {
			return fmt.Errorf("added token %q is not in the vocabulary of %d tokens; add it to the vocabulary or remove it from AddedTokens", token, len(t.vocab))
		}
		add(token, id)
	}
	// Longest first, so that at one position the longest literal wins.
	for i := 1; i < len(t.literals); i++ {
		for j := i; j > 0 && len(t.literals[j].text) > len(t.literals[j-1].text); j-- {
			t.literals[j], t.literals[j-1] = t.literals[j-1], t.literals[j]
		}
	}
	return nil
}

// Options returns the settings the Tokenizer was built with.
func (t *Tokenizer) Options() Options {
	opt := t.opt
	opt.AddedTokens = append([]string(nil), t.opt.AddedTokens...)
	return opt
}

// VocabSize returns the number of ids. Every id is in [0, VocabSize()).
func (t *Tokenizer) VocabSize() int { return len(t.vocab) }

// UnkID returns the id of the unknown token.
func (t *Tokenizer) UnkID() int32 { return t.unkID }

// ClsID returns the id of the classifier token that starts every sequence.
func (t *Tokenizer) ClsID() int32 { return t.clsID }

// SepID returns the id of the separator token that ends every sequence.
func (t *Tokenizer) SepID() int32 { return t.sepID }

// PadID returns the id of the padding token.
func (t *Tokenizer) PadID() int32 { return t.padID }

// MaskID returns the id of the mask token, or -1 when the vocabulary has none.
func (t *Tokenizer) MaskID() int32 { return t.maskID }

// ModelMaxLength returns the model's maximum sequence length, or 0 when unknown.
func (t *Tokenizer) ModelMaxLength() int { return t.opt.ModelMaxLength }

// TokenID returns the id of token and whether the vocabulary contains it.
func (t *Tokenizer) TokenID(token string) (int32, bool) {
	id, ok := t.pieces[token]
	return id, ok
}

// Token returns the token with the given id, or "" when id is out of range.
func (t *Tokenizer) Token(id int32) string {
	if id < 0 || int(id) >= len(t.vocab) {
		return ""
	}
	return t.vocab[id]
}

func (t *Tokenizer) getScratch() *scratch {
	return t.scratch.Get().(*scratch)
}

func (t *Tokenizer) putScratch(s *scratch) {
	if cap(s.clean) > maxPooledBytes || cap(s.nfd) > maxPooledBytes || cap(s.word) > maxPooledBytes || cap(s.ids) > maxPooledBytes || cap(s.pair) > maxPooledBytes {
		return
	}
	t.scratch.Put(s)
}
