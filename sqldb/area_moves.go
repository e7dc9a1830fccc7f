package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"patchwork"
)

// Moving agents and clients between areas. An area admin sets only the
// areas in their reach: those of an agent or client outside their
// districts stay as they are, unseen.

// checkLocalAreas returns EINVALID (field) unless ids name at least one
// area and each is a local area in reach.
func (r *reach) checkLocalAreas(ctx context.Context, q querier, field, message string, ids []int64) error {
	if len(ids) == 0 {
		return patchwork.Invalid(map[string]string{field: message})
	}
	for _, id := range ids {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM areas ra WHERE ra.id = $1 AND ra.kind = 'local' AND `+r.area("ra.id"),
			id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return patchwork.Invalid(map[string]string{field: message})
		}
	}
	return nil
}

// lockClientAreas locks, on PostgreSQL, the rows of the areas ids and of the
// areas clientID is in (none when clientID is 0), in the order of their
// ids, for a transaction about to change the clients of several of them in
// more than one statement. Each change to client_areas locks the areas it
// changes (migration 032's trigger, in order within its statement); without
// this, two transactions moving clients between two areas in opposite
// directions would take those locks in opposite orders and deadlock. On
// SQLite a write transaction is alone, and this does nothing; nor does it
// for a single area, which no order is needed for.
func (tx *Tx) lockClientAreas(ctx context.Context, clientID int64, ids []int64) error {
	if tx.db.Dialect.Name != "postgres" || (clientID == 0 && len(ids) < 2) {
		return nil
	}
	var args sqlArgs
	var conds []string
	if clientID != 0 {
		conds = append(conds, `id IN (SELECT area_id FROM client_areas WHERE client_id = `+args.add(clientID)+`)`)
	}
	if len(ids) > 0 {
		conds = append(conds, `id IN (`+strings.Join(addAll(&args, ids), ", ")+`)`)
	}
	_, err := tx.ExecContext(ctx, `SELECT 1 FROM areas WHERE `+strings.Join(conds, " OR ")+` ORDER BY id FOR UPDATE`, args...)
	return err
}

// setAreas gives owner the local areas ids in place of those of its areas
// in reach, in link table (agent_areas, client_areas) keyed
// by col; the links it keeps are not rewritten, so they keep their
// columns. It reports whether anything changed. table and col are
// constants of this package.
func (tx *Tx) setAreas(ctx context.Context, r *reach, table, col string, owner int64, ids []int64) (bool, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	var args sqlArgs
	args.add(owner)
	keep := strings.Join(addAll(&args, ids), ", ")
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` = $1 AND area_id NOT IN (`+keep+`) AND `+
		r.area(table+".area_id"), args...)
	if err != nil {
		return false, err
	}
	removed, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	changed := removed > 0
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+col+`, area_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, owner, id)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, err
		} else if n > 0 {
			changed = true
		}
	}
	return changed, nil
}

// SetAgentAreas sets an agent's local areas in reach; see
// patchwork.AreaAdminService.
func (s *AreaService) SetAgentAreas(ctx context.Context, agentID int64, areaIDs []int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.requireAgent(ctx, tx, agentID); err != nil {
			return err
		}
		if err := r.checkLocalAreas(ctx, tx, "areas", "Choose at least one local area the agent works in", areaIDs); err != nil {
			return err
		}
		changed, err := tx.setAreas(ctx, r, "agent_areas", "agent_id", agentID, areaIDs)
		if err != nil || !changed {
			return err
		}
		if err := tx.indexAgent(ctx, agentID); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAgentAreas, 0, fmt.Sprintf("agent=%d areas=%d", agentID, len(areaIDs)))
	})
}

// FindClientToMove shows an admin the client they are about to move.
func (s *AreaService) FindClientToMove(ctx context.Context, clientID int64) (*patchwork.AdminClient, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.requireLiveClient(ctx, s.db.read, clientID); err != nil {
		return nil, err
	}
	c, err := s.db.adminClient(ctx, s.db.read, clientID)
	if err != nil {
		return nil, err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditClientAreaView, clientID, ""); err != nil {
		return nil, err
	}
	return c, nil
}

// MoveClient moves a client in reach to a local area in reach; see
// patchwork.AreaAdminService.
func (s *AreaService) MoveClient(ctx context.Context, clientID, areaID int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.requireLiveClient(ctx, tx, clientID); err != nil {
			return err
		}
		if err := r.checkLocalAreas(ctx, tx, "area_id", "Choose the local area to move them to", []int64{areaID}); err != nil {
			return err
		}
		// Out of one area and into another, in two statements.
		if err := tx.lockClientAreas(ctx, clientID, []int64{areaID}); err != nil {
			return err
		}
		changed, err := tx.setAreas(ctx, r, "client_areas", "client_id", clientID, []int64{areaID})
		if err != nil || !changed {
			return err
		}
		// The areas this client's team gave its members follow the client,
		// so that their local-first search still shows it first; each
		// member whose areas change is re-indexed.
		members, err := queryIDs(ctx, tx, `SELECT agent_id FROM memberships WHERE client_id = $1 AND left_at IS NULL ORDER BY agent_id`, clientID)
		if err != nil {
			return err
		}
		for _, m := range members {
			if err := tx.releaseAreas(ctx, m, clientID); err != nil {
				return err
			}
			if err := tx.allocateAreas(ctx, m, clientID); err != nil {
				return err
			}
		}
		return tx.audit(ctx, patchwork.AuditClientAreaMove, clientID, fmt.Sprintf("area=%d", areaID))
	})
}
