package sqldb_test

import (
	"context"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestOpsStats: the queue gauges count queued, due and failed jobs and age
// the oldest due one by the clock; the audit checkpoint's age follows the
// last signed head.
func TestOpsStats(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := sqldbtest.NewClock(db)
		sqldbtest.MustWorld(t, db) // writes audit rows, so the head is signed
		for _, s := range []sqldb.JobSpec{{Kind: "test"}, {Kind: "test"}, {Kind: "test", RunAt: clk.Now().Add(time.Hour)}} {
			if _, _, err := db.EnqueueJob(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		clk.Add(90 * time.Second)
		s, err := db.OpsStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.QueuedJobs != 3 || s.DueJobs != 2 || s.FailedJobs != 0 {
			t.Errorf("queued %d due %d failed %d, want 3, 2, 0", s.QueuedJobs, s.DueJobs, s.FailedJobs)
		}
		if s.OldestDue != 90*time.Second {
			t.Errorf("oldest due job waited %s, want 1m30s", s.OldestDue)
		}
		if !s.HasCheckpoint || s.AuditCheckpointAge < 90*time.Second {
			t.Errorf("audit checkpoint: %v, age %s; want signed at least 1m30s ago", s.HasCheckpoint, s.AuditCheckpointAge)
		}
	})
}
