package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"patchwork"
	"patchwork/password"
)

// Password reset limits. Requests are counted in the database so that the
// limits hold across instances and restarts.
const (
	// ResetTTL is how long an emailed reset link works.
	ResetTTL = time.Hour
	// resetWindow is the period the limits below count over.
	resetWindow = time.Hour
	// maxResetsPerAddress bounds the emails one address can be sent: a
	// stranger must not be able to flood someone's inbox.
	maxResetsPerAddress = 3
	// maxResetsPerIP bounds the requests from one address on the network,
	// whatever the email addresses typed.
	maxResetsPerIP = 20
)

// PasswordService implements patchwork.PasswordService.
type PasswordService struct {
	db     *DB
	secret []byte
}

// NewPasswordService returns a PasswordService on db whose reset tokens are
// derived with secret: the secret the worker writes reset emails with.
func NewPasswordService(db *DB, secret []byte) *PasswordService {
	return &PasswordService{db: db, secret: secret}
}

func resetAddressKey(email string) string { return "address:" + email }
func resetIPKey(ip string) string         { return "ip:" + ip }

// RequestPasswordReset emails a reset link; see patchwork.PasswordService.
// Known and unknown addresses take the same path, one transaction that
// counts the request, so that neither the answer nor its timing tells
// them apart.
func (s *PasswordService) RequestPasswordReset(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !patchwork.ValidEmail(email) {
		return nil // nobody's address; the same answer
	}
	ip := patchwork.RequestMetaFromContext(ctx).IP
	var agentID int64
	err := s.db.read.QueryRowContext(ctx, `SELECT id FROM agents WHERE email = $1 AND active = 1`, email).Scan(&agentID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	limited := false
	err = s.db.inTx(ctx, func(tx *Tx) error {
		// Resets are rare, so one lock for all of them costs nothing.
		byAddress, ipLimited, err := tx.countRequest(ctx, requestWindow{Table: "password_reset_requests", Lock: advisoryPasswordReset,
			Window: resetWindow, PerIP: maxResetsPerIP}, resetAddressKey(email), resetIPKey(ip), ip)
		if err != nil || ipLimited {
			limited = ipLimited
			return err
		}
		if agentID == 0 || byAddress >= maxResetsPerAddress {
			// Audited like a request that sends an email, with no detail:
			// the typed address may be nobody's, or mistyped.
			return tx.auditAs(ctx, agentID, patchwork.AuditPasswordResetRequest, 0, "")
		}
		var resetID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO password_resets (agent_id, nonce, token_hash, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, agentID, nonce, tokenHash(ResetToken(s.secret, nonce)),
			micros(tx.now), micros(tx.now.Add(ResetTTL))).Scan(&resetID); err != nil {
			return fmt.Errorf("sqldb: insert password reset: %w", err)
		}
		if err := tx.enqueueAccountEmail(ctx, AccountEmailReset, agentID, resetID); err != nil {
			return err
		}
		return tx.auditAs(ctx, agentID, patchwork.AuditPasswordResetRequest, 0, "")
	})
	if err != nil {
		return err
	}
	if limited {
		return patchwork.Errorf(patchwork.ETOOMANYREQUEST,
			"Too many password reset requests have come from your network. Wait an hour and try again.")
	}
	return nil
}

// liveReset returns the agent a live reset token is for, or ENOTFOUND.
func (s *PasswordService) liveReset(ctx context.Context, q querier, token string) (agentID int64, email string, err error) {
	err = q.QueryRowContext(ctx, `SELECT a.id, a.email FROM password_resets r JOIN agents a ON a.id = r.agent_id
		WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND a.active = 1`,
		tokenHash(token), micros(s.db.now())).Scan(&agentID, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", patchwork.ErrNotFound
	}
	return agentID, email, err
}

// CheckPasswordReset reports whether token is live; see
// patchwork.PasswordService.
func (s *PasswordService) CheckPasswordReset(ctx context.Context, token string) error {
	if token == "" {
		return patchwork.ErrNotFound
	}
	_, _, err := s.liveReset(ctx, s.db.read, token)
	return err
}

// ResetPassword sets a new password with a reset token; see
// patchwork.PasswordService.
func (s *PasswordService) ResetPassword(ctx context.Context, token, newPassword string) error {
	if token == "" {
		return patchwork.ErrNotFound
	}
	agentID, email, err := s.liveReset(ctx, s.db.read, token)
	if err != nil {
		return err
	}
	if err := password.Check(newPassword, email); err != nil {
		return patchwork.Invalid(map[string]string{"password": password.Message(err)})
	}
	// Hashing takes some 40 ms: done before the transaction, not while
	// holding the write lock.
	hash, err := password.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		// Using the token up is the first write: of two requests racing
		// with one token, only one gets past it.
		res, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1
			WHERE token_hash = $2 AND agent_id = $3 AND used_at IS NULL AND expires_at > $1`,
			micros(tx.now), tokenHash(token), agentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		if err := tx.setPassword(ctx, agentID, hash, ""); err != nil {
			return err
		}
		// The other links sent to this agent die with this one.
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE agent_id = $2 AND used_at IS NULL`,
			micros(tx.now), agentID); err != nil {
			return err
		}
		// Whoever was guessing the old password is no longer in the way
		// of the owner signing in.
		if err := tx.clearAccountAttempts(ctx, email); err != nil {
			return err
		}
		return tx.auditAs(ctx, agentID, patchwork.AuditPasswordReset, 0, "")
	})
}

// PurgePasswordResets deletes reset links that expired more than a day ago
// (kept that long so a support question about a link can still be
// answered); the worker's cleanup calls it. It checks no caller.
func (db *DB) PurgePasswordResets(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM password_resets WHERE expires_at < $1`,
		micros(db.now().Add(-24*time.Hour)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// setPassword stores a new password hash for agentID, ends every session of
// the agent but the one whose token hashes to keepHash, and queues the email
// telling the agent that their password changed — all inside tx.
func (tx *Tx) setPassword(ctx context.Context, agentID int64, hash, keepHash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE agents SET password_hash = $1 WHERE id = $2 AND active = 1`, hash, agentID)
	if err != nil {
		return fmt.Errorf("sqldb: set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return patchwork.ErrNotFound
	}
	if _, err := tx.endSessions(ctx, agentID, keepHash); err != nil {
		return err
	}
	return tx.enqueueAccountEmail(ctx, AccountEmailPasswordChanged, agentID, 0)
}
