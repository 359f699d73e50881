package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	gqlcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsight/shopsight/graph/errcode"
)

// getTransport serves GraphQL over GET with query, operationName, variables
// and extensions as URL parameters. It replaces gqlgen's transport.GET,
// which rejects mutations with an error that has no extensions.code; this
// one answers 405 Method Not Allowed with METHOD_NOT_ALLOWED, as the
// GraphQL-over-HTTP draft asks, so the observer and the presenter see it.
type getTransport struct{}

var _ graphql.Transport = getTransport{}

func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	w.Header().Set("Content-Type", "application/json")

	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeErrors(ctx, w, exec, http.StatusBadRequest,
			errcode.New(errcode.ParseFailed, "invalid URL query: %v; encode the parameters with URL encoding", err).GQL())
		return
	}
	raw := &graphql.RawParams{
		Query:         params.Get("query"),
		OperationName: params.Get("operationName"),
		Headers:       r.Header,
	}
	raw.ReadTime.Start = graphql.Now()
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &raw.Variables}, {"extensions", &raw.Extensions}} {
		text := params.Get(p.name)
		if text == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		if err := dec.Decode(p.dst); err != nil {
			writeErrors(ctx, w, exec, http.StatusBadRequest,
				errcode.New(errcode.ParseFailed, "invalid %s parameter: %v; send a JSON object", p.name, err).GQL())
			return
		}
	}
	raw.ReadTime.End = graphql.Now()

	opCtx, errs := exec.CreateOperationContext(ctx, raw)
	if errs != nil {
		status := http.StatusOK
		if gqlcode.GetErrorKind(errs) == gqlcode.KindProtocol {
			status = http.StatusUnprocessableEntity
		}
		writeErrors(graphql.WithOperationContext(ctx, opCtx), w, exec, status, errs...)
		return
	}
	if op := opCtx.Operation.Operation; op != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		writeErrors(graphql.WithOperationContext(ctx, opCtx), w, exec, http.StatusMethodNotAllowed,
			errcode.New(errcode.MethodNotAllowed, "GET requests only allow queries; send the %s with POST", op).GQL())
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeJSON(w, responses(ctx))
}

// maxBodyEcho is the largest prefix of a malformed request body that an
// error message quotes.
const maxBodyEcho = 200

// postTransport serves GraphQL over POST with a JSON body through gqlgen's
// transport.POST, after checking that the body decodes. transport.POST
// quotes the whole body in its decode error, so a large malformed body
// gets a response as large as the request. This decode error quotes at
// most maxBodyEcho bytes.
type postTransport struct {
	transport.POST
}

var _ graphql.Transport = postTransport{}

func (t postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		writeErrors(r.Context(), w, exec, http.StatusBadRequest,
			errcode.New(errcode.ParseFailed, "read request body: %v; send the body again", err).GQL())
		return
	}
	// Decode as transport.POST does, so that a body passing here also
	// passes there.
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.Header().Set("Content-Type", "application/json")
		writeErrors(r.Context(), w, exec, http.StatusBadRequest,
			errcode.New(errcode.ParseFailed, "invalid JSON request body (%d bytes, starting %q): %v; send a JSON object with a query string",
				len(body), bodyPrefix(body), err).GQL())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	t.POST.Do(w, r, exec)
}

// bodyPrefix returns the first maxBodyEcho bytes of body, cut back to a
// UTF-8 character boundary.
func bodyPrefix(body []byte) []byte {
	if len(body) <= maxBodyEcho {
		return body
	}
	end := maxBodyEcho
	for end > 0 && !utf8.RuneStart(body[end]) {
		end--
	}
	return body[:end]
}

// rejectTransport answers every request that no other transport supports:
// other HTTP methods, and POST bodies in other content types than JSON.
type rejectTransport struct{}

var _ graphql.Transport = rejectTransport{}

func (rejectTransport) Supports(*http.Request) bool { return true }

func (rejectTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost {
		writeErrors(r.Context(), w, exec, http.StatusUnsupportedMediaType,
			errcode.New(errcode.ParseFailed, "unsupported Content-Type %q: send the request as application/json", r.Header.Get("Content-Type")).GQL())
		return
	}
	w.Header().Set("Allow", "GET, POST")
	writeErrors(r.Context(), w, exec, http.StatusMethodNotAllowed,
		errcode.New(errcode.MethodNotAllowed, "HTTP method %s is not allowed: use GET for queries or POST", r.Method).GQL())
}

// writeErrors sends errs through the executor, so the error presenter and
// the response middleware see them, and writes the response with status.
func writeErrors(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, status int, errs ...*gqlerror.Error) {
	resp := exec.DispatchError(ctx, errs)
	w.WriteHeader(status)
	writeJSON(w, resp)
}

func writeJSON(w http.ResponseWriter, resp *graphql.Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		// graphql.Response holds only JSON values, so this cannot happen
		// unless a marshaler is broken; the client still gets valid JSON.
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Write(b)
}
