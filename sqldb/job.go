package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"patchwork"
)

// Job kinds the worker runs.
const (
	JobSendEmail = "send_email" // one email for the notifications linked to the job
	JobDigest    = "digest"     // a period's digest run: one send_email job per agent
	JobCleanup   = "cleanup"    // expired sessions, expired locks, old finished jobs
)

// Job priorities: emails that tell someone something at once go before
// digests and housekeeping, so a large weekly digest never delays an urgent
// attention.
const (
	PriorityImmediate = 10
	PriorityNormal    = 0
)

// DefaultMaxAttempts is how many times a job is tried before it is marked
// failed. With Backoff that spans about two hours.
const DefaultMaxAttempts = 8

// maxBackoff caps the wait between two attempts.
const maxBackoff = time.Hour

// Backoff returns how long to wait before the next attempt of a job that has
// now been tried attempts times: 30s·2^attempts, capped at an hour.
func Backoff(attempts int) time.Duration {
	if attempts > 20 {
		return maxBackoff
	}
	d := 30 * time.Second << attempts
	if d > maxBackoff {
		d = maxBackoff
	}
	return d
}

// JobSpec describes a job to enqueue.
type JobSpec struct {
	Kind        string
	Payload     string // JSON holding ids only, never client data; "" is {}
	UniqueKey   string // "" for none; a second job with the same key is dropped
	Priority    int
	RunAt       time.Time // zero means now
	MaxAttempts int       // zero means DefaultMaxAttempts
}

// enqueueJob adds a job inside tx, so that it commits or rolls back with the
// change that caused it. created is false when a job with the same unique
// key already exists; id is then 0.
func (tx *Tx) enqueueJob(ctx context.Context, s JobSpec) (id int64, created bool, err error) {
	if s.Payload == "" {
		s.Payload = "{}"
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = DefaultMaxAttempts
	}
	runAt := tx.now
	if !s.RunAt.IsZero() {
		runAt = s.RunAt
	}
	var key any
	if s.UniqueKey != "" {
		key = s.UniqueKey
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO jobs (kind, payload, unique_key, priority, run_at, max_attempts, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unique_key) DO NOTHING RETURNING id`,
		s.Kind, s.Payload, key, s.Priority, micros(runAt), s.MaxAttempts, micros(tx.now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("sqldb: enqueue job: %w", err)
	}
	return id, true, nil
}

// EnqueueJob adds a job in its own transaction; the worker uses it for
// scheduled jobs, whose unique keys make every instance's attempt but the
// first a no-op. Use cases that cause a job enqueue it in their own
// transaction instead.
func (db *DB) EnqueueJob(ctx context.Context, s JobSpec) (id int64, created bool, err error) {
	err = db.inTx(ctx, func(tx *Tx) error {
		id, created, err = tx.enqueueJob(ctx, s)
		return err
	})
	return id, created, err
}

const jobColumns = `id, kind, payload, COALESCE(unique_key, ''), priority, run_at, attempts, max_attempts,
	locked_until, COALESCE(locked_by, ''), status, last_error, created_at, done_at, started_at`

func scanJob(sc interface{ Scan(...any) error }) (*patchwork.Job, error) {
	j := &patchwork.Job{}
	var runAt, created int64
	var locked, done, started sql.NullInt64
	if err := sc.Scan(&j.ID, &j.Kind, &j.Payload, &j.UniqueKey, &j.Priority, &runAt, &j.Attempts, &j.MaxAttempts,
		&locked, &j.LockedBy, &j.Status, &j.LastError, &created, &done, &started); err != nil {
		return nil, err
	}
	j.RunAt, j.CreatedAt = fromMicros(runAt), fromMicros(created)
	j.LockedUntil, j.DoneAt, j.StartedAt = nullMicros(locked), nullMicros(done), nullMicros(started)
	return j, nil
}

// ClaimJobs locks up to limit due jobs for workerID until now+lease and
// counts the attempt. A job is due when it is queued, its run_at has come,
// it has attempts left and nobody holds an unexpired lock on it — so the job
// of a worker that was killed mid-run is claimed again once its lock
// expires. On PostgreSQL, SKIP LOCKED lets instances claim side by side
// without waiting on each other; no two claims ever return the same job
// while its lock holds. Jobs come back highest priority first, then oldest.
func (db *DB) ClaimJobs(ctx context.Context, workerID string, limit int, lease time.Duration) ([]*patchwork.Job, error) {
	now := db.now()
	jobs, err := scanAll(ctx, db.write, `UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1, started_at = $3
		WHERE id IN (SELECT id FROM jobs
			WHERE status = 'queued' AND run_at <= $3 AND (locked_until IS NULL OR locked_until <= $3)
				AND attempts < max_attempts
			ORDER BY priority DESC, run_at, id`+limitClause(limit)+db.Dialect.SkipLocked+`)
		RETURNING `+jobColumns, scanJob, micros(now.Add(lease)), workerID, micros(now))
	if err != nil {
		return nil, fmt.Errorf("sqldb: claim jobs: %w", err)
	}
	sort.Slice(jobs, func(i, k int) bool {
		a, b := jobs[i], jobs[k]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if !a.RunAt.Equal(b.RunAt) {
			return a.RunAt.Before(b.RunAt)
		}
		return a.ID < b.ID
	})
	return jobs, nil
}

// completeJob marks a job done inside tx. It reports false when the job was
// no longer queued (another worker finished it after this one's lock
// expired); the caller should then roll back its effects.
func (tx *Tx) completeJob(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'done', done_at = $1, locked_until = NULL, last_error = ''
		WHERE id = $2 AND status = 'queued'`, micros(tx.now), id)
	if err != nil {
		return false, fmt.Errorf("sqldb: complete job: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CompleteJob marks a job done.
func (db *DB) CompleteJob(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.completeJob(ctx, id)
		return err
	})
}

// errorText bounds a stored error message.
func errorText(err error) string {
	s := err.Error()
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}

// FailJob records a failed attempt of j (as claimed, with its attempts
// already counted). The job is queued again after Backoff(j.Attempts), or
// marked failed, for admins to see, when it has no attempts left or cause is
// patchwork.ErrPermanent (trying again cannot mend it). It reports
// whether the job is now failed for good.
func (db *DB) FailJob(ctx context.Context, j *patchwork.Job, cause error) (failed bool, err error) {
	now := db.now()
	if j.Attempts >= j.MaxAttempts || errors.Is(cause, patchwork.ErrPermanent) {
		_, err = db.write.ExecContext(ctx, `UPDATE jobs SET status = 'failed', done_at = $1, locked_until = NULL,
			last_error = $2 WHERE id = $3 AND status = 'queued'`, micros(now), errorText(cause), j.ID)
		return true, err
	}
	_, err = db.write.ExecContext(ctx, `UPDATE jobs SET run_at = $1, locked_until = NULL, locked_by = NULL, last_error = $2
		WHERE id = $3 AND status = 'queued'`, micros(now.Add(Backoff(j.Attempts))), errorText(cause), j.ID)
	return false, err
}

// ReleaseJobs hands back jobs that workerID claimed but did not start (it is
// shutting down), without counting the attempt, so another instance can
// take them at once.
func (db *DB) ReleaseJobs(ctx context.Context, workerID string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{workerID}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := db.write.ExecContext(ctx, `UPDATE jobs SET locked_until = NULL, locked_by = NULL, attempts = attempts - 1
		WHERE locked_by = $1 AND status = 'queued' AND id IN (`+placeholders(2, len(ids))+`)`, args...)
	return err
}

// RequeueExpiredJobs clears the locks that have expired (their worker
// stopped or was killed) so the jobs show as waiting, and marks failed the
// ones whose last attempt it was. Claiming does not depend on it: an expired
// lock is claimable anyway.
func (db *DB) RequeueExpiredJobs(ctx context.Context) (requeued, failed int64, err error) {
	now := micros(db.now())
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'failed', done_at = $1, locked_until = NULL,
			last_error = 'the worker stopped during the last attempt'
			WHERE status = 'queued' AND locked_until <= $1 AND attempts >= max_attempts`, now)
		if err != nil {
			return err
		}
		failed, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE jobs SET locked_until = NULL, locked_by = NULL,
			last_error = 'the worker stopped during an attempt'
			WHERE status = 'queued' AND locked_until <= $1`, now)
		if err != nil {
			return err
		}
		requeued, _ = res.RowsAffected()
		return nil
	})
	return requeued, failed, err
}

// RescheduleFutureJobs mends the queue after the clock was set back: a
// queued job created after now was stamped by the clock before it went
// back, so its run_at lies too far ahead by as much as the clock moved. It
// moves each such job's run_at and created_at back by how far its
// creation lies ahead of now — an email queued to go at once goes now, not
// hours late; a retry keeps its backoff from now — and returns how many it
// moved. The worker calls it when it starts and whenever it sees its clock
// go back.
func (db *DB) RescheduleFutureJobs(ctx context.Context) (int64, error) {
	now := micros(db.now())
	res, err := db.write.ExecContext(ctx, `UPDATE jobs SET run_at = run_at - created_at + $1, created_at = $1
		WHERE status = 'queued' AND created_at > $1`, now)
	if err != nil {
		return 0, fmt.Errorf("sqldb: reschedule jobs: %w", err)
	}
	return res.RowsAffected()
}

// PurgeJobs deletes jobs that finished successfully before cutoff. Failed
// jobs stay until an admin retries them.
func (db *DB) PurgeJobs(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM jobs WHERE status = 'done' AND done_at < $1`, micros(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// FindJobByID returns a job whatever its state; tests and tools use it.
func (db *DB) FindJobByID(ctx context.Context, id int64) (*patchwork.Job, error) {
	j, err := scanJob(db.read.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	}
	return j, err
}

// JobService implements patchwork.JobService.
type JobService struct{ db *DB }

// NewJobService returns a JobService on db.
func NewJobService(db *DB) *JobService { return &JobService{db: db} }

// failedJobs are the jobs that failed for good, newest first.
const (
	failedJobs     = ` FROM jobs WHERE status = 'failed'`
	failedJobOrder = ` ORDER BY done_at DESC, id DESC`
)

// FindFailedJobs lists a page of failed jobs for admins; see
// patchwork.JobService.
func (s *JobService) FindFailedJobs(ctx context.Context, page int) ([]*patchwork.Job, int, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+failedJobs).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+jobColumns+failedJobs+failedJobOrder+pageClause(page), scanJob)
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// ExportFailedJobs streams every failed job; see patchwork.JobService.
func (s *JobService) ExportFailedJobs(ctx context.Context, fn func(*patchwork.Job) error) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditJobExport, 0, ""); err != nil {
		return err
	}
	return streamRows(ctx, s.db.read, `SELECT `+jobColumns+failedJobs+failedJobOrder, scanJob, fn)
}

// RetryJob queues a failed job again; see patchwork.JobService.
func (s *JobService) RetryJob(ctx context.Context, id int64) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, locked_until = NULL,
			locked_by = NULL, done_at = NULL WHERE id = $2 AND status = 'failed'`, micros(tx.now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		return tx.audit(ctx, patchwork.AuditJobRetry, 0, fmt.Sprintf("job=%d", id))
	})
}
