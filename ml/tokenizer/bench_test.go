package tokenizer

import (
	"path/filepath"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// Product titles as they appear in e-commerce catalogs. Each benchmark
// iteration encodes one title, so ns/op is the cost per title.
var (
	englishTitles = []string{
		"Apple AirPods Pro (2nd Generation) Wireless Earbuds with MagSafe Charging Case, Active Noise Cancelling",
		"Samsung Galaxy S24 Ultra 256GB Titanium Black - Unlocked 5G Smartphone",
		"Anker USB-C Charger 65W, 3-Port Fast Compact Foldable Wall Charger for MacBook Pro/Air",
		"Logitech MX Master 3S Wireless Performance Mouse, Ergonomic, 8K DPI, Quiet Clicks",
		"Instant Pot Duo 7-in-1 Electric Pressure Cooker, 6 Quart, Stainless Steel",
		"Levi's Men's 505 Regular Fit Jeans – Dark Stonewash, 34W x 32L",
		"Crème Brûlée Scented Soy Candle, 8 oz Jar – Hand-Poured Café Collection",
		"Kindle Paperwhite (16 GB) – 6.8\" display, adjustable warm light, 3 months of battery",
	}
	chineseTitles = []string{
		"【官方正品】Apple/苹果 AirPods Pro 第二代 主动降噪无线蓝牙耳机",
		"小米14 Pro 5G手机 骁龙8Gen3 徕卡光学镜头 12GB+256GB 黑色",
		"华为MateBook X Pro 2024款 14.2英寸轻薄笔记本电脑 酷睿Ultra7",
		"三只松鼠 每日坚果 750g/30袋 混合果仁零食大礼包",
		"李宁 男子跑步鞋 超轻21 减震透气运动鞋 标准白/黑",
		"美的（Midea）电饭煲 4L智能预约 家用多功能 MB-FB40Simple",
		"安踏官方旗舰店 新款加绒卫衣男 秋冬连帽宽松外套",
		"九阳豆浆机 家用全自动免滤 破壁料理机 1.2L大容量",
	}
)

// chineseCharVocab returns a vocabulary in the style of bert-base-chinese:
// the special tokens, ASCII characters and continuations, and every CJK
// unified ideograph of U+4E00–U+9FFF as a token of its own.
func chineseCharVocab() []string {
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	for c := '!'; c <= '~'; c++ {
		vocab = append(vocab, string(c), "##"+string(c))
	}
	for _, word := range []string{"apple", "pro", "air", "##pods", "mate", "##book", "gen", "gb", "ultra", "midea", "simple"} {
		vocab = append(vocab, word)
	}
	for c := rune(0x4E00); c <= 0x9FFF; c++ {
		vocab = append(vocab, string(c))
	}
	return vocab
}

func BenchmarkEncodeTitle(b *testing.B) {
	charVocab, err := New(chineseCharVocab(), DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("zh/char-vocab", func(b *testing.B) { benchmarkTitles(b, charVocab, chineseTitles) })

	uncasedDir := filepath.Join(shareddata.Dir(b, "golden/bert"), "models", "bert-tiny-h32-l2")
	uncased, err := Load(uncasedDir)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("en/bert-base-uncased", func(b *testing.B) { benchmarkTitles(b, uncased, englishTitles) })
	b.Run("zh/bert-base-uncased", func(b *testing.B) { benchmarkTitles(b, uncased, chineseTitles) })
}

func benchmarkTitles(b *testing.B, tok *Tokenizer, titles []string) {
	b.ReportAllocs()
	tokens := 0
	i := 0
	for b.Loop() {
		tokens += tok.Encode(titles[i%len(titles)], 128).Len()
		i++
	}
	b.ReportMetric(float64(tokens)/float64(i), "tokens/op")
}

func BenchmarkEncodeBatch(b *testing.B) {
	uncasedDir := filepath.Join(shareddata.Dir(b, "golden/bert"), "models", "bert-tiny-h32-l2")
	tok, err := Load(uncasedDir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		tok.EncodeBatch(englishTitles, 128)
	}
}
