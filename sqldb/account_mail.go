package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"patchwork"
)

// JobAccountEmail sends one email about the recipient's own account: a
// password reset link, word that the password changed, that sign-in was
// locked after repeated failures, or that two-factor sign-in was set up or
// reset. Such an email names no client.
const JobAccountEmail = "account_email"

// Kinds of account email.
const (
	AccountEmailReset           = "password_reset"
	AccountEmailPasswordChanged = "password_changed"
	AccountEmailLockout         = "lockout"
	// Two-factor sign-in was set up, reset by the owner with a recovery
	// code, or reset by an admin.
	AccountEmailTwoFactorOn         = "two_factor_on"
	AccountEmailTwoFactorReset      = "two_factor_reset"
	AccountEmailTwoFactorAdminReset = "two_factor_admin_reset"
	// Wrong two-factor codes paused sign-in: someone has the password.
	AccountEmailCodeLockout = "code_lockout"
	// AccountEmailSignupExists answers a sign-up request for an address
	// that already has an account: sign in, or reset the password.
	AccountEmailSignupExists = "signup_exists"
	// AccountEmailInvitation invites an agent an import created to choose
	// a password: the link is a password reset's, working for
	// AccountInvitationTTL.
	AccountEmailInvitation = "account_invitation"
	// AccountEmailAccessRequest tells a system admin that access requests
	// wait; it names neither the requester nor anyone else.
	AccountEmailAccessRequest = "access_request"
)

// accountEmailPayload is the payload of an account_email job: ids only.
type accountEmailPayload struct {
	Kind    string `json:"kind"`
	AgentID int64  `json:"agent_id"`
	ResetID int64  `json:"reset_id,omitempty"`
	AlertID int64  `json:"alert_id,omitempty"`
}

// enqueueAccountEmail queues an account email inside tx, so that it is sent
// if and only if the change it tells of commits.
func (tx *Tx) enqueueAccountEmail(ctx context.Context, kind string, agentID, resetID int64) error {
	p, err := json.Marshal(accountEmailPayload{Kind: kind, AgentID: agentID, ResetID: resetID})
	if err != nil {
		return err
	}
	// A reset link is useless after its hour, so it is not retried for
	// the two hours other emails are.
	attempts := 0
	if kind == AccountEmailReset {
		attempts = 4
	}
	_, _, err = tx.enqueueJob(ctx, JobSpec{Kind: JobAccountEmail, Payload: string(p), Priority: PriorityImmediate,
		MaxAttempts: attempts})
	return err
}

// enqueueAlertEmail queues the email that tells admin agentID about
// alert alertID, inside tx.
func (tx *Tx) enqueueAlertEmail(ctx context.Context, agentID, alertID int64) error {
	p, err := json.Marshal(accountEmailPayload{Kind: AccountEmailUnusualAccess, AgentID: agentID, AlertID: alertID})
	if err != nil {
		return err
	}
	_, _, err = tx.enqueueJob(ctx, JobSpec{Kind: JobAccountEmail, Payload: string(p), Priority: PriorityImmediate})
	return err
}

// AccountEmail is what the worker needs to write an account email.
type AccountEmail struct {
	Kind      string
	AgentID   int64
	To        string // the agent's sign-in address
	Name      string
	Active    bool
	ResetURL  string    // filled in by the worker for a reset
	ResetLive bool      // the reset is unused and unexpired
	Nonce     string    // the reset's nonce, from which ResetToken derives the link
	ExpiresAt time.Time // when the reset link stops working
	AlertKind string    // for an unusual-access alert: its kind
	AlertDay  time.Time // and the day it was seen on
	Deadline  time.Time // for an inactivity warning: when the agent will be deactivated
}

// LoadAccountEmail reads what the account email of the job with this
// payload needs, as of now. It checks no caller: only the worker calls it.
func (db *DB) LoadAccountEmail(ctx context.Context, payload string) (*AccountEmail, error) {
	var p accountEmailPayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return nil, fmt.Errorf("sqldb: account email payload: %w: %w", err, patchwork.ErrPermanent)
	}
	e := &AccountEmail{Kind: p.Kind, AgentID: p.AgentID}
	err := db.read.QueryRowContext(ctx, `SELECT email, name, active FROM agents WHERE id = $1`, p.AgentID).
		Scan(&e.To, &e.Name, &e.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqldb: account email: no agent %d: %w", p.AgentID, patchwork.ErrPermanent)
	} else if err != nil {
		return nil, err
	}
	if p.AlertID != 0 {
		var day int64
		if err := db.read.QueryRowContext(ctx, `SELECT kind, COALESCE(pattern_day, 0) FROM admin_alerts WHERE id = $1`, p.AlertID).
			Scan(&e.AlertKind, &day); err != nil {
			return nil, err
		}
		e.AlertDay = fromMicros(day)
	}
	if p.Kind == AccountEmailInactivity {
		var warned sql.NullInt64
		if err := db.read.QueryRowContext(ctx, `SELECT inactivity_warned_at FROM agents WHERE id = $1`, p.AgentID).
			Scan(&warned); err != nil {
			return nil, err
		}
		// Signed in since: the warning no longer holds and is not sent.
		e.Active = e.Active && warned.Valid
		if warned.Valid {
			_, grace := db.inactivityPeriods()
			e.Deadline = fromMicros(warned.Int64).AddDate(0, 0, grace)
		}
	}
	if p.Kind == AccountEmailReset || p.Kind == AccountEmailInvitation {
		var expires int64
		var used sql.NullInt64
		err := db.read.QueryRowContext(ctx, `SELECT nonce, expires_at, used_at FROM password_resets
			WHERE id = $1 AND agent_id = $2`, p.ResetID, p.AgentID).Scan(&e.Nonce, &expires, &used)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		e.ExpiresAt = fromMicros(expires)
		e.ResetLive = err == nil && !used.Valid && e.ExpiresAt.After(db.now()) && e.Active
	}
	return e, nil
}
