package errcode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsight/shopsight/storage"
)

// Presenter returns a gqlgen error presenter that gives every error an
// extensions.code. It maps *Error to its code, *storage.FieldError to
// BAD_USER_INPUT with its field, storage.ErrNotFound to NOT_FOUND, failed
// argument coercion to BAD_USER_INPUT with the input field, request
// errors without a code from the HTTP transport to GRAPHQL_PARSE_FAILED,
// and everything else to INTERNAL: the client reads "internal error" and
// logger gets the details.
func Presenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if err == nil {
			return nil
		}
		g := graphql.DefaultErrorPresenter(ctx, err)
		if CodeOf(g) != "" {
			return g
		}

		var fieldErr *storage.FieldError
		switch e := As(err); {
		case e != nil:
			presentError(ctx, logger, g, e)
		case errors.As(err, &fieldErr):
			g.Message = fieldErr.Error()
			setExtensions(g, &Error{Code: BadUserInput, Field: fieldErr.Field})
		case errors.Is(err, storage.ErrNotFound):
			setExtensions(g, &Error{Code: NotFound})
		case inputField(ctx, g.Path) != "":
			// gqlgen failed to coerce an argument, such as an Int beyond
			// 32 bits inside an input object; its path runs past the field.
			setExtensions(g, &Error{Code: BadUserInput, Field: inputField(ctx, g.Path)})
		case g.Err == nil && len(g.Path) == 0:
			// The HTTP transport reports an unreadable or undecodable body
			// as a bare message without a path.
			setExtensions(g, &Error{Code: ParseFailed})
		default:
			logInternal(ctx, logger, g, err)
			g.Message = internalMessage
			setExtensions(g, &Error{Code: Internal})
		}
		return g
	}
}

func presentError(ctx context.Context, logger *slog.Logger, g *gqlerror.Error, e *Error) {
	if e.Code == Internal {
		if !e.logged {
			var cause error = e
			if e.Err != nil {
				cause = fmt.Errorf("%s: %w", e.Message, e.Err)
			}
			logInternal(ctx, logger, g, cause)
		}
		g.Message = internalMessage
		setExtensions(g, &Error{Code: Internal})
		return
	}
	g.Message = e.Message
	field := e.Field
	if field == "" && e.Code == BadUserInput {
		field = inputField(ctx, g.Path)
	}
	setExtensions(g, &Error{Code: e.Code, Field: field, Extensions: e.Extensions})
}

// inputField returns the input field of an argument error, such as
// "price.min" for the path [products filter price min] of the field
// products. gqlgen extends the field's path by the argument name and the
// input field names when an input value fails to unmarshal.
func inputField(ctx context.Context, path ast.Path) string {
	fieldDepth := 0
	if graphql.GetFieldContext(ctx) != nil {
		fieldDepth = len(graphql.GetPath(ctx))
	}
	if fieldDepth >= len(path) {
		return ""
	}
	var names []string
	for _, el := range path[fieldDepth:] {
		switch v := el.(type) {
		case ast.PathName:
			names = append(names, string(v))
		case ast.PathIndex:
			if len(names) > 0 {
				names[len(names)-1] += fmt.Sprintf("[%d]", int(v))
			}
		}
	}
	// Drop the argument name when the error is inside an input object, so
	// createProduct(input: {price: …}) reports "price".
	if len(names) > 1 {
		names = names[1:]
	}
	return strings.Join(names, ".")
}

func logInternal(ctx context.Context, logger *slog.Logger, g *gqlerror.Error, err error) {
	level := slog.LevelError
	if errors.Is(err, context.Canceled) {
		// The client went away; nothing failed on the server side.
		level = slog.LevelWarn
	}
	logger.Log(ctx, level, "GraphQL request failed", "path", g.Path.String(), "err", err)
}

// Recover returns a gqlgen recover function that logs a panic with its
// stack and returns an INTERNAL error.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		path := ""
		if graphql.GetFieldContext(ctx) != nil {
			path = graphql.GetPath(ctx).String()
		}
		logger.ErrorContext(ctx, "panic in GraphQL resolver", "path", path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return &Error{Code: Internal, Message: internalMessage, Err: fmt.Errorf("panic: %v", v), logged: true}
	}
}
