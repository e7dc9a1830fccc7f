package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"patchwork"
)

// A scan of the duplicates queue asked for on a page runs as the worker's
// duplicate_scan job, as the nightly one does: at a million clients it
// takes minutes, far longer than a request may.

// duplicateScanPayload is the payload of a scan an admin asked for: who
// asked, for support; the scan itself is the network's, as at night.
type duplicateScanPayload struct {
	RequestedBy int64 `json:"requested_by,omitempty"`
}

// QueueDuplicateScan queues a scan unless one is queued or running; see
// patchwork.MergeService.
func (s *MergeService) QueueDuplicateScan(ctx context.Context) (*patchwork.DuplicateScanState, bool, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, false, err
	}
	var p duplicateScanPayload
	if r.actor != nil {
		p.RequestedBy = r.actor.ID
	}
	payload, _ := json.Marshal(p)
	var st *patchwork.DuplicateScanState
	queued := false
	err = s.db.inTx(ctx, func(tx *Tx) error {
		// SQLite's write transactions already take turns; on PostgreSQL
		// two requests at once would each find no scan waiting.
		if tx.db.Dialect.Name == "postgres" {
			if _, err := tx.ExecContext(ctx, advisory("pg_advisory_xact_lock"), advisoryDuplicateScan); err != nil {
				return err
			}
		}
		var err error
		if st, err = s.db.duplicateScanState(ctx, tx, tx.now); err != nil {
			return err
		}
		if st.Queued || st.Running {
			queued = false
			return nil
		}
		id, _, err := tx.enqueueJob(ctx, JobSpec{Kind: JobDuplicateScan, Payload: string(payload), Priority: PriorityNormal})
		if err != nil {
			return err
		}
		st.Queued, st.Since, queued = true, tx.now, true
		return tx.audit(ctx, patchwork.AuditDuplicateQueue, 0, fmt.Sprintf("job=%d", id))
	})
	if err != nil {
		return nil, false, err
	}
	return st, queued, nil
}

// FindDuplicateScanState says where the refresh stands; see
// patchwork.MergeService.
func (s *MergeService) FindDuplicateScanState(ctx context.Context) (*patchwork.DuplicateScanState, error) {
	if _, err := adminReach(ctx); err != nil {
		return nil, err
	}
	return s.db.duplicateScanState(ctx, s.db.read, s.db.now())
}

// duplicateScanState reads the queued and running scans at now (a job
// whose lock has expired, its worker stopped, waits again) and the time
// of the last whole scan, which its audit row records, whoever ran it.
func (db *DB) duplicateScanState(ctx context.Context, q querier, now time.Time) (*patchwork.DuplicateScanState, error) {
	type row struct{ created, lockedUntil, started sql.NullInt64 }
	rows, err := scanAll(ctx, q, `SELECT created_at, locked_until, started_at FROM jobs
		WHERE kind = $1 AND status = 'queued' ORDER BY created_at, id`, func(sc interface{ Scan(...any) error }) (row, error) {
		var x row
		return x, sc.Scan(&x.created, &x.lockedUntil, &x.started)
	}, JobDuplicateScan)
	if err != nil {
		return nil, fmt.Errorf("sqldb: duplicate scan state: %w", err)
	}
	st := &patchwork.DuplicateScanState{}
	for _, x := range rows {
		if x.lockedUntil.Valid && x.lockedUntil.Int64 > micros(now) {
			st.Running, st.Queued, st.Since = true, false, nullMicros(x.started)
			break
		}
		if !st.Queued {
			st.Queued, st.Since = true, nullMicros(x.created)
		}
	}
	var last sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(at) FROM audit_events WHERE action = $1`, patchwork.AuditDuplicateScan).Scan(&last); err != nil {
		return nil, fmt.Errorf("sqldb: last duplicate scan: %w", err)
	}
	st.LastScan = nullMicros(last)
	return st, nil
}
