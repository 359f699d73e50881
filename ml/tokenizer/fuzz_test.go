package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// FuzzEncode checks the invariants of Encode and EncodePair on arbitrary
// input, with the uncased and the Chinese fixture vocabularies. The seed
// corpus is in testdata/fuzz/FuzzEncode.
func FuzzEncode(f *testing.F) {
	tokenizers := []*Tokenizer{loadFixture(f, "uncased"), loadFixture(f, "chinese")}
	f.Fuzz(func(t *testing.T, text, pair string, maxLength int) {
		for _, tok := range tokenizers {
			enc := tok.Encode(text, maxLength)
			checkEncoding(t, tok, enc, maxLength, 2)

			pieces := tok.WordPieces(text)
			if maxLength <= 0 {
				want := slices.Concat([]string{"[CLS]"}, pieces, []string{"[SEP]"})
				checkStrings(t, "tokens without truncation", enc.Tokens, want)
			}
			words := tok.Words(text)
			if len(words) > len(pieces) {
				t.Errorf("%d words gave only %d word pieces", len(words), len(pieces))
			}
			for _, w := range words {
				if w == "" || strings.ContainsAny(w, " \t\n\r") {
					t.Errorf("word %q is empty or contains whitespace", w)
				}
			}

			pairEnc := tok.EncodePair(text, pair, maxLength)
			checkEncoding(t, tok, pairEnc, maxLength, 3)
			// Type ids are 0 for [CLS] A [SEP] and 1 for B [SEP], so they never
			// decrease, at least two are 0 and at least one is 1.
			zeros := slices.Index(pairEnc.TypeIDs, 1)
			if zeros < 2 || !slices.IsSorted(pairEnc.TypeIDs) || slices.Max(pairEnc.TypeIDs) != 1 || pairEnc.IDs[zeros-1] != tok.SepID() {
				t.Errorf("pair type ids %v do not have the form 0..0 1..1 with [SEP] before the first 1", pairEnc.TypeIDs)
			}
		}
	})
}

// checkEncoding checks that every id is in the vocabulary, that enc starts
// with [CLS] and ends with [SEP], and that truncation respected maxLength.
func checkEncoding(t *testing.T, tok *Tokenizer, enc Encoding, maxLength, specials int) {
	t.Helper()
	n := enc.Len()
	if len(enc.Tokens) != n || len(enc.TypeIDs) != n || len(enc.AttentionMask) != n {
		t.Fatalf("slice lengths differ: %d tokens, %d ids, %d type ids, %d mask", len(enc.Tokens), n, len(enc.TypeIDs), len(enc.AttentionMask))
	}
	if n < specials {
		t.Fatalf("encoding has %d tokens, fewer than its %d special tokens", n, specials)
	}
	if maxLength > 0 && n > max(maxLength, specials) {
		t.Errorf("encoding has %d tokens, more than maxLength %d", n, maxLength)
	}
	if enc.IDs[0] != tok.ClsID() || enc.IDs[n-1] != tok.SepID() {
		t.Errorf("encoding %q does not start with [CLS] and end with [SEP]", enc.Tokens)
	}
	for i, id := range enc.IDs {
		if id < 0 || int(id) >= tok.VocabSize() {
			t.Fatalf("id %d at %d is outside [0, %d)", id, i, tok.VocabSize())
		}
		if enc.Tokens[i] != tok.Token(id) {
			t.Errorf("token %q at %d does not match id %d (%q)", enc.Tokens[i], i, id, tok.Token(id))
		}
		if enc.AttentionMask[i] != 1 {
			t.Errorf("attention mask at %d is %d, want 1", i, enc.AttentionMask[i])
		}
	}
}
