package analytics

import (
	"bytes"
	"context"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
	"github.com/shopsight/shopsight/storage/rollup"
)

// openDemo returns an in-memory store with a small demo data set written
// through the rollup hook when hook is set.
func openDemo(t testing.TB, scale float64, hook bool) *storage.Store {
	t.Helper()
	opts := storage.DefaultOptions("").WithInMemory(true).WithLogger(quiet)
	if hook {
		opts = opts.WithTxnHook(rollup.NewTxnHook)
	}
	st, err := storage.Open(opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := demo.DefaultConfig().WithScale(scale)
	if _, err := demo.Generate(context.Background(), cfg, st); err != nil {
		t.Fatalf("generate demo data: %v", err)
	}
	return st
}

// dumpRollups returns every rollup key and value.
func dumpRollups(t *testing.T, st *storage.Store) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := st.DB().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{0x04}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().KeyCopy(nil))] = v
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dump rollups: %v", err)
	}
	return out
}

func sameDump(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestRollupMatchesScanDemo(t *testing.T) {
	st := openDemo(t, 0.05, true)
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	queries := equivalenceQueries(from, to)
	var sellerID string
	_ = st.EachSeller(context.Background(), func(s *storage.Seller) error { sellerID = s.ID; return nil })
	checkRollupMatchesScan(t, st, queries[:4], []Filter{{}, {SellerID: sellerID}})
	checkRollupMatchesScan(t, st, queries[4:], []Filter{{}})
}

func TestRebuildEqualsHook(t *testing.T) {
	ctx := context.Background()
	hooked := openDemo(t, 0.02, true)
	want := dumpRollups(t, hooked)

	plain := openDemo(t, 0.02, false)
	if ok, err := rollup.Current(ctx, plain); err != nil || ok {
		t.Fatalf("Current before rebuild = %v, %v; want false", ok, err)
	}
	for i := 0; i < 2; i++ {
		if err := rollup.Rebuild(ctx, plain); err != nil {
			t.Fatalf("rebuild %d: %v", i+1, err)
		}
		if got := dumpRollups(t, plain); !sameDump(got, want) {
			t.Errorf("rebuild %d: %d rollup keys differ from the %d written by the hook", i+1, len(got), len(want))
		}
	}
	if ok, err := rollup.Current(ctx, plain); err != nil || !ok {
		t.Errorf("Current after rebuild = %v, %v; want true", ok, err)
	}
}

func TestHookSubtractsOldVersion(t *testing.T) {
	ctx := context.Background()
	st := openDemo(t, 0.02, true)
	before := dumpRollups(t, st)

	var o storage.Order
	_ = st.EachOrder(ctx, storage.OrderFilter{}, func(x *storage.Order) error {
		if len(x.Items) > 0 && o.ID == "" {
			o = *x
		}
		return nil
	})
	changed := o
	changed.ShipTo = storage.Region{Country: "ZZ", State: "ZZ", City: "nowhere"}
	changed.Items = append([]storage.OrderItem(nil), o.Items...)
	changed.Items[0].Quantity += 3
	if err := st.PutOrders(ctx, []storage.Order{changed}); err != nil {
		t.Fatalf("update order: %v", err)
	}
	if sameDump(dumpRollups(t, st), before) {
		t.Fatalf("rollups did not change after an order update")
	}
	if err := st.PutOrders(ctx, []storage.Order{o}); err != nil {
		t.Fatalf("restore order: %v", err)
	}
	if !sameDump(dumpRollups(t, st), before) {
		t.Errorf("rollups differ after restoring the order: old version not subtracted exactly")
	}
}
