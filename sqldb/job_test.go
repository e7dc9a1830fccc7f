package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func mustAdmin(t *testing.T, w *sqldbtest.World) *patchwork.Agent {
	t.Helper()
	a := &patchwork.Agent{Email: fmt.Sprintf("admin%d@ashford.test", time.Now().UnixNano()), Name: "Ada Admin",
		Role: "Administrator", AgencyID: w.Council.ID, Admin: true}
	if err := sqldb.NewAgentService(w.DB).CreateAgent(sqldbtest.System(), a, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	return a
}

func claim(t *testing.T, db *sqldb.DB, worker string, n int) []*patchwork.Job {
	t.Helper()
	jobs, err := db.ClaimJobs(context.Background(), worker, n, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{
		{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {6, 32 * time.Minute},
		{7, time.Hour}, {8, time.Hour}, {63, time.Hour},
	} {
		if got := sqldb.Backoff(tc.attempts); got != tc.want {
			t.Errorf("Backoff(%d) = %v, want %v", tc.attempts, got, tc.want)
		}
	}
}

func TestJobLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := sqldbtest.NewClock(db)
		id, created, err := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test", UniqueKey: "once"})
		if err != nil || !created || id == 0 {
			t.Fatalf("enqueue: %d %v %v", id, created, err)
		}
		if id2, created, err := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test", UniqueKey: "once"}); err != nil || created || id2 != 0 {
			t.Fatalf("second enqueue with the same key: %d %v %v", id2, created, err)
		}
		low, _, _ := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test"})
		high, _, _ := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test", Priority: sqldb.PriorityImmediate})
		later, _, _ := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test", RunAt: clk.Now().Add(time.Hour)})

		jobs := claim(t, db, "w1", 10)
		if len(jobs) != 3 || jobs[0].ID != high || jobs[1].ID != id || jobs[2].ID != low {
			t.Fatalf("claimed %v, want [%d %d %d] (priority, then age; not the future job %d)", ids(jobs), high, id, low, later)
		}
		if j := jobs[0]; j.Attempts != 1 || j.LockedBy != "w1" || !j.LockedUntil.Equal(clk.Now().Add(time.Minute)) {
			t.Fatalf("claimed job = %+v", j)
		}
		if again := claim(t, db, "w2", 10); len(again) != 0 {
			t.Fatalf("locked jobs claimed again: %v", ids(again))
		}

		// Done is done; a failure comes back after the backoff.
		if err := db.CompleteJob(ctx, high); err != nil {
			t.Fatal(err)
		}
		if failed, err := db.FailJob(ctx, jobs[1], errors.New("smtp: 451 try later")); err != nil || failed {
			t.Fatalf("fail: %v %v", failed, err)
		}
		if err := db.ReleaseJobs(ctx, "w1", []int64{low}); err != nil {
			t.Fatal(err)
		}
		if got := claim(t, db, "w2", 10); len(got) != 1 || got[0].ID != low || got[0].Attempts != 1 {
			t.Fatalf("after release: %v", got)
		}
		if err := db.CompleteJob(ctx, low); err != nil {
			t.Fatal(err)
		}
		clk.Add(sqldb.Backoff(1) - time.Second)
		if got := claim(t, db, "w2", 10); len(got) != 0 {
			t.Fatalf("claimed before the backoff ended: %v", ids(got))
		}
		clk.Add(time.Second)
		got := claim(t, db, "w2", 10)
		if len(got) != 1 || got[0].ID != id || got[0].Attempts != 2 || got[0].LastError != "smtp: 451 try later" {
			t.Fatalf("after backoff: %+v", got)
		}
		j, err := db.FindJobByID(ctx, high)
		if err != nil || j.Status != patchwork.JobDone || j.DoneAt.IsZero() {
			t.Fatalf("completed job = %+v, %v", j, err)
		}
		clk.Add(time.Hour)
		if got := claim(t, db, "w3", 10); len(got) != 2 { // the future job, and `id` whose lock expired
			t.Fatalf("after an hour: %v", ids(got))
		}
		if n, err := db.PurgeJobs(ctx, clk.Now()); err != nil || n != 2 {
			t.Fatalf("purge = %d, %v", n, err)
		}
	})
}

func ids(jobs []*patchwork.Job) []int64 {
	var out []int64
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

func TestJobFailsAfterMaxAttemptsAndAdminRetries(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		admin := mustAdmin(t, w)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		id, _, _ := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test", MaxAttempts: 3})
		for attempt := 1; attempt <= 3; attempt++ {
			jobs := claim(t, db, "w", 1)
			if len(jobs) != 1 || jobs[0].Attempts != attempt {
				t.Fatalf("attempt %d: claimed %+v", attempt, jobs)
			}
			failed, err := db.FailJob(ctx, jobs[0], fmt.Errorf("attempt %d failed", attempt))
			if err != nil || failed != (attempt == 3) {
				t.Fatalf("attempt %d: failed=%v err=%v", attempt, failed, err)
			}
			clk.Add(2 * time.Hour)
		}
		if got := claim(t, db, "w", 1); len(got) != 0 {
			t.Fatalf("failed job claimed: %v", ids(got))
		}
		jobs := sqldb.NewJobService(db)
		if _, _, err := jobs.FindFailedJobs(sqldbtest.As(bob), 1); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("non-admin sees failed jobs: %v", err)
		}
		failed, _, err := jobs.FindFailedJobs(sqldbtest.As(admin), 1)
		if err != nil || len(failed) != 1 || failed[0].ID != id || failed[0].Status != patchwork.JobFailed ||
			failed[0].LastError != "attempt 3 failed" {
			t.Fatalf("failed jobs = %+v, %v", failed, err)
		}
		if err := jobs.RetryJob(sqldbtest.As(bob), id); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("non-admin retry: %v", err)
		}
		if err := jobs.RetryJob(sqldbtest.As(admin), id); err != nil {
			t.Fatal(err)
		}
		if got := claim(t, db, "w", 1); len(got) != 1 || got[0].Attempts != 1 {
			t.Fatalf("retried job: %+v", got)
		}
	})
}

func TestExpiredLocks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := sqldbtest.NewClock(db)
		again, _, _ := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test"})
		last, _, _ := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test", MaxAttempts: 1})
		if got := claim(t, db, "killed", 10); len(got) != 2 {
			t.Fatalf("claimed %v", ids(got))
		}
		// The worker dies holding both. Nothing moves until the lock expires.
		clk.Add(59 * time.Second)
		if got := claim(t, db, "other", 10); len(got) != 0 {
			t.Fatalf("claimed while locked: %v", ids(got))
		}
		clk.Add(time.Second)
		requeued, failed, err := db.RequeueExpiredJobs(ctx)
		if err != nil || requeued != 1 || failed != 1 {
			t.Fatalf("requeue: %d requeued, %d failed, %v", requeued, failed, err)
		}
		got := claim(t, db, "other", 10)
		if len(got) != 1 || got[0].ID != again || got[0].Attempts != 2 {
			t.Fatalf("after expiry: %+v", got)
		}
		if j, _ := db.FindJobByID(ctx, last); j.Status != patchwork.JobFailed {
			t.Fatalf("job killed on its last attempt: %+v", j)
		}
	})
}

// TestClaimJobsConcurrently has several workers claim from one queue at
// once: on PostgreSQL through SKIP LOCKED, on SQLite through its single
// writer. Every job must be claimed by exactly one of them.
func TestClaimJobsConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const n = 300
		for i := 0; i < n; i++ {
			if _, _, err := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for w := 0; w < 6; w++ {
			name := fmt.Sprintf("w%d", w)
			wg.Go(func() {
				for {
					jobs, err := db.ClaimJobs(ctx, name, 7, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(jobs) == 0 {
						return
					}
					mu.Lock()
					for _, j := range jobs {
						if prev, dup := seen[j.ID]; dup {
							t.Errorf("job %d claimed by %s and %s", j.ID, prev, name)
						}
						seen[j.ID] = name
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("claimed %d jobs, want %d", len(seen), n)
		}
	})
}
