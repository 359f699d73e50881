package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestBenchVectorsGenerate(t *testing.T) {
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut}
	err := runMain(context.Background(), a, []string{"bench", "vectors", "--generate", "2000", "--ef", "16,64", "--threads", "2"})
	if err != nil {
		t.Fatalf("bench vectors: %v\n%s", err, errOut.String())
	}
	text := out.String()
	for _, want := range []string{"2000 vectors of dimension 384", "recall@10", "queries/s"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if lines := strings.Count(text, "\n"); lines != 5 {
		t.Errorf("output has %d lines, want 5 (header, build, table head, 2 ef rows):\n%s", lines, text)
	}
}
