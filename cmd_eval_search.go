package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/shopsight/shopsight/index/analysis/zh"
	"github.com/shopsight/shopsight/index/search"
	"github.com/shopsight/shopsight/index/searcheval"
	"github.com/shopsight/shopsight/ml/embed"
)

func runEvalSearch(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "eval search",
		"eval search (--products PRODUCTS.csv --judgments JUDGMENTS.csv | --homedepot train.csv) [--mode keyword,semantic,hybrid] [--model DIR] [--encoding utf8|latin1] [--fusion rrf|weighted] [--out FILE] [flags]")
	var lf logFlags
	lf.register(fs)
	productsPath := fs.String("products", "", "products CSV: product_id,title[,description,category] with a header")
	judgmentsPath := fs.String("judgments", "", "judgments CSV: query_id,query,product_id,grade with a header")
	homeDepot := fs.String("homedepot", "", "the Home Depot Product Search Relevance train.csv (latin-1), instead of --products and --judgments")
	modes := fs.String("mode", "keyword", "comma-separated modes to evaluate: keyword, semantic, hybrid (semantic and hybrid need --model)")
	modelDir := fs.String("model", "", "Hugging Face BERT model directory for the semantic and hybrid modes")
	encoding := fs.String("encoding", "utf8", "character encoding of --products and --judgments: utf8 or latin1")
	fusion := fs.String("fusion", "rrf", "hybrid fusion: rrf or weighted")
	out := fs.String("out", "", "write per-query metrics of every mode to this CSV file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: eval search takes only flags", fs.Arg(0))
	}
	products, judgments, err := readSearchEvalData(*productsPath, *judgmentsPath, *homeDepot, *encoding)
	if err != nil {
		return err
	}
	backends, err := searchEvalBackends(ctx, *modes, *modelDir, *fusion)
	if err != nil {
		return err
	}
	seg, err := zh.NewSegmenter()
	if err != nil {
		return err
	}
	if err := zh.Register(seg); err != nil && !errors.Is(err, zh.ErrAlreadyRegistered) {
		return err
	}

	var reports []*searcheval.Report
	fmt.Fprintf(a.stdout, "%d products, %d judgments\n", len(products), len(judgments))
	fmt.Fprintf(a.stdout, "%-9s %8s %9s %11s %8s %9s %9s\n", "mode", "queries", "nDCG@10", "recall@100", "MRR", "index_s", "query_ms")
	for _, b := range backends {
		logger.Info("evaluating search", "mode", b.Mode(), "products", len(products))
		rep, err := searcheval.Evaluate(ctx, b, "", products, judgments, searcheval.DefaultOptions())
		if err != nil {
			return err
		}
		reports = append(reports, rep)
		perQuery := 0.0
		if rep.Queries > 0 {
			perQuery = rep.QueryTime.Seconds() * 1000 / float64(rep.Queries)
		}
		fmt.Fprintf(a.stdout, "%-9s %8d %9.4f %11.4f %8.4f %9.1f %9.2f\n", strings.ToLower(string(rep.Mode)), rep.Queries,
			rep.NDCG, rep.Recall, rep.MRR, rep.IndexTime.Seconds(), perQuery)
	}
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("create --out file: %w", err)
		}
		for _, rep := range reports {
			if err := rep.WriteCSV(f); err != nil {
				f.Close()
				return fmt.Errorf("write %s: %w", *out, err)
			}
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
	}
	return nil
}

func readSearchEvalData(productsPath, judgmentsPath, homeDepot, encoding string) ([]searcheval.Product, []searcheval.Judgment, error) {
	if homeDepot != "" {
		if productsPath != "" || judgmentsPath != "" {
			return nil, nil, errors.New("--homedepot replaces --products and --judgments: pass one or the other")
		}
		f, err := os.Open(homeDepot)
		if err != nil {
			return nil, nil, fmt.Errorf("open --homedepot: %w", err)
		}
		defer f.Close()
		return searcheval.ReadHomeDepot(f)
	}
	if productsPath == "" || judgmentsPath == "" {
		return nil, nil, errors.New("missing --products and --judgments: pass both CSV files, or --homedepot train.csv")
	}
	var enc searcheval.Encoding
	switch strings.ToLower(encoding) {
	case "utf8", "utf-8":
		enc = searcheval.UTF8
	case "latin1", "latin-1", "iso-8859-1":
		enc = searcheval.Latin1
	default:
		return nil, nil, fmt.Errorf("invalid --encoding %q: use utf8 or latin1", encoding)
	}
	pf, err := os.Open(productsPath)
	if err != nil {
		return nil, nil, fmt.Errorf("open --products: %w", err)
	}
	defer pf.Close()
	products, err := searcheval.ReadProducts(pf, enc)
	if err != nil {
		return nil, nil, err
	}
	jf, err := os.Open(judgmentsPath)
	if err != nil {
		return nil, nil, fmt.Errorf("open --judgments: %w", err)
	}
	defer jf.Close()
	judgments, err := searcheval.ReadJudgments(jf, enc)
	return products, judgments, err
}

func searchEvalBackends(ctx context.Context, modes, modelDir, fusionName string) ([]searcheval.Backend, error) {
	var fusion search.Fusion
	switch strings.ToLower(fusionName) {
	case "rrf":
		fusion = search.RRF
	case "weighted":
		fusion = search.Weighted
	default:
		return nil, fmt.Errorf("invalid --fusion %q: use rrf or weighted", fusionName)
	}
	var enc *embed.Encoder
	var out []searcheval.Backend
	for _, m := range strings.Split(modes, ",") {
		switch strings.ToLower(strings.TrimSpace(m)) {
		case "keyword":
			out = append(out, searcheval.KeywordBackend{Options: search.DefaultOptions().Fulltext})
		case "semantic", "hybrid":
			if modelDir == "" {
				return nil, fmt.Errorf("--mode %s needs --model DIR: %w", m, embed.ErrNoTextModel)
			}
			if enc == nil {
				var err error
				if enc, err = embed.Load(ctx, modelDir, embed.DefaultEncoderOptions()); err != nil {
					return nil, err
				}
			}
			mode := searcheval.Semantic
			if strings.EqualFold(strings.TrimSpace(m), "hybrid") {
				mode = searcheval.Hybrid
			}
			out = append(out, search.EvalBackend{EvalMode: mode, Encoder: enc, Fusion: fusion, Options: search.DefaultOptions()})
		default:
			return nil, fmt.Errorf("invalid --mode %q: use keyword, semantic or hybrid, comma-separated", m)
		}
	}
	return out, nil
}
