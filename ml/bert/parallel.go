package bert

import (
	"runtime"
	"sync"
)

// parallelFor calls fn(i) for i in [0, n) on up to GOMAXPROCS goroutines.
func parallelFor(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
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
