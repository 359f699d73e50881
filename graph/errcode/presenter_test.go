package errcode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsight/shopsight/storage"
)

func TestPresenterCodes(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		code    string
		field   string
		message string
		logged  bool
	}{
		{"coded error", BadInput("price", "invalid price"), BadUserInput, "price", "invalid price", false},
		{"wrapped field error", fmt.Errorf("write: %w", &storage.FieldError{Kind: storage.KindUser, ID: "u1", Field: "email", Reason: "bad"}),
			BadUserInput, "email", `invalid user "u1": field email: bad`, false},
		{"not found", fmt.Errorf("user %q: %w", "u1", storage.ErrNotFound), NotFound, "", `user "u1": not found`, false},
		{"limit", Limit("depth", 14, 12, "query depth 14 exceeds the limit of 12"), LimitExceeded, "", "query depth 14 exceeds the limit of 12", false},
		{"plain error", errors.New("disk on fire"), Internal, "", "internal error", true},
		{"coded internal error", &Error{Code: Internal, Message: "secret detail", Err: errors.New("disk on fire")}, Internal, "", "internal error", true},
		{"transport message", &gqlerror.Error{Message: "json request body could not be decoded"}, ParseFailed, "", "json request body could not be decoded", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			present := Presenter(slog.New(slog.NewTextHandler(&logs, nil)))
			g := present(context.Background(), tt.err)
			if got := CodeOf(g); got != tt.code {
				t.Errorf("code = %q, want %q", got, tt.code)
			}
			if got, _ := g.Extensions["field"].(string); got != tt.field {
				t.Errorf("field = %q, want %q", got, tt.field)
			}
			if g.Message != tt.message {
				t.Errorf("message = %q, want %q", g.Message, tt.message)
			}
			if tt.logged != strings.Contains(logs.String(), "disk on fire") {
				t.Errorf("log = %q, want details logged: %v", logs.String(), tt.logged)
			}
		})
	}
}

func TestRecoverLogsPanic(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	err := Recover(logger)(context.Background(), "boom")
	g := Presenter(logger)(context.Background(), err)
	if CodeOf(g) != Internal || g.Message != "internal error" {
		t.Errorf("presented panic = %q %v, want INTERNAL internal error", g.Message, g.Extensions)
	}
	if n := strings.Count(logs.String(), "boom"); n != 1 {
		t.Errorf("panic logged %d times, want once with its stack: %q", n, logs.String())
	}
	if !strings.Contains(logs.String(), "stack=") {
		t.Error("panic log has no stack")
	}
}
