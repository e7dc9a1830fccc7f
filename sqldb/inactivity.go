package sqldb

import (
	"context"
	"fmt"
	"time"

	"patchwork"
)

// JobInactivity applies the inactivity rule once a day.
const JobInactivity = "inactivity"

// AccountEmailInactivity warns an agent who has not signed in for the
// inactivity period that their account will be deactivated.
const AccountEmailInactivity = "inactivity_warning"

// InactivityJob is the inactivity run of now's day (UTC).
func InactivityJob(now time.Time) JobSpec {
	day := now.UTC().Truncate(24 * time.Hour)
	return JobSpec{Kind: JobInactivity, UniqueKey: "inactivity:" + day.Format(time.DateOnly), Priority: PriorityNormal, RunAt: day}
}

func (db *DB) inactivityPeriods() (days, grace int) {
	days, grace = db.InactivityDays, db.InactivityGraceDays
	if days <= 0 {
		days = patchwork.DefaultInactivityDays
	}
	if grace <= 0 {
		grace = patchwork.DefaultInactivityGraceDays
	}
	return days, grace
}

// lastSignIn is the time agent a last signed in, 0 if never (the index
// audit_actor_action answers it).
const lastSignIn = `COALESCE((SELECT MAX(e.at) FROM audit_events e WHERE e.actor_id = a.id AND e.action = '` + patchwork.AuditLogin + `'), 0)`

// RunInactivity applies the inactivity rule: an active agent who has not
// signed in for InactivityDays (nor been added or reactivated in that
// time) is warned by email, audited as the system's; and an agent warned
// InactivityGraceDays ago who has not signed in since (signing in clears
// the warning) is deactivated as an admin's deactivation is — memberships
// ended, teams told, sessions ended — audited by the system with the rule
// as its reason — except the last active system admin. Each agent has
// its own transaction. It returns how many
// it warned and deactivated.
func (db *DB) RunInactivity(ctx context.Context) (warned, deactivated int, err error) {
	days, grace := db.inactivityPeriods()
	now := db.now()
	cutoff := micros(now.AddDate(0, 0, -days))
	due, err := queryIDs(ctx, db.read, `SELECT a.id FROM agents a WHERE a.active = 1 AND a.inactivity_warned_at IS NULL
		AND a.created_at < $1 AND COALESCE(a.reactivated_at, 0) < $1
		AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.actor_id = a.id AND e.action = $2 AND e.at >= $1)
		ORDER BY a.id`, cutoff, patchwork.AuditLogin)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range due {
		err := db.inTx(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE agents SET inactivity_warned_at = $1
				WHERE id = $2 AND active = 1 AND inactivity_warned_at IS NULL`, micros(tx.now), id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			if err := tx.enqueueAccountEmail(ctx, AccountEmailInactivity, id, 0); err != nil {
				return err
			}
			warned++
			return tx.auditAs(ctx, 0, patchwork.AuditInactivityWarn, 0, fmt.Sprintf("agent=%d", id))
		})
		if err != nil {
			return warned, deactivated, err
		}
	}
	gone, err := queryIDs(ctx, db.read, `SELECT id FROM agents WHERE active = 1 AND inactivity_warned_at < $1 ORDER BY id`,
		micros(now.AddDate(0, 0, -grace)))
	if err != nil {
		return warned, 0, err
	}
	reason := fmt.Sprintf("inactivity: not signed in for %d days, then %d more days after a warning", days, grace)
	sys := patchwork.NewSystemContext(ctx)
	for _, id := range gone {
		err := db.inTx(sys, func(tx *Tx) error {
			// Checked again inside: they may have signed in meanwhile. The
			// last active system admin stays, warned: without one nobody
			// could reactivate anyone.
			var n int
			if err := tx.QueryRowContext(sys, `SELECT COUNT(*) FROM agents a WHERE a.id = $1 AND a.active = 1 AND a.inactivity_warned_at < $2
				AND (a.is_admin = 0 OR EXISTS (SELECT 1 FROM agents o WHERE o.is_admin = 1 AND o.active = 1 AND o.id <> a.id))`,
				id, micros(now.AddDate(0, 0, -grace))).Scan(&n); err != nil || n == 0 {
				return err
			}
			if err := tx.deactivateAgentFor(sys, id, patchwork.LeaveDeactivated, reason); err != nil {
				return err
			}
			deactivated++
			return nil
		})
		if err != nil {
			return warned, deactivated, err
		}
	}
	return warned, deactivated, nil
}

// InactivityService implements patchwork.InactivityService.
type InactivityService struct{ db *DB }

// NewInactivityService returns an InactivityService on db.
func NewInactivityService(db *DB) *InactivityService { return &InactivityService{db: db} }

// inactiveAgents are the warned agents, the soonest deactivated first.
const (
	inactiveAgents = ` FROM agents a JOIN agencies g ON g.id = a.agency_id
		WHERE a.active = 1 AND a.inactivity_warned_at IS NOT NULL`
	inactiveOrder = ` ORDER BY a.inactivity_warned_at, a.id`
)

// FindInactiveAgents lists a page of the warned agents; see
// patchwork.InactivityService.
func (s *InactivityService) FindInactiveAgents(ctx context.Context, page int) ([]*patchwork.InactiveAgent, int, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+inactiveAgents).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT a.id, a.name, g.name, `+lastSignIn+`, a.inactivity_warned_at`+
		inactiveAgents+inactiveOrder+pageClause(page), s.scanInactiveAgent())
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// ExportInactiveAgents streams every warned agent; see
// patchwork.InactivityService.
func (s *InactivityService) ExportInactiveAgents(ctx context.Context, fn func(*patchwork.InactiveAgent) error) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditInactiveExport, 0, ""); err != nil {
		return err
	}
	return streamRows(ctx, s.db.read, `SELECT a.id, a.name, g.name, `+lastSignIn+`, a.inactivity_warned_at`+
		inactiveAgents+inactiveOrder, s.scanInactiveAgent(), fn)
}

// scanInactiveAgent reads a warned agent, with the day they will be
// deactivated.
func (s *InactivityService) scanInactiveAgent() func(interface{ Scan(...any) error }) (*patchwork.InactiveAgent, error) {
	_, grace := s.db.inactivityPeriods()
	return func(sc interface{ Scan(...any) error }) (*patchwork.InactiveAgent, error) {
		it := &patchwork.InactiveAgent{}
		var last, warned int64
		err := sc.Scan(&it.AgentID, &it.Name, &it.Agency, &last, &warned)
		it.LastSignIn, it.WarnedAt = fromMicros(last), fromMicros(warned)
		it.DeactivateOn = it.WarnedAt.AddDate(0, 0, grace)
		return it, err
	}
}
