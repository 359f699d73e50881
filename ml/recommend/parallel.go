package recommend

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelRows calls fn(worker, row) for every row in [0, n) on workers
// goroutines (GOMAXPROCS when workers <= 0). Rows are handed out in chunks.
// It stops early and returns ctx.Err() when ctx is cancelled.
func parallelRows(ctx context.Context, n, workers int, fn func(worker, row int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	const chunk = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for r := lo; r < min(lo+chunk, n); r++ {
					fn(worker, r)
				}
			}
		}(w)
	}
	wg.Wait()
	return ctx.Err()
}

// numWorkers resolves a worker count option.
func numWorkers(workers int) int {
	if workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return workers
}
