package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// The golden files hold BERT tokenizer outputs that were checked against
// HuggingFace tokenizers 0.22 (BertTokenizerFast) on the bert-base-uncased
// vocabulary and on a 2424-token subset of it.

type goldenCase struct {
	ID             string   `json:"id"`
	Text           string   `json:"text"`
	TextPair       *string  `json:"text_pair"`
	MaxLength      *int     `json:"max_length"`
	Words          []string `json:"words"`
	WordPieces     []string `json:"wordpieces"`
	WordsPair      []string `json:"words_pair"`
	WordPiecesPair []string `json:"wordpieces_pair"`
	Tokens         []string `json:"tokens"`
	InputIDs       []int32  `json:"input_ids"`
	TokenTypeIDs   []int32  `json:"token_type_ids"`
	AttentionMask  []int32  `json:"attention_mask"`
}

type goldenBatch struct {
	Name          string     `json:"name"`
	MaxLength     int        `json:"max_length"`
	Texts         []string   `json:"texts"`
	TextPairs     []string   `json:"text_pairs"`
	SeqLengths    []int      `json:"seq_lengths"`
	Tokens        [][]string `json:"tokens"`
	InputIDs      [][]int32  `json:"input_ids"`
	AttentionMask [][]int32  `json:"attention_mask"`
	TokenTypeIDs  [][]int32  `json:"token_type_ids"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

func loadGolden(t *testing.T, dir, model string) *Tokenizer {
	t.Helper()
	tok, err := Load(filepath.Join(dir, "models", model))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestGoldenCases(t *testing.T) {
	dir := shareddata.Dir(t, "golden/bert")
	var file struct {
		Vocab string       `json:"vocab"`
		Cases []goldenCase `json:"cases"`
	}
	readJSON(t, filepath.Join(dir, "tokenizer_cases.json"), &file)
	tok, err := Load(filepath.Dir(filepath.Join(dir, file.Vocab)))
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) != 64 {
		t.Errorf("tokenizer_cases.json has %d cases, want 64", len(file.Cases))
	}

	for _, c := range file.Cases {
		t.Run(c.ID, func(t *testing.T) {
			maxLength := 0
			if c.MaxLength != nil {
				maxLength = *c.MaxLength
			}
			checkStrings(t, "words", tok.Words(c.Text), c.Words)
			checkStrings(t, "wordpieces", tok.WordPieces(c.Text), c.WordPieces)
			var enc Encoding
			if c.TextPair != nil {
				checkStrings(t, "words_pair", tok.Words(*c.TextPair), c.WordsPair)
				checkStrings(t, "wordpieces_pair", tok.WordPieces(*c.TextPair), c.WordPiecesPair)
				enc = tok.EncodePair(c.Text, *c.TextPair, maxLength)
			} else {
				enc = tok.Encode(c.Text, maxLength)
			}
			checkStrings(t, "tokens", enc.Tokens, c.Tokens)
			checkInts(t, "input_ids", enc.IDs, c.InputIDs)
			checkInts(t, "token_type_ids", enc.TypeIDs, c.TokenTypeIDs)
			checkInts(t, "attention_mask", enc.AttentionMask, c.AttentionMask)
		})
	}
}

func TestGoldenForwardBatches(t *testing.T) {
	dir := shareddata.Dir(t, "golden/bert")
	for _, model := range []string{"bert-tiny-h32-l2", "bert-h384-l1"} {
		var file struct {
			Batches []goldenBatch `json:"batches"`
		}
		readJSON(t, filepath.Join(dir, "forward_"+model+".json"), &file)
		tok := loadGolden(t, dir, model)
		if got := tok.ModelMaxLength(); got != file.Batches[0].MaxLength {
			t.Errorf("%s: ModelMaxLength() = %d, want %d", model, got, file.Batches[0].MaxLength)
		}
		for _, gb := range file.Batches {
			t.Run(model+"/"+gb.Name, func(t *testing.T) {
				var b Batch
				if gb.TextPairs != nil {
					pairs := make([][2]string, len(gb.Texts))
					for i := range pairs {
						pairs[i] = [2]string{gb.Texts[i], gb.TextPairs[i]}
					}
					b = tok.EncodePairBatch(pairs, gb.MaxLength)
				} else {
					b = tok.EncodeBatch(gb.Texts, gb.MaxLength)
				}
				if !slices.Equal(b.Lengths, gb.SeqLengths) {
					t.Errorf("Lengths = %v, want %v", b.Lengths, gb.SeqLengths)
				}
				if len(b.IDs) != len(gb.InputIDs) {
					t.Fatalf("batch has %d rows, want %d", len(b.IDs), len(gb.InputIDs))
				}
				for r := range gb.InputIDs {
					checkStrings(t, "tokens", b.Tokens[r], gb.Tokens[r])
					checkInts(t, "input_ids", b.IDs[r], gb.InputIDs[r])
					checkInts(t, "attention_mask", b.AttentionMask[r], gb.AttentionMask[r])
					checkInts(t, "token_type_ids", b.TypeIDs[r], gb.TokenTypeIDs[r])
				}
			})
		}
	}
}

func checkStrings(t *testing.T, field string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", field, got, want)
	}
}

func checkInts(t *testing.T, field string, got, want []int32) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", field, got, want)
	}
}
