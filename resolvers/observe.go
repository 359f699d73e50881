package resolvers

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopsight/shopsight/graph/errcode"
)

// operationRecord collects what OnOperation reports while a request runs.
type operationRecord struct {
	name   string
	typ    string
	code   string
	errors int
}

type recordKey struct{}

// observe wraps h so that hook, when set, gets the OperationStats of every
// request.
func observe(h http.Handler, hook func(context.Context, OperationStats)) http.Handler {
	if hook == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &operationRecord{}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		ctx := context.WithValue(r.Context(), recordKey{}, rec)
		h.ServeHTTP(sw, r.WithContext(ctx))
		hook(r.Context(), OperationStats{
			Name:     rec.name,
			Type:     rec.typ,
			Duration: time.Since(start),
			Code:     rec.code,
			Errors:   rec.errors,
			Status:   sw.status,
		})
	})
}

// recordResponse is a gqlgen response middleware that copies the operation
// and the first error code of each response into the request's record.
func recordResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	rec, _ := ctx.Value(recordKey{}).(*operationRecord)
	if rec == nil || resp == nil {
		return resp
	}
	if graphql.HasOperationContext(ctx) {
		opCtx := graphql.GetOperationContext(ctx)
		rec.name = opCtx.OperationName
		if op := opCtx.Operation; op != nil {
			rec.typ = string(op.Operation)
			if rec.name == "" {
				rec.name = op.Name
			}
		}
	}
	rec.errors += len(resp.Errors)
	if rec.code == "" && len(resp.Errors) > 0 {
		rec.code = errcode.CodeOf(resp.Errors[0])
	}
	return resp
}

// statusWriter records the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
