package demo

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Random streams. Every stage and every simulated day draws from its own PCG
// stream derived from the seed, so one stage can be regenerated (orders are
// rebuilt for the review and event passes) without replaying the others.
const (
	streamSellers uint64 = iota + 1
	streamUsers
	streamProducts
	streamPlan
	streamOrders
	streamReviews
	streamEvents
)

// newRand returns the random source for stream and index under seed.
func newRand(seed, stream, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, splitMix(stream<<32|index)))
}

// splitMix is the SplitMix64 finaliser. It spreads nearby stream numbers over
// the whole 64-bit space.
func splitMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// pickWeighted returns an index drawn with probability proportional to
// weights. It scans linearly, so it suits short tables.
func pickWeighted(r *rand.Rand, weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	u := r.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// pick returns a uniformly chosen element of s.
func pick[T any](r *rand.Rand, s []T) T {
	return s[r.IntN(len(s))]
}

// poisson draws a Poisson-distributed count with the given mean. Small means
// use Knuth's multiplication method, and large means a rounded normal
// approximation, which is close enough for demand counts.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 40 {
		n := math.Round(mean + math.Sqrt(mean)*r.NormFloat64())
		return int(math.Max(0, n))
	}
	limit := math.Exp(-mean)
	n := 0
	p := r.Float64()
	for p > limit {
		n++
		p *= r.Float64()
	}
	return n
}

// availableSampler draws members of a pool with fixed weights, restricted to
// members available before a given time. Members are sorted by the time they
// become available (a user's signup, a product's creation), so the members
// available at any time form a prefix and each draw is two binary searches.
type availableSampler struct {
	members []int     // global indexes, in availability order
	since   []int64   // Unix seconds from which each member is available
	cum     []float64 // cumulative weights
}

// add appends a member. Calls must come in nondecreasing order of since.
func (s *availableSampler) add(member int, since int64, weight float64) {
	total := weight
	if n := len(s.cum); n > 0 {
		total += s.cum[n-1]
	}
	s.members = append(s.members, member)
	s.since = append(s.since, since)
	s.cum = append(s.cum, total)
}

// sample returns a member available strictly before t, or false when no
// member with a positive weight is.
func (s *availableSampler) sample(r *rand.Rand, before int64) (int, bool) {
	k := sort.Search(len(s.since), func(i int) bool { return s.since[i] >= before })
	if k == 0 || s.cum[k-1] <= 0 {
		return 0, false
	}
	u := r.Float64() * s.cum[k-1]
	i := sort.Search(k, func(i int) bool { return s.cum[i] > u })
	if i == k {
		i = k - 1
	}
	return s.members[i], true
}
