package eval

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/shopsight/shopsight/ml/recommend"
)

// SplitKind is a way of cutting interactions into train and test sets.
type SplitKind int

// Split kinds.
const (
	// SplitTime puts the earliest Fraction of all interactions in train.
	SplitTime SplitKind = iota + 1
	// SplitRandom puts a seeded random Fraction of each user's interactions
	// in train (per-user stratified), rounding Fraction·n half to even.
	SplitRandom
	// SplitLeaveLastOut puts each user's latest interaction in test, for
	// users with at least two.
	SplitLeaveLastOut
)

// Split describes a train/test split.
type Split struct {
	Kind     SplitKind
	Fraction float64
	Seed     uint64
}

// ParseSplit parses "time:FRACTION", "random:FRACTION" or "leave-last-out".
// FRACTION is the train share in (0, 1).
func ParseSplit(s string) (Split, error) {
	name, arg, hasArg := strings.Cut(strings.TrimSpace(s), ":")
	switch name {
	case "leave-last-out":
		if hasArg {
			return Split{}, fmt.Errorf("parse split %q: leave-last-out takes no fraction", s)
		}
		return Split{Kind: SplitLeaveLastOut}, nil
	case "time", "random":
		frac, err := strconv.ParseFloat(arg, 64)
		if err != nil || !(frac > 0 && frac < 1) {
			return Split{}, fmt.Errorf("parse split %q: fraction must be a number in (0, 1), for example %s:0.8", s, name)
		}
		kind := SplitTime
		if name == "random" {
			kind = SplitRandom
		}
		return Split{Kind: kind, Fraction: frac}, nil
	}
	return Split{}, fmt.Errorf("parse split %q: unknown split; use time:FRACTION, random:FRACTION or leave-last-out", s)
}

// String returns the form ParseSplit accepts.
func (s Split) String() string {
	switch s.Kind {
	case SplitTime:
		return fmt.Sprintf("time:%g", s.Fraction)
	case SplitRandom:
		return fmt.Sprintf("random:%g", s.Fraction)
	case SplitLeaveLastOut:
		return "leave-last-out"
	}
	return "invalid split"
}

// Apply cuts data into train and test. It does not modify data.
func (s Split) Apply(data []recommend.Interaction) (train, test []recommend.Interaction, err error) {
	switch s.Kind {
	case SplitTime:
		sorted := slices.Clone(data)
		slices.SortStableFunc(sorted, func(a, b recommend.Interaction) int { return a.Time.Compare(b.Time) })
		cut := int(s.Fraction * float64(len(sorted)))
		return sorted[:cut], sorted[cut:], nil
	case SplitRandom:
		rng := rand.New(rand.NewPCG(s.Seed, s.Seed+1))
		for _, rows := range byUser(data) {
			rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
			cut := int(math.RoundToEven(s.Fraction * float64(len(rows))))
			train = append(train, rows[:cut]...)
			test = append(test, rows[cut:]...)
		}
		return train, test, nil
	case SplitLeaveLastOut:
		for _, rows := range byUser(data) {
			if len(rows) < 2 {
				train = append(train, rows...)
				continue
			}
			slices.SortStableFunc(rows, func(a, b recommend.Interaction) int { return a.Time.Compare(b.Time) })
			train = append(train, rows[:len(rows)-1]...)
			test = append(test, rows[len(rows)-1])
		}
		return train, test, nil
	}
	return nil, nil, fmt.Errorf("apply split: invalid split kind %d; build splits with ParseSplit", int(s.Kind))
}

// byUser groups interactions by user, users in sorted order and rows in
// input order, so that seeded splits do not depend on map iteration.
func byUser(data []recommend.Interaction) [][]recommend.Interaction {
	groups := make(map[string][]recommend.Interaction)
	for _, in := range data {
		groups[in.User] = append(groups[in.User], in)
	}
	users := make([]string, 0, len(groups))
	for u := range groups {
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b string) int {
		// Numeric ids sort numerically, others lexically.
		ai, aerr := strconv.Atoi(a)
		bi, berr := strconv.Atoi(b)
		if aerr == nil && berr == nil {
			return cmp.Compare(ai, bi)
		}
		return cmp.Compare(a, b)
	})
	out := make([][]recommend.Interaction, len(users))
	for i, u := range users {
		out[i] = groups[u]
	}
	return out
}
