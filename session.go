package patchwork

import (
	"context"
	"time"
)

// Session is one of an agent's live sign-ins, as "Your sessions" lists it.
// It holds what helps the agent recognise it and nothing that would let
// anyone take it over: no token, no full address.
type Session struct {
	// ID tells the sessions apart on the page; it is not the token and
	// cannot be used as one.
	ID         string
	Device     string // "Windows computer", "iPhone", … from the User-Agent at sign-in
	Browser    string // "Firefox", "Chrome", …
	Area       string // the sign-in address, coarsened: 203.0.113.0/24, 2001:db8:1::/48
	SignedInAt time.Time
	LastSeen   time.Time
	Current    bool // the session of the request that lists them
}

// SessionInfo is what is recorded about a new session at sign-in.
type SessionInfo struct {
	AgentID int64
	Device  string
	Browser string
	Area    string
}

// SessionService lists and ends the caller's sessions. current is the token
// of the request's own session. Every method needs a signed-in agent and
// returns EUNAUTHORIZED without one (the system caller included); it only
// ever touches the caller's own sessions, so ENOTFOUND never arises.
type SessionService interface {
	// FindSessions returns the caller's live sessions: the current one
	// first and marked, then the others, most recently seen first. A session idle for longer than idle
	// is not live.
	FindSessions(ctx context.Context, current string, idle time.Duration) ([]*Session, error)

	// EndOtherSessions signs the caller out of every session but current
	// and returns how many it ended. It is audited.
	EndOtherSessions(ctx context.Context, current string) (int, error)
}

// Audit actions about sign-in, sessions and passwords.
const (
	AuditSessionsEnded        = "auth.sessions_ended"
	AuditPasswordChange       = "auth.password_change"
	AuditPasswordResetRequest = "auth.password_reset_request"
	AuditPasswordReset        = "auth.password_reset"
	AuditLockout              = "auth.lockout"
)
