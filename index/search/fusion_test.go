package search

import (
	"math"
	"testing"
)

func hits(ids ...string) []SourceHit {
	out := make([]SourceHit, len(ids))
	for i, id := range ids {
		out[i] = SourceHit{ID: id, Score: float64(len(ids) - i)}
	}
	return out
}

func checkFused(t *testing.T, got, want []FusedHit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d hits %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.KeywordRank != w.KeywordRank || g.VectorRank != w.VectorRank || math.Abs(g.Score-w.Score) > 1e-12 {
			t.Errorf("hit %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestFuseRRF(t *testing.T) {
	tests := []struct {
		name            string
		keyword, vector []SourceHit
		want            []FusedHit
	}{
		{
			name:    "both lists",
			keyword: hits("a", "b", "c"),
			vector:  hits("c", "a", "d"),
			want: []FusedHit{
				{ID: "a", Score: 1.0/61 + 1.0/62, KeywordRank: 1, VectorRank: 2},
				{ID: "c", Score: 1.0/63 + 1.0/61, KeywordRank: 3, VectorRank: 1},
				{ID: "b", Score: 1.0 / 62, KeywordRank: 2},
				{ID: "d", Score: 1.0 / 63, VectorRank: 3},
			},
		},
		{
			name:    "ties ordered by id",
			keyword: hits("z", "y"),
			vector:  hits("y", "z"),
			want: []FusedHit{
				{ID: "y", Score: 1.0/62 + 1.0/61, KeywordRank: 2, VectorRank: 1},
				{ID: "z", Score: 1.0/61 + 1.0/62, KeywordRank: 1, VectorRank: 2},
			},
		},
		{
			name:    "keyword only",
			keyword: hits("b", "a"),
			want: []FusedHit{
				{ID: "b", Score: 1.0 / 61, KeywordRank: 1},
				{ID: "a", Score: 1.0 / 62, KeywordRank: 2},
			},
		},
		{
			name:    "duplicate keeps first rank",
			keyword: hits("a", "a", "b"),
			want: []FusedHit{
				{ID: "a", Score: 1.0 / 61, KeywordRank: 1},
				{ID: "b", Score: 1.0 / 63, KeywordRank: 3},
			},
		},
		{name: "empty", want: []FusedHit{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFused(t, FuseRRF(tt.keyword, tt.vector, 60), tt.want)
		})
	}
}

func TestFuseWeighted(t *testing.T) {
	tests := []struct {
		name            string
		keyword, vector []SourceHit
		weights         Weights
		want            []FusedHit
	}{
		{
			name:    "min-max per source",
			keyword: []SourceHit{{"a", 10}, {"b", 6}, {"c", 2}},
			vector:  []SourceHit{{"c", 0.9}, {"d", 0.5}},
			weights: Weights{Keyword: 0.5, Vector: 0.5},
			want: []FusedHit{
				// c: keyword (2-2)/8 = 0, vector 1; a: keyword 1; b: 0.5; d: vector 0.
				{ID: "a", Score: 0.5, KeywordRank: 1},
				{ID: "c", Score: 0.5, KeywordRank: 3, VectorRank: 1},
				{ID: "b", Score: 0.25, KeywordRank: 2},
				{ID: "d", Score: 0, VectorRank: 2},
			},
		},
		{
			name:    "vector weight dominates",
			keyword: []SourceHit{{"a", 3}, {"b", 1}},
			vector:  []SourceHit{{"b", 0.8}, {"a", 0.2}},
			weights: Weights{Keyword: 0.2, Vector: 0.8},
			want: []FusedHit{
				{ID: "b", Score: 0.8, KeywordRank: 2, VectorRank: 1},
				{ID: "a", Score: 0.2, KeywordRank: 1, VectorRank: 2},
			},
		},
		{
			name:    "equal scores normalize to 1",
			keyword: []SourceHit{{"b", 4}, {"a", 4}},
			weights: Weights{Keyword: 1, Vector: 1},
			want: []FusedHit{
				{ID: "a", Score: 1, KeywordRank: 2},
				{ID: "b", Score: 1, KeywordRank: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFused(t, FuseWeighted(tt.keyword, tt.vector, tt.weights), tt.want)
		})
	}
}
