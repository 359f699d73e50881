package searcheval

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"
)

// Mode names a retrieval method.
type Mode string

// Modes. Only Keyword has a Backend in this package; the semantic and
// hybrid backends implement Backend where the vector index lives.
const (
	Keyword  Mode = "KEYWORD"
	Semantic Mode = "SEMANTIC"
	Hybrid   Mode = "HYBRID"
)

// Backend indexes products for one Mode.
type Backend interface {
	Mode() Mode
	// Build indexes products in dir, an empty temporary directory that the
	// caller removes afterwards, and returns a searcher over them.
	Build(ctx context.Context, dir string, products []Product) (Searcher, error)
}

// Searcher returns the ids of the best k products for a query, best first.
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]string, error)
	Close() error
}

// Gain selects the nDCG gain of a grade.
type Gain int

// Gain functions.
const (
	GainLinear      Gain = iota // the grade itself
	GainExponential             // 2^grade - 1
)

// Options configures Evaluate.
type Options struct {
	Gain        Gain
	RelevantMin float64 // grade from which a product counts as relevant
}

// DefaultOptions returns GainLinear and RelevantMin 2.
func DefaultOptions() Options { return Options{Gain: GainLinear, RelevantMin: 2} }

// Cutoffs of the metrics.
const (
	NDCGCutoff   = 10
	RecallCutoff = 100 // also the depth of MRR
)

// QueryResult holds the metrics of one query.
type QueryResult struct {
	QueryID    string
	Query      string
	Judged     int // judged products
	Relevant   int // judged products with grade >= RelevantMin
	NDCG       float64
	NDCGJudged float64
	Recall     float64 // NaN without relevant products
	RR         float64 // reciprocal rank of the first relevant hit; NaN without relevant products
	FirstRank  int     // 1-based rank of the first relevant hit; 0 if none in the first 100
}

// Report holds averages and per-query results of one run.
type Report struct {
	Mode       Mode
	Products   int
	Queries    int
	Relevant   int     // queries with at least one relevant product
	NDCG       float64 // mean nDCG@10, unjudged hits gain 0
	NDCGJudged float64 // mean nDCG@10 over judged hits only
	Recall     float64 // mean recall@100 over queries with a relevant product
	MRR        float64 // mean reciprocal rank within 100 hits, same queries
	IndexTime  time.Duration
	QueryTime  time.Duration
	PerQuery   []QueryResult
}

type query struct {
	id, text string
	grades   map[string]float64
}

func groupQueries(judgments []Judgment) ([]query, error) {
	byID := map[string]*query{}
	var order []string
	for _, j := range judgments {
		q := byID[j.QueryID]
		if q == nil {
			q = &query{id: j.QueryID, text: j.Query, grades: map[string]float64{}}
			byID[j.QueryID] = q
			order = append(order, j.QueryID)
		} else if q.text != j.Query {
			return nil, fmt.Errorf("query %s has two texts, %q and %q: give each text its own query_id", j.QueryID, q.text, j.Query)
		}
		q.grades[j.ProductID] = j.Grade
	}
	out := make([]query, len(order))
	for i, id := range order {
		out[i] = *byID[id]
	}
	return out, nil
}

// Evaluate indexes products with b in a temporary directory under tmpDir
// (os.TempDir when empty), runs every judged query and scores the hits.
func Evaluate(ctx context.Context, b Backend, tmpDir string, products []Product, judgments []Judgment, opts Options) (*Report, error) {
	queries, err := groupQueries(judgments)
	if err != nil {
		return nil, err
	}
	dir, err := makeTempDir(tmpDir)
	if err != nil {
		return nil, err
	}
	defer removeAll(dir)

	start := time.Now()
	s, err := b.Build(ctx, dir, products)
	if err != nil {
		return nil, fmt.Errorf("build %s index of %d products: %w", b.Mode(), len(products), err)
	}
	defer s.Close()
	rep := &Report{Mode: b.Mode(), Products: len(products), Queries: len(queries), IndexTime: time.Since(start)}

	start = time.Now()
	for _, q := range queries {
		hits, err := s.Search(ctx, q.text, RecallCutoff)
		if err != nil {
			return nil, fmt.Errorf("%s search for query %s %q: %w", b.Mode(), q.id, q.text, err)
		}
		rep.PerQuery = append(rep.PerQuery, score(q, hits, opts))
	}
	rep.QueryTime = time.Since(start)
	rep.average()
	return rep, nil
}

func (o Options) gain(grade float64) float64 {
	if o.Gain == GainExponential {
		return math.Exp2(grade) - 1
	}
	return grade
}

func dcg(gains []float64) float64 {
	var sum float64
	for i, g := range gains {
		sum += g / math.Log2(float64(i)+2)
	}
	return sum
}

// score computes the metrics of one query from its ranked hits.
func score(q query, hits []string, opts Options) QueryResult {
	r := QueryResult{QueryID: q.id, Query: q.text, Judged: len(q.grades)}
	var ideal []float64
	for _, g := range q.grades {
		ideal = append(ideal, opts.gain(g))
		if g >= opts.RelevantMin {
			r.Relevant++
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(ideal)))
	if len(ideal) > NDCGCutoff {
		ideal = ideal[:NDCGCutoff]
	}
	idcg := dcg(ideal)

	var gains, judgedGains []float64
	found := 0
	for i, id := range hits {
		g, judged := q.grades[id]
		if i < NDCGCutoff {
			if judged {
				gains = append(gains, opts.gain(g))
			} else {
				gains = append(gains, 0)
			}
		}
		if judged && len(judgedGains) < NDCGCutoff {
			judgedGains = append(judgedGains, opts.gain(g))
		}
		if judged && g >= opts.RelevantMin && i < RecallCutoff {
			found++
			if r.FirstRank == 0 {
				r.FirstRank = i + 1
			}
		}
	}
	if idcg > 0 {
		r.NDCG = dcg(gains) / idcg
		r.NDCGJudged = dcg(judgedGains) / idcg
	}
	r.Recall, r.RR = math.NaN(), math.NaN()
	if r.Relevant > 0 {
		r.Recall = float64(found) / float64(r.Relevant)
		r.RR = 0
		if r.FirstRank > 0 {
			r.RR = 1 / float64(r.FirstRank)
		}
	}
	return r
}

func (rep *Report) average() {
	if len(rep.PerQuery) == 0 {
		return
	}
	for _, q := range rep.PerQuery {
		rep.NDCG += q.NDCG
		rep.NDCGJudged += q.NDCGJudged
		if q.Relevant > 0 {
			rep.Relevant++
			rep.Recall += q.Recall
			rep.MRR += q.RR
		}
	}
	n := float64(len(rep.PerQuery))
	rep.NDCG /= n
	rep.NDCGJudged /= n
	if rep.Relevant > 0 {
		rep.Recall /= float64(rep.Relevant)
		rep.MRR /= float64(rep.Relevant)
	}
}

// WriteCSV writes one row per query: mode, query_id, query, judged,
// relevant, ndcg@10, ndcg@10_judged, recall@100, rr, first_relevant_rank.
// Metrics undefined for a query are written as empty fields.
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"mode", "query_id", "query", "judged", "relevant", "ndcg@10", "ndcg@10_judged", "recall@100", "rr", "first_relevant_rank"})
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	for _, q := range rep.PerQuery {
		cw.Write([]string{string(rep.Mode), q.QueryID, q.Query, strconv.Itoa(q.Judged), strconv.Itoa(q.Relevant),
			f(q.NDCG), f(q.NDCGJudged), f(q.Recall), f(q.RR), strconv.Itoa(q.FirstRank)})
	}
	cw.Flush()
	return cw.Error()
}
