// Package errcode defines the error codes of the ShopSight GraphQL API and
// the error presenter and recover function that put them on every error.
//
// Every error in a response carries extensions.code, one of:
//
//	BAD_USER_INPUT             an argument or input field is invalid; extensions.field
//	                           names it when known, such as "price" or "region.country".
//	                           Creating a record with an id that exists is also
//	                           BAD_USER_INPUT, on field "id".
//	NOT_FOUND                  a record named by id does not exist (update or delete
//	                           of a missing id).
//	LIMIT_EXCEEDED             the request exceeds a server limit (query depth,
//	                           complexity, aliases, page size); the message names the
//	                           limit and its value, and extensions.limit names the limit.
//	INTERNAL                   the server failed. The client sees "internal error";
//	                           the details are logged with slog.
//	GRAPHQL_PARSE_FAILED       the request body or the GraphQL document could not be parsed.
//	GRAPHQL_VALIDATION_FAILED  the document is invalid against the schema, or a
//	                           variable has the wrong type.
//	METHOD_NOT_ALLOWED         the HTTP method does not allow the operation, such as a
//	                           mutation sent with GET.
//	CONFLICT                   the request conflicts with work in progress, such as
//	                           starting a recommendation training while one runs.
//	UNAUTHENTICATED            the request has no valid API key (missing, malformed,
//	                           unknown or revoked); HTTP status 401.
//	FORBIDDEN                  the API key's role does not allow the operation;
//	                           extensions.requiredRole and extensions.role name both.
//
// The same list is the ErrorCode enum of schema/common.graphqls, which
// schema/recommend.graphqls extends with CONFLICT.
package errcode

import (
	"errors"
	"fmt"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes of extensions.code.
const (
	BadUserInput     = "BAD_USER_INPUT"
	NotFound         = "NOT_FOUND"
	LimitExceeded    = "LIMIT_EXCEEDED"
	Internal         = "INTERNAL"
	ParseFailed      = "GRAPHQL_PARSE_FAILED"
	ValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	MethodNotAllowed = "METHOD_NOT_ALLOWED"
	Unauthenticated  = "UNAUTHENTICATED"
	Forbidden        = "FORBIDDEN"
)

// internalMessage is the only message a client sees for INTERNAL errors.
const internalMessage = "internal error"

// Error is an error with an API code. Resolvers, scalars and extensions
// return it; the presenter turns it into a GraphQL error with
// extensions.code and, when set, extensions.field.
type Error struct {
	Code string
	// Field is the input field at fault, such as "price"; empty when the
	// error is not about one field or the presenter should take it from the
	// error's path.
	Field string
	// Message is the text the client reads. For INTERNAL it is replaced by
	// "internal error".
	Message string
	// Extensions holds more entries for the extensions map, such as the
	// name and value of an exceeded limit.
	Extensions map[string]any
	// Err is the cause, logged for INTERNAL errors.
	Err error
	// logged records that the cause was already logged (by the recover
	// function), so the presenter does not log it twice.
	logged bool
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadInput returns a BAD_USER_INPUT error about field.
func BadInput(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// BadInputWrap returns a BAD_USER_INPUT error about field whose message is
// err's message.
func BadInputWrap(field string, err error) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: err.Error(), Err: err}
}

// NotFoundf returns a NOT_FOUND error with a formatted message.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Limit returns a LIMIT_EXCEEDED error for the named limit, such as
// "depth", with the measured value and the configured maximum in its
// extensions.
func Limit(name string, value, max int, format string, args ...any) *Error {
	return &Error{
		Code:       LimitExceeded,
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"limit": name, "value": value, "max": max},
	}
}

// GQL returns e as a GraphQL error, for handler extensions that must
// return *gqlerror.Error.
func (e *Error) GQL() *gqlerror.Error {
	g := &gqlerror.Error{Message: e.Message, Err: e}
	setExtensions(g, e)
	return g
}

func setExtensions(g *gqlerror.Error, e *Error) {
	if g.Extensions == nil {
		g.Extensions = map[string]any{}
	}
	for k, v := range e.Extensions {
		g.Extensions[k] = v
	}
	g.Extensions["code"] = e.Code
	if e.Field != "" {
		g.Extensions["field"] = e.Field
	}
}

// CodeOf returns the extensions.code of a GraphQL error, or "" when it has
// none.
func CodeOf(err *gqlerror.Error) string {
	if err == nil {
		return ""
	}
	code, _ := err.Extensions["code"].(string)
	return code
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
