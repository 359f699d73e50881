package eval

import "math"

// UserMetrics are the top-k metrics of one user's ranking.
type UserMetrics struct {
	Precision, Recall, NDCG, Hit, AP float64
}

// ScoreRanking computes the metrics of ranked (best first, at most k items)
// against the relevant set, with binary relevance:
//
//	precision@k = hits / k
//	recall@k    = hits / |relevant|
//	nDCG@k      = Σ_hits 1/log2(rank+1) / Σ_{r ≤ min(|relevant|, k)} 1/log2(r+1)
//	HR@k        = 1 when hits > 0
//	AP@k        = Σ_hits precision@rank / min(|relevant|, k)
//
// Some libraries divide AP by |relevant| instead, which gives lower MAP
// figures, so compare MAP only with tables that state the same formula.
func ScoreRanking(ranked []string, relevant map[string]struct{}, k int) UserMetrics {
	if len(relevant) == 0 || k <= 0 {
		return UserMetrics{}
	}
	var hits, dcg, apSum float64
	for rank, item := range ranked[:min(len(ranked), k)] {
		if _, ok := relevant[item]; !ok {
			continue
		}
		hits++
		dcg += 1 / math.Log2(float64(rank)+2)
		apSum += hits / float64(rank+1)
	}
	ideal := min(len(relevant), k)
	idcg := 0.0
	for r := range ideal {
		idcg += 1 / math.Log2(float64(r)+2)
	}
	m := UserMetrics{
		Precision: hits / float64(k),
		Recall:    hits / float64(len(relevant)),
		NDCG:      dcg / idcg,
		AP:        apSum / float64(ideal),
	}
	if hits > 0 {
		m.Hit = 1
	}
	return m
}
