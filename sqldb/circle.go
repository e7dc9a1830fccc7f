package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"patchwork"
)

// CircleService implements patchwork.CircleService.
type CircleService struct{ db *DB }

// NewCircleService returns a CircleService on db.
func NewCircleService(db *DB) *CircleService { return &CircleService{db: db} }

// circlePair orders two clients as circle_links stores them, with rel (what
// related is to client) turned to what client_b is to client_a.
func circlePair(client, related int64, rel string) (a, b int64, stored string) {
	if client < related {
		return client, related, rel
	}
	return related, client, patchwork.ReciprocalRelationship(rel)
}

// Activity details of circle changes: what happened and the relationship
// of the other client, never who they are.
const (
	circleAdded   = "added:"
	circleRemoved = "removed:"
)

var errAlreadyLinked = patchwork.Errorf(patchwork.ECONFLICT, "These clients are already linked in the circle.")

// AddToCircle links two of the caller's clients; see patchwork.CircleService.
func (s *CircleService) AddToCircle(ctx context.Context, clientID int64, req patchwork.CircleRequest) error {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	if req.RelatedClientID == clientID {
		return patchwork.Invalid(map[string]string{"related_client_id": "Select another client: a client cannot be in their own circle"})
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		// Both memberships are checked again inside the change: the
		// caller must be on both teams as it commits.
		for _, id := range []int64{clientID, req.RelatedClientID} {
			if err := requireMember(ctx, tx, c, id); err != nil {
				return err
			}
		}
		a, b, rel := circlePair(clientID, req.RelatedClientID, req.Relationship)
		if _, err := tx.ExecContext(ctx, `INSERT INTO circle_links (client_a, client_b, relationship, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, a, b, rel, req.Note, c.ID, micros(tx.now)); err != nil {
			if isUniqueViolation(err) {
				return errAlreadyLinked
			}
			return err
		}
		return tx.recordCircleChange(ctx, c.ID, clientID, req.RelatedClientID, req.Relationship, circleAdded)
	})
}

// recordCircleChange writes the activity of a link between client and
// related (rel: what related is to client) on both clients and tells both
// teams.
func (tx *Tx) recordCircleChange(ctx context.Context, actorID, client, related int64, rel, what string) error {
	if err := tx.recordTeamEvent(ctx, client, actorID, patchwork.ActivityCircleChanged, what+rel); err != nil {
		return err
	}
	return tx.recordTeamEvent(ctx, related, actorID, patchwork.ActivityCircleChanged, what+patchwork.ReciprocalRelationship(rel))
}

// RemoveFromCircle removes a link; see patchwork.CircleService.
func (s *CircleService) RemoveFromCircle(ctx context.Context, clientID, relatedID int64) error {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := requireMember(ctx, tx, c, clientID); err != nil {
			return err
		}
		a, b, _ := circlePair(clientID, relatedID, "")
		var stored string
		err := tx.QueryRowContext(ctx, `DELETE FROM circle_links WHERE client_a = $1 AND client_b = $2 RETURNING relationship`,
			a, b).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return patchwork.ErrNotFound
		} else if err != nil {
			return err
		}
		rel := stored // what b is to a
		if clientID != a {
			rel = patchwork.ReciprocalRelationship(stored)
		}
		return tx.recordCircleChange(ctx, c.ID, clientID, relatedID, rel, circleRemoved)
	})
}

// circleRow is one link of a client as read from that client's side.
type circleRow struct {
	related  int64
	rel      string // what related is to the client
	note     string
	added    int64
	first    string
	last     string
	dob      string
	teamSize int
	mine     int
}

// FindCircle returns a client's circle; see patchwork.CircleService.
func (s *CircleService) FindCircle(ctx context.Context, clientID int64) (*patchwork.Circle, error) {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return nil, err
	}
	return s.db.loadCircleAndHints(ctx, s.db.read, c, clientID)
}

// loadCircleAndHints reads clientID's circle and household hints as
// viewer, a member of the team, may see them.
func (db *DB) loadCircleAndHints(ctx context.Context, q querier, viewer *patchwork.Agent, clientID int64) (*patchwork.Circle, error) {
	out := &patchwork.Circle{}
	var err error
	if out.Related, err = db.loadCircle(ctx, q, viewer, clientID); err != nil {
		return nil, err
	}
	if out.Hints, err = householdHints(ctx, q, viewer, clientID, out.Related); err != nil {
		return nil, err
	}
	return out, nil
}

// loadCircle reads clientID's links as viewer, a member of clientID's team,
// may see them: for a related client whose team viewer is not on, no more
// than name, age, relationship, team size and agencies (sensitive ones
// under their generic label), and a join ticket.
func (db *DB) loadCircle(ctx context.Context, q querier, viewer *patchwork.Agent, clientID int64) ([]*patchwork.RelatedClient, error) {
	rows, err := scanAll(ctx, q, `SELECT l.other, l.relationship, l.note, l.created_at, c.first_name, c.last_name, c.date_of_birth,
		(SELECT COUNT(*) FROM memberships m WHERE m.client_id = c.id AND m.left_at IS NULL),
		(SELECT COUNT(*) FROM memberships m WHERE m.client_id = c.id AND m.agent_id = $2 AND m.left_at IS NULL)
		FROM (SELECT client_b AS other, relationship, note, created_at FROM circle_links WHERE client_a = $1
			UNION ALL SELECT client_a, relationship, note, created_at FROM circle_links WHERE client_b = $1) l
		JOIN clients c ON c.id = l.other
		ORDER BY l.created_at, l.other`, func(sc interface{ Scan(...any) error }) (*circleRow, error) {
		r := &circleRow{}
		err := sc.Scan(&r.related, &r.rel, &r.note, &r.added, &r.first, &r.last, &r.dob, &r.teamSize, &r.mine)
		return r, err
	}, clientID, viewer.ID)
	if err != nil {
		return nil, err
	}
	var out []*patchwork.RelatedClient
	var ids []int64
	for _, r := range rows {
		rel := r.rel
		if r.related < clientID { // stored as what clientID (b) is to related (a)
			rel = patchwork.ReciprocalRelationship(r.rel)
		}
		rc := &patchwork.RelatedClient{ID: r.related, Name: strings.TrimSpace(r.first + " " + r.last), DateOfBirth: r.dob,
			Relationship: rel, Note: r.note, TeamSize: r.teamSize, IsMember: r.mine > 0, AddedAt: fromMicros(r.added)}
		if !rc.IsMember {
			if rc.JoinTicket, err = db.joinTicket(ctx, viewer.ID, r.related); err != nil {
				return nil, err
			}
		}
		out = append(out, rc)
		ids = append(ids, r.related)
	}
	if err := db.fillTeams(ctx, q, viewer, out, ids); err != nil {
		return nil, err
	}
	return out, nil
}

// fillTeams sets each related client's agencies as viewer may see them and,
// for those whose team viewer is on, the agents.
func (db *DB) fillTeams(ctx context.Context, q querier, viewer *patchwork.Agent, rcs []*patchwork.RelatedClient, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	byID := map[int64]*patchwork.RelatedClient{}
	for _, rc := range rcs {
		byID[rc.ID] = rc
	}
	seen := map[int64]map[int64]bool{}
	rows, err := q.QueryContext(ctx, `SELECT m.client_id, `+agentColumns+agentFrom+` JOIN memberships m ON m.agent_id = a.id
		WHERE m.client_id IN (`+placeholders(1, len(ids))+`) AND m.left_at IS NULL ORDER BY m.is_lead DESC, m.joined_at, m.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var clientID int64
		a, err := scanAgent(scanFunc(func(dest ...any) error { return rows.Scan(append([]any{&clientID}, dest...)...) }))
		if err != nil {
			return err
		}
		rc := byID[clientID]
		if rc.IsMember {
			rc.Agents = append(rc.Agents, a.AsTeammateSeenBy(viewer))
		}
		if seen[clientID] == nil {
			seen[clientID] = map[int64]bool{}
		}
		if g := a.Agency; !seen[clientID][g.ID] {
			seen[clientID][g.ID] = true
			rc.Agencies = append(rc.Agencies, agencyForCircle(g, viewer))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, rc := range rcs {
		sort.SliceStable(rc.Agencies, func(i, j int) bool { return rc.Agencies[i].Name < rc.Agencies[j].Name })
	}
	return nil
}

// agencyForCircle is an agency as viewer may see it beside a related
// client: a sensitive agency it is not staff of shows its generic label
// only, without even its id, so that no page can link to it.
func agencyForCircle(g *patchwork.Agency, viewer *patchwork.Agent) *patchwork.Agency {
	if g.Sensitive && !(viewer.Admin || viewer.AgencyID == g.ID) {
		return &patchwork.Agency{Name: g.PublicName(), Sensitive: true, GenericLabel: g.PublicName()}
	}
	return g.AsSeenBy(viewer)
}

// FindLinkableClients returns the caller's clients that could join
// clientID's circle; see patchwork.CircleService.
func (s *CircleService) FindLinkableClients(ctx context.Context, clientID int64, filter string) ([]*patchwork.ClientSummary, error) {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return nil, err
	}
	all, err := s.db.clientSummaries(ctx, `JOIN memberships mine ON mine.client_id = c.id AND mine.agent_id = $1 AND mine.left_at IS NULL
		WHERE c.id <> $2 AND NOT EXISTS (SELECT 1 FROM circle_links l
			WHERE (l.client_a = $2 AND l.client_b = c.id) OR (l.client_b = $2 AND l.client_a = c.id))`, c.ID, clientID)
	if err != nil {
		return nil, err
	}
	words := strings.Fields(strings.ToLower(filter))
	var out []*patchwork.ClientSummary
	for _, cs := range all {
		name := strings.ToLower(cs.Name)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(name, w)
		}
		if ok {
			out = append(out, cs)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}
