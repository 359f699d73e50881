package embed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shopsight/shopsight/ml/bert"
)

// ErrOverloaded is returned by Batcher.Embed when the request queue is
// full. The request is not queued; the caller may retry later.
var ErrOverloaded = errors.New("embed: request queue is full; retry later or raise the batcher's queue size")

// ErrClosed is returned by Batcher.Embed after Close, and to queued
// requests that Close gave up on.
var ErrClosed = errors.New("embed: batcher is closed")

// Options configures a Batcher. Start from DefaultOptions and change single
// settings with the With methods.
type Options struct {
	// MaxBatch is the maximum number of texts per forward pass.
	MaxBatch int
	// MaxTokens is the maximum number of tokens per forward pass, counted
	// before padding, [CLS] and [SEP] included.
	MaxTokens int
	// MaxWait is the maximum time a batch waits for more requests after its
	// first request was submitted. 0 runs whatever is queued at once.
	MaxWait time.Duration
	// QueueSize is the maximum number of requests waiting for a batch.
	QueueSize int
	// Registerer receives the batcher's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// DefaultOptions returns batches of at most 32 texts and 8192 tokens, a
// maximum wait of 5 ms and a queue of 1024 requests, without metrics.
func DefaultOptions() Options {
	return Options{MaxBatch: 32, MaxTokens: 8192, MaxWait: 5 * time.Millisecond, QueueSize: 1024}
}

// WithMaxBatch returns o with MaxBatch set to n texts.
func (o Options) WithMaxBatch(n int) Options { o.MaxBatch = n; return o }

// WithMaxTokens returns o with MaxTokens set to n tokens.
func (o Options) WithMaxTokens(n int) Options { o.MaxTokens = n; return o }

// WithMaxWait returns o with MaxWait set to d.
func (o Options) WithMaxWait(d time.Duration) Options { o.MaxWait = d; return o }

// WithQueueSize returns o with QueueSize set to n requests.
func (o Options) WithQueueSize(n int) Options { o.QueueSize = n; return o }

// WithRegisterer returns o with the metrics registered on reg.
func (o Options) WithRegisterer(reg prometheus.Registerer) Options { o.Registerer = reg; return o }

func (o Options) validate() error {
	switch {
	case o.MaxBatch <= 0:
		return fmt.Errorf("embed: invalid max batch %d: it must be positive", o.MaxBatch)
	case o.MaxTokens <= 0:
		return fmt.Errorf("embed: invalid max tokens %d: it must be positive", o.MaxTokens)
	case o.MaxWait < 0:
		return fmt.Errorf("embed: invalid max wait %v: it must not be negative", o.MaxWait)
	case o.QueueSize <= 0:
		return fmt.Errorf("embed: invalid queue size %d: it must be positive", o.QueueSize)
	}
	return nil
}

// sequenceEncoder is the part of Encoder a Batcher uses; tests replace it.
type sequenceEncoder interface {
	Tokenize(texts []string) []bert.Sequence
	EmbedSequences(ctx context.Context, seqs []bert.Sequence) ([][]float32, error)
	ModelID() string
	Dimensions() int
	MaxLength() int
}

// Batcher gathers the texts of concurrent Embed calls into shared forward
// passes of an Encoder. One goroutine runs the batches one after another.
//
// A batch starts when it holds MaxBatch texts or MaxTokens tokens, or when
// MaxWait has passed since its first request was submitted. A request is
// never split: one with more texts or tokens than the limits runs as a batch
// of its own. A full queue rejects a request at once with ErrOverloaded
// instead of blocking the caller. A caller whose context ends gets the
// context's error at once. Its request is dropped when its batch has not
// started, and otherwise its result is discarded.
type Batcher struct {
	enc     sequenceEncoder
	opts    Options
	metrics *batcherMetrics

	// mu guards closed and the send to queue, so that no request is sent on
	// the closed channel.
	mu     sync.RWMutex
	closed bool
	queue  chan *request

	// runCtx is the context of forward passes; Close cancels it when its
	// own context ends before the queue is drained.
	runCtx    context.Context
	cancelRun context.CancelFunc
	done      chan struct{}
}

type request struct {
	ctx       context.Context
	seqs      []bert.Sequence
	tokens    int
	submitted time.Time
	// result receives exactly one value; its buffer of 1 means the worker
	// never waits for a caller that has gone.
	result chan result
}

type result struct {
	vectors [][]float32
	err     error
}

// NewBatcher starts a Batcher over enc. Call Close to stop it.
func NewBatcher(enc *Encoder, opts Options) (*Batcher, error) {
	if enc == nil {
		return nil, errors.New("embed: NewBatcher needs an encoder, got nil")
	}
	return newBatcher(enc, opts)
}

func newBatcher(enc sequenceEncoder, opts Options) (*Batcher, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	metrics := newBatcherMetrics()
	if opts.Registerer != nil {
		if err := metrics.register(opts.Registerer); err != nil {
			return nil, err
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	b := &Batcher{
		enc:       enc,
		opts:      opts,
		metrics:   metrics,
		queue:     make(chan *request, opts.QueueSize),
		runCtx:    runCtx,
		cancelRun: cancel,
		done:      make(chan struct{}),
	}
	go b.run()
	return b, nil
}

// ModelID returns the encoder's model id.
func (b *Batcher) ModelID() string { return b.enc.ModelID() }

// Dimensions returns the length of every vector.
func (b *Batcher) Dimensions() int { return b.enc.Dimensions() }

// MaxLength returns the encoder's truncation length in tokens.
func (b *Batcher) MaxLength() int { return b.enc.MaxLength() }

// Embed returns one vector per text, in input order, computed in a batch
// shared with other callers. It returns ErrOverloaded when the queue is
// full, ErrClosed after Close, and ctx's error when ctx ends first.
func (b *Batcher) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return [][]float32{}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	seqs := b.enc.Tokenize(texts)
	req := &request{ctx: ctx, seqs: seqs, submitted: time.Now(), result: make(chan result, 1)}
	for _, s := range seqs {
		req.tokens += len(s.IDs)
	}
	if err := b.enqueue(req); err != nil {
		return nil, err
	}

	select {
	case res := <-req.result:
		return res.vectors, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *Batcher) enqueue(req *request) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		b.metrics.requests.WithLabelValues(outcomeClosed).Inc()
		return ErrClosed
	}
	// The gauge goes up before the send so the worker's decrement never
	// comes first.
	b.metrics.queueLength.Inc()
	select {
	case b.queue <- req:
		return nil
	default:
		b.metrics.queueLength.Dec()
		b.metrics.requests.WithLabelValues(outcomeOverloaded).Inc()
		return ErrOverloaded
	}
}

// Close stops accepting requests and waits until every queued request has
// its result. When ctx ends first, Close cancels the running batch, fails
// the remaining requests with ErrClosed and returns ctx's error. Close also
// unregisters the metrics. Calling it again waits in the same way.
func (b *Batcher) Close(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()

	var err error
	select {
	case <-b.done:
	case <-ctx.Done():
		b.cancelRun()
		<-b.done
		err = fmt.Errorf("embed: close batcher: queued requests were dropped: %w", ctx.Err())
	}
	b.cancelRun()
	if b.opts.Registerer != nil {
		b.metrics.unregister(b.opts.Registerer)
	}
	return err
}

// run collects and runs batches until Close has closed the queue and every
// queued request has its result.
func (b *Batcher) run() {
	defer close(b.done)
	var next *request
	for {
		first := next
		next = nil
		if first == nil {
			r, ok := <-b.queue
			if !ok {
				return
			}
			first = r
		}
		if b.drop(first) {
			continue
		}
		batch, carry := b.collect(first)
		next = carry
		b.runBatch(batch)
	}
}

// collect adds queued requests to a batch that starts with first until the
// batch is full, MaxWait has passed since first was submitted, or the queue
// is closed. It returns the batch and the request that did not fit, if any.
func (b *Batcher) collect(first *request) (batch []*request, carry *request) {
	batch = []*request{first}
	texts, tokens := len(first.seqs), first.tokens
	timer := time.NewTimer(time.Until(first.submitted.Add(b.opts.MaxWait)))
	defer timer.Stop()

	for texts < b.opts.MaxBatch && tokens < b.opts.MaxTokens {
		var r *request
		var ok bool
		// Take what is already queued before looking at the timer, so a
		// request that waited out MaxWait behind a running batch still
		// starts with the requests queued after it.
		select {
		case r, ok = <-b.queue:
		default:
			select {
			case r, ok = <-b.queue:
			case <-timer.C:
				return batch, nil
			}
		}
		if !ok {
			return batch, nil
		}
		if b.drop(r) {
			continue
		}
		if texts+len(r.seqs) > b.opts.MaxBatch || tokens+r.tokens > b.opts.MaxTokens {
			return batch, r
		}
		batch = append(batch, r)
		texts += len(r.seqs)
		tokens += r.tokens
	}
	return batch, nil
}

// drop sends r its error and reports true when its caller has gone or
// Close has given up on the queue.
func (b *Batcher) drop(r *request) bool {
	var err error
	outcome := outcomeCanceled
	switch {
	case r.ctx.Err() != nil:
		err = r.ctx.Err()
	case b.runCtx.Err() != nil:
		err, outcome = ErrClosed, outcomeClosed
	default:
		return false
	}
	b.metrics.queueLength.Dec()
	b.metrics.requests.WithLabelValues(outcome).Inc()
	r.result <- result{err: err}
	return true
}

// runBatch embeds the requests of batch in one call and sends each its
// result.
func (b *Batcher) runBatch(batch []*request) {
	started := time.Now()
	var seqs []bert.Sequence
	tokens := 0
	live := batch[:0]
	for _, r := range batch {
		// A caller may have gone while the batch was collected.
		if b.drop(r) {
			continue
		}
		b.metrics.queueLength.Dec()
		b.metrics.queueWait.Observe(started.Sub(r.submitted).Seconds())
		seqs = append(seqs, r.seqs...)
		tokens += r.tokens
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}

	vectors, err := b.enc.EmbedSequences(b.runCtx, seqs)
	b.metrics.batchDuration.Observe(time.Since(started).Seconds())
	b.metrics.batchSize.Observe(float64(len(seqs)))
	if err != nil {
		if b.runCtx.Err() != nil {
			err = fmt.Errorf("%w: the running batch was cancelled: %w", ErrClosed, err)
		}
		for _, r := range live {
			b.metrics.requests.WithLabelValues(outcomeError).Inc()
			r.result <- result{err: err}
		}
		return
	}
	b.metrics.tokens.Add(float64(tokens))
	offset := 0
	for _, r := range live {
		n := len(r.seqs)
		b.metrics.requests.WithLabelValues(outcomeOK).Inc()
		r.result <- result{vectors: vectors[offset : offset+n : offset+n]}
		offset += n
	}
}
