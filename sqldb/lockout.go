package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"patchwork"
)

// noticeLockout emails the owner of an account whose failed sign-ins have
// just reached the lockout limit, at most once per lockout window however
// many instances and requests race: the conditional upsert of
// lockout_notices lets exactly one transaction a window through. Call it in
// the transaction that recorded the failure. A deactivated agent is not
// emailed.
func (tx *Tx) noticeLockout(ctx context.Context, a *patchwork.Agent, email string) error {
	if !a.Active {
		return nil
	}
	// The attempts counted in the account's window, this failure among
	// them (see reserveSignIn).
	var attempts int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) FROM login_attempts WHERE key = $1 AND window_start > $2`,
		accountKey(email), micros(tx.now.Add(-throttleWindow))).Scan(&attempts); err != nil {
		return err
	}
	if attempts < maxAccountAttempts {
		return nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO lockout_notices (agent_id, notified_at) VALUES ($1, $2)
		ON CONFLICT (agent_id) DO UPDATE SET notified_at = excluded.notified_at
		WHERE lockout_notices.notified_at <= $3 RETURNING agent_id`,
		a.ID, micros(tx.now), micros(tx.now.Add(-throttleWindow))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // already told during this window
	} else if err != nil {
		return err
	}
	if err := tx.enqueueAccountEmail(ctx, AccountEmailLockout, a.ID, 0); err != nil {
		return err
	}
	return tx.auditAs(ctx, a.ID, patchwork.AuditLockout, 0, "")
}

// noticeCodeLockout emails the owner of an account whose wrong second-factor
// codes have just reached the limit: whoever typed them knew the password.
// It shares lockout_notices with noticeLockout, so one window sends one
// lockout email of either kind. Call it in the transaction that recorded
// the failure.
func (tx *Tx) noticeCodeLockout(ctx context.Context, agentID int64) error {
	var attempts int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) FROM login_attempts WHERE key = $1 AND window_start > $2`,
		codeKey(agentID), micros(tx.now.Add(-throttleWindow))).Scan(&attempts); err != nil {
		return err
	}
	if attempts < maxCodeTries {
		return nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO lockout_notices (agent_id, notified_at) VALUES ($1, $2)
		ON CONFLICT (agent_id) DO UPDATE SET notified_at = excluded.notified_at
		WHERE lockout_notices.notified_at <= $3 RETURNING agent_id`,
		agentID, micros(tx.now), micros(tx.now.Add(-throttleWindow))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	if err := tx.enqueueAccountEmail(ctx, AccountEmailCodeLockout, agentID, 0); err != nil {
		return err
	}
	return tx.auditAs(ctx, agentID, patchwork.AuditLockout, 0, "two_factor")
}
