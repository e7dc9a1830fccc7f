package worker_test

import ("context";"fmt";"os";"testing";"time";"patchwork";"patchwork/sqldb/sqldbtest")

func BenchmarkScratchDigest(b *testing.B) {
	e := newEnv(b, sqldbtest.MustOpen(b, "postgres"))
	clients, teams := fastTeams(b, e, 50, 10)
	drain(b, e.w)
	ctx := context.Background()
	for day := 23; day < 33; day++ {
	for k, c := range clients { for j := 0; j < 3; j++ { e.db.RecordTeamEventForTest(ctx, c, teams[k][j], patchwork.ActivityMemberJoined, "consent") } }
	e.clk.Set(time.Date(2026, 11, day, 7, 0, 0, 0, e.loc))
	t0 := time.Now()
	n, _ := e.w.RunOnce(ctx) // schedule + digest run (+ cleanup)
	fmt.Fprintln(os.Stderr, "first RunOnce", n, time.Since(t0))
	var claim, load, complete time.Duration
	for {
		t1 := time.Now()
		jobs, _ := e.db.ClaimJobs(ctx, "x", 10, time.Minute)
		claim += time.Since(t1)
		if len(jobs) == 0 { break }
		for _, j := range jobs {
			t1 = time.Now(); e.db.LoadNotificationEmail(ctx, j.ID); load += time.Since(t1)
			t1 = time.Now(); e.db.CompleteEmailJob(ctx, j.ID); complete += time.Since(t1)
		}
	}
	fmt.Fprintln(os.Stderr, "claim", claim, "load", load/500, "complete", complete/500)
	}
}
