// Package ratelimit bounds what one HTTP request and one client may cost
// the server: the request body size, the time a request may run, and a
// token-bucket rate per client. A request that violates one gets, in place
// of the wrapped handler's response, a GraphQL-shaped JSON error whose
// extensions.code is LIMIT_EXCEEDED and whose extensions.limit names the
// limit: "bodySize" (413), "timeout" (503) or "rate" (429, with a
// Retry-After header and extensions.retryAfterSeconds).
package ratelimit

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Options configures a Limiter. Start from DefaultOptions and change
// fields with the WithX methods.
type Options struct {
	// MaxBodyBytes is the largest request body accepted, in bytes.
	MaxBodyBytes int64
	// Timeout bounds a request's run time; its context gets this deadline.
	// 0 disables it.
	Timeout time.Duration
	// Rate is the sustained number of requests per second one client may
	// send. 0 disables rate limiting.
	Rate float64
	// Burst is the number of requests a client may send at once after
	// being idle: the bucket's capacity.
	Burst int
	// MaxClients bounds the number of client buckets kept in memory. When
	// it is reached, idle clients' buckets are dropped; if none are idle,
	// new clients share one bucket.
	MaxClients int
	// ClientID names the client of a request. The default is the remote
	// IP address.
	ClientID func(*http.Request) string
	// now is the clock; tests replace it.
	now func() time.Time
}

// DefaultOptions returns a 1 MiB body limit, a 30 s timeout, 50 requests
// per second with a burst of 100 per client and 100,000 tracked clients.
func DefaultOptions() Options {
	return Options{
		MaxBodyBytes: 1 << 20,
		Timeout:      30 * time.Second,
		Rate:         50,
		Burst:        100,
		MaxClients:   100_000,
		ClientID:     remoteIP,
		now:          time.Now,
	}
}

// WithMaxBodyBytes sets the largest accepted request body in bytes.
func (o Options) WithMaxBodyBytes(n int64) Options { o.MaxBodyBytes = n; return o }

// WithTimeout sets the per-request time limit; 0 disables it.
func (o Options) WithTimeout(d time.Duration) Options { o.Timeout = d; return o }

// WithRate sets the sustained requests per second per client; 0 disables
// rate limiting.
func (o Options) WithRate(perSecond float64) Options { o.Rate = perSecond; return o }

// WithBurst sets the bucket capacity in requests.
func (o Options) WithBurst(n int) Options { o.Burst = n; return o }

// WithMaxClients sets the number of client buckets kept in memory.
func (o Options) WithMaxClients(n int) Options { o.MaxClients = n; return o }

// WithClientID sets the function that names a request's client.
func (o Options) WithClientID(f func(*http.Request) string) Options { o.ClientID = f; return o }

// Validate reports a setting that cannot work.
func (o Options) Validate() error {
	var errs []error
	if o.MaxBodyBytes < 1 {
		errs = append(errs, fmt.Errorf("invalid max body size %d bytes: must be at least 1", o.MaxBodyBytes))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("invalid request timeout %s: must be positive, or 0 for none", o.Timeout))
	}
	if o.Rate < 0 || o.Rate != o.Rate {
		errs = append(errs, fmt.Errorf("invalid rate limit %v requests/s: must be positive, or 0 for none", o.Rate))
	}
	if o.Rate > 0 && o.Burst < 1 {
		errs = append(errs, fmt.Errorf("invalid rate burst %d: must be at least 1", o.Burst))
	}
	if o.MaxClients < 1 {
		errs = append(errs, fmt.Errorf("invalid max clients %d: must be at least 1", o.MaxClients))
	}
	if o.ClientID == nil {
		errs = append(errs, errors.New("missing ClientID function"))
	}
	return errors.Join(errs...)
}

// remoteIP returns the IP address of the request's peer.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
