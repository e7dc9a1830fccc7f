package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// OpsStats is what an operator watches about the database's queues and the
// audit log (the /metrics gauges). It holds no client data.
type OpsStats struct {
	// QueuedJobs are jobs waiting to run (due or not); DueJobs those whose
	// time has come, and OldestDue is how long the oldest of them has
	// waited (zero when none is due).
	QueuedJobs, DueJobs int64
	OldestDue           time.Duration
	// FailedJobs are jobs that failed for good and wait for an admin.
	FailedJobs int64
	// AuditCheckpointAge is how long ago the audit chain's head was last
	// signed; HasCheckpoint is false before the first audit row.
	AuditCheckpointAge time.Duration
	HasCheckpoint      bool
}

// OpsStats reads the queue and audit figures in two indexed queries.
func (db *DB) OpsStats(ctx context.Context) (OpsStats, error) {
	var s OpsStats
	now := db.now()
	var oldest sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT
			COUNT(*) FILTER (WHERE status = 'queued'),
			COUNT(*) FILTER (WHERE status = 'queued' AND run_at <= $1),
			MIN(run_at) FILTER (WHERE status = 'queued' AND run_at <= $1),
			COUNT(*) FILTER (WHERE status = 'failed')
		FROM jobs WHERE status IN ('queued', 'failed')`, micros(now)).
		Scan(&s.QueuedJobs, &s.DueJobs, &oldest, &s.FailedJobs); err != nil {
		return s, fmt.Errorf("sqldb: job stats: %w", err)
	}
	if oldest.Valid {
		s.OldestDue = now.Sub(fromMicros(oldest.Int64))
	}
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT at FROM audit_head WHERE id = 1`).Scan(&at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return s, fmt.Errorf("sqldb: audit head: %w", err)
	default:
		s.HasCheckpoint, s.AuditCheckpointAge = true, now.Sub(fromMicros(at))
	}
	return s, nil
}

// BackupTo writes a consistent copy of a SQLite database to path (which
// must not exist) while the database stays in use: VACUUM INTO reads one
// snapshot, so writes that commit meanwhile are either wholly in the copy or
// not at all. PostgreSQL is backed up with pg_dump (docs/deploy.md).
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.Dialect.Name != "sqlite" {
		return errors.New("sqldb: backup copies SQLite databases; back up PostgreSQL with pg_dump (docs/deploy.md)")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqldb: backup: %s already exists", path)
	}
	// On the write connection: the read pool opens the file read-only,
	// which SQLite extends to the file VACUUM INTO writes. Run from the CLI
	// (a process of its own) this holds back no server's writes.
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("sqldb: backup: %w", err)
	}
	return nil
}
