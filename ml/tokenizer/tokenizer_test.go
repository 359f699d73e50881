package tokenizer

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// The fixtures under testdata are small vocabularies made for these tests:
// uncased (vocab.txt and tokenizer_config.json), uncased-json (the same
// vocabulary and settings as a HuggingFace tokenizer.json) and chinese (a
// character vocabulary in the style of bert-base-chinese).

func loadFixture(t testing.TB, name string) *Tokenizer {
	t.Helper()
	tok, err := Load("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type encodeCase struct {
	name      string
	text      string
	pair      string // empty for a single text
	maxLength int
	words     []string // nil: not checked
	tokens    []string
	typeIDs   []int32 // nil: all 0
}

func runEncodeCases(t *testing.T, tok *Tokenizer, cases []encodeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.words != nil {
				checkStrings(t, "words", tok.Words(c.text), c.words)
			}
			var enc Encoding
			if c.pair != "" {
				enc = tok.EncodePair(c.text, c.pair, c.maxLength)
			} else {
				enc = tok.Encode(c.text, c.maxLength)
			}
			checkStrings(t, "tokens", enc.Tokens, c.tokens)

			wantIDs := make([]int32, len(c.tokens))
			for i, token := range c.tokens {
				id, ok := tok.TokenID(token)
				if !ok {
					t.Fatalf("test token %q is not in the vocabulary", token)
				}
				wantIDs[i] = id
			}
			checkInts(t, "ids", enc.IDs, wantIDs)

			wantTypes := c.typeIDs
			if wantTypes == nil {
				wantTypes = make([]int32, len(c.tokens))
			}
			checkInts(t, "type ids", enc.TypeIDs, wantTypes)
			checkInts(t, "attention mask", enc.AttentionMask, ones(len(c.tokens)))
		})
	}
}

func ones(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func TestEncodeUncased(t *testing.T) {
	tok := loadFixture(t, "uncased")
	runEncodeCases(t, tok, []encodeCase{
		{
			name:   "review",
			text:   "Wireless earbuds, GREAT battery life!",
			words:  []string{"wireless", "earbuds", ",", "great", "battery", "life", "!"},
			tokens: []string{"[CLS]", "wireless", "ear", "##buds", ",", "great", "battery", "life", "!", "[SEP]"},
		},
		{
			name:   "accents",
			text:   "Café CRÈME",
			words:  []string{"cafe", "creme"},
			tokens: []string{"[CLS]", "cafe", "cr", "##eme", "[SEP]"},
		},
		{
			name:   "price",
			text:   "headphones $19.99",
			words:  []string{"headphones", "$", "19", ".", "99"},
			tokens: []string{"[CLS]", "head", "##phones", "$", "1", "##9", ".", "9", "##9", "[SEP]"},
		},
		{
			name:   "cjk and glued symbol",
			text:   "蓝牙耳机 ★★",
			words:  []string{"蓝", "牙", "耳", "机", "★★"},
			tokens: []string{"[CLS]", "蓝", "牙", "耳", "机", "[UNK]", "[SEP]"},
		},
		{
			name:   "special literals",
			text:   "good [MASK] case[SEP]phone [mask]",
			words:  []string{"good", "[MASK]", "case", "[SEP]", "phone", "[", "mask", "]"},
			tokens: []string{"[CLS]", "good", "[MASK]", "case", "[SEP]", "phone", "[", "m", "##a", "##s", "##k", "]", "[SEP]"},
		},
		{
			name:   "controls removed and whitespace",
			text:   "bad\u0000\u200bcase\tphone\u00a0\u3000fast\r\n",
			words:  []string{"badcase", "phone", "fast"},
			tokens: []string{"[CLS]", "bad", "##c", "##a", "##s", "##e", "phone", "fast", "[SEP]"},
		},
		{
			name:   "invalid utf-8 removed",
			text:   "usb\xff\xfecable",
			words:  []string{"usbcable"},
			tokens: []string{"[CLS]", "usb", "##c", "##a", "##b", "##l", "##e", "[SEP]"},
		},
		{
			name:   "unknown character",
			text:   "Ωmega",
			words:  []string{"ωmega"},
			tokens: []string{"[CLS]", "[UNK]", "[SEP]"},
		},
		{
			name:   "word of 101 characters",
			text:   strings.Repeat("a", 101),
			tokens: []string{"[CLS]", "[UNK]", "[SEP]"},
		},
		{
			name:   "empty",
			text:   "",
			words:  []string{},
			tokens: []string{"[CLS]", "[SEP]"},
		},
		{
			name:   "only whitespace and controls",
			text:   " \t\u2028\u0007\ufffd ",
			words:  []string{},
			tokens: []string{"[CLS]", "[SEP]"},
		},
		{
			name:      "truncation inside a word",
			text:      "wireless earbuds great battery",
			maxLength: 4,
			tokens:    []string{"[CLS]", "wireless", "ear", "[SEP]"},
		},
		{
			name:      "max length 1 keeps CLS and SEP",
			text:      "great",
			maxLength: 1,
			tokens:    []string{"[CLS]", "[SEP]"},
		},
		{
			name:      "exact fit",
			text:      "very good",
			maxLength: 4,
			tokens:    []string{"[CLS]", "very", "good", "[SEP]"},
		},
		{
			name:    "pair",
			text:    "Is this waterproof?",
			pair:    "very good",
			tokens:  []string{"[CLS]", "is", "this", "water", "##proof", "?", "[SEP]", "very", "good", "[SEP]"},
			typeIDs: []int32{0, 0, 0, 0, 0, 0, 0, 1, 1, 1},
		},
		{
			name:      "pair truncates the longer side",
			text:      "this is a very good phone case",
			pair:      "good",
			maxLength: 7,
			tokens:    []string{"[CLS]", "this", "is", "a", "[SEP]", "good", "[SEP]"},
			typeIDs:   []int32{0, 0, 0, 0, 0, 1, 1},
		},
	})
}

func TestEncodeIDs(t *testing.T) {
	tok := loadFixture(t, "uncased")
	enc := tok.Encode("great battery", 0)
	// Line numbers in testdata/uncased/vocab.txt, counted from 0.
	checkInts(t, "ids", enc.IDs, []int32{2, 117, 120, 3})
	if got := tok.VocabSize(); got != 146 {
		t.Errorf("VocabSize() = %d, want 146", got)
	}
	specials := map[string][2]int32{
		"PadID": {tok.PadID(), 0}, "UnkID": {tok.UnkID(), 1}, "ClsID": {tok.ClsID(), 2},
		"SepID": {tok.SepID(), 3}, "MaskID": {tok.MaskID(), 4},
	}
	for name, got := range specials {
		if got[0] != got[1] {
			t.Errorf("%s() = %d, want %d", name, got[0], got[1])
		}
	}
	if got := tok.ModelMaxLength(); got != 16 {
		t.Errorf("ModelMaxLength() = %d, want 16", got)
	}
	if got := tok.Token(117); got != "great" {
		t.Errorf("Token(117) = %q, want %q", got, "great")
	}
	if got := tok.Token(146); got != "" {
		t.Errorf("Token(146) = %q, want empty", got)
	}
}

func TestEncodeChinese(t *testing.T) {
	tok := loadFixture(t, "chinese")
	runEncodeCases(t, tok, []encodeCase{
		{
			name:   "title with brackets",
			text:   "【官方正品】新款蓝牙耳机 降噪",
			words:  []string{"【", "官", "方", "正", "品", "】", "新", "款", "蓝", "牙", "耳", "机", "降", "噪"},
			tokens: []string{"[CLS]", "【", "官", "方", "正", "品", "】", "新", "款", "蓝", "牙", "耳", "机", "降", "噪", "[SEP]"},
		},
		{
			name:   "mixed with english",
			text:   "iPhone 15 Pro Max手机壳",
			words:  []string{"iphone", "15", "pro", "max", "手", "机", "壳"},
			tokens: []string{"[CLS]", "iphone", "1", "##5", "pro", "max", "手", "机", "壳", "[SEP]"},
		},
		{
			name:   "review with fullwidth punctuation",
			text:   "质量很好，物流很快！",
			words:  []string{"质", "量", "很", "好", "，", "物", "流", "很", "快", "！"},
			tokens: []string{"[CLS]", "质", "量", "很", "好", "，", "物", "流", "很", "快", "！", "[SEP]"},
		},
		{
			name:   "ideograph outside the vocabulary",
			text:   "蓝牙音箱",
			tokens: []string{"[CLS]", "蓝", "牙", "[UNK]", "[UNK]", "[SEP]"},
		},
		{
			name:   "compatibility ideograph",
			text:   "\uf900",
			words:  []string{"\u8c48"},
			tokens: []string{"[CLS]", "[UNK]", "[SEP]"},
		},
		{
			name:   "fullwidth latin is not spaced",
			text:   "ＡＢＣ蓝",
			words:  []string{"ａｂｃ", "蓝"},
			tokens: []string{"[CLS]", "[UNK]", "蓝", "[SEP]"},
		},
		{
			name:    "pair",
			text:    "蓝牙耳机",
			pair:    "降噪",
			tokens:  []string{"[CLS]", "蓝", "牙", "耳", "机", "[SEP]", "降", "噪", "[SEP]"},
			typeIDs: []int32{0, 0, 0, 0, 0, 0, 1, 1, 1},
		},
	})
}

func TestChineseCharsOff(t *testing.T) {
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "蓝", "##牙"}
	tok, err := New(vocab, DefaultOptions().WithTokenizeChineseChars(false))
	if err != nil {
		t.Fatal(err)
	}
	checkStrings(t, "words", tok.Words("蓝牙 蓝"), []string{"蓝牙", "蓝"})
	checkStrings(t, "wordpieces", tok.WordPieces("蓝牙 蓝"), []string{"蓝", "##牙", "蓝"})
}

func TestNormalizationOptions(t *testing.T) {
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]"}
	tests := []struct {
		name string
		opt  Options
		text string
		want []string
	}{
		{"cased keeps accents", DefaultOptions().WithLowerCase(false).WithStripAccents(false), "Café CRÈME", []string{"Café", "CRÈME"}},
		{"cased strips accents", DefaultOptions().WithLowerCase(false), "Café CRÈME", []string{"Cafe", "CREME"}},
		{"lowercase keeps accents", DefaultOptions().WithStripAccents(false), "Café CRÈME", []string{"café", "crème"}},
		{"dotted capital I full lowercase", DefaultOptions().WithStripAccents(false), "İ", []string{"i\u0307"}},
		{"dotted capital I stripped", DefaultOptions(), "İstanbul", []string{"istanbul"}},
		{"combining mark kept", DefaultOptions().WithStripAccents(false), "e\u0301", []string{"e\u0301"}},
		{"no final sigma", DefaultOptions(), "ΟΔΟΣ", []string{"οδοσ"}},
		{"symbols are not punctuation", DefaultOptions(), "5±1℃ €9", []string{"5±1℃", "€9"}},
		{"ascii symbols are punctuation", DefaultOptions(), "a+b=c`d", []string{"a", "+", "b", "=", "c", "`", "d"}},
		{"unicode punctuation", DefaultOptions(), "“quoted”—dash", []string{"“", "quoted", "”", "—", "dash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := New(vocab, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			checkStrings(t, "words", tok.Words(tt.text), tt.want)
		})
	}
}

func TestAddedTokenLiterals(t *testing.T) {
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[SEP]x", "<e>", "a"}
	tok, err := New(vocab, DefaultOptions().WithAddedTokens("[SEP]x", "<e>"))
	if err != nil {
		t.Fatal(err)
	}
	checkStrings(t, "words", tok.Words("a[SEP]xa<e>[SEP]"), []string{"a", "[SEP]x", "a", "<e>", "[SEP]"})
	if tok.MaskID() != -1 {
		t.Errorf("MaskID() = %d, want -1 for a vocabulary without [MASK]", tok.MaskID())
	}
	checkStrings(t, "words", tok.Words("a[MASK]"), []string{"a", "[", "mask", "]"})
}

func TestPairBudget(t *testing.T) {
	// The expected lengths are the test table of HuggingFace tokenizers'
	// truncate_encodings for longest_first with max_length 7.
	tests := []struct{ n1, n2, want1, want2 int }{
		{0, 0, 0, 0}, {0, 2, 0, 2}, {0, 4, 0, 4}, {0, 8, 0, 7},
		{2, 0, 2, 0}, {2, 2, 2, 2}, {2, 4, 2, 4}, {2, 8, 2, 5},
		{4, 0, 4, 0}, {4, 2, 4, 2}, {4, 4, 3, 4}, {4, 8, 3, 4},
		{8, 0, 7, 0}, {8, 2, 5, 2}, {8, 4, 4, 3}, {8, 8, 3, 4},
	}
	for _, tt := range tests {
		got1, got2 := pairBudget(tt.n1, tt.n2, 7)
		if got1 != tt.want1 || got2 != tt.want2 {
			t.Errorf("pairBudget(%d, %d, 7) = %d, %d, want %d, %d", tt.n1, tt.n2, got1, got2, tt.want1, tt.want2)
		}
	}
	if got1, got2 := pairBudget(5, 5, 0); got1 != 0 || got2 != 0 {
		t.Errorf("pairBudget(5, 5, 0) = %d, %d, want 0, 0", got1, got2)
	}
}

func TestEncodeBatchPadding(t *testing.T) {
	tok := loadFixture(t, "uncased")
	b := tok.EncodeBatch([]string{"great battery life", "", "phone"}, 0)

	if got := b.SeqLen(); got != 5 {
		t.Fatalf("SeqLen() = %d, want 5", got)
	}
	if !slices.Equal(b.Lengths, []int{5, 2, 3}) {
		t.Errorf("Lengths = %v, want [5 2 3]", b.Lengths)
	}
	checkStrings(t, "row 1 tokens", b.Tokens[1], []string{"[CLS]", "[SEP]", "[PAD]", "[PAD]", "[PAD]"})
	checkInts(t, "row 1 ids", b.IDs[1], []int32{2, 3, 0, 0, 0})
	checkInts(t, "row 2 ids", b.IDs[2], []int32{2, 128, 3, 0, 0})
	checkInts(t, "row 2 mask", b.AttentionMask[2], []int32{1, 1, 1, 0, 0})
	checkInts(t, "row 2 type ids", b.TypeIDs[2], []int32{0, 0, 0, 0, 0})

	ids, typeIDs, mask := b.Flat()
	if len(ids) != 15 || len(typeIDs) != 15 || len(mask) != 15 {
		t.Fatalf("Flat() lengths = %d, %d, %d, want 15 each", len(ids), len(typeIDs), len(mask))
	}
	checkInts(t, "flat ids", ids[5:10], b.IDs[1])

	pairs := tok.EncodePairBatch([][2]string{{"good", "phone case"}, {"bad", ""}}, 0)
	checkInts(t, "pair row 0 type ids", pairs.TypeIDs[0], []int32{0, 0, 0, 1, 1, 1})
	checkInts(t, "pair row 1 type ids", pairs.TypeIDs[1], []int32{0, 0, 0, 1, 0, 0})
	checkInts(t, "pair row 1 mask", pairs.AttentionMask[1], []int32{1, 1, 1, 1, 0, 0})

	empty := tok.EncodeBatch(nil, 8)
	if len(empty.IDs) != 0 || empty.SeqLen() != 0 {
		t.Errorf("EncodeBatch(nil) has %d rows of length %d, want none", len(empty.IDs), empty.SeqLen())
	}
}

func TestTokenizerJSONMatchesVocabTxt(t *testing.T) {
	fromTxt := loadFixture(t, "uncased")
	fromJSON := loadFixture(t, "uncased-json")

	if !slices.Equal(fromTxt.vocab, fromJSON.vocab) {
		t.Fatal("the tokenizer.json vocabulary differs from vocab.txt")
	}
	optTxt, optJSON := fromTxt.Options(), fromJSON.Options()
	if optTxt.LowerCase != optJSON.LowerCase || optTxt.StripAccents != optJSON.StripAccents ||
		optTxt.TokenizeChineseChars != optJSON.TokenizeChineseChars || optTxt.MaxInputCharsPerWord != optJSON.MaxInputCharsPerWord {
		t.Errorf("options differ:\n vocab.txt      %+v\n tokenizer.json %+v", optTxt, optJSON)
	}
	if !slices.Equal(literalTexts(fromTxt), literalTexts(fromJSON)) {
		t.Errorf("special-token literals are %q from vocab.txt, %q from tokenizer.json", literalTexts(fromTxt), literalTexts(fromJSON))
	}

	texts := []string{
		"Wireless earbuds, GREAT battery life!",
		"Café CRÈME [MASK] 蓝牙耳机 ★",
		"headphones $19.99 usb-c cable\tfast charging",
		strings.Repeat("ab", 60),
		"",
	}
	for _, text := range texts {
		checkStrings(t, "words", fromJSON.Words(text), fromTxt.Words(text))
		a, b := fromTxt.Encode(text, 12), fromJSON.Encode(text, 12)
		checkInts(t, "ids of "+text, b.IDs, a.IDs)
		p, q := fromTxt.EncodePair(text, "water proof", 0), fromJSON.EncodePair(text, "water proof", 0)
		checkInts(t, "pair ids of "+text, q.IDs, p.IDs)
		checkInts(t, "pair type ids of "+text, q.TypeIDs, p.TypeIDs)
	}
}

func TestConcurrentEncode(t *testing.T) {
	tok := loadFixture(t, "uncased")
	texts := []string{"Wireless earbuds, GREAT battery life!", "Café CRÈME 蓝牙耳机", "headphones $19.99", ""}
	want := make([][]int32, len(texts))
	for i, text := range texts {
		want[i] = tok.Encode(text, 0).IDs
	}

	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for n := 0; n < 200; n++ {
				i := (g + n) % len(texts)
				if got := tok.Encode(texts[i], 0).IDs; !slices.Equal(got, want[i]) {
					errs <- texts[i]
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for text := range errs {
		t.Errorf("concurrent Encode(%q) differs from a sequential one", text)
	}
}

func literalTexts(tok *Tokenizer) []string {
	var texts []string
	for _, l := range tok.literals {
		texts = append(texts, l.text)
	}
	slices.Sort(texts)
	return texts
}
