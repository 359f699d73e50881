package fulltext

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

const (
	markOpen  = "<mark>"
	markClose = "</mark>"
)

// collectHighlights groups Bleve's fragments by base field name ("title_zh"
// becomes "title") and cleans each one with cleanFragment.
func collectHighlights(fragments search.FieldFragmentMap) map[string][]string {
	if len(fragments) == 0 {
		return nil
	}
	out := make(map[string][]string, len(fragments))
	for field, frags := range fragments {
		base := field
		if i := strings.LastIndexByte(field, '_'); i > 0 {
			base = field[:i]
		}
		for _, f := range frags {
			if f = cleanFragment(f); f != "" {
				out[base] = append(out[base], f)
			}
		}
	}
	return out
}

// cleanFragment makes a highlighted fragment safe to display. Bleve cuts
// fragments at byte offsets. Its simple fragmenter in v2.6.3 steps by runes,
// so this is a guard: it drops a partial UTF-8 sequence at either edge and
// replaces invalid bytes inside. It also merges adjacent marks, which the
// Chinese analyzer produces because it indexes a word and each of its
// characters, so "<mark>手</mark><mark>机</mark>" becomes "<mark>手机</mark>".
func cleanFragment(f string) string {
	for len(f) > 0 {
		r, size := utf8.DecodeRuneInString(f)
		if r != utf8.RuneError || size != 1 {
			break
		}
		f = f[1:]
	}
	for len(f) > 0 {
		r, size := utf8.DecodeLastRuneInString(f)
		if r != utf8.RuneError || size != 1 {
			break
		}
		f = f[:len(f)-1]
	}
	f = strings.ToValidUTF8(f, "\uFFFD")
	return strings.ReplaceAll(f, markClose+markOpen, "")
}
