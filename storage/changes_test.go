package storage

import (
	"context"
	"errors"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func TestChangeLogOrderAndTrim(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1"), sampleProduct("p2")}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1")}); err != nil { // unchanged: no entry
		t.Fatal(err)
	}
	if err := s.DeleteProduct(ctx, "p2"); err != nil {
		t.Fatal(err)
	}
	changes, err := s.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"p1", "p2", "p2"}
	if len(changes) != len(want) {
		t.Fatalf("changes = %+v, want ids %v", changes, want)
	}
	for i, c := range changes {
		if c.ID != want[i] || c.Kind != KindProduct {
			t.Errorf("change %d = %+v, want product %s", i, c, want[i])
		}
	}
	if changes[0].Seq != changes[1].Seq || changes[2].Seq <= changes[1].Seq {
		t.Errorf("sequence numbers %d, %d, %d: want one per transaction, increasing", changes[0].Seq, changes[1].Seq, changes[2].Seq)
	}
	last, _ := s.LastSeq(ctx)
	if last != changes[2].Seq {
		t.Errorf("LastSeq = %d, want %d", last, changes[2].Seq)
	}
	after, _ := s.Changes(ctx, changes[0].Seq, 100)
	if len(after) != 1 || after[0].ID != "p2" {
		t.Errorf("changes after the first transaction = %+v, want the delete of p2", after)
	}
	if err := s.TrimChanges(ctx, changes[0].Seq); err != nil {
		t.Fatal(err)
	}
	rest, _ := s.Changes(ctx, 0, 100)
	if len(rest) != 1 {
		t.Errorf("changes after trimming the first transaction = %+v, want 1", rest)
	}
}

func TestWriteHookSeesOldAndNew(t *testing.T) {
	ctx := context.Background()
	var seen []RecordWrite
	hook := func(_ *badger.Txn, w RecordWrite) error {
		seen = append(seen, w)
		return nil
	}
	s, err := Open(DefaultOptions("").WithInMemory(true).WithLogger(quietLogger()).WithWriteHook(hook))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o := sampleOrder("o1", "u1", t0, "p1")
	if err := s.PutOrders(ctx, []Order{o}); err != nil {
		t.Fatal(err)
	}
	o.Status = OrderCanceled
	if err := s.PutOrders(ctx, []Order{o}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 {
		t.Fatalf("hook calls = %d, want 2", len(seen))
	}
	if seen[0].Old != nil {
		t.Errorf("first write Old = %v, want nil", seen[0].Old)
	}
	old, ok := seen[1].Old.(*Order)
	if !ok || old.Status != OrderDelivered {
		t.Errorf("second write Old = %#v, want the delivered order", seen[1].Old)
	}
	if n, ok := seen[1].New.(*Order); !ok || n.Status != OrderCanceled {
		t.Errorf("second write New = %#v, want the canceled order", seen[1].New)
	}
}

func TestWriteHookErrorAbortsTransaction(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	s, err := Open(DefaultOptions("").WithInMemory(true).WithLogger(quietLogger()).
		WithWriteHook(func(*badger.Txn, RecordWrite) error { return boom }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1")}); !errors.Is(err, boom) {
		t.Fatalf("PutProducts error = %v, want the hook's error", err)
	}
	if _, err := s.Product(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("product after an aborted write: error = %v, want ErrNotFound", err)
	}
}
