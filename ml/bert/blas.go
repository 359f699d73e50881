//go:build !(openblas && cgo)

package bert

// blasBackend names the BLAS under gorgonia.org/tensor: Gonum's pure-Go
// implementation, which parallelizes large GEMMs over GOMAXPROCS goroutines.
const blasBackend = "gonum"
