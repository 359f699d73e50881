package tokenizer

// Options configures a Tokenizer. Start from DefaultOptions and change single
// settings with the With methods, in the style of badger.Options.
//
// The defaults are those of HuggingFace BertTokenizer for an uncased model
// such as bert-base-uncased or all-MiniLM-L6-v2.
type Options struct {
	// LowerCase lowercases every character (do_lower_case).
	LowerCase bool

	// StripAccents applies Unicode NFD and removes nonspacing marks
	// (strip_accents). HuggingFace's strip_accents null means "same as
	// do_lower_case". Load resolves that, but New needs an explicit value.
	StripAccents bool

	// TokenizeChineseChars makes every CJK ideograph its own word
	// (tokenize_chinese_chars).
	TokenizeChineseChars bool

	// UnkToken, ClsToken, SepToken and PadToken must be in the vocabulary.
	// MaskToken is matched as a literal only when the vocabulary contains it.
	UnkToken  string
	ClsToken  string
	SepToken  string
	PadToken  string
	MaskToken string

	// AddedTokens are further special tokens that are cut out of the raw text
	// as literals, like the five above. Each must be in the vocabulary.
	AddedTokens []string

	// ContinuingSubwordPrefix marks a WordPiece that continues a word.
	ContinuingSubwordPrefix string

	// MaxInputCharsPerWord is the maximum word length, in code points, that
	// WordPiece splits. A longer word becomes UnkToken.
	MaxInputCharsPerWord int

	// ModelMaxLength is the model's maximum sequence length in tokens
	// (model_max_length), or 0 when unknown. Encode does not apply it: callers
	// pass it as maxLength.
	ModelMaxLength int
}

// DefaultOptions returns the settings of an uncased English BERT tokenizer.
func DefaultOptions() Options {
	return Options{
		LowerCase:               true,
		StripAccents:            true,
		TokenizeChineseChars:    true,
		UnkToken:                "[UNK]",
		ClsToken:                "[CLS]",
		SepToken:                "[SEP]",
		PadToken:                "[PAD]",
		MaskToken:               "[MASK]",
		ContinuingSubwordPrefix: "##",
		MaxInputCharsPerWord:    100,
	}
}

// WithLowerCase returns a copy of opt with LowerCase set to v.
func (opt Options) WithLowerCase(v bool) Options {
	opt.LowerCase = v
	return opt
}

// WithStripAccents returns a copy of opt with StripAccents set to v.
func (opt Options) WithStripAccents(v bool) Options {
	opt.StripAccents = v
	return opt
}

// WithTokenizeChineseChars returns a copy of opt with TokenizeChineseChars set to v.
func (opt Options) WithTokenizeChineseChars(v bool) Options {
	opt.TokenizeChineseChars = v
	return opt
}

// WithSpecialTokens returns a copy of opt with the five special tokens set.
// An empty mask disables [MASK] literal matching.
func (opt Options) WithSpecialTokens(unk, cls, sep, pad, mask string) Options {
	opt.UnkToken, opt.ClsToken, opt.SepToken, opt.PadToken, opt.MaskToken = unk, cls, sep, pad, mask
	return opt
}

// WithAddedTokens returns a copy of opt with AddedTokens set to tokens.
func (opt Options) WithAddedTokens(tokens ...string) Options {
	opt.AddedTokens = append([]string(nil), tokens...)
	return opt
}

// WithContinuingSubwordPrefix returns a copy of opt with ContinuingSubwordPrefix set to v.
func (opt Options) WithContinuingSubwordPrefix(v string) Options {
	opt.ContinuingSubwordPrefix = v
	return opt
}

// WithMaxInputCharsPerWord returns a copy of opt with MaxInputCharsPerWord set to n.
func (opt Options) WithMaxInputCharsPerWord(n int) Options {
	opt.MaxInputCharsPerWord = n
	return opt
}

// WithModelMaxLength returns a copy of opt with ModelMaxLength set to n.
func (opt Options) WithModelMaxLength(n int) Options {
	opt.ModelMaxLength = n
	return opt
}
