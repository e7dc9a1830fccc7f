package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"patchwork"
)

// MergeService implements patchwork.MergeService.
type MergeService struct {
	db *DB
	// For tests of a scan stopped part way: pairs written per transaction
	// (0: duplicateWriteBatch), and a function told after each is written.
	writeBatch   int
	batchWritten func(added int)
}

// NewMergeService returns a MergeService on db.
func NewMergeService(db *DB) *MergeService { return &MergeService{db: db} }

// Kinds of client_merge_items: what a merge moved, for its undo.
const (
	mergeMembershipEnded = "membership_ended"
	mergeMembershipAdded = "membership_added"
	mergeAttention       = "attention"
	mergeActivity        = "activity"
	mergeArea            = "area"
	mergeCircleAdded     = "circle_added"
	mergeCircleRemoved   = "circle_removed"
	mergeInvitation      = "invitation"
)

// checkMergePair refuses a pair that cannot be merged: EINVALID for a
// missing id or the same client twice.
func checkMergePair(keepID, mergeID int64) error {
	f := map[string]string{}
	if keepID <= 0 {
		f["keep_id"] = "Enter the number of the client to keep"
	}
	if mergeID <= 0 {
		f["merge_id"] = "Enter the number of the client to merge into it"
	}
	if len(f) == 0 && keepID == mergeID {
		f["merge_id"] = "Enter two different clients"
	}
	return patchwork.Invalid(f)
}

// requireLiveClient returns ENOTFOUND unless client id exists, is in reach
// and has not been merged into another.
func (r *reach) requireLiveClient(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM clients c WHERE c.id = $1 AND c.merged_into IS NULL AND `+r.client("c.id"),
		id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return patchwork.ErrNotFound
	}
	return nil
}

// adminClient loads what an admin is shown of a client.
func (db *DB) adminClient(ctx context.Context, q querier, id int64) (*patchwork.AdminClient, error) {
	cl, err := db.loadClient(ctx, q, id)
	if err != nil {
		return nil, err
	}
	out := &patchwork.AdminClient{ID: id, Name: cl.Name(), Aliases: cl.Aliases, DateOfBirth: cl.DateOfBirth,
		Postcode: cl.Postcode, Areas: cl.Areas}
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND left_at IS NULL`, id).Scan(&out.TeamSize)
	return out, err
}

// FindClientsToMerge shows the two clients of a merge to come.
func (s *MergeService) FindClientsToMerge(ctx context.Context, keepID, mergeID int64) (*patchwork.AdminClient, *patchwork.AdminClient, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := checkMergePair(keepID, mergeID); err != nil {
		return nil, nil, err
	}
	var pair [2]*patchwork.AdminClient
	for i, id := range []int64{keepID, mergeID} {
		if err := r.requireLiveClient(ctx, s.db.read, id); err != nil {
			return nil, nil, err
		}
		if pair[i], err = s.db.adminClient(ctx, s.db.read, id); err != nil {
			return nil, nil, err
		}
	}
	for _, id := range []int64{keepID, mergeID} {
		if err := s.db.auditRead(ctx, patchwork.AuditMergeView, id, fmt.Sprintf("keep=%d merge=%d", keepID, mergeID)); err != nil {
			return nil, nil, err
		}
	}
	return pair[0], pair[1], nil
}

// MergeClients merges mergeID into keepID; see patchwork.MergeService.
func (s *MergeService) MergeClients(ctx context.Context, keepID, mergeID int64) (*patchwork.ClientMerge, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	if r.actor == nil {
		return nil, patchwork.ErrUnauthorized
	}
	if err := checkMergePair(keepID, mergeID); err != nil {
		return nil, err
	}
	m := &patchwork.ClientMerge{KeepID: keepID, MergeID: mergeID, MergedBy: r.actor.Name}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		for _, id := range []int64{keepID, mergeID} {
			if err := r.requireLiveClient(ctx, tx, id); err != nil {
				return err
			}
		}
		m.MergedAt = tx.now
		if err := tx.QueryRowContext(ctx, `INSERT INTO client_merges (keep_id, merge_id, merged_by, merged_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, keepID, mergeID, r.actor.ID, micros(tx.now)).Scan(&m.ID); err != nil {
			return err
		}
		if err := tx.mergeTeams(ctx, m.ID, keepID, mergeID); err != nil {
			return err
		}
		for kind, table := range map[string]string{mergeAttention: "attentions", mergeActivity: "activities"} {
			if err := tx.moveRows(ctx, m.ID, kind, table, mergeID, keepID); err != nil {
				return err
			}
		}
		if err := tx.mergeAreas(ctx, m.ID, keepID, mergeID); err != nil {
			return err
		}
		if err := tx.mergeCircles(ctx, m.ID, keepID, mergeID); err != nil {
			return err
		}
		if err := tx.mergeInvitations(ctx, m.ID, keepID, mergeID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET merged_into = $1 WHERE id = $2`, keepID, mergeID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE duplicate_pairs SET status = 'merged', decided_at = $1, decided_by = $2
			WHERE status = 'open' AND client_a = $3 AND client_b = $4`, micros(tx.now), r.actor.ID, min(keepID, mergeID), max(keepID, mergeID)); err != nil {
			return err
		}
		// A's team now holds both teams: each member is told once.
		if err := tx.recordTeamEvent(ctx, keepID, r.actor.ID, patchwork.ActivityClientMerged, ""); err != nil {
			return err
		}
		detail := fmt.Sprintf("merge=%d keep=%d merged=%d", m.ID, keepID, mergeID)
		if err := tx.audit(ctx, patchwork.AuditClientMerge, keepID, detail); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditClientMerge, mergeID, detail)
	})
	if err != nil {
		return nil, err
	}
	m.CanUndo = true
	return m, nil
}

// addMergeItem remembers one thing merge moved.
func (tx *Tx) addMergeItem(ctx context.Context, merge int64, kind string, id int64, data string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO client_merge_items (merge_id, kind, item_id, data) VALUES ($1, $2, $3, $4)`,
		merge, kind, id, data)
	return err
}

// mergeTeams ends every current membership of from (reason "merged") and
// puts each of its members not already on to's team on it.
func (tx *Tx) mergeTeams(ctx context.Context, merge, to, from int64) error {
	type member struct{ id, agent int64 }
	members, err := scanAll(ctx, tx, `SELECT id, agent_id FROM memberships WHERE client_id = $1 AND left_at IS NULL ORDER BY id`,
		func(sc interface{ Scan(...any) error }) (member, error) {
			var m member
			return m, sc.Scan(&m.id, &m.agent)
		}, from)
	if err != nil {
		return err
	}
	for _, m := range members {
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET left_at = $1, leave_reason = $2 WHERE id = $3`,
			micros(tx.now), patchwork.LeaveMerged, m.id); err != nil {
			return err
		}
		if err := tx.addMergeItem(ctx, merge, mergeMembershipEnded, m.id, ""); err != nil {
			return err
		}
		on, err := isMember(ctx, tx, to, m.agent)
		if err != nil {
			return err
		}
		if on {
			continue // a member of both teams stays once
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO memberships (client_id, agent_id, joined_at, how_joined, basis, basis_note)
			SELECT $1, agent_id, $2, how_joined, basis, basis_note FROM memberships WHERE id = $3 RETURNING id`,
			to, micros(tx.now), m.id).Scan(&id); err != nil {
			return err
		}
		if err := tx.addMergeItem(ctx, merge, mergeMembershipAdded, id, ""); err != nil {
			return err
		}
	}
	return nil
}

// moveRows moves the rows of table (attentions, activities) of client from
// to client to, remembering each.
func (tx *Tx) moveRows(ctx context.Context, merge int64, kind, table string, from, to int64) error {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM `+table+` WHERE client_id = $1 ORDER BY id`, from)
	if err != nil || len(ids) == 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO client_merge_items (merge_id, kind, item_id)
		SELECT $1, $2, id FROM `+table+` WHERE client_id = $3`, merge, kind, from); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET client_id = $1 WHERE client_id = $2`, to, from)
	return err
}

// mergeInvitations moves from's pending invitations to to, except one to
// an address to already has a pending invitation for.
func (tx *Tx) mergeInvitations(ctx context.Context, merge, to, from int64) error {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM invitations WHERE client_id = $1 AND status = 'pending'
		AND email NOT IN (SELECT email FROM invitations WHERE client_id = $2 AND status = 'pending') ORDER BY id`, from, to)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET client_id = $1 WHERE id = $2`, to, id); err != nil {
			return err
		}
		if err := tx.addMergeItem(ctx, merge, mergeInvitation, id, ""); err != nil {
			return err
		}
	}
	return nil
}

// mergeAreas gives to the local areas of from it does not have.
func (tx *Tx) mergeAreas(ctx context.Context, merge, to, from int64) error {
	ids, err := queryIDs(ctx, tx, `SELECT area_id FROM client_areas WHERE client_id = $1
		AND area_id NOT IN (SELECT area_id FROM client_areas WHERE client_id = $2) ORDER BY area_id`, from, to)
	if err != nil {
		return err
	}
	if err := tx.lockClientAreas(ctx, 0, ids); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_areas (client_id, area_id) VALUES ($1, $2)`, to, id); err != nil {
			return err
		}
		if err := tx.addMergeItem(ctx, merge, mergeArea, id, ""); err != nil {
			return err
		}
	}
	return nil
}

// circleLink is a stored circle link, kept whole for an undo.
type circleLink struct {
	A, B         int64
	Relationship string
	Note         string
	CreatedBy    int64
	CreatedAt    int64
}

func (tx *Tx) circlePairs(ctx context.Context, client int64) (map[[2]int64]bool, error) {
	pairs := map[[2]int64]bool{}
	links, err := scanAll(ctx, tx, `SELECT client_a, client_b FROM circle_links WHERE client_a = $1 OR client_b = $1`,
		func(sc interface{ Scan(...any) error }) ([2]int64, error) {
			var p [2]int64
			return p, sc.Scan(&p[0], &p[1])
		}, client)
	for _, p := range links {
		pairs[p] = true
	}
	return pairs, err
}

// mergeCircles re-points from's circle links to to (reassignCircleLinks),
// remembering from's links as they were and the links to gained.
func (tx *Tx) mergeCircles(ctx context.Context, merge, to, from int64) error {
	links, err := scanAll(ctx, tx, `SELECT client_a, client_b, relationship, note, created_by, created_at FROM circle_links
		WHERE client_a = $1 OR client_b = $1`, func(sc interface{ Scan(...any) error }) (circleLink, error) {
		var l circleLink
		return l, sc.Scan(&l.A, &l.B, &l.Relationship, &l.Note, &l.CreatedBy, &l.CreatedAt)
	}, from)
	if err != nil || len(links) == 0 {
		return err
	}
	for _, l := range links {
		data, err := json.Marshal(l)
		if err != nil {
			return err
		}
		if err := tx.addMergeItem(ctx, merge, mergeCircleRemoved, 0, string(data)); err != nil {
			return err
		}
	}
	before, err := tx.circlePairs(ctx, to)
	if err != nil {
		return err
	}
	if err := reassignCircleLinks(ctx, tx, from, to); err != nil {
		return err
	}
	after, err := tx.circlePairs(ctx, to)
	if err != nil {
		return err
	}
	for p := range after {
		if !before[p] {
			if err := tx.addMergeItem(ctx, merge, mergeCircleAdded, 0, fmt.Sprintf("%d,%d", p[0], p[1])); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeRow is a client_merges row.
type mergeRow struct {
	patchwork.ClientMerge
	mergedAt int64
	undone   bool
}

const mergeColumns = `m.id, m.keep_id, m.merge_id, COALESCE(a.name, ''), m.merged_at, COALESCE(m.undone_at, 0),
	CASE WHEN k.merged_into IS NULL AND d.merged_into = m.keep_id THEN 1 ELSE 0 END`

const mergeFrom = ` FROM client_merges m LEFT JOIN agents a ON a.id = m.merged_by
	JOIN clients k ON k.id = m.keep_id JOIN clients d ON d.id = m.merge_id`

func (s *MergeService) scanMerge(sc interface{ Scan(...any) error }) (*patchwork.ClientMerge, error) {
	m := &patchwork.ClientMerge{}
	var at, undone int64
	var live bool
	if err := sc.Scan(&m.ID, &m.KeepID, &m.MergeID, &m.MergedBy, &at, &undone, &live); err != nil {
		return nil, err
	}
	m.MergedAt = fromMicros(at)
	if undone > 0 {
		m.UndoneAt = fromMicros(undone)
	}
	m.CanUndo = undone == 0 && live && s.db.now().Before(m.MergedAt.Add(patchwork.MergeUndoWindow))
	return m, nil
}

// UndoMerge puts back everything merge id moved.
func (s *MergeService) UndoMerge(ctx context.Context, id int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	if r.actor == nil {
		return patchwork.ErrUnauthorized
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		m, err := s.scanMerge(tx.QueryRowContext(ctx, `SELECT `+mergeColumns+mergeFrom+` WHERE m.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return patchwork.ErrNotFound
		} else if err != nil {
			return err
		}
		for _, c := range []int64{m.KeepID, m.MergeID} {
			if err := r.requireClient(ctx, tx, c); err != nil {
				return err
			}
		}
		if !m.CanUndo {
			return patchwork.Errorf(patchwork.ECONFLICT, "This merge can no longer be undone.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE client_merges SET undone_at = $1, undone_by = $2 WHERE id = $3`,
			micros(tx.now), r.actor.ID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET merged_into = NULL WHERE id = $1`, m.MergeID); err != nil {
			return err
		}
		items, err := scanAll(ctx, tx, `SELECT kind, item_id, data FROM client_merge_items WHERE merge_id = $1`,
			func(sc interface{ Scan(...any) error }) (mergeItem, error) {
				var it mergeItem
				return it, sc.Scan(&it.kind, &it.id, &it.data)
			}, id)
		if err != nil {
			return err
		}
		// Both teams are told while they are both on A.
		if err := tx.recordTeamEvent(ctx, m.KeepID, r.actor.ID, patchwork.ActivityMergeUndone, ""); err != nil {
			return err
		}
		var areas []int64
		for _, it := range items {
			if it.kind == mergeArea {
				areas = append(areas, it.id)
			}
		}
		if err := tx.lockClientAreas(ctx, 0, areas); err != nil {
			return err
		}
		for _, it := range items {
			if err := tx.undoMergeItem(ctx, m, it); err != nil {
				return err
			}
		}
		if err := tx.recordTeamEvent(ctx, m.MergeID, r.actor.ID, patchwork.ActivityMergeUndone, ""); err != nil {
			return err
		}
		detail := fmt.Sprintf("merge=%d keep=%d merged=%d", id, m.KeepID, m.MergeID)
		if err := tx.audit(ctx, patchwork.AuditMergeUndo, m.KeepID, detail); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditMergeUndo, m.MergeID, detail)
	})
}

type mergeItem struct {
	kind string
	id   int64
	data string
}

// undoMergeItem puts back one thing merge m moved.
func (tx *Tx) undoMergeItem(ctx context.Context, m *patchwork.ClientMerge, it mergeItem) error {
	var err error
	switch it.kind {
	case mergeMembershipEnded:
		// The membership itself comes back, as it was, unless its agent was
		// deactivated meanwhile.
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET left_at = NULL, leave_reason = ''
			WHERE id = $1 AND leave_reason = $2 AND agent_id IN (SELECT id FROM agents WHERE active = 1)`, it.id, patchwork.LeaveMerged)
	case mergeMembershipAdded:
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET left_at = $1, leave_reason = $2 WHERE id = $3 AND left_at IS NULL`,
			micros(tx.now), patchwork.LeaveMergeUndone, it.id)
	case mergeAttention:
		_, err = tx.ExecContext(ctx, `UPDATE attentions SET client_id = $1 WHERE id = $2`, m.MergeID, it.id)
	case mergeActivity:
		_, err = tx.ExecContext(ctx, `UPDATE activities SET client_id = $1 WHERE id = $2`, m.MergeID, it.id)
	case mergeInvitation:
		// One accepted meanwhile joined A, and stays as it happened.
		_, err = tx.ExecContext(ctx, `UPDATE invitations SET client_id = $1 WHERE id = $2 AND status = 'pending'`, m.MergeID, it.id)
	case mergeArea:
		_, err = tx.ExecContext(ctx, `DELETE FROM client_areas WHERE client_id = $1 AND area_id = $2`, m.KeepID, it.id)
	case mergeCircleAdded:
		a, b, _ := strings.Cut(it.data, ",")
		ai, _ := strconv.ParseInt(a, 10, 64)
		bi, _ := strconv.ParseInt(b, 10, 64)
		_, err = tx.ExecContext(ctx, `DELETE FROM circle_links WHERE client_a = $1 AND client_b = $2`, ai, bi)
	case mergeCircleRemoved:
		var l circleLink
		if err := json.Unmarshal([]byte(it.data), &l); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO circle_links (client_a, client_b, relationship, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_a, client_b) DO NOTHING`, l.A, l.B, l.Relationship, l.Note, l.CreatedBy, l.CreatedAt)
	default:
		err = fmt.Errorf("sqldb: unknown merge item %q", it.kind)
	}
	return err
}

// FindMergedClient returns where client id was merged to, for a member there.
func (s *ClientService) FindMergedClient(ctx context.Context, id int64) (int64, error) {
	c, err := caller(ctx)
	if err != nil {
		return 0, err
	}
	to := id
	for range 20 { // a chain of merges, each kept client merged again
		var next sql.NullInt64
		err := s.db.read.QueryRowContext(ctx, `SELECT merged_into FROM clients WHERE id = $1`, to).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, patchwork.ErrNotFound
		} else if err != nil {
			return 0, err
		}
		if !next.Valid {
			break
		}
		to = next.Int64
	}
	if to == id {
		return 0, patchwork.ErrNotFound
	}
	if err := requireMember(ctx, s.db.read, c, to); err != nil {
		return 0, err
	}
	return to, nil
}
