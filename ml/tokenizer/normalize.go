package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file implements BERT's BasicTokenizer: special-token literals,
// cleaning, CJK spacing, accent stripping, lowercasing and the split into
// words at whitespace and punctuation. The rules follow HuggingFace
// tokenizers' BertNormalizer and BertPreTokenizer.
//
// NOTE: character classes come from Go's Unicode 15 tables and x/text's NFD,
// while HuggingFace tokenizers uses Unicode 8 tables. Characters added or
// re-categorized since then (a few hundred rare code points) can normalize or
// split differently. Common text is unaffected.

// wordVisitor receives one word. For a special-token literal, specialID is
// its id. For any other word it is -1, and runes is the word's length in code
// points. word is only valid during the call.
type wordVisitor func(word []byte, runes int, specialID int32)

// asciiPunct marks the ASCII characters that BERT splits off as words:
// 33–47, 58–64, 91–96 and 123–126, which include symbols such as $ + < = > ^ | ~
// and the backtick that Unicode does not call punctuation.
var asciiPunct = func() (table [utf8.RuneSelf]bool) {
	for c := 33; c < utf8.RuneSelf-1; c++ {
		table[c] = c <= 47 || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || c >= 123
	}
	return table
}()

// walkWords runs the BasicTokenizer on text and calls visit for every word
// in order. Special-token literals are cut out of the raw text first, and the
// text between them is normalized piece by piece.
func (t *Tokenizer) walkWords(s *scratch, text string, visit wordVisitor) {
	for len(text) > 0 {
		at, lit := t.nextLiteral(text)
		if at < 0 {
			t.walkSegment(s, text, visit)
			return
		}
		t.walkSegment(s, text[:at], visit)
		visit(lit.bytes, 0, lit.id)
		text = text[at+len(lit.text):]
	}
}

// nextLiteral returns the byte offset of the leftmost special-token literal
// in text and the literal, or -1 when there is none. At one offset the
// longest literal wins. Matching is case-sensitive, so "[mask]" is no literal.
func (t *Tokenizer) nextLiteral(text string) (int, *literal) {
	for i := 0; i < len(text); i++ {
		if !t.literalFirst[text[i]] {
			continue
		}
		for j := range t.literals {
			if strings.HasPrefix(text[i:], t.literals[j].text) {
				return i, &t.literals[j]
			}
		}
	}
	return -1, nil
}

// walkSegment normalizes text that contains no literal and visits its words.
func (t *Tokenizer) walkSegment(s *scratch, text string, visit wordVisitor) {
	if text == "" {
		return
	}
	var needsNFD bool
	s.clean, needsNFD = t.appendCleaned(s.clean[:0], text)
	src := s.clean
	if t.opt.StripAccents && needsNFD {
		s.nfd = norm.NFD.Append(s.nfd[:0], s.clean...)
		src = s.nfd
	}
	s.word = t.splitWords(s.word[:0], src, visit)
}

// appendCleaned appends text to dst with control characters, U+0000, U+FFFD
// and invalid UTF-8 removed, every whitespace character replaced by a space,
// and, with TokenizeChineseChars, a space on both sides of each CJK
// ideograph. It reports whether the result may change under NFD.
func (t *Tokenizer) appendCleaned(dst []byte, text string) ([]byte, bool) {
	needsNFD := false
	for i := 0; i < len(text); {
		if b := text[i]; b < utf8.RuneSelf {
			i++
			switch {
			case b == ' ' || b == '\t' || b == '\n' || b == '\r':
				dst = append(dst, ' ')
			case b < 0x20 || b == 0x7f: // C0 controls and DEL
			default:
				dst = append(dst, b)
			}
			continue
		}
		// Invalid UTF-8 decodes as utf8.RuneError, U+FFFD, which is removed.
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case t.opt.TokenizeChineseChars && isCJKIdeograph(r):
			dst = append(dst, ' ')
			dst = utf8.AppendRune(dst, r)
			dst = append(dst, ' ')
			// Compatibility ideographs decompose to unified ones under NFD.
			needsNFD = needsNFD || isCJKCompatibility(r)
		case r == utf8.RuneError || isControl(r):
		case unicode.Is(unicode.Z, r): // Zs, Zl and Zp
			dst = append(dst, ' ')
		default:
			dst = utf8.AppendRune(dst, r)
			needsNFD = true
		}
	}
	return dst, needsNFD
}

// splitWords lowercases and strips marks as configured, splits src at spaces
// and punctuation, and visits each word. src holds only valid UTF-8 and uses
// ' ' as its only whitespace. It returns word, the buffer it built words in.
func (t *Tokenizer) splitWords(word []byte, src []byte, visit wordVisitor) []byte {
	runes := 0
	for i := 0; i < len(src); {
		r := rune(src[i])
		if r < utf8.RuneSelf {
			i++
			if r == ' ' {
				if len(word) > 0 {
					visit(word, runes, -1)
					word, runes = word[:0], 0
				}
				continue
			}
			if asciiPunct[r] {
				word = t.visitPunct(word, runes, byte(r), visit)
				runes = 0
				continue
			}
			if t.opt.LowerCase && 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			word = append(word, byte(r))
			runes++
			continue
		}

		r, size := utf8.DecodeRune(src[i:])
		i += size
		if isCJKIdeograph(r) {
			// Category Lo (or unassigned): no mark, no case, no punctuation.
			word = utf8.AppendRune(word, r)
			runes++
			continue
		}
		if t.opt.StripAccents && unicode.Is(unicode.Mn, r) {
			continue
		}
		if t.opt.LowerCase {
			if r == 'İ' {
				// The full lowercase mapping (Rust's char::to_lowercase) gives
				// two code points where unicode.ToLower gives one.
				word = append(word, 'i')
				r = '\u0307'
				runes++
			} else {
				r = unicode.ToLower(r)
			}
		}
		if unicode.Is(unicode.P, r) {
			if len(word) > 0 {
				visit(word, runes, -1)
			}
			word = utf8.AppendRune(word[:0], r)
			visit(word, 1, -1)
			word, runes = word[:0], 0
			continue
		}
		word = utf8.AppendRune(word, r)
		runes++
	}
	if len(word) > 0 {
		visit(word, runes, -1)
	}
	return word[:0]
}

// visitPunct visits the pending word, if any, then the ASCII punctuation c as
// a word of its own, and returns the emptied word buffer.
func (t *Tokenizer) visitPunct(word []byte, runes int, c byte, visit wordVisitor) []byte {
	if len(word) > 0 {
		visit(word, runes, -1)
	}
	word = append(word[:0], c)
	visit(word, 1, -1)
	return word[:0]
}

// isControl reports whether r is removed by cleaning: general category Cc,
// Cf, Co or Cs. Tab, newline and carriage return are whitespace instead, and
// unassigned code points (Cn) are kept, as in HuggingFace tokenizers.
func isControl(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isCJKIdeograph reports whether r is in one of the CJK ideograph blocks that
// BERT surrounds with spaces. Kana, Hangul and fullwidth forms are not. The
// ranges are those of Google's BERT. HuggingFace tokenizers 0.22 writes
// 0x2B920 for 0x2B820 and so leaves U+2B820–U+2B91F unspaced.
func isCJKIdeograph(r rune) bool {
	switch {
	case r < 0x3400:
		return false
	case r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF:
		return true
	case r >= 0xF900 && r <= 0xFAFF:
		return true
	case r >= 0x20000 && r <= 0x2A6DF, r >= 0x2A700 && r <= 0x2CEAF:
		// Extensions B, C, D and E, which are contiguous from 0x2A700.
		return true
	case r >= 0x2F800 && r <= 0x2FA1F:
		return true
	}
	return false
}

// isCJKCompatibility reports whether r is a CJK compatibility ideograph,
// which has a canonical decomposition.
func isCJKCompatibility(r rune) bool {
	return (r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}
