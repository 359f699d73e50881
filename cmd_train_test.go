package main

import (
	"context"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
)

func TestTrainRecommend(t *testing.T) {
	dir := newDemoDataDir(t)
	for _, model := range []string{"bpr", "als"} {
		a, stdout, stderr := newTestApp()
		err := trainCommand().run(context.Background(), a, []string{"recommend", "--data", dir, "--model", model, "--keep", "1", "--log-level", "warn"})
		if err != nil {
			t.Fatalf("train recommend --model %s: %v", model, err)
		}
		if !strings.Contains(stdout.String(), "version ") || !strings.Contains(stdout.String(), model+" model") {
			t.Errorf("output lacks the version summary:\n%s", stdout.String())
		}
		for _, stage := range []string{"train recommend: load", "train recommend: factors", "train recommend: save 10/10"} {
			if !strings.Contains(stderr.String(), stage) {
				t.Errorf("progress lacks %q:\n%s", stage, stderr.String())
			}
		}
	}

	a, _, _ := newTestApp()
	logger, _ := (&logFlags{format: "text", level: "error"}).newLogger(a.stderr)
	store, err := storage.Open(storage.DefaultOptions(dir).WithReadOnly(true).WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc, err := service.Open(context.Background(), store, service.DefaultOptions().WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := svc.Version(); !ok || v.Model != "als" {
		t.Errorf("serving version %+v, want the last trained als version", v)
	}
}

func TestTrainRecommendErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no data", []string{"recommend"}, "missing --data"},
		{"bad model", []string{"recommend", "--data", newStoreDir(t), "--model", "svd"}, `invalid recommendation model "svd"`},
		{"bad now", []string{"recommend", "--data", newStoreDir(t), "--now", "yesterday"}, "invalid --now"},
		{"empty store", []string{"recommend", "--data", newStoreDir(t)}, "no orders or behaviour events"},
		{"no target", nil, "missing target"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _, _ := newTestApp()
			args := tc.args
			if len(args) > 0 {
				args = append(args, "--log-level", "error")
			}
			err := trainCommand().run(context.Background(), a, args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
