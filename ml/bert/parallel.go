package bert

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor calls fn(i) for i in [0, n) on up to GOMAXPROCS goroutines.
func parallelFor(n int, fn func(i int)) {
	parallelForWorkers(n, min(runtime.GOMAXPROCS(0), n), func(_, i int) { fn(i) })
}

// parallelForWorkers calls fn(worker, i) for i in [0, n) on workers
// goroutines that take indexes in turn. worker is in [0, workers) and
// identifies the goroutine, so fn can use per-worker buffers.
func parallelForWorkers(n, workers int, fn func(worker, i int)) {
	if workers <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for worker := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(worker, i)
			}
		})
	}
	wg.Wait()
}

// parallelRows splits rows rows of width elements into one contiguous chunk
// per goroutine and calls fn with each chunk's element range [lo, hi).
func parallelRows(rows, width int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), rows)
	if workers <= 1 {
		fn(0, rows*width)
		return
	}
	var wg sync.WaitGroup
	per := (rows + workers - 1) / workers
	for start := 0; start < rows; start += per {
		end := min(start+per, rows)
		wg.Go(func() { fn(start*width, end*width) })
	}
	wg.Wait()
}
