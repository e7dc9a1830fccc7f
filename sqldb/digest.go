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
