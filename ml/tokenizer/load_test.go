package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeModelDir writes files, a map from file name to content, into a new
// temporary directory and returns it.
func writeModelDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const minimalVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n##b\n"

func minimalTokenizerJSON(modelType string) string {
	return `{
  "added_tokens": [{"id": 0, "content": "[PAD]", "special": true}],
  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "model": {"type": "` + modelType + `", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
    "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "##b": 5}}
}`
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "no vocabulary file",
			files: map[string]string{"config.json": "{}"},
			want:  []string{"neither tokenizer.json nor vocab.txt", "vocab.txt"},
		},
		{
			name:  "empty vocab.txt",
			files: map[string]string{"vocab.txt": "\n"},
			want:  []string{"vocab.txt", "is empty"},
		},
		{
			name:  "vocab.txt without [CLS]",
			files: map[string]string{"vocab.txt": "[PAD]\n[UNK]\n[SEP]\na\n"},
			want:  []string{"vocab.txt", `ClsToken "[CLS]" is not in the vocabulary`},
		},
		{
			name:  "vocab.txt without [PAD]",
			files: map[string]string{"vocab.txt": "[UNK]\n[CLS]\n[SEP]\na\n"},
			want:  []string{"vocab.txt", `PadToken "[PAD]"`},
		},
		{
			name:  "vocab.txt without [UNK] named in the config",
			files: map[string]string{"vocab.txt": minimalVocab, "tokenizer_config.json": `{"unk_token": "<unk>"}`},
			want:  []string{"vocab.txt", `UnkToken "<unk>"`},
		},
		{
			name:  "tokenizer.json with a BPE model",
			files: map[string]string{"tokenizer.json": minimalTokenizerJSON("BPE")},
			want:  []string{"tokenizer.json", `model type "BPE" is not supported`},
		},
		{
			name:  "tokenizer.json with an empty vocabulary",
			files: map[string]string{"tokenizer.json": strings.Replace(minimalTokenizerJSON("WordPiece"), `"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "##b": 5`, "", 1)},
			want:  []string{"tokenizer.json", "vocab is empty"},
		},
		{
			name:  "tokenizer.json with a gap in the ids",
			files: map[string]string{"tokenizer.json": strings.Replace(minimalTokenizerJSON("WordPiece"), `"##b": 5`, `"##b": 9`, 1)},
			want:  []string{"tokenizer.json", `"##b" to id 9`},
		},
		{
			name:  "tokenizer.json with another normalizer",
			files: map[string]string{"tokenizer.json": strings.Replace(minimalTokenizerJSON("WordPiece"), "BertNormalizer", "NFKC", 1)},
			want:  []string{"tokenizer.json", `normalizer type "NFKC"`},
		},
		{
			name:  "invalid tokenizer.json",
			files: map[string]string{"tokenizer.json": "{"},
			want:  []string{"tokenizer.json", "invalid JSON"},
		},
		{
			name:  "invalid do_lower_case",
			files: map[string]string{"vocab.txt": minimalVocab, "tokenizer_config.json": `{"do_lower_case": "yes"}`},
			want:  []string{"tokenizer_config.json", `do_lower_case is "yes"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModelDir(t, tt.files)
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestReadVocabMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vocab.txt")
	_, err := ReadVocab(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadVocab(%s) error = %v, want one naming the file", path, err)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(nil, DefaultOptions()); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("New(nil) error = %v, want an empty-vocabulary error", err)
	}
	vocab := strings.Fields(minimalVocab)
	if _, err := New(vocab, DefaultOptions().WithMaxInputCharsPerWord(0)); err == nil {
		t.Error("New with MaxInputCharsPerWord 0 succeeded, want an error")
	}
	if _, err := New(vocab, DefaultOptions().WithAddedTokens("<x>")); err == nil || !strings.Contains(err.Error(), `"<x>"`) {
		t.Errorf("New with an unknown added token: error = %v, want one naming it", err)
	}
}

func TestLoadConfigOverrides(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		lower  bool
		strip  bool
		maxLen int
		cls    string // "" means [CLS]
	}{
		{
			name:  "vocab.txt defaults",
			files: map[string]string{"vocab.txt": minimalVocab},
			lower: true, strip: true,
		},
		{
			name:  "cased config, strip_accents null",
			files: map[string]string{"vocab.txt": minimalVocab, "tokenizer_config.json": `{"do_lower_case": false, "strip_accents": null, "model_max_length": 512}`},
			lower: false, strip: false, maxLen: 512,
		},
		{
			name:  "cased config that strips accents",
			files: map[string]string{"vocab.txt": minimalVocab, "tokenizer_config.json": `{"do_lower_case": false, "strip_accents": true}`},
			lower: false, strip: true,
		},
		{
			name:  "no length limit",
			files: map[string]string{"vocab.txt": minimalVocab, "tokenizer_config.json": `{"model_max_length": 1000000000000000019884624838656}`},
			lower: true, strip: true,
		},
		{
			name:  "config overrides tokenizer.json",
			files: map[string]string{"tokenizer.json": minimalTokenizerJSON("WordPiece"), "tokenizer_config.json": `{"do_lower_case": false}`},
			lower: false, strip: false,
		},
		{
			name:  "tokenizer.json alone",
			files: map[string]string{"tokenizer.json": minimalTokenizerJSON("WordPiece")},
			lower: true, strip: true,
		},
		{
			name:  "special token as an object",
			files: map[string]string{"vocab.txt": minimalVocab + "<cls>\n", "tokenizer_config.json": `{"cls_token": {"content": "<cls>", "special": true}}`},
			lower: true, strip: true, cls: "<cls>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Load(writeModelDir(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			opt := tok.Options()
			if opt.LowerCase != tt.lower || opt.StripAccents != tt.strip {
				t.Errorf("LowerCase, StripAccents = %v, %v, want %v, %v", opt.LowerCase, opt.StripAccents, tt.lower, tt.strip)
			}
			if got := tok.ModelMaxLength(); got != tt.maxLen {
				t.Errorf("ModelMaxLength() = %d, want %d", got, tt.maxLen)
			}
			wantCls := tt.cls
			if wantCls == "" {
				wantCls = "[CLS]"
			}
			if got := tok.Token(tok.ClsID()); got != wantCls {
				t.Errorf("Token(ClsID()) = %q, want %q", got, wantCls)
			}
		})
	}
}
