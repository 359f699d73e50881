package resolvers

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

// pageRequest turns the Relay arguments of a connection field into a store
// page request. It requests the total count only when the query selects
// totalCount on this connection, because counting may scan the listing.
func (r *Resolver) pageRequest(ctx context.Context, first *int32, after *string, orderBy *model.SortDirection) (storage.PageRequest, error) {
	lim := r.opts.Limits
	req := storage.PageRequest{First: lim.DefaultPageSize}
	if first != nil {
		n := int(*first)
		switch {
		case n < 0:
			return req, errcode.BadInput("first", "invalid first %d: must be between 0 and %d", n, lim.MaxPageSize)
		case n > lim.MaxPageSize:
			// The limits extension rejects this before resolvers run; this
			// check keeps the resolver safe on its own.
			return req, errcode.Limit("pageSize", n, lim.MaxPageSize, "page size %d exceeds the limit of %d", n, lim.MaxPageSize)
		}
		req.First = n
	}
	if after != nil {
		// The store checks the cursor when it lists; listingError maps an
		// invalid one to BAD_USER_INPUT.
		req.After = *after
	}
	req.Desc = orderBy != nil && *orderBy == model.SortDirectionDesc
	req.CountTotal = selectsField(ctx, "totalCount")
	return req, nil
}

// selectsField reports whether the current field's selection includes name.
func selectsField(ctx context.Context, name string) bool {
	if graphql.GetFieldContext(ctx) == nil {
		return false
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// listingError wraps the error of a store listing with what was listed. An
// invalid after cursor is BAD_USER_INPUT on field "after".
func listingError(listing string, err error) error {
	if errors.Is(err, storage.ErrInvalidCursor) {
		return errcode.BadInputWrap("after", err)
	}
	return fmt.Errorf("%s: %w", listing, err)
}

// connectionParts returns the edges and the page info of a store page;
// newEdge builds one typed edge.
func connectionParts[T, E any](p storage.Page[T], req storage.PageRequest, newEdge func(node *T, cursor string) E) ([]E, *model.PageInfo) {
	edges := make([]E, len(p.Items))
	for i := range p.Items {
		edges[i] = newEdge(&p.Items[i], p.Cursors[i])
	}
	info := &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: req.After != ""}
	if n := len(p.Cursors); n > 0 {
		info.StartCursor = &p.Cursors[0]
		info.EndCursor = &p.Cursors[n-1]
	}
	return edges, info
}

// totalCount returns the page's total, or 0 when it was not counted (the
// query did not select totalCount, so the value is never sent).
func totalCount[T any](p storage.Page[T]) int32 {
	return int32(max(p.TotalCount, 0))
}

func userConnection(p storage.Page[storage.User], req storage.PageRequest) *model.UserConnection {
	edges, info := connectionParts(p, req, func(n *storage.User, c string) *model.UserEdge { return &model.UserEdge{Node: n, Cursor: c} })
	return &model.UserConnection{Edges: edges, PageInfo: info, TotalCount: totalCount(p)}
}

func productConnection(p storage.Page[storage.Product], req storage.PageRequest) *model.ProductConnection {
	edges, info := connectionParts(p, req, func(n *storage.Product, c string) *model.ProductEdge {
		return &model.ProductEdge{Node: n, Cursor: c}
	})
	return &model.ProductConnection{Edges: edges, PageInfo: info, TotalCount: totalCount(p)}
}

func sellerConnection(p storage.Page[storage.Seller], req storage.PageRequest) *model.SellerConnection {
	edges, info := connectionParts(p, req, func(n *storage.Seller, c string) *model.SellerEdge {
		return &model.SellerEdge{Node: n, Cursor: c}
	})
	return &model.SellerConnection{Edges: edges, PageInfo: info, TotalCount: totalCount(p)}
}

func orderConnection(p storage.Page[storage.Order], req storage.PageRequest) *model.OrderConnection {
	edges, info := connectionParts(p, req, func(n *storage.Order, c string) *model.OrderEdge { return &model.OrderEdge{Node: n, Cursor: c} })
	return &model.OrderConnection{Edges: edges, PageInfo: info, TotalCount: totalCount(p)}
}

func reviewConnection(p storage.Page[storage.Review], req storage.PageRequest) *model.ReviewConnection {
	edges, info := connectionParts(p, req, func(n *storage.Review, c string) *model.ReviewEdge {
		return &model.ReviewEdge{Node: n, Cursor: c}
	})
	return &model.ReviewConnection{Edges: edges, PageInfo: info, TotalCount: totalCount(p)}
}

func eventConnection(p storage.Page[storage.Event], req storage.PageRequest) *model.EventConnection {
	edges, info := connectionParts(p, req, func(n *storage.Event, c string) *model.EventEdge { return &model.EventEdge{Node: n, Cursor: c} })
	return &model.EventConnection{Edges: edges, PageInfo: info, TotalCount: totalCount(p)}
}
