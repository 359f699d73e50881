package storage

import (
	"bytes"
	"context"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// checkIndexesConsistent fails when any secondary index entry points at a
// missing record or a record lacks one of its entries.
func checkIndexesConsistent(t *testing.T, s *Store) {
	t.Helper()
	expected := map[string]bool{}
	ctx := context.Background()
	collect := func(keys [][]byte) {
		for _, k := range keys {
			expected[string(k)] = true
		}
	}
	s.EachUser(ctx, UserFilter{}, func(u *User) error { collect(userIndexKeys(u)); return nil })
	s.EachProduct(ctx, ProductFilter{}, func(p *Product) error { collect(productIndexKeys(p)); return nil })
	s.EachSeller(ctx, func(v *Seller) error { collect(sellerIndexKeys(v)); return nil })
	s.EachOrder(ctx, OrderFilter{}, func(o *Order) error { collect(orderIndexKeys(o)); return nil })
	s.EachReview(ctx, ReviewFilter{}, func(r *Review) error { collect(reviewIndexKeys(r)); return nil })
	s.EachEvent(ctx, EventFilter{}, func(e *Event) error { collect(eventIndexKeys(e)); return nil })

	found := map[string]bool{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if k[0] == 0 || bytes.HasPrefix(k, []byte("ps/")) {
				continue
			}
			if it.Item().ValueSize() == 0 {
				found[string(k)] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range found {
		if !expected[k] {
			t.Errorf("stale index entry %q", k)
		}
	}
	for k := range expected {
		if !found[k] {
			t.Errorf("missing index entry %q", k)
		}
	}
}

func orderIDs(p Page[Order]) []string {
	var ids []string
	for _, o := range p.Items {
		ids = append(ids, o.ID)
	}
	return ids
}

func TestOrderIndexesFollowUpdates(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1", "electronics", "phones"), sampleProduct("p2", "home")}); err != nil {
		t.Fatal(err)
	}
	o := sampleOrder("o1", "u1", t0, "p1")
	if err := s.PutOrders(ctx, []Order{o}); err != nil {
		t.Fatal(err)
	}
	checkIndexesConsistent(t, s)

	// Move the order to another user, region and product.
	o.UserID = "u2"
	o.ShipTo = Region{Country: "BR", State: "RJ", City: "rio de janeiro"}
	o.Items = []OrderItem{{ProductID: "p2", SellerID: "s2", Quantity: 2, UnitPrice: 500}}
	if err := s.PutOrders(ctx, []Order{o}); err != nil {
		t.Fatal(err)
	}
	checkIndexesConsistent(t, s)

	cases := []struct {
		name   string
		filter OrderFilter
		want   int
	}{
		{"old user", OrderFilter{UserID: "u1"}, 0},
		{"new user", OrderFilter{UserID: "u2"}, 1},
		{"old state", OrderFilter{Region: Region{Country: "BR", State: "SP"}}, 0},
		{"new city", OrderFilter{Region: Region{Country: "BR", State: "RJ", City: "rio de janeiro"}}, 1},
		{"country", OrderFilter{Region: Region{Country: "BR"}}, 1},
		{"old category", OrderFilter{Category: []string{"electronics"}}, 0},
		{"new category", OrderFilter{Category: []string{"home"}}, 1},
		{"new seller", OrderFilter{SellerID: "s2"}, 1},
		{"user and wrong region", OrderFilter{UserID: "u2", Region: Region{Country: "CN"}}, 0},
		{"status", OrderFilter{Status: OrderCanceled}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.ListOrders(ctx, tc.filter, PageRequest{First: 10, CountTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != tc.want || p.TotalCount != tc.want {
				t.Errorf("got %d orders (total %d), want %d", len(p.Items), p.TotalCount, tc.want)
			}
		})
	}
}

func TestProductCategoryChangeReindexesOrders(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	// The order arrives before its product, as when files are imported out
	// of order.
	if err := s.PutOrders(ctx, []Order{sampleOrder("o1", "u1", t0, "p1")}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1", "toys", "puzzles")}); err != nil {
		t.Fatal(err)
	}
	p, err := s.ListOrders(ctx, OrderFilter{Category: []string{"toys"}}, PageRequest{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := orderIDs(p); len(got) != 1 {
		t.Fatalf("orders in toys = %v after the product arrived, want [o1]", got)
	}
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1", "games")}); err != nil {
		t.Fatal(err)
	}
	checkIndexesConsistent(t, s)
	for _, tc := range []struct {
		cat  []string
		want int
	}{{[]string{"toys"}, 0}, {[]string{"toys", "puzzles"}, 0}, {[]string{"games"}, 1}} {
		p, err := s.ListOrders(ctx, OrderFilter{Category: tc.cat}, PageRequest{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != tc.want {
			t.Errorf("orders in %v = %d, want %d", tc.cat, len(p.Items), tc.want)
		}
	}
	o, _ := s.Order(ctx, "o1")
	if len(o.Items[0].Category) != 1 || o.Items[0].Category[0] != "games" {
		t.Errorf("order item category = %v, want [games]", o.Items[0].Category)
	}
}

func TestCategorySubtreeNotSiblingPrefix(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	err := s.PutProducts(ctx, []Product{sampleProduct("p1", "home"), sampleProduct("p2", "home garden"), sampleProduct("p3", "home", "kitchen")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.ListProducts(ctx, ProductFilter{Category: []string{"home"}}, PageRequest{First: 10, CountTotal: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalCount != 2 {
		t.Errorf("products under [home] = %d, want 2 (p1 and p3, not p2 in \"home garden\")", p.TotalCount)
	}
}

func TestReviewRatingStats(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	reviews := []Review{
		{ID: "r1", ProductID: "p1", UserID: "u1", Rating: 5, CreatedAt: t0},
		{ID: "r2", ProductID: "p1", UserID: "u2", Rating: 2, CreatedAt: t0},
	}
	if err := s.PutReviews(ctx, reviews); err != nil {
		t.Fatal(err)
	}
	reviews[1].Rating = 4 // an update replaces the old rating
	if err := s.PutReviews(ctx, reviews[1:]); err != nil {
		t.Fatal(err)
	}
	st, err := s.RatingStats(ctx, []string{"p1", "p9"})
	if err != nil {
		t.Fatal(err)
	}
	if st[0] != (RatingStats{Sum: 9, Count: 2}) || st[1] != (RatingStats{}) {
		t.Errorf("RatingStats = %+v, want [{9 2} {0 0}]", st)
	}
	if err := s.DeleteReview(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	st, _ = s.RatingStats(ctx, []string{"p1"})
	if st[0] != (RatingStats{Sum: 4, Count: 1}) {
		t.Errorf("RatingStats after delete = %+v, want {4 1}", st[0])
	}
	checkIndexesConsistent(t, s)
}

func TestPaginationTiesAndInserts(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	// Five orders share one purchase time, so only the id orders them.
	var orders []Order
	for _, id := range []string{"o3", "o1", "o5", "o2", "o4"} {
		orders = append(orders, sampleOrder(id, "u1", t0))
	}
	if err := s.PutOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	first, err := s.ListOrders(ctx, OrderFilter{}, PageRequest{First: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := orderIDs(first); len(got) != 2 || got[0] != "o1" || got[1] != "o2" || !first.HasNext {
		t.Fatalf("first page = %v (hasNext %v), want [o1 o2] with more", got, first.HasNext)
	}
	// New rows before and after the cursor arrive between pages.
	if err := s.PutOrders(ctx, []Order{sampleOrder("o0", "u1", t0), sampleOrder("o2a", "u1", t0)}); err != nil {
		t.Fatal(err)
	}
	var rest []string
	after := first.Cursors[1]
	for {
		p, err := s.ListOrders(ctx, OrderFilter{}, PageRequest{First: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, orderIDs(p)...)
		if !p.HasNext {
			break
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
	want := []string{"o2a", "o3", "o4", "o5"}
	if len(rest) != len(want) {
		t.Fatalf("remaining pages = %v, want %v", rest, want)
	}
	for i := range want {
		if rest[i] != want[i] {
			t.Errorf("remaining pages = %v, want %v", rest, want)
			break
		}
	}
}

func TestPaginationDescendingAndTimeRange(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	var orders []Order
	for i := range 10 {
		orders = append(orders, sampleOrder(string(rune('a'+i)), "u1", t0.Add(time.Duration(i)*time.Hour)))
	}
	if err := s.PutOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	tr := TimeRange{From: t0.Add(2 * time.Hour), To: t0.Add(7 * time.Hour)}
	asc, err := s.ListOrders(ctx, OrderFilter{Purchased: tr}, PageRequest{First: 100, CountTotal: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := orderIDs(asc); len(got) != 5 || got[0] != "c" || got[4] != "g" || asc.TotalCount != 5 {
		t.Errorf("ascending range = %v (total %d), want c..g (5)", got, asc.TotalCount)
	}
	desc, err := s.ListOrders(ctx, OrderFilter{Purchased: tr}, PageRequest{First: 2, Desc: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := orderIDs(desc); len(got) != 2 || got[0] != "g" || got[1] != "f" {
		t.Fatalf("descending first page = %v, want [g f]", got)
	}
	next, err := s.ListOrders(ctx, OrderFilter{Purchased: tr}, PageRequest{First: 10, Desc: true, After: desc.Cursors[1]})
	if err != nil {
		t.Fatal(err)
	}
	if got := orderIDs(next); len(got) != 3 || got[0] != "e" || got[2] != "c" {
		t.Errorf("descending second page = %v, want [e d c]", got)
	}
	byUser, err := s.ListOrders(ctx, OrderFilter{UserID: "u1", Purchased: tr}, PageRequest{First: 100, Desc: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(byUser.Items) != 5 {
		t.Errorf("user orders in range = %d, want 5", len(byUser.Items))
	}
}

func TestListBadInput(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	cases := []struct {
		name string
		err  func() error
	}{
		{"bad cursor", func() error {
			_, err := s.ListOrders(ctx, OrderFilter{}, PageRequest{First: 1, After: "!!"})
			return err
		}},
		{"page too large", func() error {
			_, err := s.ListOrders(ctx, OrderFilter{}, PageRequest{First: MaxPageSize + 1})
			return err
		}},
		{"reversed range", func() error {
			_, err := s.ListOrders(ctx, OrderFilter{Purchased: TimeRange{From: t0, To: t0.Add(-time.Hour)}}, PageRequest{First: 1})
			return err
		}},
		{"city without state", func() error {
			_, err := s.ListOrders(ctx, OrderFilter{Region: Region{Country: "BR", City: "x"}}, PageRequest{First: 1})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.err(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestLargeBatchSplitsTransactions(t *testing.T) {
	ctx := context.Background()
	// An 8 MiB memtable cannot hold 5,000 orders in one transaction, so the
	// writer must split the batch instead of failing with ErrTxnTooBig.
	s, err := Open(DefaultOptions("").WithInMemory(true).WithLogger(quietLogger()).WithBatchSize(5000).WithMemTableSize(8 << 20))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var orders []Order
	for i := range 5000 {
		orders = append(orders, sampleOrder(fmtID("o", i), "u1", t0.Add(time.Duration(i)*time.Minute), "p1", "p2"))
	}
	if err := s.PutOrders(ctx, orders); err != nil {
		t.Fatalf("PutOrders: %v", err)
	}
	counts, _ := s.Counts(ctx)
	if counts[KindOrder] != 5000 {
		t.Errorf("order count = %d, want 5000", counts[KindOrder])
	}
	if n := s.writes.Load(); n < 2 {
		t.Errorf("committed transactions = %d, want the batch split into several", n)
	}
}

func fmtID(prefix string, i int) string {
	return prefix + string(rune('a'+i/1000%26)) + string(rune('a'+i/100%10)) + string(rune('a'+i/10%10)) + string(rune('a'+i%10))
}
