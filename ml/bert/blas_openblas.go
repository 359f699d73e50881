//go:build openblas && cgo

package bert

// #cgo LDFLAGS: -lopenblas
// #include <cblas.h>
import "C"

import (
	"runtime"
	"sync"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/tensor"
)

func init() {
	// Go goroutines provide all the parallelism: OpenBLAS's own threads would
	// compete with the goroutines that run attention for several sequences at
	// once, and they spin while idle.
	C.openblas_set_num_threads(1)
	tensor.Use(openBLAS{})
}

// minParallelFlops is the GEMM size (m·n·k) from which Sgemm splits the rows
// of C over goroutines; the attention GEMMs of one head stay below it.
const minParallelFlops = 1 << 21

// openBLAS routes single-precision GEMM to OpenBLAS's cblas_sgemm, running
// OpenBLAS single-threaded and splitting large products by rows over
// GOMAXPROCS goroutines. Every other routine is Gonum's pure-Go version.
type openBLAS struct {
	gonum.Implementation
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in row-major order. Calls
// with invalid sizes go to Gonum's version, which panics with a description
// as the blas.Float32 contract requires, so they never reach OpenBLAS.
func (o openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || !gemmArgsValid(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		o.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	workers := min(runtime.GOMAXPROCS(0), m/16)
	if workers <= 1 || m*n*k < minParallelFlops {
		cblasSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// Row r0 of op(A) is row r0 of A, or column r0 when A is transposed.
	// Row r0 of C is where that block's output starts.
	var wg sync.WaitGroup
	per := (m + workers - 1) / workers
	for r0 := 0; r0 < m; r0 += per {
		rows := min(per, m-r0)
		aOffset := r0 * lda
		if tA != blas.NoTrans {
			aOffset = r0
		}
		wg.Go(func() {
			cblasSgemm(tA, tB, rows, n, k, alpha, a[aOffset:], lda, b, ldb, beta, c[r0*ldc:], ldc)
		})
	}
	wg.Wait()
}

func cblasSgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, cblasTranspose(tA), cblasTranspose(tB),
		C.blasint(m), C.blasint(n), C.blasint(k), C.float(alpha),
		(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb), C.float(beta),
		(*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

func cblasTranspose(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

// gemmArgsValid reports whether the row-major GEMM arguments stay inside the
// slices, so OpenBLAS never reads or writes out of bounds.
func gemmArgsValid(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) bool {
	rowsA, colsA := m, k
	if tA != blas.NoTrans {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if tB != blas.NoTrans {
		rowsB, colsB = n, k
	}
	return m > 0 && n > 0 && k > 0 &&
		lda >= max(1, colsA) && ldb >= max(1, colsB) && ldc >= max(1, n) &&
		lenA >= lda*(rowsA-1)+colsA && lenB >= ldb*(rowsB-1)+colsB && lenC >= ldc*(m-1)+n
}

// blasBackend names the BLAS under gorgonia.org/tensor.
const blasBackend = "openblas"
