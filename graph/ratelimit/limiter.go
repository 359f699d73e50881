package ratelimit

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/shopsight/shopsight/graph/errcode"
)

// Limiter enforces Options on HTTP handlers. It is safe for concurrent use.
type Limiter struct {
	opts    Options
	buckets *buckets
	// timeoutBody is the JSON error body of a timed-out request.
	timeoutBody string
}

// New returns a Limiter for opts.
func New(opts Options) (*Limiter, error) {
	if opts.now == nil {
		opts.now = time.Now
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	l := &Limiter{opts: opts}
	if opts.Rate > 0 {
		l.buckets = newBuckets(opts.Rate, opts.Burst, opts.MaxClients)
	}
	rec := &recorder{header: http.Header{}}
	errcode.WriteHTTP(rec, http.StatusServiceUnavailable, &errcode.Error{
		Code: errcode.LimitExceeded,
		Message: fmt.Sprintf("the request timed out after %s, the server's per-request time limit; narrow the query or ask for smaller pages",
			opts.Timeout),
		Extensions: map[string]any{"limit": "timeout", "max": opts.Timeout.String()},
	})
	l.timeoutBody = rec.body.String()
	return l, nil
}

// Options returns the limiter's options.
func (l *Limiter) Options() Options { return l.opts }

// Handler applies every limit to next: the rate, then the body size, then
// the timeout.
func (l *Limiter) Handler(next http.Handler) http.Handler {
	return l.RateLimit(l.LimitBody(l.Timeout(next)))
}

// RateLimit responds 429 LIMIT_EXCEEDED with Retry-After when the request's
// client has no token left.
func (l *Limiter) RateLimit(next http.Handler) http.Handler {
	if l.buckets == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := l.opts.ClientID(r)
		ok, wait := l.buckets.take(client, l.opts.now())
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		seconds := RetryAfterSeconds(wait)
		w.Header().Set("Retry-After", strconv.Itoa(seconds))
		errcode.WriteHTTP(w, http.StatusTooManyRequests, &errcode.Error{
			Code: errcode.LimitExceeded,
			Message: fmt.Sprintf("rate limit of %g requests/s (burst %d) exceeded for this client; retry in %d s",
				l.opts.Rate, l.opts.Burst, seconds),
			Extensions: map[string]any{"limit": "rate", "max": l.opts.Rate, "retryAfterSeconds": seconds},
		})
	})
}

// RetryAfterSeconds rounds a wait up to whole seconds, at least 1, for the
// Retry-After header, which takes only whole seconds.
func RetryAfterSeconds(wait time.Duration) int {
	s := math.Ceil(wait.Seconds())
	if s < 1 || s != s {
		return 1
	}
	if s > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(s)
}

// LimitBody reads the request body into memory and responds 413
// LIMIT_EXCEEDED when it has more than MaxBodyBytes bytes. A declared
// Content-Length over the limit is rejected before reading.
func (l *Limiter) LimitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := l.opts.MaxBodyBytes
		if r.ContentLength > max {
			l.tooLarge(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		r.Body.Close()
		if err != nil {
			errcode.WriteHTTP(w, http.StatusBadRequest, &errcode.Error{
				Code: errcode.ParseFailed, Message: fmt.Sprintf("read request body: %s", err),
			})
			return
		}
		if int64(len(body)) > max {
			l.tooLarge(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

func (l *Limiter) tooLarge(w http.ResponseWriter, r *http.Request) {
	// Closing the connection spares reading the rest of a large body.
	w.Header().Set("Connection", "close")
	errcode.WriteHTTP(w, http.StatusRequestEntityTooLarge, &errcode.Error{
		Code: errcode.LimitExceeded,
		Message: fmt.Sprintf("request body exceeds the limit of %d bytes; send a smaller request (the server's --max-body-bytes sets the limit)",
			l.opts.MaxBodyBytes),
		Extensions: map[string]any{"limit": "bodySize", "max": l.opts.MaxBodyBytes},
	})
}

// Timeout runs next with a context deadline of Timeout. When the deadline
// passes first, the client gets 503 LIMIT_EXCEEDED at once and next's later
// writes are discarded. next's response is buffered, so routes that stream
// large responses, such as a backup, must not use it.
func (l *Limiter) Timeout(next http.Handler) http.Handler {
	if l.opts.Timeout <= 0 {
		return next
	}
	// http.TimeoutHandler writes its message with the headers already on
	// w; setting Content-Type first makes the timeout body JSON. A
	// response from next replaces the header with its own Content-Type.
	th := http.TimeoutHandler(next, l.opts.Timeout, l.timeoutBody)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		th.ServeHTTP(w, r)
	})
}

// recorder captures a response in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
