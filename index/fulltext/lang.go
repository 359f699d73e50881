package fulltext

import (
	"strings"
	"unicode"
)

// hanShareForChinese is the share of Han characters among the letters of a
// text from which DetectLanguage returns "zh". A quarter keeps mixed titles
// such as "iPhone 15 手机壳" (3 Han characters out of 9 letters) Chinese.
const hanShareForChinese = 0.25

// DetectLanguage returns the language whose analyzer fits text: "zh" when at
// least a quarter of its letters are Han characters, otherwise the declared
// BCP 47 tag of the record when it names another language ("pt"), otherwise
// "en". Only the primary subtag of declared is kept ("pt-BR" becomes "pt").
func DetectLanguage(text, declared string) string {
	var han, letters int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			letters++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if letters > 0 && float64(han) >= hanShareForChinese*float64(letters) {
		return "zh"
	}
	lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(declared)), "-")
	if lang == "" || lang == "zh" {
		return "en"
	}
	return lang
}

// languageField is a language that has its own sub-field of each text field.
type languageField struct {
	suffix        string // appended to the field name, as in "title_en"
	analyzer      string // index analyzer
	queryAnalyzer string // match query analyzer; empty means the index analyzer
	charAnalyzer  string // phrase query analyzer; empty means the index analyzer
}

// fieldSuffix returns the sub-field suffix for a detected language: "en",
// "zh" and "pt" have analyzers with stemming or segmentation, any other
// language goes to "std" (Unicode word boundaries, lower case, no stemming).
func fieldSuffix(lang string) string {
	switch lang {
	case "en", "zh", "pt":
		return lang
	default:
		return "std"
	}
}
