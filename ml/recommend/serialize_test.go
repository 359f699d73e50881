package recommend

import (
	"context"
	"encoding"
	"reflect"
	"strings"
	"testing"
)

func TestModelsRoundTrip(t *testing.T) {
	ctx := context.Background()
	ds := mustDataset(t, shopLog())
	als, _ := TrainALS(ctx, ds, DefaultALSOptions().WithFactors(4))
	bpr, _ := TrainBPR(ctx, ds, DefaultBPROptions().WithFactors(4).WithEpochs(5))
	knn, _ := TrainItemKNN(ctx, ds, DefaultItemKNNOptions())
	fbt, _ := TrainFBT(ctx, ds, DefaultFBTOptions())
	pop, _ := TrainPopularity(ctx, ds, DefaultPopularityOptions())
	cases := []struct {
		name  string
		model interface {
			Scorer
			encoding.BinaryMarshaler
		}
		empty interface {
			Scorer
			encoding.BinaryUnmarshaler
		}
	}{
		{"als", als, &ALS{}},
		{"bpr", bpr, &BPR{}},
		{"itemknn", knn, &ItemKNN{}},
		{"fbt", fbt, &FBT{}},
		{"popularity", pop, &Popularity{}},
	}
	q := &Query{User: "b0", Region: "RJ", History: []HistoryItem{{Item: "phone", Weight: 5, Event: EventPurchase}}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := c.model.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), modelMagic) {
				t.Errorf("data starts with %q, want %q", data[:4], modelMagic)
			}
			if err := c.empty.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			want, _ := c.model.Candidates(ctx, q, 5)
			got, _ := c.empty.Candidates(ctx, q, 5)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("restored model candidates = %v, want %v", got, want)
			}
		})
	}
}

func TestTextIndexRoundTrip(t *testing.T) {
	texts := map[string]string{"a": "red running shoes", "b": "blue running shoes", "c": "coffee mug"}
	x, err := NewTextIndex(texts, DefaultTextOptions())
	if err != nil {
		t.Fatal(err)
	}
	data, err := x.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var restored TextIndex
	if err := restored.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	want, _ := x.Similar(context.Background(), "a", 2)
	got, _ := restored.Similar(context.Background(), "a", 2)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("restored index neighbours = %v, want %v", got, want)
	}
}

func TestUnmarshalRejectsBadData(t *testing.T) {
	ds := mustDataset(t, shopLog())
	als, _ := TrainALS(context.Background(), ds, DefaultALSOptions().WithFactors(4))
	good, _ := als.MarshalBinary()
	newer := append([]byte(nil), good...)
	newer[5]++ // version
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not a model", []byte("hello world"), "header"},
		{"future version", newer, "format version"},
		{"wrong kind", good, `"als" model`},
		{"truncated", good[:20], "unmarshal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var target encoding.BinaryUnmarshaler = &ALS{}
			if c.name == "wrong kind" {
				target = &BPR{}
			}
			err := target.UnmarshalBinary(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
