package resolvers

import (
	"net/http"
	"strings"
	"testing"
)

func TestGETQuery(t *testing.T) {
	s := newSeededServer(t)
	resp := s.get(`query One($id: ID!) { user(id: $id) { name } }`, map[string]any{"id": "u02"})
	if resp.Status != http.StatusOK || len(resp.Errors) != 0 || !strings.Contains(string(resp.Data), `"User 2"`) {
		t.Errorf("GET = %d %s %+v", resp.Status, resp.Data, resp.Errors)
	}
	st := s.lastStats()
	if st.Name != "One" || st.Type != "query" || st.Code != "" || st.Status != http.StatusOK || st.Duration <= 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestGETRejectsMutation(t *testing.T) {
	s := newSeededServer(t)
	resp := s.get(`mutation Drop { deleteUser(id: "u01") }`, nil)
	if resp.Status != http.StatusMethodNotAllowed {
		t.Errorf("status = %d, want 405", resp.Status)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "METHOD_NOT_ALLOWED" {
		t.Fatalf("errors = %+v, want one METHOD_NOT_ALLOWED", resp.Errors)
	}
	if st := s.lastStats(); st.Name != "Drop" || st.Type != "mutation" || st.Code != "METHOD_NOT_ALLOWED" {
		t.Errorf("stats = %+v", st)
	}
	var data struct{ User *struct{ ID string } }
	s.ok(`{ user(id: "u01") { id } }`, nil, &data)
	if data.User == nil {
		t.Error("user u01 was deleted by a GET mutation")
	}
}

func TestPOSTMutationStats(t *testing.T) {
	s := newSeededServer(t)
	var data map[string]any
	s.ok(`mutation Rename { updateUser(id: "u01", input: {name: "X"}) { name } }`, nil, &data)
	if st := s.lastStats(); st.Name != "Rename" || st.Type != "mutation" || st.Code != "" || st.Errors != 0 {
		t.Errorf("stats = %+v", st)
	}
	s.fail(`{ users(first: 1000) { totalCount } }`, nil)
	if st := s.lastStats(); st.Code != "LIMIT_EXCEEDED" || st.Errors != 1 {
		t.Errorf("stats after a rejected query = %+v", st)
	}
}

func TestOtherMethodsAndContentTypes(t *testing.T) {
	s := newTestServer(t)
	req, _ := http.NewRequest(http.MethodPut, s.url, strings.NewReader(`{"query":"{ __typename }"}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	put := decodeResponse(t, res)
	if put.Status != http.StatusMethodNotAllowed || len(put.Errors) != 1 || put.Errors[0].code() != "METHOD_NOT_ALLOWED" {
		t.Errorf("PUT = %d %+v, want 405 METHOD_NOT_ALLOWED", put.Status, put.Errors)
	}
	text := s.postRaw("text/plain", []byte(`{ __typename }`))
	if text.Status != http.StatusUnsupportedMediaType || len(text.Errors) != 1 || text.Errors[0].code() != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("POST text/plain = %d %+v, want 415 GRAPHQL_PARSE_FAILED", text.Status, text.Errors)
	}
}

func TestPOSTMalformedBodyShortError(t *testing.T) {
	s := newTestServer(t)
	body := []byte(`{"query": "{ __typename }", ` + strings.Repeat("x", 100_000))
	resp := s.postRaw("application/json", body)
	if resp.Status != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.Status)
	}
	if len(resp.Errors) != 1 {
		t.Fatalf("got %d errors, want 1: %+v", len(resp.Errors), resp.Errors)
	}
	e := resp.Errors[0]
	if e.code() != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("code = %q, want GRAPHQL_PARSE_FAILED", e.code())
	}
	if len(e.Message) > 500 {
		t.Errorf("message has %d bytes, want at most 500: it quotes the body", len(e.Message))
	}
	if !strings.Contains(e.Message, "send a JSON object with a query string") {
		t.Errorf("message = %q, want the fix", e.Message)
	}
	if !strings.Contains(e.Message, "100028 bytes") {
		t.Errorf("message = %q, want the body size", e.Message)
	}
}

func TestPOSTWrongQueryType(t *testing.T) {
	s := newTestServer(t)
	resp := s.postRaw("application/json", []byte(`{"query": 42}`))
	if resp.Status != http.StatusBadRequest || len(resp.Errors) != 1 || resp.Errors[0].code() != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("query 42 = %d %+v, want 400 GRAPHQL_PARSE_FAILED", resp.Status, resp.Errors)
	}
}
