package resolvers

import (
	"context"
	"encoding/base64"
	"strings"
	"unicode/utf8"

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
	if after != nil && *after != "" {
		if err := checkCursor(*after); err != nil {
			return req, err
		}
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

// checkCursor rejects a cursor the store could not have returned, so that a
// bad `after` is BAD_USER_INPUT and not an internal error. The checks are
// those of the store's cursor decoder: unpadded URL-safe base64 of a
// version byte 1, an 8-byte time and a UTF-8 id without NUL.
//
// NOTE: this repeats the cursor format of storage/cursor.go because the
// store returns a plain error for bad cursors; a storage.ErrInvalidCursor
// sentinel would let this check go.
func checkCursor(c string) error {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 9 || b[0] != 1 || !utf8.Valid(b[9:]) || strings.IndexByte(string(b[9:]), 0) >= 0 {
		return errcode.BadInput("after", "invalid cursor %q: pass the cursor of an edge or endCursor from a previous page of the same listing", c)
	}
	return nil
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
