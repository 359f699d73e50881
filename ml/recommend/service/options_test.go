package service

import (
	"strings"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"unknown model", DefaultOptions().WithModel("svd"), `invalid recommendation model "svd"`},
		{"keep zero", DefaultOptions().WithKeep(0), "invalid number of kept versions 0"},
		{"no neighbours", DefaultOptions().WithNeighbors(0), "invalid item-kNN neighbours 0"},
		{"negative shrink", DefaultOptions().WithShrink(-1), "invalid item-kNN shrink -1"},
		{"tiny chunks", DefaultOptions().WithChunkSize(100), "invalid chunk size 100 bytes"},
		{"chunk at value threshold", DefaultOptions().WithChunkSize(1 << 20), "invalid chunk size 1048576 bytes"},
		{"unknown blend", DefaultOptions().WithBlend(map[string]float64{"magic": 1}), `invalid blend component "magic"`},
		{"negative blend", DefaultOptions().WithBlend(map[string]float64{"content": -1}), "invalid blend weight -1 for content"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("validate: error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if err := DefaultOptions().WithModel(ModelBPR).validate(); err != nil {
		t.Errorf("default options with BPR: %v", err)
	}
}
