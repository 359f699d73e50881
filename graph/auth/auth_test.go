package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/storage"
)

func newKeys(t testing.TB) *Keys {
	t.Helper()
	s, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return NewKeys(s)
}

func TestKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	keys := newKeys(t)
	plain, key, err := keys.Create(ctx, "dashboard", RoleAnalyst)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if !strings.HasPrefix(plain, "ss_"+key.ID+"_") || len(plain) != tokenLen {
		t.Errorf("plaintext %q does not have the form ss_<id>_<secret> with id %s", plain, key.ID)
	}
	got, err := keys.Authenticate(ctx, plain)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got.ID != key.ID || got.Role != RoleAnalyst || got.Name != "dashboard" {
		t.Errorf("Authenticate = %+v, want %+v", got, key)
	}

	list, err := keys.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != key.ID || list[0].Revoked {
		t.Fatalf("List = %+v, %v; want the one active key", list, err)
	}

	if err := keys.Revoke(ctx, key.ID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if _, err := keys.Authenticate(ctx, plain); !errors.Is(err, ErrRevoked) {
		t.Errorf("Authenticate after Revoke: error = %v, want ErrRevoked", err)
	}
	if err := keys.Revoke(ctx, key.ID); err != nil {
		t.Errorf("second Revoke: %v, want nil", err)
	}
	list, _ = keys.List(ctx)
	if len(list) != 1 || !list[0].Revoked || list[0].RevokedAt.IsZero() {
		t.Errorf("List after Revoke = %+v, want the key revoked with a time", list)
	}
	if ok, err := keys.HasActive(ctx); ok || err != nil {
		t.Errorf("HasActive after Revoke = %v, %v; want false", ok, err)
	}
}

func TestAuthenticateRejects(t *testing.T) {
	ctx := context.Background()
	keys := newKeys(t)
	plain, _, err := keys.Create(ctx, "ci", RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	otherSecret := plain[:len(plain)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", plain[len(plain)-1])+1)%16])
	unknownID := "ss_0000000000000000" + plain[len("ss_")+16:]
	cases := []struct {
		name, token string
		want        error
	}{
		{"empty", "", ErrMalformedKey},
		{"no prefix", plain[3:], ErrMalformedKey},
		{"upper case hex", strings.ToUpper(plain), ErrMalformedKey},
		{"one character short", plain[:len(plain)-1], ErrMalformedKey},
		{"trailing space", plain + " ", ErrMalformedKey},
		{"wrong secret", otherSecret, ErrInvalidKey},
		{"unknown id", unknownID, ErrInvalidKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := keys.Authenticate(ctx, tc.token)
			if !errors.Is(err, tc.want) {
				t.Errorf("Authenticate(%q) error = %v, want %v", tc.token, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), plain[len(plain)-64:]) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

func TestCreateValidates(t *testing.T) {
	keys := newKeys(t)
	cases := []struct {
		name    string
		keyName string
		role    Role
	}{
		{"empty name", " ", RoleViewer},
		{"control character", "a\tb", RoleViewer},
		{"long name", strings.Repeat("n", maxNameLen+1), RoleViewer},
		{"no role", "x", 0},
		{"unknown role", "x", RoleAdmin + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := keys.Create(context.Background(), tc.keyName, tc.role); err == nil {
				t.Errorf("Create(%q, %d) error = nil, want one", tc.keyName, tc.role)
			}
		})
	}
	if err := keys.Revoke(context.Background(), "0123456789abcdef"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Revoke of an unknown id: error = %v, want ErrKeyNotFound", err)
	}
	if err := keys.Revoke(context.Background(), "not-an-id"); err == nil || !strings.Contains(err.Error(), "invalid API key id") {
		t.Errorf("Revoke of a malformed id: error = %v, want invalid API key id", err)
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range []Role{RoleViewer, RoleAnalyst, RoleAdmin} {
		got, err := ParseRole(strings.ToUpper(r.String()))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", strings.ToUpper(r.String()), got, err)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole(root) error = nil, want one")
	}
}

func TestRequire(t *testing.T) {
	cases := []struct {
		name     string
		ctx      context.Context
		required Role
		wantCode string
	}{
		{"no role in context", context.Background(), RoleViewer, errcode.Unauthenticated},
		{"viewer needs analyst", WithRole(context.Background(), RoleViewer), RoleAnalyst, errcode.Forbidden},
		{"analyst needs admin", WithRole(context.Background(), RoleAnalyst), RoleAdmin, errcode.Forbidden},
		{"analyst reads as viewer", WithRole(context.Background(), RoleAnalyst), RoleViewer, ""},
		{"admin does everything", WithRole(context.Background(), RoleAdmin), RoleAdmin, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Require(tc.ctx, tc.required)
			code := ""
			if e := errcode.As(err); e != nil {
				code = e.Code
			}
			if code != tc.wantCode || (err != nil && code == "") {
				t.Errorf("Require = %v (code %q), want code %q", err, code, tc.wantCode)
			}
		})
	}
	err := errcode.As(Require(WithRole(context.Background(), RoleViewer), RoleAdmin))
	if err.Extensions["role"] != "viewer" || err.Extensions["requiredRole"] != "admin" {
		t.Errorf("FORBIDDEN extensions = %v, want role viewer and requiredRole admin", err.Extensions)
	}
}

type response struct {
	status    int
	challenge string
	code      string
	message   string
	body      string
}

func serve(t *testing.T, h http.Handler, authorization ...string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("{}"))
	for _, a := range authorization {
		req.Header.Add("Authorization", a)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := response{status: rec.Code, challenge: rec.Header().Get("WWW-Authenticate"), body: rec.Body.String()}
	var body struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &body) == nil && len(body.Errors) > 0 {
		res.code, _ = body.Errors[0].Extensions["code"].(string)
		res.message = body.Errors[0].Message
	}
	return res
}

// roleEcho writes the caller's role and key id.
var roleEcho = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	role, _ := RoleFrom(r.Context())
	key, _ := KeyFrom(r.Context())
	io.WriteString(w, role.String()+" "+key.ID+" "+ClientID(r))
})

func TestHandler(t *testing.T) {
	ctx := context.Background()
	keys := newKeys(t)
	viewer, viewerKey, _ := keys.Create(ctx, "viewer", RoleViewer)
	revoked, revokedKey, _ := keys.Create(ctx, "old", RoleAdmin)
	if err := keys.Revoke(ctx, revokedKey.ID); err != nil {
		t.Fatal(err)
	}
	h := Handler(keys, slog.New(slog.DiscardHandler), roleEcho)

	rejected := []struct {
		name          string
		authorization []string
		wantMessage   string
	}{
		{"missing header", nil, "missing API key"},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, "Bearer scheme"},
		{"bearer without token", []string{"Bearer "}, "missing API key"},
		{"malformed key", []string{"Bearer not-a-key"}, "malformed API key"},
		{"revoked key", []string{"Bearer " + revoked}, "revoked"},
		{"two headers", []string{"Bearer " + viewer, "Bearer " + viewer}, "more than one"},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			res := serve(t, h, tc.authorization...)
			if res.status != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", res.status)
			}
			if res.code != errcode.Unauthenticated {
				t.Errorf("extensions.code = %q, want UNAUTHENTICATED; body %s", res.code, res.body)
			}
			if !strings.HasPrefix(res.challenge, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", res.challenge)
			}
			if !strings.Contains(res.message, tc.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", res.message, tc.wantMessage)
			}
		})
	}

	res := serve(t, h, "bearer "+viewer)
	if want := "viewer " + viewerKey.ID + " key:" + viewerKey.ID; res.status != http.StatusOK || res.body != want {
		t.Errorf("valid key: %d %q, want 200 %q", res.status, res.body, want)
	}
}

func TestOpenAndRequireRole(t *testing.T) {
	res := serve(t, Open(roleEcho))
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "admin  ip:") {
		t.Errorf("Open: %d %q, want 200 with role admin, no key and an ip client", res.status, res.body)
	}
	res = serve(t, Open(RequireRole(RoleAdmin, roleEcho)))
	if res.status != http.StatusOK {
		t.Errorf("RequireRole(admin) in open mode: status %d, want 200", res.status)
	}

	keys := newKeys(t)
	viewer, _, _ := keys.Create(context.Background(), "viewer", RoleViewer)
	guarded := Handler(keys, slog.New(slog.DiscardHandler), RequireRole(RoleAdmin, roleEcho))
	res = serve(t, guarded, "Bearer "+viewer)
	if res.status != http.StatusForbidden || res.code != errcode.Forbidden {
		t.Errorf("viewer on an admin route: %d %q, want 403 FORBIDDEN", res.status, res.code)
	}
	res = serve(t, RequireRole(RoleViewer, roleEcho))
	if res.status != http.StatusUnauthorized || res.code != errcode.Unauthenticated {
		t.Errorf("RequireRole without the middleware: %d %q, want 401 UNAUTHENTICATED", res.status, res.code)
	}
}
