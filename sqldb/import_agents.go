package sqldb

import (
	"context"
	"fmt"
	"time"

	"patchwork"
)

// ImportedPasswordHash is the password of an imported agent until they
// choose one through their invitation (or a reset): no password matches
// it, since it is no hash.
const ImportedPasswordHash = "!imported: no password chosen yet"

// AccountInvitationTTL is how long the link of an imported agent's
// invitation works (a reset link works for ResetTTL).
const AccountInvitationTTL = 7 * 24 * time.Hour

// ImportAgent is one checked row of an agent import.
type ImportAgent struct {
	Row   int
	Agent *patchwork.Agent // validated, with AgencyID and Areas
}

// ImportAgentBatch adds one batch of agents, skipping one whose sign-in
// address an agent has by then (the address is the key), and records the
// batch on job, in one transaction. With invite, each new agent is sent
// an invitation: an email with a link to choose a password, working for
// AccountInvitationTTL, queued in the same transaction. Without it, an
// imported agent gets in by "Forgotten your password?" (or an admin's
// resend, later).
func (db *DB) ImportAgentBatch(ctx context.Context, job *ImportJob, agents []ImportAgent, invite bool, b ImportBatch) error {
	var secret []byte
	if invite && len(agents) > 0 {
		var err error
		if secret, err = db.secret(ctx); err != nil {
			return err
		}
	}
	return db.writeImportBatch(ctx, job, b, func(tx *Tx) (c batchCounts, err error) {
		for _, r := range agents {
			a := r.Agent
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE email = $1`, a.Email).Scan(&n); err != nil {
				return c, err
			}
			if n > 0 {
				c.unchanged++
				continue
			}
			if a.PreferredContact == "" {
				a.PreferredContact = patchwork.ContactEmail
			}
			if err := tx.insertAgent(ctx, a, ImportedPasswordHash); err != nil {
				return c, err
			}
			if invite {
				if err := tx.inviteImportedAgent(ctx, secret, a.ID); err != nil {
					return c, err
				}
			}
			c.imported++
			c.links += len(a.Areas)
		}
		return c, nil
	})
}

// inviteImportedAgent queues the invitation of a new agent: a
// password_resets row whose link works for AccountInvitationTTL, and the
// email that carries it.
func (tx *Tx) inviteImportedAgent(ctx context.Context, secret []byte, agentID int64) error {
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	var resetID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO password_resets (agent_id, nonce, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, agentID, nonce, tokenHash(ResetToken(secret, nonce)),
		micros(tx.now), micros(tx.now.Add(AccountInvitationTTL))).Scan(&resetID); err != nil {
		return fmt.Errorf("sqldb: insert invitation reset: %w", err)
	}
	return tx.enqueueAccountEmail(ctx, AccountEmailInvitation, agentID, resetID)
}
