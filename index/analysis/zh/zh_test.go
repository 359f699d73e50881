package zh

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// testSegmenter is loaded once for the test binary because loading the
// dictionary takes seconds.
var testSegmenter *Segmenter

func TestMain(m *testing.M) {
	seg, err := NewSegmenter()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := Register(seg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testSegmenter = seg
	os.Exit(m.Run())
}

// render formats a token stream as "term@position" for compact comparison.
func render(ts analysis.TokenStream) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s@%d", t.Term, t.Position)
	}
	return strings.Join(parts, " ")
}

func analyze(t *testing.T, mode Mode, text string) analysis.TokenStream {
	t.Helper()
	ts := NewTokenizer(testSegmenter, mode).Tokenize([]byte(text))
	for _, tok := range ts {
		if got := text[tok.Start:tok.End]; foldWidth(got) != string(tok.Term) {
			t.Errorf("token %q has offsets [%d,%d) that cover %q", tok.Term, tok.Start, tok.End, got)
		}
	}
	return ts
}

func TestTokenizerModes(t *testing.T) {
	tests := []struct {
		name string
		mode Mode
		text string
		want string
	}{
		{"index mixed", ModeIndex, "iPhone 15 手机壳", "iPhone@1 15@2 手机@3 手@3 机@4 壳@5"},
		{"query mixed", ModeQuery, "iPhone 15 手机壳", "iPhone@1 15@2 手机@3 壳@5"},
		{"char mixed", ModeChar, "iPhone 15 手机壳", "iPhone@1 15@2 手@3 机@4 壳@5"},
		{"punctuation dropped", ModeQuery, "质量很好，物流也快！", "质量@1 很@3 好@4 物流@5 也@7 快@8"},
		{"full-width Latin folded", ModeQuery, "ｉＰａｄ２", "iPad2@1"},
		{"emoji dropped", ModeIndex, "好😀", "好@1"},
		{"empty", ModeIndex, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(analyze(t, tt.mode, tt.text)); got != tt.want {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestTokenizerInvalidUTF8(t *testing.T) {
	ts := NewTokenizer(testSegmenter, ModeIndex).Tokenize([]byte("好\xff\xfe坏 ok"))
	if got, want := render(ts), "好@1 坏@2 ok@3"; got != want {
		t.Errorf("Tokenize with invalid bytes = %q, want %q", got, want)
	}
}

func TestRegisterTwice(t *testing.T) {
	if err := Register(testSegmenter); !errors.Is(err, ErrAlreadyRegistered) {
		t.Fatalf("second Register returned %v, want ErrAlreadyRegistered", err)
	}
}

func TestTokenizerConcurrent(t *testing.T) {
	tok := NewTokenizer(testSegmenter, ModeIndex)
	want := render(tok.Tokenize([]byte("这本书写得非常好，手机壳也不错")))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if got := render(tok.Tokenize([]byte("这本书写得非常好，手机壳也不错"))); got != want {
					t.Errorf("concurrent Tokenize = %q, want %q", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
