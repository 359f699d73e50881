package errcode

import "fmt"

// Unauthenticatedf returns an UNAUTHENTICATED error with a formatted
// message.
func Unauthenticatedf(format string, args ...any) *Error {
	return &Error{Code: Unauthenticated, Message: fmt.Sprintf(format, args...)}
}

// Forbid returns a FORBIDDEN error for a caller with role that needs
// required, naming both roles in the message and in extensions.role and
// extensions.requiredRole.
func Forbid(role, required string) *Error {
	return &Error{
		Code:       Forbidden,
		Message:    fmt.Sprintf("this operation requires role %s or higher; the API key has role %s", required, role),
		Extensions: map[string]any{"role": role, "requiredRole": required},
	}
}
