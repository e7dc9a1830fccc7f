package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"patchwork"
)

// clientExists reports whether a client record exists (whoever may see
// it); a client merged into another exists no more.
func clientExists(ctx context.Context, q querier, id int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM clients WHERE id = $1 AND merged_into IS NULL`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// errAlreadyMember answers a join by a current member.
var errAlreadyMember = patchwork.Errorf(patchwork.ECONFLICT, "You are already on this client's team.")

// JoinTeam adds the caller to a client's team; see patchwork.ClientService.
func (s *ClientService) JoinTeam(ctx context.Context, clientID int64, req patchwork.JoinRequest) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	// Without a live ticket for this agent and this client the answer is
	// the one for a missing client, whatever else the request holds: ids
	// alone must not let anyone onto a team (docs/security.md).
	if !s.db.checkJoinTicket(ctx, req.Ticket, c.ID, clientID) {
		return patchwork.ErrNotFound
	}
	if err := req.Validate(); err != nil {
		// A spent ticket is as good as none, also for a form with mistakes.
		if spent, serr := spentJoinTicket(ctx, s.db.read, req.Ticket); serr != nil {
			return serr
		} else if spent {
			return patchwork.ErrNotFound
		}
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		joins, err := tx.lockJoins(ctx, c.ID, req.Ticket)
		if err != nil {
			return err
		}
		if ok, err := clientExists(ctx, tx, clientID); err != nil {
			return err
		} else if !ok {
			return patchwork.ErrNotFound
		}
		member, err := isMember(ctx, tx, clientID, c.ID)
		if err != nil {
			return err
		}
		if !patchwork.CanJoin(c, member) {
			return errAlreadyMember
		}
		// A spent ticket is checked after membership, so that a double
		// click is told "already a member" rather than "not found".
		if joins.spent {
			return patchwork.ErrNotFound
		}
		if err := tx.checkJoinLimit(joins, s.JoinLimit); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (client_id, agent_id, joined_at, how_joined, basis, basis_note)
			VALUES ($1, $2, $3, $4, $5, $6)`, clientID, c.ID, micros(tx.now), patchwork.JoinedDirectly, req.Basis, req.BasisNote); err != nil {
			if isUniqueViolation(err) {
				return errAlreadyMember
			}
			return err
		}
		if err := tx.spendJoinTicket(ctx, c.ID, req.Ticket, s.JoinLimit > 0); err != nil {
			return err
		}
		// Joining a team in an area puts the agent in that area (see
		// CreateClient).
		if err := tx.allocateAreas(ctx, c.ID, clientID); err != nil {
			return err
		}
		// The lawful basis code (not its note) goes into the trail so the
		// team can see on what grounds a colleague joined.
		if err := tx.recordTeamEvent(ctx, clientID, c.ID, patchwork.ActivityMemberJoined, req.Basis); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditTeamJoin, clientID, "basis="+req.Basis)
	})
}

// LeaveTeam ends the caller's membership; see patchwork.ClientService.
func (s *ClientService) LeaveTeam(ctx context.Context, clientID int64, req patchwork.LeaveRequest) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		// A non-member must not learn from a validation message that the
		// client exists.
		if merr := requireMember(ctx, s.db.read, c, clientID); merr != nil {
			return merr
		}
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.endMembership(ctx, clientID, c.ID, req); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditTeamLeave, clientID, "reason="+req.Reason)
	})
}

// endMembership closes agentID's current membership and tells the team.
func (tx *Tx) endMembership(ctx context.Context, clientID, agentID int64, req patchwork.LeaveRequest) error {
	res, err := tx.ExecContext(ctx, `UPDATE memberships SET left_at = $1, leave_reason = $2, leave_note = $3
		WHERE client_id = $4 AND agent_id = $5 AND left_at IS NULL`, micros(tx.now), req.Reason, req.Note, clientID, agentID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return patchwork.ErrNotFound
	}
	if err := tx.releaseAreas(ctx, agentID, clientID); err != nil {
		return err
	}
	return tx.recordTeamEvent(ctx, clientID, agentID, patchwork.ActivityMemberLeft, req.Reason)
}
