package ratelimit

import (
	"math"
	"sync"
	"time"
)

// overflowClient is the bucket that new clients share once MaxClients
// buckets are in use and none is idle.
const overflowClient = "\x00overflow"

// bucket is a token bucket: tokens refill at rate per second up to burst.
type bucket struct {
	tokens float64
	last   time.Time
}

// buckets holds one token bucket per client.
type buckets struct {
	rate       float64
	burst      float64
	maxClients int

	mu        sync.Mutex
	byClient  map[string]*bucket
	lastSweep time.Time
}

func newBuckets(rate float64, burst, maxClients int) *buckets {
	return &buckets{rate: rate, burst: float64(burst), maxClients: maxClients, byClient: map[string]*bucket{}}
}

// take removes one token from client's bucket. When the bucket is empty it
// returns false and the time until a token is available.
func (b *buckets) take(client string, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.byClient[client]
	if bk == nil {
		bk = b.add(client, now)
	}
	if elapsed := now.Sub(bk.last).Seconds(); elapsed > 0 {
		bk.tokens = math.Min(b.burst, bk.tokens+elapsed*b.rate)
	}
	bk.last = now
	if bk.tokens >= 1 {
		bk.tokens--
		return true, 0
	}
	wait := time.Duration((1 - bk.tokens) / b.rate * float64(time.Second))
	return false, wait
}

// add creates client's bucket, full. At capacity it first drops the
// buckets that have refilled completely, because a full bucket and no
// bucket behave the same. Sweeps run at most once a second.
func (b *buckets) add(client string, now time.Time) *bucket {
	if len(b.byClient) >= b.maxClients && now.Sub(b.lastSweep) >= time.Second {
		b.lastSweep = now
		refill := time.Duration(b.burst / b.rate * float64(time.Second))
		for id, bk := range b.byClient {
			if now.Sub(bk.last) >= refill {
				delete(b.byClient, id)
			}
		}
	}
	if len(b.byClient) >= b.maxClients {
		if bk := b.byClient[overflowClient]; bk != nil {
			return bk
		}
		client = overflowClient
	}
	bk := &bucket{tokens: b.burst, last: now}
	b.byClient[client] = bk
	return bk
}

// size returns the number of buckets kept.
func (b *buckets) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.byClient)
}
