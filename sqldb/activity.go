package sqldb

import (
	"context"
	"fmt"

	"patchwork"
)

// addActivity appends an entry to a client's trail and returns its id.
func (tx *Tx) addActivity(ctx context.Context, clientID, agentID int64, kind, detail string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO activities (client_id, agent_id, kind, detail, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, clientID, agentID, kind, detail, micros(tx.now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("sqldb: add activity: %w", err)
	}
	return id, nil
}

// notifyTeam records a notification of activityID for every current member of
// the client's team except the agent who acted: the mail pipeline delivers
// them according to each agent's preferences.
func (tx *Tx) notifyTeam(ctx context.Context, clientID, actorID, activityID int64, kind string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications (agent_id, activity_id, kind, created_at)
		SELECT m.agent_id, $1, $2, $3 FROM memberships m
		WHERE m.client_id = $4 AND m.left_at IS NULL AND m.agent_id <> $5`,
		activityID, kind, micros(tx.now), clientID, actorID)
	if err != nil {
		return fmt.Errorf("sqldb: notify team: %w", err)
	}
	return nil
}

// recordTeamEvent writes an activity row and notifies the rest of the team.
func (tx *Tx) recordTeamEvent(ctx context.Context, clientID, actorID int64, kind, detail string) error {
	id, err := tx.addActivity(ctx, clientID, actorID, kind, detail)
	if err != nil {
		return err
	}
	return tx.notifyTeamAndEnqueueEmails(ctx, clientID, actorID, id, kind)
}

// loadActivity returns activity rows matching where, newest first. The
// caller must restrict where to clients the viewer may see.
func (db *DB) loadActivity(ctx context.Context, q querier, where string, limit int, args ...any) ([]*patchwork.Activity, error) {
	return scanAll(ctx, q, `SELECT `+activityColumns+activityFrom+` WHERE `+where+
		fmt.Sprintf(` ORDER BY t.id DESC LIMIT %d`, limit), func(sc interface{ Scan(...any) error }) (*patchwork.Activity, error) {
		return scanActivity(sc)
	}, args...)
}

const activityColumns = `t.id, t.client_id, t.agent_id, a.name, t.kind, t.detail, t.created_at`

const activityFrom = ` FROM activities t JOIN agents a ON a.id = t.agent_id`

// scanActivity reads the activityColumns of one row, then extra.
func scanActivity(sc interface{ Scan(...any) error }, extra ...any) (*patchwork.Activity, error) {
	t := &patchwork.Activity{}
	var at int64
	if err := sc.Scan(append([]any{&t.ID, &t.ClientID, &t.AgentID, &t.AgentName, &t.Kind, &t.Detail, &at}, extra...)...); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMicros(at)
	return t, nil
}

// FindMyActivity returns recent activity on the caller's current clients,
// with each client's name for the dashboard.
func (s *ClientService) FindMyActivity(ctx context.Context, limit int) ([]*patchwork.Activity, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT `+activityColumns+`, cl.first_name, cl.last_name
		FROM memberships mine
		JOIN activities t ON t.client_id = mine.client_id
		JOIN agents a ON a.id = t.agent_id
		JOIN clients cl ON cl.id = t.client_id
		WHERE mine.agent_id = $1 AND mine.left_at IS NULL
		ORDER BY t.id DESC`+limitClause(limit), func(sc interface{ Scan(...any) error }) (*patchwork.Activity, error) {
		var first, last string
		t, err := scanActivity(sc, &first, &last)
		if err != nil {
			return nil, err
		}
		t.ClientName = first + " " + last
		return t, nil
	}, c.ID)
}
