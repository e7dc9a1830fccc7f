package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"patchwork"
)

// errJobTaken rolls back a job's effects when another worker completed the
// job first (this worker's lock had expired).
var errJobTaken = errors.New("sqldb: job already completed by another worker")

// DigestKey is the unique key of the digest run of one period, such as
// "digest:daily:2026-11-22"; each agent's digest email is keyed
// DigestKey(…)+":agent:17". The keys make a period's digest happen once
// however many instances schedule it.
func DigestKey(mode, period string) string { return "digest:" + mode + ":" + period }

// RunDigest performs the digest run jobID for one period, in one
// transaction with the job's completion, so that it happens once: every
// agent with notifications of the given mode (daily or weekly) from before
// cutoff (the period's scheduled time) that are neither handled nor on their
// way gets one send_email job. That job links the notifications when it
// runs (LinkDigestNotifications). It returns the number of emails enqueued.
func (db *DB) RunDigest(ctx context.Context, jobID int64, mode, period string, cutoff time.Time) (int, error) {
	if mode != patchwork.NotifyDaily && mode != patchwork.NotifyWeekly {
		return 0, fmt.Errorf("sqldb: digest mode %q", mode)
	}
	suffix := fmt.Sprintf(`,"digest":%q,"period":%q,"cutoff":%d}`, mode, period, micros(cutoff))
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		now := micros(tx.now)
		res, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, payload, unique_key, priority, run_at, max_attempts, created_at)
			SELECT $1, '{"agent_id":' || d.agent_id || CAST($2 AS TEXT), CAST($3 AS TEXT) || d.agent_id, $4, $5, $6, $5
			FROM (SELECT DISTINCT agent_id FROM notifications
				WHERE delivery = $7 AND handled_at IS NULL AND job_id IS NULL AND created_at < $8) d
			WHERE true
			ON CONFLICT (unique_key) DO NOTHING`,
			JobSendEmail, suffix, DigestKey(mode, period)+":agent:", PriorityNormal, now, DefaultMaxAttempts, mode, micros(cutoff))
		if err != nil {
			return fmt.Errorf("sqldb: digest jobs: %w", err)
		}
		n, _ = res.RowsAffected()
		asked, err := tx.enqueueReviewDigests(ctx, mode, suffix, DigestKey(mode, period)+":agent:")
		if err != nil {
			return err
		}
		n += asked
		ok, err := tx.completeJob(ctx, jobID)
		if err != nil {
			return err
		}
		if !ok {
			return errJobTaken
		}
		return nil
	})
	if errors.Is(err, errJobTaken) {
		return 0, nil
	}
	return int(n), err
}

// LinkDigestNotifications attaches to the digest email job jobID the
// agent's notifications of mode from before cutoff that no email carries
// yet. The job calls it at the start of every attempt, before building the
// email: the first attempt takes what its period holds; a later one also
// takes any notification of the period that committed late, so none is
// left behind. A notification is linked to one job only, so two periods'
// digests never tell the same thing twice.
func (db *DB) LinkDigestNotifications(ctx context.Context, jobID, agentID int64, mode string, cutoff time.Time) error {
	_, err := db.write.ExecContext(ctx, `UPDATE notifications SET job_id = $1
		WHERE agent_id = $2 AND delivery = $3 AND handled_at IS NULL AND job_id IS NULL AND created_at < $4`,
		jobID, agentID, mode, micros(cutoff))
	if err != nil {
		return fmt.Errorf("sqldb: link digest: %w", err)
	}
	return nil
}

// PendingDigestCount returns how many notifications of mode wait for a
// digest; tests and the admin dashboard use it.
func (db *DB) PendingDigestCount(ctx context.Context, mode string) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications
		WHERE delivery = $1 AND handled_at IS NULL AND job_id IS NULL`, mode).Scan(&n)
	return n, err
}

// reviewDue is the SQL condition on memberships m that the membership is
// current and has not been confirmed or updated since $due.
const reviewDue = `m.left_at IS NULL AND COALESCE(m.reviewed_at, m.joined_at) < $1`

// reviewMode is the SQL expression of agent m.agent_id's mode for the
// review kind; $2 is the kind, $3 its default.
const reviewMode = `COALESCE((SELECT p.mode FROM notification_prefs p WHERE p.agent_id = m.agent_id AND p.kind = $2), $3)`

// enqueueReviewDigests adds to a digest run the agents to ask about their
// stale memberships: every active agent with a membership not confirmed or
// updated for the review period, and not asked about it within the period,
// whose mode for the review kind is this digest's. An agent who also has
// notifications gets the one digest email (the same unique key). Those
// memberships are marked asked, so each is asked about once a period. It
// returns how many emails it added.
func (tx *Tx) enqueueReviewDigests(ctx context.Context, mode, suffix, keyPrefix string) (int64, error) {
	due := micros(tx.now.Add(-tx.db.reviewPeriod()))
	where := `FROM memberships m JOIN agents a ON a.id = m.agent_id AND a.active = 1
		WHERE ` + reviewDue + ` AND (m.review_asked_at IS NULL OR m.review_asked_at < $1) AND ` + reviewMode + ` = $4`
	args := []any{due, patchwork.ReviewKind, patchwork.DefaultNotificationMode(patchwork.ReviewKind), mode}
	res, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, payload, unique_key, priority, run_at, max_attempts, created_at)
		SELECT $5, '{"agent_id":' || d.agent_id || CAST($6 AS TEXT), CAST($7 AS TEXT) || d.agent_id, $8, $9, $10, $9
		FROM (SELECT DISTINCT m.agent_id `+where+`) d
		WHERE true
		ON CONFLICT (unique_key) DO NOTHING`,
		append(args, JobSendEmail, suffix, keyPrefix, PriorityNormal, micros(tx.now), DefaultMaxAttempts)...)
	if err != nil {
		return 0, fmt.Errorf("sqldb: review digests: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `UPDATE memberships SET review_asked_at = $5
		WHERE id IN (SELECT m.id `+where+`)`, append(args, micros(tx.now))...); err != nil {
		return 0, fmt.Errorf("sqldb: review digests: %w", err)
	}
	return n, nil
}

// ReviewDigest is what a digest email asks an agent about their stale
// memberships: client ids only, never a client's data.
type ReviewDigest struct {
	AgentName, AgentEmail string
	ClientIDs             []int64 // oldest confirmation first
}

// LoadReviewDigest returns the memberships agentID is to be asked about in
// a digest of mode, as of now: those not confirmed or updated for the
// review period. It returns nil when there are none, the agent is
// deactivated, or their mode for the review kind is not mode.
func (db *DB) LoadReviewDigest(ctx context.Context, agentID int64, mode string) (*ReviewDigest, error) {
	r := &ReviewDigest{}
	var active bool
	var agentMode string
	err := db.read.QueryRowContext(ctx, `SELECT a.name, a.email, a.active,
		COALESCE((SELECT p.mode FROM notification_prefs p WHERE p.agent_id = a.id AND p.kind = $2), $3)
		FROM agents a WHERE a.id = $1`, agentID, patchwork.ReviewKind, patchwork.DefaultNotificationMode(patchwork.ReviewKind)).
		Scan(&r.AgentName, &r.AgentEmail, &active, &agentMode)
	if err != nil {
		return nil, fmt.Errorf("sqldb: load review digest: %w", err)
	}
	if !active || agentMode != mode {
		return nil, nil
	}
	if r.ClientIDs, err = queryIDs(ctx, db.read, `SELECT m.client_id FROM memberships m
		WHERE m.agent_id = $2 AND `+reviewDue+` ORDER BY COALESCE(m.reviewed_at, m.joined_at), m.client_id LIMIT 50`,
		micros(db.now().Add(-db.reviewPeriod())), agentID); err != nil {
		return nil, err
	}
	if len(r.ClientIDs) == 0 {
		return nil, nil
	}
	return r, nil
}
