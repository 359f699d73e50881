package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

func newTestApp() (*app, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &app{stdout: &stdout, stderr: &stderr, stdin: strings.NewReader("")}, &stdout, &stderr
}

// newDemoDataDir writes a demo shop at scale 0.1 into a store directory.
func newDemoDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	a, _, _ := newTestApp()
	logger, _ := (&logFlags{format: "text", level: "error"}).newLogger(a.stderr)
	store, err := storage.Open(storeOptions(dir, logger))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.1), store); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEvalRecommendMovieLens(t *testing.T) {
	dir := shareddata.Dir(t, "data/movielens-100k")
	a, stdout, _ := newTestApp()
	err := runTarget(context.Background(), a, "eval", evalTargets(), []string{"recommend",
		"--interactions", filepath.Join(dir, "u.data"), "--format", "movielens",
		"--split", "leave-last-out", "--k", "10", "--models", "itemknn,popularity,hybrid"})
	if err != nil {
		t.Fatalf("eval recommend: %v", err)
	}
	out := stdout.String()
	for _, want := range []string{"protocol: split leave-last-out", "nDCG@10", "users 943 (cold 0)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got, want := tableModels(out), "itemknn,popularity,hybrid"; got != want {
		t.Errorf("table rows %s, want %s:\n%s", got, want, out)
	}
}

func TestEvalRecommendStore(t *testing.T) {
	dir := newDemoDataDir(t)
	a, stdout, _ := newTestApp()
	err := runTarget(context.Background(), a, "eval", evalTargets(), []string{"recommend", "--data", dir, "--split", "time:0.8", "--k", "5"})
	if err != nil {
		t.Fatalf("eval recommend --data: %v", err)
	}
	out := stdout.String()
	for _, want := range []string{"protocol: split time:0.8", "all test users:", "returning users"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	rows := "popularity,popularity_region,trending_7d_region,trending_30d_region,bought_together,copurchase,content,als,hybrid"
	if got, want := tableModels(out), rows+","+rows; got != want {
		t.Errorf("table rows %s, want %s twice:\n%s", got, rows, out)
	}
}

// tableModels returns the model names of the table rows in out, joined by
// commas.
func tableModels(out string) string {
	var models []string
	header := false
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) > 0 && fields[0] == "model":
			header = true
		case header && len(fields) == 8:
			models = append(models, fields[0])
		default:
			header = false
		}
	}
	return strings.Join(models, ",")
}

func TestEvalRecommendFlagErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no input", []string{}, "missing input"},
		{"both inputs", []string{"--interactions", "x.csv", "--data", "d"}, "both --interactions and --data"},
		{"split and test", []string{"--interactions", "x.csv", "--test", "y.csv", "--split", "time:0.5"}, "both --split and --test"},
		{"bad k", []string{"--interactions", "x.csv", "--k", "0"}, "invalid --k 0"},
		{"bad model", []string{"--interactions", "x.csv", "--models", "als,magic"}, `invalid --models entry "magic"`},
		{"bad split", []string{"--interactions", "x.csv", "--split", "time:2"}, "invalid --split"},
		{"models with data", []string{"--data", "d", "--models", "als"}, "apply to --interactions only"},
		{"missing file", []string{"--interactions", filepath.Join(t.TempDir(), "none.csv")}, "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _, _ := newTestApp()
			err := runEvalRecommend(context.Background(), a, tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestEvalUnknownTarget(t *testing.T) {
	a, _, stderr := newTestApp()
	err := evalCommand().run(context.Background(), a, []string{"weather"})
	if err == nil || !strings.Contains(err.Error(), `unknown eval target "weather"`) {
		t.Errorf("error %v, want an unknown target error", err)
	}
	if !strings.Contains(stderr.String(), "recommend") {
		t.Errorf("usage does not list the recommend target:\n%s", stderr.String())
	}
}
