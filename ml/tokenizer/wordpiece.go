package tokenizer

import "unicode/utf8"

// appendWordPieces appends the WordPiece ids of word, which has runes code
// points, to ids. The split is greedy longest-match-first: the longest prefix
// in the vocabulary, then the longest continuation piece, and so on. A word
// longer than MaxInputCharsPerWord, or one with a position where no piece
// matches, becomes a single UnkToken.
func (t *Tokenizer) appendWordPieces(ids []int32, word []byte, runes int) []int32 {
	if runes > t.opt.MaxInputCharsPerWord {
		return append(ids, t.unkID)
	}
	mark := len(ids)
	for start := 0; start < len(word); {
		vocab, maxLen := t.pieces, t.maxPieceLen
		if start > 0 {
			vocab, maxLen = t.continuations, t.maxContinuationLen
		}
		end := min(len(word), start+maxLen)
		for end > start && end < len(word) && !utf8.RuneStart(word[end]) {
			end--
		}
		found := false
		for end > start {
			// The string conversion in a map index does not allocate.
			if id, ok := vocab[string(word[start:end])]; ok {
				ids = append(ids, id)
				found = true
				break
			}
			end--
			for end > start && !utf8.RuneStart(word[end]) {
				end--
			}
		}
		if !found {
			return append(ids[:mark], t.unkID)
		}
		start = end
	}
	return ids
}

// appendTextIDs appends the ids of the word pieces of text, before special
// tokens and truncation, to ids.
func (t *Tokenizer) appendTextIDs(s *scratch, ids []int32, text string) []int32 {
	t.walkWords(s, text, func(word []byte, runes int, specialID int32) {
		if specialID >= 0 {
			ids = append(ids, specialID)
			return
		}
		ids = t.appendWordPieces(ids, word, runes)
	})
	return ids
}

// Words returns the words of text after special-token extraction,
// cleaning, CJK spacing, accent stripping, lowercasing and the split at
// whitespace and punctuation: BERT's BasicTokenizer output, the input of
// WordPiece.
func (t *Tokenizer) Words(text string) []string {
	s := t.getScratch()
	defer t.putScratch(s)
	var words []string
	t.walkWords(s, text, func(word []byte, _ int, _ int32) {
		words = append(words, string(word))
	})
	return words
}

// WordPieces returns the WordPiece tokens of text, without [CLS], [SEP] and
// truncation.
func (t *Tokenizer) WordPieces(text string) []string {
	s := t.getScratch()
	defer t.putScratch(s)
	s.ids = t.appendTextIDs(s, s.ids[:0], text)
	pieces := make([]string, len(s.ids))
	for i, id := range s.ids {
		pieces[i] = t.vocab[id]
	}
	return pieces
}
