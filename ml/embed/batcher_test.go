package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/shopsight/shopsight/ml/bert"
)

// fakeEncoder turns each text into its code points and back, records every
// batch, and blocks each batch until gate is closed or ctx ends.
type fakeEncoder struct {
	gate    chan struct{}
	started chan int // receives the number of sequences of each batch

	mu      sync.Mutex
	batches [][]string
}

func newFakeEncoder(blocked bool) *fakeEncoder {
	f := &fakeEncoder{gate: make(chan struct{}), started: make(chan int, 100)}
	if !blocked {
		close(f.gate)
	}
	return f
}

func (f *fakeEncoder) Tokenize(texts []string) []bert.Sequence {
	seqs := make([]bert.Sequence, len(texts))
	for i, text := range texts {
		ids := []int32{101}
		for _, r := range text {
			ids = append(ids, r)
		}
		seqs[i] = bert.Sequence{IDs: append(ids, 102)}
	}
	return seqs
}

func (f *fakeEncoder) EmbedSequences(ctx context.Context, seqs []bert.Sequence) ([][]float32, error) {
	texts := make([]string, len(seqs))
	vectors := make([][]float32, len(seqs))
	for i, s := range seqs {
		texts[i] = decodeFake(s.IDs[1 : len(s.IDs)-1])
		for _, id := range s.IDs {
			vectors[i] = append(vectors[i], float32(id))
		}
	}
	f.mu.Lock()
	f.batches = append(f.batches, texts)
	f.mu.Unlock()
	f.started <- len(seqs)
	select {
	case <-f.gate:
		return vectors, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *fakeEncoder) ModelID() string { return "fake" }
func (f *fakeEncoder) Dimensions() int { return 0 }
func (f *fakeEncoder) MaxLength() int  { return 512 }

func (f *fakeEncoder) recorded() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]string(nil), f.batches...)
}

func decodeFake[T int32 | float32](ids []T) string {
	var sb strings.Builder
	for _, id := range ids {
		sb.WriteRune(rune(id))
	}
	return sb.String()
}

// fakeText returns the text a fakeEncoder vector was made from.
func fakeText(v []float32) string { return decodeFake(v[1 : len(v)-1]) }

func newTestBatcher(t *testing.T, enc sequenceEncoder, opts Options) *Batcher {
	t.Helper()
	b, err := newBatcher(enc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	return b
}

// embedAsync calls b.Embed in a goroutine and returns a channel that
// receives its result.
func embedAsync(ctx context.Context, b *Batcher, texts ...string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		v, err := b.Embed(ctx, texts)
		ch <- result{vectors: v, err: err}
	}()
	return ch
}

func waitStarted(t *testing.T, f *fakeEncoder) int {
	t.Helper()
	select {
	case n := <-f.started:
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no batch started within 5 s")
		return 0
	}
}

func awaitResult(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("Embed did not return within 5 s")
		return result{}
	}
}

func TestBatcherConcurrentCallersGolden(t *testing.T) {
	enc := loadGoldenEncoder(t, "bert-tiny-h32-l2")
	reg := prometheus.NewRegistry()
	b := newTestBatcher(t, enc, DefaultOptions().WithMaxWait(50*time.Millisecond).WithRegisterer(reg))

	const callers = 32
	inputs := make([][]string, callers)
	for i := range inputs {
		inputs[i] = []string{fmt.Sprintf("wireless earbuds number %d", i)}
		if i%3 == 0 {
			inputs[i] = append(inputs[i], strings.Repeat("battery life lasts long ", i%7), "")
		}
	}
	got := make([][][]float32, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { got[i], errs[i] = b.Embed(context.Background(), inputs[i]) })
	}
	wg.Wait()

	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		want, err := enc.Embed(context.Background(), inputs[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(got[i]) != len(want) {
			t.Fatalf("caller %d: got %d vectors for %d texts", i, len(got[i]), len(want))
		}
		for k := range want {
			if d := maxAbsDiff(got[i][k], want[k]); d > 1e-5 {
				t.Errorf("caller %d text %d: batched vector differs from direct Encode by %.2e", i, k, d)
			}
		}
	}

	ok := metricValue(t, b.metrics.requests.WithLabelValues(outcomeOK))
	if ok != callers {
		t.Errorf("requests ok = %v, want %d", ok, callers)
	}
	if n := histogramCount(t, b.metrics.batchSize); n >= callers {
		t.Errorf("%d batches for %d concurrent callers: requests were not batched", n, callers)
	}
	if q := metricValue(t, b.metrics.queueLength); q != 0 {
		t.Errorf("queue length gauge = %v after every request was answered, want 0", q)
	}
	if tokens := metricValue(t, b.metrics.tokens); tokens <= 0 {
		t.Errorf("tokens counter = %v, want > 0", tokens)
	}
}

// metricValue returns the value of a gauge or counter.
func metricValue(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var metric dto.Metric
	if err := c.Write(&metric); err != nil {
		t.Fatal(err)
	}
	if g := metric.GetGauge(); g != nil {
		return g.GetValue()
	}
	return metric.GetCounter().GetValue()
}

func histogramCount(t testing.TB, h prometheus.Histogram) uint64 {
	t.Helper()
	var metric dto.Metric
	if err := h.Write(&metric); err != nil {
		t.Fatal(err)
	}
	return metric.GetHistogram().GetSampleCount()
}

func maxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	worst := 0.0
	for i := range a {
		worst = math.Max(worst, math.Abs(float64(a[i])-float64(b[i])))
	}
	return worst
}

func TestBatcherMaxWait(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		texts    int
		min, max time.Duration
	}{
		{"lone request waits MaxWait", DefaultOptions().WithMaxWait(100 * time.Millisecond), 1, 90 * time.Millisecond, 3 * time.Second},
		{"zero wait runs at once", DefaultOptions().WithMaxWait(0), 1, 0, 2 * time.Second},
		{"full batch skips the wait", DefaultOptions().WithMaxWait(time.Minute).WithMaxBatch(3), 3, 0, 5 * time.Second},
		{"token budget skips the wait", DefaultOptions().WithMaxWait(time.Minute).WithMaxTokens(4), 1, 0, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBatcher(t, newFakeEncoder(false), tt.opts)
			texts := make([]string, tt.texts)
			for i := range texts {
				texts[i] = fmt.Sprintf("t%d", i)
			}
			start := time.Now()
			got, err := b.Embed(context.Background(), texts)
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(texts) {
				t.Fatalf("got %d vectors for %d texts", len(got), len(texts))
			}
			if elapsed < tt.min || elapsed > tt.max {
				t.Errorf("Embed took %v, want between %v and %v", elapsed, tt.min, tt.max)
			}
		})
	}
}

func TestBatcherSplitsAtLimits(t *testing.T) {
	f := newFakeEncoder(true)
	b := newTestBatcher(t, f, DefaultOptions().WithMaxBatch(2).WithMaxWait(time.Minute))

	first := embedAsync(context.Background(), b, "a")
	waitQueued(t, b, 1)
	second := embedAsync(context.Background(), b, "b", "c")
	if n := waitStarted(t, f); n != 1 {
		t.Fatalf("first batch has %d texts, want 1", n)
	}
	third := embedAsync(context.Background(), b, "d", "e")
	close(f.gate)

	for i, ch := range []<-chan result{first, second, third} {
		if r := awaitResult(t, ch); r.err != nil {
			t.Fatalf("request %d: %v", i, r.err)
		}
	}
	// "a" waits for company, "b c" does not fit beside it and is carried
	// over to the next batch, which it fills, and "d e" fills the last one.
	got := f.recorded()
	want := [][]string{{"a"}, {"b", "c"}, {"d", "e"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("batches = %v, want %v", got, want)
	}
}

// waitQueued waits until n requests are in the queue gauge.
func waitQueued(t *testing.T, b *Batcher, n float64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for metricValue(t, b.metrics.queueLength) < n {
		if time.Now().After(deadline) {
			t.Fatalf("queue length did not reach %v within 5 s", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBatcherQueueFull(t *testing.T) {
	f := newFakeEncoder(true)
	b := newTestBatcher(t, f, DefaultOptions().WithMaxBatch(1).WithQueueSize(2))

	running := embedAsync(context.Background(), b, "running")
	waitStarted(t, f)
	queued := []<-chan result{
		embedAsync(context.Background(), b, "q1"),
		embedAsync(context.Background(), b, "q2"),
	}
	waitQueued(t, b, 2)

	start := time.Now()
	_, err := b.Embed(context.Background(), []string{"rejected"})
	if !errors.Is(err, ErrOverloaded) {
		t.Fatalf("Embed on a full queue: err = %v, want ErrOverloaded", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("ErrOverloaded took %v; a full queue should reject at once", elapsed)
	}
	if n := metricValue(t, b.metrics.requests.WithLabelValues(outcomeOverloaded)); n != 1 {
		t.Errorf("overloaded requests = %v, want 1", n)
	}

	close(f.gate)
	for i, ch := range append([]<-chan result{running}, queued...) {
		r := awaitResult(t, ch)
		if r.err != nil {
			t.Fatalf("request %d: %v", i, r.err)
		}
		if len(r.vectors) != 1 {
			t.Fatalf("request %d: %d vectors, want 1", i, len(r.vectors))
		}
	}
}

func TestBatcherCancellation(t *testing.T) {
	f := newFakeEncoder(true)
	b := newTestBatcher(t, f, DefaultOptions().WithMaxWait(0))

	running := embedAsync(context.Background(), b, "running")
	waitStarted(t, f)

	ctx, cancel := context.WithCancel(context.Background())
	cancelled := embedAsync(ctx, b, "cancelled")
	waitQueued(t, b, 1)
	kept := embedAsync(context.Background(), b, "kept")
	waitQueued(t, b, 2)
	cancel()
	if r := awaitResult(t, cancelled); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("cancelled caller: err = %v, want context.Canceled", r.err)
	}

	close(f.gate)
	if r := awaitResult(t, running); r.err != nil {
		t.Fatal(r.err)
	}
	r := awaitResult(t, kept)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := fakeText(r.vectors[0]); got != "kept" {
		t.Errorf("kept caller got the vector of %q", got)
	}

	want := [][]string{{"running"}, {"kept"}}
	if got := f.recorded(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("batches = %v, want %v: the cancelled request must not run", got, want)
	}
	if n := metricValue(t, b.metrics.requests.WithLabelValues(outcomeCanceled)); n != 1 {
		t.Errorf("canceled requests = %v, want 1", n)
	}
	if q := metricValue(t, b.metrics.queueLength); q != 0 {
		t.Errorf("queue length gauge = %v, want 0", q)
	}
}

func TestBatcherCancelledBeforeSubmit(t *testing.T) {
	b := newTestBatcher(t, newFakeEncoder(false), DefaultOptions())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Embed(ctx, []string{"x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestBatcherCloseDrainsQueue(t *testing.T) {
	f := newFakeEncoder(true)
	b := newTestBatcher(t, f, DefaultOptions().WithMaxBatch(1))

	running := embedAsync(context.Background(), b, "running")
	waitStarted(t, f)
	queued := embedAsync(context.Background(), b, "queued")
	waitQueued(t, b, 1)

	closed := make(chan error, 1)
	go func() { closed <- b.Close(context.Background()) }()
	// Close must not return while requests are outstanding.
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v before the queue was drained", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(f.gate)

	for _, ch := range []<-chan result{running, queued} {
		if r := awaitResult(t, ch); r.err != nil {
			t.Fatalf("request accepted before Close failed: %v", r.err)
		}
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5 s")
	}
	if _, err := b.Embed(context.Background(), []string{"late"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Embed after Close: err = %v, want ErrClosed", err)
	}
}

func TestBatcherCloseDeadline(t *testing.T) {
	f := newFakeEncoder(true)
	b := newTestBatcher(t, f, DefaultOptions().WithMaxBatch(1))

	running := embedAsync(context.Background(), b, "running")
	waitStarted(t, f)
	queued := embedAsync(context.Background(), b, "queued")
	waitQueued(t, b, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close with a short deadline: err = %v, want context.DeadlineExceeded", err)
	}
	for name, ch := range map[string]<-chan result{"running": running, "queued": queued} {
		if r := awaitResult(t, ch); !errors.Is(r.err, ErrClosed) {
			t.Errorf("%s request: err = %v, want ErrClosed", name, r.err)
		}
	}
}

func TestBatcherOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"zero max batch", DefaultOptions().WithMaxBatch(0)},
		{"zero max tokens", DefaultOptions().WithMaxTokens(0)},
		{"negative max wait", DefaultOptions().WithMaxWait(-time.Second)},
		{"zero queue size", DefaultOptions().WithQueueSize(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newBatcher(newFakeEncoder(false), tt.opts); err == nil {
				t.Error("newBatcher accepted invalid options")
			}
		})
	}
}

func TestBatcherMetricsRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	b := newTestBatcher(t, newFakeEncoder(false), DefaultOptions().WithRegisterer(reg))
	if _, err := newBatcher(newFakeEncoder(false), DefaultOptions().WithRegisterer(reg)); err == nil {
		t.Error("a second batcher registered the same metrics on one registry")
	}
	if _, err := b.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatal(err)
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	for _, want := range []string{
		"shopsight_embed_batch_size",
		"shopsight_embed_batch_duration_seconds",
		"shopsight_embed_tokens_total",
		"shopsight_embed_queue_wait_seconds",
		"shopsight_embed_queue_length",
		"shopsight_embed_requests_total",
	} {
		if !names[want] {
			t.Errorf("metric %s is not registered", want)
		}
	}

	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := newBatcher(newFakeEncoder(false), DefaultOptions().WithRegisterer(reg))
	if err != nil {
		t.Fatalf("registering after Close: %v", err)
	}
	if err := again.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
