package eval

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/recommend"
)

func TestReadFormats(t *testing.T) {
	cases := []struct {
		name   string
		input  string
		format Format
		want   []recommend.Interaction
	}{
		{
			name:   "interactions without header",
			input:  "u1,i1,100\nu2,i2,200,purchase\n",
			format: FormatInteractions,
			want: []recommend.Interaction{
				{User: "u1", Item: "i1", Time: time.Unix(100, 0).UTC(), Event: recommend.EventView},
				{User: "u2", Item: "i2", Time: time.Unix(200, 0).UTC(), Event: recommend.EventPurchase},
			},
		},
		{
			name:   "interactions with BOM, CRLF and header",
			input:  "\ufeffuser_id,item_id,timestamp,event,region,order_id\r\nu1,i1,1970-01-01T00:01:40Z,cart,SP,o1\r\n",
			format: FormatInteractions,
			want: []recommend.Interaction{
				{User: "u1", Item: "i1", Time: time.Unix(100, 0).UTC(), Event: recommend.EventCart, Region: "SP", Order: "o1"},
			},
		},
		{
			name:   "movielens",
			input:  "196\t242\t3\t881250949\n",
			format: FormatMovieLens,
			want:   []recommend.Interaction{{User: "196", Item: "242", Time: time.Unix(881250949, 0).UTC(), Event: recommend.EventView}},
		},
		{
			name:   "taobao",
			input:  "1,2268318,2520377,fav,1511544070\n",
			format: FormatTaobao,
			want:   []recommend.Interaction{{User: "1", Item: "2268318", Time: time.Unix(1511544070, 0).UTC(), Event: recommend.EventCart}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(c.input), c.format)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d interactions, want %d", len(got), len(c.want))
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("interaction %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestReadErrorsNameLine(t *testing.T) {
	cases := []struct {
		name, input, want string
		format            Format
	}{
		{"bad timestamp", "u1,i1,100\nu1,i2,yesterday\n", "line 2", FormatInteractions},
		{"bad event", "u1,i1,100,like\n", "unknown event", FormatInteractions},
		{"short movielens row", "1\t2\t3\n", "expected 4", FormatMovieLens},
		{"header without item", "user_id,time,x\n", "invalid header", FormatInteractions},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.input), c.format)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestParseSplit(t *testing.T) {
	good := map[string]Split{
		"time:0.8":       {Kind: SplitTime, Fraction: 0.8},
		"random:0.75":    {Kind: SplitRandom, Fraction: 0.75},
		"leave-last-out": {Kind: SplitLeaveLastOut},
	}
	for in, want := range good {
		got, err := ParseSplit(in)
		if err != nil || got != want {
			t.Errorf("ParseSplit(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"time", "time:1.5", "random:x", "leave-last-out:1", "kfold:5"} {
		if _, err := ParseSplit(in); err == nil {
			t.Errorf("ParseSplit(%q) returned no error", in)
		}
	}
}

func syntheticLog() []recommend.Interaction {
	var out []recommend.Interaction
	for u := range 4 {
		for i := range 8 {
			out = append(out, recommend.Interaction{
				User: string(rune('a' + u)), Item: string(rune('p' + i)),
				Time: time.Unix(int64(100*i+u), 0), Event: recommend.EventView,
			})
		}
	}
	return out
}

func TestSplits(t *testing.T) {
	data := syntheticLog()
	cases := []struct {
		split           Split
		train, test     int
		latestInTestSec int64
	}{
		{Split{Kind: SplitTime, Fraction: 0.75}, 24, 8, 600},
		{Split{Kind: SplitRandom, Fraction: 0.75, Seed: 1}, 24, 8, -1},
		{Split{Kind: SplitLeaveLastOut}, 28, 4, 700},
	}
	for _, c := range cases {
		t.Run(c.split.String(), func(t *testing.T) {
			train, test, err := c.split.Apply(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(train) != c.train || len(test) != c.test {
				t.Errorf("split sizes = %d/%d, want %d/%d", len(train), len(test), c.train, c.test)
			}
			perUser := map[string]int{}
			for _, in := range test {
				perUser[in.User]++
				if c.latestInTestSec >= 0 && in.Time.Unix() < c.latestInTestSec {
					t.Errorf("test interaction at %d is earlier than %d", in.Time.Unix(), c.latestInTestSec)
				}
			}
			if c.split.Kind != SplitTime {
				for u, n := range perUser {
					if n != c.test/4 {
						t.Errorf("user %s has %d test interactions, want %d", u, n, c.test/4)
					}
				}
			}
		})
	}
	a, _, _ := Split{Kind: SplitRandom, Fraction: 0.5, Seed: 3}.Apply(data)
	b, _, _ := Split{Kind: SplitRandom, Fraction: 0.5, Seed: 3}.Apply(data)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("random split with the same seed differs between runs")
		}
	}
}

func TestScoreRanking(t *testing.T) {
	relevant := map[string]struct{}{"a": {}, "b": {}, "c": {}}
	got := ScoreRanking([]string{"a", "x", "b", "y"}, relevant, 4)
	want := UserMetrics{
		Precision: 2.0 / 4,
		Recall:    2.0 / 3,
		NDCG:      (1 + 1/math.Log2(4)) / (1 + 1/math.Log2(3) + 1/math.Log2(4)),
		Hit:       1,
		AP:        (1 + 2.0/3) / 3,
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"precision", got.Precision, want.Precision},
		{"recall", got.Recall, want.Recall},
		{"ndcg", got.NDCG, want.NDCG},
		{"hit", got.Hit, want.Hit},
		{"ap", got.AP, want.AP},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if m := ScoreRanking(nil, relevant, 4); m != (UserMetrics{}) {
		t.Errorf("empty ranking metrics = %+v, want zero", m)
	}
}

func TestEvaluateRejectsBadInput(t *testing.T) {
	data := syntheticLog()
	if _, err := Evaluate(context.Background(), data, nil, DefaultOptions()); err == nil {
		t.Error("empty test set: no error")
	}
	opts := DefaultOptions()
	opts.K = 0
	if _, err := Evaluate(context.Background(), data, data, opts); err == nil {
		t.Error("K = 0: no error")
	}
}

// TestMovieLensBeatsPublishedBPR reproduces the Microsoft Recommenders
// protocol (recommenders-team/recommenders README "Algorithm comparison"):
// per-user stratified random split, 75% train, every rating an interaction,
// top-10 with training items excluded, binary relevance. Its BPR (Cornac)
// row reports nDCG@10 0.441997.
func TestMovieLensBeatsPublishedBPR(t *testing.T) {
	dir := shareddata.Dir(t, "data/movielens-100k")
	data, err := ReadFile(filepath.Join(dir, "u.data"), FormatMovieLens)
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Models = []string{"als", "itemknn"}
	opts.ALS = opts.ALS.WithFactors(32) // 32 factors train in half the time of 64 (nDCG@10 0.4858)
	opts.HybridWeights = map[string]float64{"als": 1, "itemknn": 0.3}
	table, err := EvaluateSplit(context.Background(), data, Split{Kind: SplitRandom, Fraction: 0.75, Seed: 42}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	table.WriteText(&sb)
	t.Logf("MovieLens-100K random:0.75 seed 42:\n%s", sb.String())

	const publishedBPR = 0.441997
	best := Row{}
	for _, r := range table.Rows {
		if r.NDCG > best.NDCG {
			best = r
		}
	}
	if best.NDCG < publishedBPR {
		t.Errorf("best nDCG@10 = %.4f (%s), want >= %.4f", best.NDCG, best.Model, publishedBPR)
	}
	// Measured on this protocol: ALS (32 factors) 0.4845, item-kNN 0.3780, popularity
	// 0.2437. The bounds leave room for float summation order only.
	pins := map[string]float64{"als": 0.4845, "itemknn": 0.3780, "popularity": 0.2437}
	for model, want := range pins {
		r, ok := table.Row(model)
		if !ok {
			t.Errorf("model %s missing from the table", model)
			continue
		}
		if math.Abs(r.NDCG-want) > 0.005 {
			t.Errorf("%s nDCG@10 = %.4f, want %.4f ± 0.005", model, r.NDCG, want)
		}
	}
}

// TestTaobaoHybridBeatsPopularity trains on the earliest 80% of the Taobao
// UserBehavior head sample and tests on the rest. Factor models are kept
// small so that the test stays fast.
func TestTaobaoHybridBeatsPopularity(t *testing.T) {
	dir := shareddata.Dir(t, "data/taobao-userbehavior")
	data, err := ReadFile(filepath.Join(dir, "UserBehavior_head_before_2017-12-03.csv"), FormatTaobao)
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Models = []string{}
	opts.BPR = opts.BPR.WithFactors(16).WithEpochs(20)
	opts.HybridWeights = map[string]float64{"bpr": 1, "itemknn": 0.5, "bought_together": 0.3, "trending": 0.1}
	table, err := EvaluateSplit(context.Background(), data, Split{Kind: SplitTime, Fraction: 0.8}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	table.WriteText(&sb)
	t.Logf("Taobao head time:0.8:\n%s", sb.String())
	hybrid, _ := table.Row("hybrid")
	popularity, _ := table.Row("popularity")
	if hybrid.HitRate <= popularity.HitRate {
		t.Errorf("hybrid HR@10 = %.4f, want above popularity's %.4f", hybrid.HitRate, popularity.HitRate)
	}
}

func TestEvaluateFilesColdUser(t *testing.T) {
	dir := t.TempDir()
	var train strings.Builder
	train.WriteString("user_id,item_id,timestamp,event\n")
	for u := range 5 {
		fmt.Fprintf(&train, "u%d,hit,%d,purchase\nu%d,x%d,%d,view\n", u, 100+u, u, u, 100+u)
	}
	trainPath := filepath.Join(dir, "train.csv")
	testPath := filepath.Join(dir, "test.csv")
	if err := os.WriteFile(trainPath, []byte(train.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// u0 already has "hit", so only "x1" is relevant for it; "new" is cold.
	if err := os.WriteFile(testPath, []byte("u0,x1,200\nu0,hit,200\nnew,hit,200\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.ALS = opts.ALS.WithFactors(4)
	opts.BPR = opts.BPR.WithFactors(4).WithEpochs(5)
	table, err := EvaluateFiles(context.Background(), trainPath, testPath, FormatInteractions, opts)
	if err != nil {
		t.Fatal(err)
	}
	if table.Users != 2 || table.ColdUsers != 1 {
		t.Errorf("users = %d (cold %d), want 2 (cold 1)", table.Users, table.ColdUsers)
	}
	for _, model := range []string{"als", "bpr", "itemknn", "bought_together", "trending", "popularity", "hybrid"} {
		if _, ok := table.Row(model); !ok {
			t.Errorf("model %s missing from the table", model)
		}
	}
	// The cold user gets the most popular item, "hit", from popularity and
	// from the hybrid's cold start.
	for _, model := range []string{"popularity", "hybrid"} {
		r, _ := table.Row(model)
		if r.HitRate < 0.5 {
			t.Errorf("%s HR@10 = %.2f, want >= 0.5 from the cold user", model, r.HitRate)
		}
	}
	var sb strings.Builder
	if err := table.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "nDCG@10") {
		t.Errorf("WriteText = %q, %v; want a table with an nDCG@10 column", sb.String(), err)
	}
}
