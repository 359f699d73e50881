package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// File names in a HuggingFace model directory.
const (
	TokenizerJSONFile   = "tokenizer.json"
	VocabFile           = "vocab.txt"
	TokenizerConfigFile = "tokenizer_config.json"
)

// Load reads the tokenizer of the HuggingFace model directory dir. It uses
// tokenizer.json when present, otherwise vocab.txt, and then applies
// do_lower_case, strip_accents, tokenize_chinese_chars, model_max_length
// and the special-token names from tokenizer_config.json when that file
// exists. A strip_accents of null follows the lowercase setting.
func Load(dir string) (*Tokenizer, error) {
	opt := DefaultOptions()
	var vocab []string

	jsonPath := filepath.Join(dir, TokenizerJSONFile)
	vocabPath := filepath.Join(dir, VocabFile)
	source := jsonPath // the file the vocabulary came from
	data, err := os.ReadFile(jsonPath)
	switch {
	case err == nil:
		vocab, opt, err = parseTokenizerJSON(data, opt)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: load %s: %w", jsonPath, err)
		}
	case errors.Is(err, fs.ErrNotExist):
		source = vocabPath
		vocab, err = ReadVocab(vocabPath)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("tokenizer: model directory %s has neither %s nor %s: %w", dir, TokenizerJSONFile, VocabFile, err)
		}
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("tokenizer: read %s: %w", jsonPath, err)
	}

	configPath := filepath.Join(dir, TokenizerConfigFile)
	data, err = os.ReadFile(configPath)
	switch {
	case err == nil:
		if opt, err = applyTokenizerConfig(data, opt); err != nil {
			return nil, fmt.Errorf("tokenizer: load %s: %w", configPath, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("tokenizer: read %s: %w", configPath, err)
	}

	t, err := build(vocab, opt)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: load %s: %w", source, err)
	}
	return t, nil
}

// ReadVocab reads a BERT vocab.txt: one token per line, where the 0-based
// line number is the id. A trailing "\r" is removed from each line.
func ReadVocab(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: read vocabulary: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("tokenizer: vocabulary file %s is empty; it needs one token per line", path)
	}
	text := strings.TrimSuffix(string(data), "\n")
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimSuffix(line, "\r")
	}
	return lines, nil
}

// tokenizerJSON is the part of a HuggingFace tokenizer.json that a BERT
// WordPiece tokenizer uses.
type tokenizerJSON struct {
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	} `json:"added_tokens"`
	Normalizer *struct {
		Type               string `json:"type"`
		CleanText          *bool  `json:"clean_text"`
		HandleChineseChars *bool  `json:"handle_chinese_chars"`
		StripAccents       *bool  `json:"strip_accents"`
		Lowercase          *bool  `json:"lowercase"`
	} `json:"normalizer"`
	PreTokenizer *struct {
		Type string `json:"type"`
	} `json:"pre_tokenizer"`
	Model struct {
		Type                    string           `json:"type"`
		UnkToken                *string          `json:"unk_token"`
		ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    *int             `json:"max_input_chars_per_word"`
		Vocab                   map[string]int64 `json:"vocab"`
		Merges                  json.RawMessage  `json:"merges"`
	} `json:"model"`
}

// parseTokenizerJSON returns the vocabulary and options of a tokenizer.json
// whose model is WordPiece, starting from opt.
func parseTokenizerJSON(data []byte, opt Options) ([]string, Options, error) {
	var tj tokenizerJSON
	if err := json.Unmarshal(data, &tj); err != nil {
		return nil, opt, fmt.Errorf("invalid JSON: %w", err)
	}

	m := tj.Model
	// Files written by old tokenizers versions omit the model type. There a
	// WordPiece model is recognized by its continuing_subword_prefix.
	isWordPiece := m.Type == "WordPiece" || (m.Type == "" && m.ContinuingSubwordPrefix != nil && m.Merges == nil)
	if !isWordPiece {
		return nil, opt, fmt.Errorf("model type %q is not supported; only WordPiece (BERT) tokenizers are", m.Type)
	}
	if m.UnkToken != nil {
		opt.UnkToken = *m.UnkToken
	}
	if m.ContinuingSubwordPrefix != nil {
		opt.ContinuingSubwordPrefix = *m.ContinuingSubwordPrefix
	}
	if m.MaxInputCharsPerWord != nil {
		opt.MaxInputCharsPerWord = *m.MaxInputCharsPerWord
	}

	vocab, err := vocabFromMap(m.Vocab)
	if err != nil {
		return nil, opt, err
	}
	for _, added := range tj.AddedTokens {
		if added.ID < 0 || added.ID >= len(vocab) || vocab[added.ID] != added.Content {
			return nil, opt, fmt.Errorf("added token %q has id %d, which the model vocabulary does not map to it; only added tokens that are part of the vocabulary are supported", added.Content, added.ID)
		}
		// TODO: non-special added tokens are not matched as literals.
		// HuggingFace matches them too, on the normalized text when their
		// "normalized" flag is set. BERT checkpoints rarely have any.
		if added.Special {
			opt.AddedTokens = append(opt.AddedTokens, added.Content)
		}
	}

	if n := tj.Normalizer; n != nil {
		if n.Type != "BertNormalizer" {
			return nil, opt, fmt.Errorf("normalizer type %q is not supported; only BertNormalizer is", n.Type)
		}
		if n.CleanText != nil && !*n.CleanText {
			return nil, opt, errors.New("normalizer clean_text false is not supported; set it to true")
		}
		if n.HandleChineseChars != nil {
			opt.TokenizeChineseChars = *n.HandleChineseChars
		}
		if n.Lowercase != nil {
			opt.LowerCase = *n.Lowercase
		}
		opt.StripAccents = opt.LowerCase
		if n.StripAccents != nil {
			opt.StripAccents = *n.StripAccents
		}
	} else {
		return nil, opt, errors.New("normalizer is missing; only BertNormalizer is supported")
	}
	if p := tj.PreTokenizer; p == nil || p.Type != "BertPreTokenizer" {
		typ := "null"
		if p != nil {
			typ = fmt.Sprintf("%q", p.Type)
		}
		return nil, opt, fmt.Errorf("pre_tokenizer type %s is not supported; only BertPreTokenizer is", typ)
	}
	// NOTE: the post_processor is not read. Encode always builds the BERT
	// template [CLS] A [SEP] (B [SEP]) from the options' special tokens.
	return vocab, opt, nil
}

// vocabFromMap turns a token-to-id map into an id-indexed slice. The ids
// must be exactly 0..len-1.
func vocabFromMap(m map[string]int64) ([]string, error) {
	if len(m) == 0 {
		return nil, errors.New("model vocab is empty")
	}
	vocab := make([]string, len(m))
	seen := make([]bool, len(m))
	for token, id := range m {
		if id < 0 || id >= int64(len(m)) {
			return nil, fmt.Errorf("model vocab maps %q to id %d, outside [0, %d); ids must be 0..%d without gaps", token, id, len(m), len(m)-1)
		}
		if seen[id] {
			return nil, fmt.Errorf("model vocab maps %q and %q to the same id %d; each id needs exactly one token", vocab[id], token, id)
		}
		vocab[id], seen[id] = token, true
	}
	return vocab, nil
}

// applyTokenizerConfig applies the settings of a tokenizer_config.json that
// are present in data to opt.
func applyTokenizerConfig(data []byte, opt Options) (Options, error) {
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(data, &cfg); err != nil {
		return opt, fmt.Errorf("invalid JSON: %w", err)
	}

	bools := []struct {
		key string
		dst *bool
	}{
		{"do_lower_case", &opt.LowerCase},
		{"tokenize_chinese_chars", &opt.TokenizeChineseChars},
	}
	for _, b := range bools {
		raw, ok := cfg[b.key]
		if !ok || isNull(raw) {
			continue
		}
		if err := json.Unmarshal(raw, b.dst); err != nil {
			return opt, fmt.Errorf("%s is %s, want true or false: %w", b.key, raw, err)
		}
	}

	// strip_accents null (or absent next to do_lower_case) follows
	// do_lower_case, as in HuggingFace BertTokenizer.
	if raw, ok := cfg["strip_accents"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &opt.StripAccents); err != nil {
			return opt, fmt.Errorf("strip_accents is %s, want true, false or null: %w", raw, err)
		}
	} else if ok || cfg["do_lower_case"] != nil {
		opt.StripAccents = opt.LowerCase
	}

	tokens := []struct {
		key string
		dst *string
	}{
		{"unk_token", &opt.UnkToken},
		{"cls_token", &opt.ClsToken},
		{"sep_token", &opt.SepToken},
		{"pad_token", &opt.PadToken},
		{"mask_token", &opt.MaskToken},
	}
	for _, tok := range tokens {
		raw, ok := cfg[tok.key]
		if !ok || isNull(raw) {
			continue
		}
		value, err := parseTokenName(raw)
		if err != nil {
			return opt, fmt.Errorf("%s: %w", tok.key, err)
		}
		*tok.dst = value
	}

	if raw, ok := cfg["model_max_length"]; ok && !isNull(raw) {
		var n float64
		if err := json.Unmarshal(raw, &n); err != nil {
			return opt, fmt.Errorf("model_max_length is %s, want a number: %w", raw, err)
		}
		// HuggingFace writes a huge number (about 1e30) for "no limit".
		opt.ModelMaxLength = 0
		if n > 0 && n <= math.MaxInt32 {
			opt.ModelMaxLength = int(n)
		}
	}
	return opt, nil
}

// parseTokenName reads a special token written either as a string or as an
// AddedToken object with a "content" field.
func parseTokenName(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var obj struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil || obj.Content == nil {
		return "", fmt.Errorf("value %s is neither a string nor an object with a \"content\" string", raw)
	}
	return *obj.Content, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}
