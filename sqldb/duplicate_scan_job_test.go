package sqldb_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestQueueDuplicateScan: an admin's request queues one duplicate_scan
// job; another while it waits, or while a worker runs it, queues none, even
// many at once; the state says queued since the request, then running
// since the claim, and when the queue was last refreshed. An agent who is
// no admin gets the missing record's answer and queues nothing.
func TestQueueDuplicateScan(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		admin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		agent := w.MustAgent(t, "Nell Nonadmin", w.Council, w.LocalA)
		svc := sqldb.NewMergeService(db)
		jobs := func() int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobDuplicateScan)
		}

		if _, _, err := svc.QueueDuplicateScan(sqldbtest.As(agent)); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("an agent queued a scan: %v", err)
		}
		st, err := svc.FindDuplicateScanState(sqldbtest.As(admin))
		if err != nil {
			t.Fatal(err)
		}
		if st.Queued || st.Running || !st.LastScan.IsZero() || jobs() != 0 {
			t.Fatalf("before any request: %+v, %d jobs", st, jobs())
		}

		asked := clk.Now()
		st, queued, err := svc.QueueDuplicateScan(sqldbtest.As(admin))
		if err != nil || !queued || !st.Queued || st.Running || !st.Since.Equal(asked) {
			t.Fatalf("first request: %+v, queued %v, %v", st, queued, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'queued' AND attempts = 0
			AND payload LIKE $2`, sqldb.JobDuplicateScan, `%"requested_by":`+itoa(admin.ID)+`%`); n != 1 || jobs() != 1 {
			t.Fatalf("queued scans = %d (%d in all), want the one asked for", n, jobs())
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`,
			patchwork.AuditDuplicateQueue, admin.ID); n != 1 {
			t.Errorf("audit rows of the request = %d, want 1", n)
		}

		// Many requests at once while it waits: none queues another.
		clk.Add(time.Minute)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				st, queued, err := svc.QueueDuplicateScan(sqldbtest.As(admin))
				if err == nil && (queued || !st.Queued || !st.Since.Equal(asked)) {
					t.Errorf("a request while one waits: %+v, queued %v", st, queued)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if jobs() != 1 {
			t.Fatalf("scans queued = %d after requests while one waits, want 1", jobs())
		}

		// A worker claims it: running since the claim.
		clk.Add(time.Minute)
		started := clk.Now()
		claimed, err := db.ClaimJobs(t.Context(), "w1", 10, time.Hour)
		if err != nil || len(claimed) != 1 || !claimed[0].StartedAt.Equal(started) {
			t.Fatalf("claimed %v, %v", claimed, err)
		}
		clk.Add(time.Minute)
		st, queued, err = svc.QueueDuplicateScan(sqldbtest.As(admin))
		if err != nil || queued || !st.Running || st.Queued || !st.Since.Equal(started) || jobs() != 1 {
			t.Fatalf("a request while it runs: %+v, queued %v, %v; %d jobs", st, queued, err, jobs())
		}

		// It finishes: the queue was refreshed then, and a new request
		// queues a new scan.
		if _, err := svc.ScanDuplicates(patchwork.NewSystemContext(t.Context())); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteJob(t.Context(), claimed[0].ID); err != nil {
			t.Fatal(err)
		}
		st, err = svc.FindDuplicateScanState(sqldbtest.As(admin))
		if err != nil || st.Queued || st.Running || !st.LastScan.Equal(clk.Now()) {
			t.Fatalf("after the scan: %+v, %v (now %s)", st, err, clk.Now())
		}
		clk.Add(time.Minute)
		if _, queued, err := svc.QueueDuplicateScan(sqldbtest.As(admin)); err != nil || !queued || jobs() != 2 {
			t.Fatalf("a request after the scan: queued %v, %v; %d jobs", queued, err, jobs())
		}
	})
}

// TestScanStoppedPartWay: a scan stopped after its first batch of pairs
// (the worker told to stop) leaves only pairs a whole scan adds and no
// audit row of a refresh; the next scan adds exactly the rest, so the
// queue ends as after one whole scan. The refresh is idempotent rather
// than all or nothing: each batch commits alone.
func TestScanStoppedPartWay(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		rows := dupPopulation(300, 23, []int64{w.LocalA.ID, w.LocalB.ID, south.Local.ID})
		if _, _, err := db.ImportClients(sqldbtest.System(), rows, nil); err != nil {
			t.Fatal(err)
		}
		sys := sqldbtest.System()
		refreshes := func() int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditDuplicateScan)
		}
		if _, err := sqldb.NewMergeService(db).ScanDuplicates(sys); err != nil {
			t.Fatal(err)
		}
		want, err := db.QueuedPairs(sys)
		if err != nil {
			t.Fatal(err)
		}
		const batch = 5
		if len(want) <= 2*batch {
			t.Fatalf("the population gives %d pairs: too few to stop a scan part way", len(want))
		}
		if _, err := db.ExecForTest(`DELETE FROM duplicate_pairs`); err != nil {
			t.Fatal(err)
		}
		before := refreshes()

		ctx, cancel := context.WithCancel(sys)
		defer cancel()
		svc := sqldb.NewMergeService(db).WithScanBatches(batch, func(int) { cancel() })
		if _, err := svc.ScanDuplicates(ctx); err == nil {
			t.Fatal("the stopped scan returned no error")
		}
		got, err := db.QueuedPairs(sys)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("the stopped scan left %d of %d pairs", len(got), len(want))
		if len(got) == 0 || len(got) >= len(want) {
			t.Fatalf("the stopped scan left %d of %d pairs, want some", len(got), len(want))
		}
		for _, p := range got {
			if !slices.Contains(want, p) {
				t.Errorf("the stopped scan queued %+v, which a whole scan does not", p)
			}
		}
		if n := refreshes(); n != before {
			t.Errorf("the stopped scan wrote %d refresh audit rows", n-before)
		}

		n, err := sqldb.NewMergeService(db).ScanDuplicates(sys)
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.QueuedPairs(sys)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(again, want) {
			diffPairs(t, "after the stopped scan and another", again, want)
		}
		if n != len(want)-len(got) || refreshes() != before+1 {
			t.Errorf("the second scan added %d pairs (want %d) and wrote %d refresh rows (want 1)", n, len(want)-len(got), refreshes()-before)
		}
	})
}
