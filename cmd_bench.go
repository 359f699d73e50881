package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/shopsight/shopsight/index/hnsw"
	"github.com/shopsight/shopsight/index/vecbench"
	"github.com/shopsight/shopsight/index/vecio"
)

// benchCommand measures components on given or generated data. Each target
// is listed in benchTargets.
func benchCommand() command {
	return command{
		name:    "bench",
		summary: "measure components: bench vectors",
		run: func(ctx context.Context, a *app, args []string) error {
			return runTarget(ctx, a, "bench", benchTargets(), args)
		},
	}
}

func benchTargets() []target {
	return []target{
		{name: "vectors", summary: "build an HNSW index over .fvecs or generated vectors and measure recall@k and queries/s per ef", run: runBenchVectors},
	}
}

func runBenchVectors(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "bench vectors",
		"bench vectors (--base BASE.fvecs --queries QUERIES.fvecs [--truth TRUTH.ivecs] | --generate N) [--metric cosine|ip] [--m 16] [--ef-construction 200] [--ef 16,32,64,128] [--k 10] [--threads N] [--impl shopsight|coder] [--json]")
	base := fs.String("base", "", "base vectors to index, .fvecs")
	queries := fs.String("queries", "", "query vectors, .fvecs")
	truth := fs.String("truth", "", "exact neighbour ids per query, .ivecs (default: computed by exact search)")
	generate := fs.Int("generate", 0, "instead of files, generate N clustered 384-dimensional vectors and N/10 queries (at least 10)")
	seed := fs.Uint64("seed", 1, "seed of --generate and of the level generation")
	metricName := fs.String("metric", "cosine", "distance: cosine or ip (inner product)")
	m := fs.Int("m", 16, "HNSW M: neighbours per node on upper layers, 2*M on layer 0")
	efConstruction := fs.Int("ef-construction", 200, "candidate list size during the build")
	efList := fs.String("ef", "16,32,64,128", "comma-separated search ef values to measure")
	k := fs.Int("k", 10, "neighbours per query; recall is recall@k")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "goroutines for the build and the exact search")
	impl := fs.String("impl", vecbench.ImplShopSight, "index implementation: shopsight (index/hnsw) or coder (github.com/coder/hnsw)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: bench vectors takes only flags", fs.Arg(0))
	}
	cfg := vecbench.Config{M: *m, EfConstruction: *efConstruction, K: *k, Threads: *threads, Impl: *impl, Seed: *seed}
	var err error
	if cfg.Metric, err = parseBenchMetric(*metricName); err != nil {
		return err
	}
	if cfg.Efs, err = parseInts("--ef", *efList); err != nil {
		return err
	}
	if err := loadBenchVectors(&cfg, *base, *queries, *truth, *generate, *seed); err != nil {
		return err
	}
	rep, err := vecbench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(a.stdout, "impl %s, metric %s, %d vectors of dimension %d, %d queries, k %d, M %d, efConstruction %d\n",
		rep.Impl, rep.Metric, rep.N, rep.Dim, rep.Queries, rep.K, rep.M, rep.EfConstruction)
	fmt.Fprintf(a.stdout, "build: %.2f s on %d threads (%.0f inserts/s), memory %.1f MiB (%.0f bytes/vector)",
		rep.BuildSeconds, rep.BuildThreads, rep.InsertsPerSecond, float64(rep.MemoryBytes)/(1<<20), rep.BytesPerVector)
	if rep.BuildFailures > 0 {
		fmt.Fprintf(a.stdout, ", %d failed inserts", rep.BuildFailures)
	}
	fmt.Fprintln(a.stdout)
	fmt.Fprintf(a.stdout, "%6s  %10s  %12s\n", "ef", "recall@"+strconv.Itoa(rep.K), "queries/s")
	for _, s := range rep.Searches {
		fmt.Fprintf(a.stdout, "%6d  %10.4f  %12.0f", s.Ef, s.Recall, s.QueriesPerSecond)
		if s.Failures > 0 {
			fmt.Fprintf(a.stdout, "  (%d failed)", s.Failures)
		}
		fmt.Fprintln(a.stdout)
	}
	return nil
}

func parseBenchMetric(name string) (hnsw.Metric, error) {
	switch strings.ToLower(name) {
	case "cosine":
		return hnsw.Cosine, nil
	case "ip", "inner_product", "dot":
		return hnsw.InnerProduct, nil
	}
	return 0, fmt.Errorf("invalid --metric %q: use cosine or ip", name)
}

// parseInts parses a comma-separated list of positive integers.
func parseInts(flagName, list string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("invalid %s value %q: use positive integers separated by commas, such as 16,32,64", flagName, part)
		}
		out = append(out, n)
	}
	return out, nil
}

// loadBenchVectors fills cfg's base, queries and truth from files or from
// the clustered generator.
func loadBenchVectors(cfg *vecbench.Config, base, queries, truth string, generate int, seed uint64) error {
	switch {
	case generate < 0:
		return fmt.Errorf("invalid --generate %d: use a positive number of vectors", generate)
	case generate > 0 && (base != "" || queries != "" || truth != ""):
		return errors.New("--generate replaces --base, --queries and --truth: pass either files or --generate")
	case generate > 0:
		nq := max(10, generate/10)
		all := hnsw.GenerateClustered(hnsw.DefaultClustered(generate+nq, seed))
		cfg.Base, cfg.Queries = all[:generate], all[generate:]
		return nil
	case base == "" || queries == "":
		return errors.New("missing --base and --queries: pass .fvecs files, or --generate N for synthetic vectors")
	}
	var err error
	if cfg.Base, err = vecio.ReadFvecsFile(base); err != nil {
		return fmt.Errorf("read --base: %w", err)
	}
	if cfg.Queries, err = vecio.ReadFvecsFile(queries); err != nil {
		return fmt.Errorf("read --queries: %w", err)
	}
	if truth != "" {
		if cfg.Truth, err = vecio.ReadIvecsFile(truth); err != nil {
			return fmt.Errorf("read --truth: %w", err)
		}
	}
	return nil
}
