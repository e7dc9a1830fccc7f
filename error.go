// Package patchwork holds Patchwork's domain: the types that describe
// clients, agents, agencies and their teams, the service interfaces the
// storage layer implements, and the access rules as plain functions.
//
// It imports nothing else of this module, so every other package can depend
// on it without cycles.
//
// The service interfaces share one contract about callers, which each
// method's comment refines. Every method acts for the caller in ctx (see
// NewContextWithCaller) and returns EUNAUTHORIZED when there is none or the
// agent is no longer active; only the few methods that run before sign-in
// say that they need no caller. Admin functions also accept the system
// caller (NewSystemContext) and return ENOTFOUND to any agent who is not an
// admin, exactly as for something that does not exist. ENOTFOUND never
// tells "missing" from "not yours to see".
package patchwork

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web package.
const (
	ECONFLICT       = "conflict"
	EINTERNAL       = "internal"
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	EUNAUTHORIZED   = "unauthorized"
	EFORBIDDEN      = "forbidden"
	ETOOMANYREQUEST = "too_many_requests"
)

// Error is a domain error with a machine-readable code and a message that is
// safe to show to the user. Fields holds per-field messages for forms.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("patchwork error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is returned for anything the caller may not see or that does
// not exist; the two are deliberately indistinguishable.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "Not found."}

// ErrUnauthorized is returned by every service called without a caller (no
// signed-in agent and not the system): the web layer sends such a visitor to
// sign in.
var ErrUnauthorized = &Error{Code: EUNAUTHORIZED, Message: "Sign in to continue."}

// ErrPermanent marks a failure that trying again cannot mend, such as a
// mail server refusing a recipient for good (SMTP 5xx): a job failing with
// it is marked failed at once instead of being retried.
var ErrPermanent = errors.New("permanent failure")

// ErrorCode returns the code of err, EINTERNAL for errors that are not an
// *Error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// generic message so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error has occurred."
}

// ErrorFields returns the per-field messages of a validation error, or nil.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Invalid builds a validation error from per-field messages, or returns nil
// when there are none, so callers can write `if err := Invalid(f); err != nil`.
func Invalid(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "There is a problem with what you entered.", Fields: fields}
}
