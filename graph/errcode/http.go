package errcode

import (
	"encoding/json"
	"net/http"
)

// WriteHTTP responds to a request that fails before GraphQL execution, such as
// one without credentials or over a rate limit, with status and a
// GraphQL-shaped body: {"errors":[{"message":…,"extensions":{"code":…}}]}.
// Headers set on w before the call, such as Retry-After, are kept.
func WriteHTTP(w http.ResponseWriter, status int, e *Error) {
	ext := map[string]any{}
	for k, v := range e.Extensions {
		ext[k] = v
	}
	ext["code"] = e.Code
	if e.Field != "" {
		ext["field"] = e.Field
	}
	body, err := json.Marshal(map[string]any{"errors": []map[string]any{{"message": e.Message, "extensions": ext}}})
	if err != nil {
		// Extensions hold only strings and numbers, so this path is not
		// expected. The code alone still names the failure for the client.
		body = []byte(`{"errors":[{"message":"` + http.StatusText(status) + `","extensions":{"code":"` + e.Code + `"}}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
