package sqldb

import (
	"context"
	"time"

	"patchwork"
)

// The join limit. An agent joins a few teams a week; a loop of join, read
// the page, leave is how one would copy the register, so joins are counted
// per agent in the database, where every instance sees the same count.
const (
	// DefaultJoinLimit is how many teams an agent may join in JoinWindow
	// unless the deployment sets another limit.
	DefaultJoinLimit = 20
	// JoinWindow is the period the join limit counts over.
	JoinWindow = time.Hour
	// teamJoinsKept is how long a join is remembered: at least the window,
	// and at least as long as its ticket lives, so a ticket that is still
	// live is never forgotten as spent.
	teamJoinsKept = max(JoinWindow, joinTicketTTL)
)

// joinState is what a join needs to know about the agent's earlier joins.
type joinState struct {
	recent int       // counted joins within JoinWindow
	oldest time.Time // the earliest of them
	spent  bool      // the ticket has been used already
}

// lockJoins locks the caller's agent row for the rest of the transaction
// and reads their recent joins. The lock serialises one agent's joins
// across instances: without it two PostgreSQL transactions could each
// count 19 and both join, or both find the agent not yet a member of the
// same team. (SQLite's single writer already serialises them.) NO KEY
// UPDATE does not block the key-share locks that other transactions'
// foreign keys to this agent take, so it cannot deadlock with them.
//
// The count is a statement of its own: on PostgreSQL a statement reads the
// data as it was when the statement began, so a count made by the locking
// statement would miss the joins committed while it waited for the lock.
func (tx *Tx) lockJoins(ctx context.Context, agentID int64, ticket string) (joinState, error) {
	var st joinState
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM agents WHERE id = $1`+tx.db.Dialect.LockRow, agentID).Scan(&one); err != nil {
		return st, err
	}
	var oldest int64
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM team_joins WHERE agent_id = $1 AND at > $2 AND counted = 1),
		(SELECT COALESCE(MIN(at), 0) FROM team_joins WHERE agent_id = $1 AND at > $2 AND counted = 1),
		(SELECT COUNT(*) FROM team_joins WHERE ticket = $3)`, agentID, micros(tx.now.Add(-JoinWindow)), ticket).
		Scan(&st.recent, &oldest, &st.spent)
	st.oldest = fromMicros(oldest)
	return st, err
}

// checkJoinLimit refuses a join once the agent has made limit counted joins
// in JoinWindow, saying plainly when they may join again. A limit of 0 or
// less is no limit.
func (tx *Tx) checkJoinLimit(st joinState, limit int) error {
	if limit <= 0 || st.recent < limit {
		return nil
	}
	wait := int(st.oldest.Add(JoinWindow).Sub(tx.now).Minutes()) + 1
	return patchwork.Errorf(patchwork.ETOOMANYREQUEST,
		"You have joined %d teams in the last hour, the most allowed. You can join another team in about %d minutes.",
		st.recent, wait)
}

// spendJoinTicket records a join made with ticket, counted towards the
// agent's limit or not.
func (tx *Tx) spendJoinTicket(ctx context.Context, agentID int64, ticket string, counted bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO team_joins (ticket, agent_id, at, counted) VALUES ($1, $2, $3, $4)`,
		ticket, agentID, micros(tx.now), b2i(counted))
	return err
}

// PurgeTeamJoins deletes the joins that neither the join limit nor a live
// ticket needs any more; the worker's hourly clean-up calls it.
func (db *DB) PurgeTeamJoins(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM team_joins WHERE at < $1`, micros(db.now().Add(-teamJoinsKept)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
