package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"patchwork"
)

// TermsService implements patchwork.TermsService.
type TermsService struct{ db *DB }

// NewTermsService returns a TermsService on db.
func NewTermsService(db *DB) *TermsService { return &TermsService{db: db} }

// FindTermsAcceptance returns when the caller accepted version.
func (s *TermsService) FindTermsAcceptance(ctx context.Context, version string) (time.Time, error) {
	c, err := caller(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var at int64
	err = s.db.read.QueryRowContext(ctx, `SELECT accepted_at FROM terms_acceptances WHERE agent_id = $1 AND version = $2`,
		c.ID, version).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return fromMicros(at), err
}

// AcceptTerms records the caller's acceptance of version.
func (s *TermsService) AcceptTerms(ctx context.Context, version string) (bool, error) {
	c, err := caller(ctx)
	if err != nil {
		return false, err
	}
	if version == "" || !patchwork.ValidText(version) || len(version) > 100 {
		return false, patchwork.Errorf(patchwork.EINVALID, "No such version of the terms of use.")
	}
	first := false
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var before int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM terms_acceptances WHERE agent_id = $1`, c.ID).Scan(&before); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO terms_acceptances (agent_id, version, accepted_at) VALUES ($1, $2, $3)
			ON CONFLICT (agent_id, version) DO NOTHING`, c.ID, version, micros(tx.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // accepted before: nothing to record
		}
		first = before == 0
		return tx.audit(ctx, patchwork.AuditTermsAccept, 0, "version="+version)
	})
	return first, err
}

// AcceptTermsForSeededAgents records, for every agent of a freshly seeded
// demo network, acceptance of version, with one audit row: the seeded
// demo sign-ins are test accounts, and the README's sign-ins (and scripts
// following them) start on the dashboard. Agents who sign up later, and
// everyone once the terms change, still accept them themselves. System
// callers only.
func (s *TermsService) AcceptTermsForSeededAgents(ctx context.Context, version string) error {
	if !patchwork.IsSystemContext(ctx) {
		return patchwork.Errorf(patchwork.EUNAUTHORIZED, "Only the system may do this.")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		// WHERE true: SQLite reads "FROM agents ON CONFLICT" as a join.
		if _, err := tx.ExecContext(ctx, `INSERT INTO terms_acceptances (agent_id, version, accepted_at)
			SELECT id, $1, $2 FROM agents WHERE true ON CONFLICT (agent_id, version) DO NOTHING`, version, micros(tx.now)); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditTermsAccept, 0, "version="+version+" demo_seed")
	})
}
