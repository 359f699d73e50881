// Package zh provides Chinese word segmentation for Bleve, built on the gse
// segmenter (github.com/go-ego/gse) and its embedded dictionary.
//
// Bleve resolves tokenizers and analyzers by name from a process-wide
// registry, also when it reopens an index from disk, so Register binds the
// names below to one Segmenter. Load the Segmenter once per process with
// NewSegmenter, call Register once, and pass the same Segmenter wherever it
// is needed: it is read-only after loading and safe for concurrent use.
//
// Three analyzers share the tokenizer rules:
//
//   - AnalyzerName indexes text. Each run of Han characters is segmented into
//     words, and every character of a word of two or more characters is also
//     emitted, so single-character queries and substrings that the segmenter
//     split differently still match. A word takes the position of its first
//     character, and each Han character has its own position.
//   - QueryAnalyzerName analyzes match queries: words only.
//   - CharAnalyzerName analyzes phrase queries: characters only, at the same
//     positions as in the index, so a phrase of characters finds any
//     contiguous substring.
//
// In all three, runs of other letters and digits ("iPhone", "15") become one
// lower-cased token each, full-width Latin letters and digits are folded to
// their ASCII forms, and punctuation, symbols and spaces are dropped.
package zh

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/go-ego/gse"
)

// Registered names of the tokenizers and analyzers.
const (
	TokenizerName      = "zh_gse"
	QueryTokenizerName = "zh_gse_query"
	CharTokenizerName  = "zh_gse_char"

	AnalyzerName      = "zh_gse"
	QueryAnalyzerName = "zh_gse_query"
	CharAnalyzerName  = "zh_gse_char"
)

// ErrAlreadyRegistered is returned by Register when the names are taken,
// usually by an earlier call in the same process.
var ErrAlreadyRegistered = errors.New("zh analyzers are already registered")

// Segmenter splits runs of Han characters into words. It is read-only after
// NewSegmenter returns and safe for concurrent use.
type Segmenter struct {
	seg gse.Segmenter
}

// NewSegmenter loads gse's embedded simplified and traditional Chinese
// dictionaries. Loading takes a few seconds and about 100 MB of memory, so
// create one Segmenter per process and share it.
func NewSegmenter() (*Segmenter, error) {
	s := &Segmenter{}
	s.seg.SkipLog = true
	if err := s.seg.LoadDictEmbed("zh"); err != nil {
		return nil, fmt.Errorf("load gse embedded Chinese dictionary: %w", err)
	}
	return s, nil
}

// Words returns the words of a run of Han characters in the segmenter's
// accurate mode with its HMM for words missing from the dictionary. The
// words concatenate to run.
func (s *Segmenter) Words(run string) []string {
	return s.seg.Cut(run, true)
}

// Mode selects which tokens a Tokenizer emits for Han text.
type Mode int

// Tokenizer modes; see the package documentation.
const (
	ModeIndex Mode = iota // words and their characters
	ModeQuery             // words only
	ModeChar              // characters only
)

// Tokenizer is a Bleve tokenizer over a Segmenter.
type Tokenizer struct {
	seg  *Segmenter
	mode Mode
}

// NewTokenizer returns a tokenizer that segments with seg in the given mode.
func NewTokenizer(seg *Segmenter, mode Mode) *Tokenizer {
	return &Tokenizer{seg: seg, mode: mode}
}

// Tokenize implements analysis.Tokenizer. Positions start at 1.
func (t *Tokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	pos := 0
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			end := scanRun(input, i, isHan)
			out, pos = t.appendHan(out, input, i, end, pos)
			i = end
		case isWordRune(r):
			end := scanRun(input, i, isWordRune)
			pos++
			out = append(out, &analysis.Token{
				Term: []byte(foldWidth(string(input[i:end]))), Start: i, End: end,
				Position: pos, Type: wordType(input[i:end]),
			})
			i = end
		default:
			i += size
		}
	}
	return out
}

// appendHan emits the tokens of the Han run input[start:end] after position
// pos and returns the stream and the last position used.
func (t *Tokenizer) appendHan(out analysis.TokenStream, input []byte, start, end, pos int) (analysis.TokenStream, int) {
	run := string(input[start:end])
	if t.mode == ModeChar {
		for off, r := range run {
			pos++
			out = append(out, hanToken(r, start+off, pos))
		}
		return out, pos
	}
	off := start
	for _, w := range t.seg.Words(run) {
		if !strings.HasPrefix(string(input[off:end]), w) {
			// The segmenter's words must partition the run; if a future gse
			// version changes that, fall back to characters for the rest.
			for o, r := range string(input[off:end]) {
				pos++
				out = append(out, hanToken(r, off+o, pos))
			}
			return out, pos
		}
		first := pos + 1
		n := utf8.RuneCountInString(w)
		if t.mode == ModeQuery || n == 1 {
			pos++
			out = append(out, &analysis.Token{Term: []byte(w), Start: off, End: off + len(w), Position: first, Type: analysis.Ideographic})
		} else {
			out = append(out, &analysis.Token{Term: []byte(w), Start: off, End: off + len(w), Position: first, Type: analysis.Ideographic})
			for o, r := range w {
				pos++
				out = append(out, hanToken(r, off+o, pos))
			}
		}
		if t.mode == ModeQuery && n > 1 {
			// Keep query positions aligned with the index, where every
			// character of a word advances the position.
			pos += n - 1
		}
		off += len(w)
	}
	return out, pos
}

func hanToken(r rune, start, pos int) *analysis.Token {
	size := utf8.RuneLen(r)
	return &analysis.Token{Term: []byte(string(r)), Start: start, End: start + size, Position: pos, Type: analysis.Ideographic}
}

func scanRun(input []byte, i int, keep func(rune) bool) int {
	for i < len(input) {
		r, size := utf8.DecodeRune(input[i:])
		if !keep(r) {
			break
		}
		i += size
	}
	return i
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// isWordRune reports letters, digits and combining marks outside Han.
func isWordRune(r rune) bool {
	return r != utf8.RuneError && !isHan(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

func wordType(b []byte) analysis.TokenType {
	for _, r := range string(b) {
		if !unicode.IsDigit(r) {
			return analysis.AlphaNumeric
		}
	}
	return analysis.Numeric
}

// foldWidth maps full-width ASCII forms (U+FF01 to U+FF5E) to ASCII.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFF01 + '!'
		}
		return r
	}, s)
}

// Register registers the tokenizers and analyzers named above in Bleve's
// registry, bound to seg. Call it once per process before opening an index
// that uses them; a second call returns ErrAlreadyRegistered and changes
// nothing.
func Register(seg *Segmenter) error {
	if seg == nil {
		return errors.New("register zh analyzers: nil segmenter; load one with NewSegmenter")
	}
	tokenizers := []struct {
		name string
		mode Mode
	}{{TokenizerName, ModeIndex}, {QueryTokenizerName, ModeQuery}, {CharTokenizerName, ModeChar}}
	for _, tk := range tokenizers {
		tok := NewTokenizer(seg, tk.mode)
		err := registry.RegisterTokenizer(tk.name, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
			return tok, nil
		})
		if err != nil {
			return fmt.Errorf("register tokenizer %q: %w: %w", tk.name, ErrAlreadyRegistered, err)
		}
	}
	analyzers := [][2]string{{AnalyzerName, TokenizerName}, {QueryAnalyzerName, QueryTokenizerName}, {CharAnalyzerName, CharTokenizerName}}
	for _, an := range analyzers {
		tokenizerName := an[1]
		err := registry.RegisterAnalyzer(an[0], func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
			return newAnalyzer(cache, tokenizerName)
		})
		if err != nil {
			return fmt.Errorf("register analyzer %q: %w: %w", an[0], ErrAlreadyRegistered, err)
		}
	}
	return nil
}

func newAnalyzer(cache *registry.Cache, tokenizerName string) (analysis.Analyzer, error) {
	tokenizer, err := cache.TokenizerNamed(tokenizerName)
	if err != nil {
		return nil, err
	}
	toLower, err := cache.TokenFilterNamed(lowercase.Name)
	if err != nil {
		return nil, err
	}
	return &analysis.DefaultAnalyzer{Tokenizer: tokenizer, TokenFilters: []analysis.TokenFilter{toLower}}, nil
}

// CJKAnalyzerName is Bleve's bigram analyzer for Chinese, Japanese and
// Korean, registered by importing its package. It is kept for comparison
// benchmarks against the gse analyzers.
const CJKAnalyzerName = cjk.AnalyzerName
