package sqldb

import (
	"context"
	"fmt"

	"patchwork"
)

// An agency's status changes: approval, suspension and its lifting (see
// patchwork.AgencyAdminService).

// setAgencyStatus moves agency id in reach from status from to status to
// inside tx; ECONFLICT (with conflict) if it is not at from.
func (r *reach) setAgencyStatus(ctx context.Context, tx *Tx, id int64, from, to string, conflict error) error {
	if err := r.requireAgency(ctx, tx, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE agencies SET status = $1 WHERE id = $2 AND status = $3`, to, id, from)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return conflict
	}
	return nil
}

// ApproveAgency makes a pending agency in reach active.
func (s *AgencyAdminService) ApproveAgency(ctx context.Context, id int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.setAgencyStatus(ctx, tx, id, patchwork.AgencyPending, patchwork.AgencyActive,
			patchwork.Errorf(patchwork.ECONFLICT, "This agency is not waiting for approval.")); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAgencyApprove, 0, fmt.Sprintf("agency=%d", id))
	})
}

// SuspendAgency suspends an active agency in reach and deactivates its
// active agents.
func (s *AgencyAdminService) SuspendAgency(ctx context.Context, id int64) (int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.inTx(ctx, func(tx *Tx) error {
		n = 0
		if err := r.requireAgency(ctx, tx, id); err != nil {
			return err
		}
		// Suspending one's own agency would lock the admin out mid-way.
		if r.actor != nil && r.actor.AgencyID == id {
			return patchwork.Errorf(patchwork.ECONFLICT, "You work for this agency: another administrator must suspend it.")
		}
		if err := r.setAgencyStatus(ctx, tx, id, patchwork.AgencyActive, patchwork.AgencySuspended,
			patchwork.Errorf(patchwork.ECONFLICT, "Only an active agency can be suspended.")); err != nil {
			return err
		}
		agents, err := queryIDs(ctx, tx, `SELECT id FROM agents WHERE agency_id = $1 AND active = 1 ORDER BY id`, id)
		if err != nil {
			return err
		}
		// A suspension of long ago that was never lifted cleanly leaves
		// nothing behind to reactivate now.
		if _, err := tx.ExecContext(ctx, `DELETE FROM agency_suspended_agents WHERE agency_id = $1`, id); err != nil {
			return err
		}
		for _, a := range agents {
			if err := tx.deactivateAgentBecause(ctx, a, patchwork.LeaveAgencySuspended); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO agency_suspended_agents (agency_id, agent_id, suspended_at)
				VALUES ($1, $2, $3)`, id, a, micros(tx.now)); err != nil {
				return err
			}
		}
		n = len(agents)
		return tx.audit(ctx, patchwork.AuditAgencySuspend, 0, fmt.Sprintf("agency=%d agents=%d", id, n))
	})
	return n, err
}

// UnsuspendAgency lifts the suspension of an agency in reach and
// reactivates exactly the agents it deactivated.
func (s *AgencyAdminService) UnsuspendAgency(ctx context.Context, id int64) (int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.setAgencyStatus(ctx, tx, id, patchwork.AgencySuspended, patchwork.AgencyActive,
			patchwork.Errorf(patchwork.ECONFLICT, "This agency is not suspended.")); err != nil {
			return err
		}
		// Still of this agency and deactivated by the suspension itself
		// (the same instant): an agent moved away meanwhile stays as
		// they are.
		agents, err := queryIDs(ctx, tx, `SELECT a.id FROM agents a JOIN agency_suspended_agents s ON s.agent_id = a.id AND s.agency_id = $1
			WHERE a.agency_id = $1 AND a.active = 0 AND s.suspended_at = a.deactivated_at ORDER BY a.id`, id)
		if err != nil {
			return err
		}
		for _, a := range agents {
			if _, err := tx.ExecContext(ctx, `UPDATE agents SET active = 1, deactivated_at = NULL, reactivated_at = $2,
				inactivity_warned_at = NULL WHERE id = $1`,
				a, micros(tx.now)); err != nil {
				return err
			}
			if err := tx.restoreSuspendedMemberships(ctx, a); err != nil {
				return err
			}
		}
		n = int64(len(agents))
		if _, err := tx.ExecContext(ctx, `DELETE FROM agency_suspended_agents WHERE agency_id = $1`, id); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAgencyUnsuspend, 0, fmt.Sprintf("agency=%d agents=%d", id, n))
	})
	return int(n), err
}

// restoreSuspendedMemberships puts agent id back on the teams their
// agency's suspension took them off (the memberships it ended, at the
// instant of their deactivation), as they were, and tells each team. A
// client merged or erased meanwhile is not given back; the membership
// comes back without the lead if the team has another lead now.
func (tx *Tx) restoreSuspendedMemberships(ctx context.Context, id int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.client_id FROM memberships m
		JOIN agents a ON a.id = m.agent_id JOIN agency_suspended_agents s ON s.agent_id = a.id AND s.agency_id = a.agency_id
		JOIN clients c ON c.id = m.client_id
		WHERE m.agent_id = $1 AND m.leave_reason = $2 AND m.left_at = s.suspended_at
			AND c.merged_into IS NULL AND c.erased_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM memberships cur WHERE cur.client_id = m.client_id AND cur.agent_id = m.agent_id
				AND cur.left_at IS NULL)
		ORDER BY m.id`, id, patchwork.LeaveAgencySuspended)
	if err != nil {
		return err
	}
	type ended struct{ membership, client int64 }
	var list []ended
	for rows.Next() {
		var e ended
		if err := rows.Scan(&e.membership, &e.client); err != nil {
			rows.Close()
			return err
		}
		list = append(list, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range list {
		var leads int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND is_lead = 1 AND left_at IS NULL`,
			e.client).Scan(&leads); err != nil {
			return err
		}
		lead := `is_lead`
		if leads > 0 {
			lead = `0`
		}
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET left_at = NULL, leave_reason = '', is_lead = `+lead+` WHERE id = $1`,
			e.membership); err != nil {
			return err
		}
		if err := tx.allocateAreas(ctx, id, e.client); err != nil {
			return err
		}
		if err := tx.recordTeamEvent(ctx, e.client, id, patchwork.ActivityMemberJoined, patchwork.JoinedAgencyRestored); err != nil {
			return err
		}
	}
	return nil
}

// agentsAgencyActive returns ECONFLICT if agent id's agency is suspended.
func agentsAgencyActive(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents a JOIN agencies g ON g.id = a.agency_id
		WHERE a.id = $1 AND g.status = 'suspended'`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return patchwork.Errorf(patchwork.ECONFLICT, "Their agency is suspended: lift the agency's suspension to let its staff in again.")
	}
	return nil
}
