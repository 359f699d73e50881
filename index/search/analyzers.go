package search

import (
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2/registry"

	"github.com/shopsight/shopsight/index/analysis/zh"
)

// registerAnalyzers loads the Chinese dictionary and registers the zh
// analyzers in Bleve's process-wide registry, unless they are registered.
func registerAnalyzers() error {
	if _, err := registry.NewCache().AnalyzerNamed(zh.AnalyzerName); err == nil {
		return nil
	}
	seg, err := zh.NewSegmenter()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := zh.Register(seg); err != nil && !errors.Is(err, zh.ErrAlreadyRegistered) {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}
