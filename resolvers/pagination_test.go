package resolvers

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

const usersPageQuery = `query Page($first: Int, $after: String, $orderBy: SortDirection) {
	c: users(first: $first, after: $after, orderBy: $orderBy) {
		edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

// walk pages through all users with page size n and returns the ids.
func walk(t *testing.T, s *testServer, n int, order string) []string {
	t.Helper()
	var all []string
	var after any
	for range 100 {
		var data struct{ C connectionIDs }
		s.ok(usersPageQuery, map[string]any{"first": n, "after": after, "orderBy": order}, &data)
		all = append(all, data.C.ids()...)
		if (after != nil) != data.C.PageInfo.HasPreviousPage {
			t.Errorf("hasPreviousPage = %v with after %v", data.C.PageInfo.HasPreviousPage, after)
		}
		if len(data.C.Edges) > 0 && *data.C.PageInfo.EndCursor != data.C.Edges[len(data.C.Edges)-1].Cursor {
			t.Errorf("endCursor %q is not the last edge's cursor", *data.C.PageInfo.EndCursor)
		}
		if !data.C.PageInfo.HasNextPage {
			return all
		}
		after = *data.C.PageInfo.EndCursor
	}
	t.Fatal("pagination did not end after 100 pages")
	return nil
}

func TestPaginationTiesOnTime(t *testing.T) {
	s := newSeededServer(t)
	var want []string
	for i := 1; i <= 30; i++ {
		want = append(want, fmt.Sprintf("u%02d", i))
	}
	// u01 to u05 share one signup time, so pages of 2 split the tie twice.
	for _, n := range []int{1, 2, 7} {
		if got := walk(t, s, n, "ASC"); !slices.Equal(got, want) {
			t.Errorf("ASC pages of %d = %v, want %v", n, got, want)
		}
	}
	reversed := slices.Clone(want)
	slices.Reverse(reversed)
	if got := walk(t, s, 2, "DESC"); !slices.Equal(got, reversed) {
		t.Errorf("DESC pages of 2 = %v, want %v", got, reversed)
	}
}

func TestPaginationInsertBetweenPages(t *testing.T) {
	s := newSeededServer(t)
	var first struct{ C connectionIDs }
	s.ok(usersPageQuery, map[string]any{"first": 3}, &first)
	if got := joinIDs(first.C.ids()); got != "u01,u02,u03" {
		t.Fatalf("page 1 = %s, want u01,u02,u03", got)
	}

	// New users at the tied time before and after the cursor's id, and one
	// earlier than every seeded user.
	added := []storage.User{
		{ID: "u00a", Name: "Before cursor", SignupAt: base},
		{ID: "u03a", Name: "After cursor", SignupAt: base},
		{ID: "u99", Name: "Earlier", SignupAt: base.Add(-time.Hour)},
	}
	if err := s.store.PutUsers(context.Background(), added); err != nil {
		t.Fatalf("add users: %v", err)
	}

	var second struct{ C connectionIDs }
	s.ok(usersPageQuery, map[string]any{"first": 3, "after": *first.C.PageInfo.EndCursor}, &second)
	if got := joinIDs(second.C.ids()); got != "u03a,u04,u05" {
		t.Errorf("page 2 after inserts = %s, want u03a,u04,u05 (no repeats, no skips)", got)
	}
}

func TestPaginationNestedConnection(t *testing.T) {
	s := newSeededServer(t)
	query := `query($after: String) { product(id: "p01") { reviews(first: 2, after: $after) {
		edges { node { id } } pageInfo { hasNextPage endCursor } } } }`
	var page1, page2 struct {
		Product struct{ Reviews connectionIDs }
	}
	s.ok(query, nil, &page1)
	s.ok(query, map[string]any{"after": *page1.Product.Reviews.PageInfo.EndCursor}, &page2)
	got := append(page1.Product.Reviews.ids(), page2.Product.Reviews.ids()...)
	if joinIDs(got) != "r01-1,r01-2,r01-3" || page2.Product.Reviews.PageInfo.HasNextPage {
		t.Errorf("reviews over two pages = %v, hasNextPage %v", got, page2.Product.Reviews.PageInfo.HasNextPage)
	}
}
