package worker_test

import (
	"context"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestNightlyDuplicateScan: the worker's nightly slot refreshes the
// duplicates queue, once a night however many times it is scheduled.
func TestNightlyDuplicateScan(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		a := e.world.MustAgent(t, "Ali Agent", e.world.Council, e.world.LocalA)
		for _, last := range []string{"Merriweather", "Merriwether"} {
			e.world.MustCreateClient(t, a, &patchwork.Client{FirstName: "Jordan", LastName: last, DateOfBirth: "04/05/2011",
				AreaIDs: []int64{e.world.LocalA.ID}})
		}
		e.at(t, 2026, 11, 24, 8, 0)
		for _, s := range e.w.Slots(e.clk.Now()) {
			if s.Kind != sqldb.JobDuplicateScan {
				continue
			}
			for range 2 {
				if _, _, err := db.EnqueueJob(t.Context(), s); err != nil {
					t.Fatal(err)
				}
			}
		}
		drain(t, e.w)
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'done'`, sqldb.JobDuplicateScan); n != 1 {
			t.Errorf("duplicate scans run = %d, want 1", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM duplicate_pairs WHERE status = 'open' AND reasons <> ''`); n != 1 {
			t.Errorf("queued pairs = %d, want the one likely pair with its reasons", n)
		}
	})
}

// onDemandScans counts the scans admins asked for (the nightly ones have
// a unique key) with the given status.
func onDemandScans(t *testing.T, db *sqldb.DB, status string) int {
	t.Helper()
	return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND unique_key IS NULL AND status = $2`,
		sqldb.JobDuplicateScan, status)
}

// TestDuplicateScanOnDemand: the scan an admin queued is run by the worker,
// which refreshes the duplicates queue and finishes the job; the page's
// state then shows no scan waiting and the time of the refresh.
func TestDuplicateScanOnDemand(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		a := e.world.MustAgent(t, "Ali Agent", e.world.Council, e.world.LocalA)
		admin := e.world.MustAreaAdmin(t, "Nadia Northadmin", e.world.Council, e.world.District)
		e.at(t, 2026, 11, 24, 8, 0) // the night's scan runs on an empty network
		for _, last := range []string{"Merriweather", "Merriwether"} {
			e.world.MustCreateClient(t, a, &patchwork.Client{FirstName: "Jordan", LastName: last, DateOfBirth: "04/05/2011",
				AreaIDs: []int64{e.world.LocalA.ID}})
		}
		svc := sqldb.NewMergeService(db)
		if _, queued, err := svc.QueueDuplicateScan(sqldbtest.As(admin)); err != nil || !queued {
			t.Fatalf("queue: %v, %v", queued, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM duplicate_pairs`); n != 0 {
			t.Fatalf("the request itself queued %d pairs", n)
		}
		e.clk.Add(time.Minute)
		drain(t, e.w)
		if queued, done := onDemandScans(t, db, "queued"), onDemandScans(t, db, "done"); queued != 0 || done != 1 {
			t.Errorf("scans asked for: %d queued, %d done; want the one done", queued, done)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM duplicate_pairs WHERE status = 'open' AND reasons <> ''`); n != 1 {
			t.Errorf("queued pairs = %d, want the one likely pair", n)
		}
		st, err := svc.FindDuplicateScanState(sqldbtest.As(admin))
		if err != nil || st.Queued || st.Running || !st.LastScan.Equal(e.clk.Now()) {
			t.Errorf("state after the scan: %+v, %v; want refreshed at %s", st, err, e.clk.Now())
		}
	})
}

// TestDuplicateScanStoppedByShutdown: a scan in hand when the worker is
// told to stop stops with it (it watches the loop's context, unlike an
// email, which is finished) and goes back to the queue as it was: not
// failed, not put off by a retry's backoff, its attempt uncounted, its lock
// released, so the next worker runs it at once and the queue ends
// refreshed.
func TestDuplicateScanStoppedByShutdown(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		a := e.world.MustAgent(t, "Ali Agent", e.world.Council, e.world.LocalA)
		admin := e.world.MustSystemAdmin(t, "Sid System", e.world.Council)
		e.at(t, 2026, 11, 24, 8, 0)
		for _, last := range []string{"Merriweather", "Merriwether"} {
			e.world.MustCreateClient(t, a, &patchwork.Client{FirstName: "Jordan", LastName: last, DateOfBirth: "04/05/2011",
				AreaIDs: []int64{e.world.LocalA.ID}})
		}
		if _, _, err := sqldb.NewMergeService(db).QueueDuplicateScan(sqldbtest.As(admin)); err != nil {
			t.Fatal(err)
		}
		jobs, err := db.ClaimJobs(t.Context(), "w1", 10, time.Hour)
		if err != nil || len(jobs) != 1 || jobs[0].Kind != sqldb.JobDuplicateScan {
			t.Fatalf("claimed %v, %v", jobs, err)
		}
		stopped, stop := context.WithCancel(t.Context())
		stop()
		e.w.RunJob(stopped, jobs[0])
		j, err := db.FindJobByID(t.Context(), jobs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != patchwork.JobQueued || j.Attempts != 0 || !j.LockedUntil.IsZero() || j.LockedBy != "" ||
			j.LastError != "" || j.RunAt.After(e.clk.Now()) {
			t.Fatalf("the stopped scan's job: %+v; want queued as before, due now", j)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditDuplicateScan); n != 1 {
			t.Errorf("refresh audit rows = %d, want only the night's", n)
		}
		drain(t, e.w)
		if j, err := db.FindJobByID(t.Context(), jobs[0].ID); err != nil || j.Status != patchwork.JobDone || j.Attempts != 1 {
			t.Fatalf("after the next run: %+v, %v; want done at the first counted attempt", j, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM duplicate_pairs WHERE status = 'open'`); n != 1 {
			t.Errorf("queued pairs = %d, want the one likely pair", n)
		}
	})
}

// TestJobInHandFinishedOnStop: any other job in hand (housekeeping here)
// is finished even though the worker was told to stop meanwhile: only
// interruptible jobs watch the loop's context.
func TestJobInHandFinishedOnStop(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		e.at(t, 2026, 11, 24, 8, 0)
		id, _, err := db.EnqueueJob(t.Context(), sqldb.JobSpec{Kind: sqldb.JobCleanup, Priority: sqldb.PriorityNormal})
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := db.ClaimJobs(t.Context(), "w1", 10, time.Hour)
		if err != nil || len(jobs) != 1 || jobs[0].ID != id {
			t.Fatalf("claimed %v, %v", jobs, err)
		}
		stopped, stop := context.WithCancel(t.Context())
		stop()
		e.w.RunJob(stopped, jobs[0])
		if j, err := db.FindJobByID(t.Context(), id); err != nil || j.Status != patchwork.JobDone {
			t.Fatalf("the job in hand: %+v, %v; want done", j, err)
		}
	})
}
