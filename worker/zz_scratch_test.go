package worker_test

import ("context";"fmt";"os";"testing";"time";"patchwork";"patchwork/sqldb/sqldbtest")

func BenchmarkScratchDigest(b *testing.B) {
	e := newEnv(b, sqldbtest.MustOpen(b, "postgres"))
	clients, teams := fastTeams(b, e, 500, 10)
	drain(b, e.w)
	ctx := context.Background()
	for k, c := range clients { for j := 0; j < 3; j++ { e.db.RecordTeamEventForTest(ctx, c, teams[k][j], patchwork.ActivityMemberJoined, "consent") } }
	analyze(b, e)
	e.clk.Set(time.Date(2026, 11, 23, 7, 0, 0, 0, e.loc))
	t0 := time.Now()
	n, _ := e.w.RunOnce(ctx)
	fmt.Fprintln(os.Stderr, "first RunOnce", n, time.Since(t0))
	var claim, load, complete time.Duration
	var cnt int
	for {
		t1 := time.Now()
		jobs, _ := e.db.ClaimJobs(ctx, "x", 10, time.Minute)
		claim += time.Since(t1)
		if len(jobs) == 0 { break }
		for _, j := range jobs {
			cnt++
			t1 = time.Now(); e.db.LoadNotificationEmail(ctx, j.ID); load += time.Since(t1)
			t1 = time.Now(); e.db.CompleteEmailJob(ctx, j.ID); complete += time.Since(t1)
		}
		if cnt % 1000 == 0 { fmt.Fprintln(os.Stderr, cnt, "claim/10", claim/100, "load", load/1000, "complete", complete/1000); claim, load, complete = 0,0,0 }
	}
}
