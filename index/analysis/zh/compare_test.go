package zh

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// review is one row of the online_shopping_10_cats corpus.
type review struct {
	category string
	text     string
}

// readReviews returns every n-th non-empty review of the corpus zip, up to
// limit reviews, so that all ten categories are sampled.
func readReviews(tb testing.TB, every, limit int) []review {
	tb.Helper()
	dir := shareddata.Dir(tb, "data/chinese-reviews")
	zr, err := zip.OpenReader(filepath.Join(dir, "online_shopping_10_cats.zip"))
	if err != nil {
		tb.Fatalf("open corpus zip: %v", err)
	}
	defer zr.Close()
	f, err := zr.Open("online_shopping_10_cats.csv")
	if err != nil {
		tb.Fatalf("open csv in corpus zip: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	if _, err := r.Read(); err != nil {
		tb.Fatalf("read csv header: %v", err)
	}

	var out []review
	for i := 0; len(out) < limit; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("read csv row %d: %v", i+2, err)
		}
		text := strings.TrimPrefix(strings.TrimSpace(rec[2]), "\ufeff")
		if i%every != 0 || text == "" {
			continue
		}
		out = append(out, review{category: rec[0], text: text})
	}
	return out
}

// analyzerSetup is one way to index and query Chinese text.
type analyzerSetup struct {
	name          string
	indexAnalyzer string
	matchAnalyzer string // analyzer of match (AND) queries
	charAnalyzer  string // analyzer of phrase queries
}

var setups = []analyzerSetup{
	{"cjk", CJKAnalyzerName, CJKAnalyzerName, CJKAnalyzerName},
	{"gse", AnalyzerName, QueryAnalyzerName, CharAnalyzerName},
}

func buildIndex(tb testing.TB, dir string, setup analyzerSetup, reviews []review) (bleve.Index, time.Duration) {
	tb.Helper()
	fm := mapping.NewTextFieldMapping()
	fm.Analyzer = setup.indexAnalyzer
	fm.Store = false
	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", fm)
	im := mapping.NewIndexMapping()
	im.DefaultMapping = doc
	idx, err := bleve.New(dir, im)
	if err != nil {
		tb.Fatalf("create %s index: %v", setup.name, err)
	}
	start := time.Now()
	b := idx.NewBatch()
	for i, r := range reviews {
		if err := b.Index(fmt.Sprint(i), map[string]any{"text": r.text}); err != nil {
			tb.Fatal(err)
		}
		if b.Size() == 500 {
			if err := idx.Batch(b); err != nil {
				tb.Fatal(err)
			}
			b.Reset()
		}
	}
	if err := idx.Batch(b); err != nil {
		tb.Fatal(err)
	}
	return idx, time.Since(start)
}

func dirSize(tb testing.TB, dir string) int64 {
	var n int64
	err := filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// queryClasses are the query sets of the comparison. The category words are
// the corpus's category names that occur in review text.
var queryClasses = []struct {
	name    string
	queries []string
}{
	{"single character", []string{"好", "书", "差", "快", "水", "屏", "房", "味", "贵", "慢"}},
	{"two-character word", []string{"质量", "物流", "屏幕", "价格", "服务", "味道", "包装", "客服", "电池", "早餐"}},
	{"multi-word phrase", []string{"性价比很高", "质量很好", "物流很快", "非常满意", "不值得买", "房间很干净", "运行速度快"}},
	{"category word", []string{"书籍", "平板", "手机", "水果", "洗发水", "热水器", "蒙牛", "衣服", "计算机", "酒店"}},
}

// scores are macro-averaged precision and recall over a query class.
type scores struct{ precision, recall float64 }

func runClass(tb testing.TB, idx bleve.Index, setup analyzerSetup, phrase bool, reviews []review, queries []string) scores {
	tb.Helper()
	var sum scores
	for _, q := range queries {
		truth := map[string]bool{}
		for i, r := range reviews {
			if strings.Contains(r.text, q) {
				truth[fmt.Sprint(i)] = true
			}
		}
		var bq query.Query
		if phrase {
			pq := bleve.NewMatchPhraseQuery(q)
			pq.Analyzer = setup.charAnalyzer
			bq = pq
		} else {
			mq := bleve.NewMatchQuery(q)
			mq.Analyzer = setup.matchAnalyzer
			mq.SetOperator(query.MatchQueryOperatorAnd)
			bq = mq
		}
		req := bleve.NewSearchRequestOptions(bq, len(reviews), 0, false)
		res, err := idx.Search(req)
		if err != nil {
			tb.Fatalf("search %q: %v", q, err)
		}
		hit := 0
		for _, h := range res.Hits {
			if truth[h.ID] {
				hit++
			}
		}
		p, r := 1.0, 1.0
		if len(res.Hits) > 0 {
			p = float64(hit) / float64(len(res.Hits))
		} else if len(truth) > 0 {
			p = 0
		}
		if len(truth) > 0 {
			r = float64(hit) / float64(len(truth))
		}
		sum.precision += p
		sum.recall += r
	}
	n := float64(len(queries))
	return scores{sum.precision / n, sum.recall / n}
}

// TestCompareCJKAndGSE indexes a sample of the Chinese review corpus with
// Bleve's cjk bigram analyzer and with the gse analyzers, and scores match
// (AND) and phrase queries against substring matching as ground truth.
func TestCompareCJKAndGSE(t *testing.T) {
	reviews := readReviews(t, 20, 3000)
	results := map[string]map[string]scores{}
	for _, setup := range setups {
		dir := filepath.Join(t.TempDir(), setup.name)
		idx, took := buildIndex(t, dir, setup, reviews)
		t.Logf("%s: indexed %d reviews in %v (%.0f docs/s), index %d KiB",
			setup.name, len(reviews), took.Round(time.Millisecond), float64(len(reviews))/took.Seconds(), dirSize(t, dir)/1024)
		results[setup.name] = map[string]scores{}
		for _, class := range queryClasses {
			for _, phrase := range []bool{false, true} {
				kind := "match"
				if phrase {
					kind = "phrase"
				}
				s := runClass(t, idx, setup, phrase, reviews, class.queries)
				results[setup.name][class.name+"/"+kind] = s
				t.Logf("%s %-18s %-6s precision %.3f recall %.3f", setup.name, class.name, kind, s.precision, s.recall)
			}
		}
		if err := idx.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// The gse character phrase query finds every substring, and its match
	// query finds every single character; cjk bigrams miss characters that
	// have Han neighbours.
	for _, key := range []string{"single character/phrase", "two-character word/phrase", "multi-word phrase/phrase", "category word/phrase", "single character/match"} {
		if got := results["gse"][key]; got.recall < 0.999 || got.precision < 0.999 {
			t.Errorf("gse %s = %+v, want precision and recall 1", key, got)
		}
	}
	if got := results["cjk"]["single character/match"]; got.recall > 0.5 {
		t.Errorf("cjk single character/match recall = %.3f, want it below 0.5 (bigrams drop single characters)", got.recall)
	}
}
