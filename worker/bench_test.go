package worker_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// Scale the benchmarks with environment variables; see docs/mail.md.
//
//	PATCHWORK_BENCH_MEMBERS      team size for the urgent attention (50)
//	PATCHWORK_BENCH_AGENTS       agents with a daily digest (500)
//	PATCHWORK_BENCH_EVENTS       events per client per day for the digest (3)
//	PATCHWORK_BENCH_CONCURRENCY  worker loops delivering (1)
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// fastTeams inserts agents and memberships directly (no password hashing),
// teams of size agents on one client each, and returns the clients and
// their members.
func fastTeams(b *testing.B, e *env, teams, size int) (clients []int64, members [][]int64) {
	b.Helper()
	now := e.clk.Now().UnixMicro()
	for t := 0; t < teams; t++ {
		var cid int64
		if err := e.db.QueryRowForTest(`INSERT INTO clients (first_name, last_name, date_of_birth, address, phone, created_at, updated_at)
			VALUES ('Zebedee', 'Quixote-Vantablack', '2011-02-03', '17 Marigold Crescent', '07999 314159', $1, $1) RETURNING id`,
			now).Scan(&cid); err != nil {
			b.Fatal(err)
		}
		var team []int64
		for i := 0; i < size; i++ {
			var aid int64
			if err := e.db.QueryRowForTest(`INSERT INTO agents (email, password_hash, name, agency_id, created_at)
				VALUES ($1, 'x', $2, $3, $4) RETURNING id`, fmt.Sprintf("bench-%d-%d@ashford.test", t, i),
				fmt.Sprintf("Member %d", i), e.world.Council.ID, now).Scan(&aid); err != nil {
				b.Fatal(err)
			}
			if _, err := e.db.ExecForTest(`INSERT INTO memberships (client_id, agent_id, joined_at, how_joined)
				VALUES ($1, $2, $3, 'joined')`, cid, aid, now); err != nil {
				b.Fatal(err)
			}
			team = append(team, aid)
		}
		clients, members = append(clients, cid), append(members, team)
	}
	return clients, members
}

// analyze refreshes PostgreSQL's planner statistics, as autovacuum keeps
// them in a running deployment; tables filled seconds ago have none, and
// plans for empty tables are not what production runs.
func analyze(b *testing.B, e *env) {
	b.Helper()
	if e.db.Dialect.Name == "postgres" {
		if _, err := e.db.ExecForTest(`ANALYZE notifications, jobs, activities, agents, memberships, notification_prefs`); err != nil {
			b.Fatal(err)
		}
	}
}

// deliver runs the worker until want messages have reached the SMTP server.
func deliver(b *testing.B, e *env, want, concurrency int) {
	b.Helper()
	if concurrency <= 1 {
		drain(b, e.w)
	} else {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		w := e.newWorker(b, "bench", nil)
		w.Config.Concurrency = concurrency
		go func() { w.Run(ctx); close(done) }()
		e.smtp.WaitFor(want, 5*time.Minute)
		cancel()
		<-done
	}
	if got := len(e.smtp.Messages()); got != want {
		b.Fatalf("delivered %d, want %d", got, want)
	}
	e.smtp.Reset()
}

// BenchmarkUrgentAttentionFanout raises an urgent attention on a client with
// a team of PATCHWORK_BENCH_MEMBERS others: one transaction records it and
// enqueues one email per member, then the worker delivers them all to a real
// SMTP server.
func BenchmarkUrgentAttentionFanout(b *testing.B) {
	members := envInt("PATCHWORK_BENCH_MEMBERS", 50)
	conc := envInt("PATCHWORK_BENCH_CONCURRENCY", 1)
	for _, dialect := range sqldbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			e := newEnv(b, sqldbtest.MustOpen(b, dialect))
			clients, team := fastTeams(b, e, 1, members+1)
			drain(b, e.w)
			analyze(b, e)
			ctx := context.Background()
			var enqueue time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := e.db.RecordTeamEventForTest(ctx, clients[0], team[0][0], patchwork.ActivityAttentionRaised,
					patchwork.DetailUrgent); err != nil {
					b.Fatal(err)
				}
				enqueue += time.Since(t0)
				deliver(b, e, members, conc)
			}
			b.ReportMetric(float64(enqueue.Microseconds())/float64(b.N)/1000, "enqueue-ms/op")
			b.ReportMetric(float64(members*b.N)/b.Elapsed().Seconds(), "emails/s")
		})
	}
}

// BenchmarkDigest builds and sends one day's digests: PATCHWORK_BENCH_AGENTS
// agents in teams of 10, PATCHWORK_BENCH_EVENTS joins per client that day.
// Each op is the 07:00 digest run plus every agent's email.
func BenchmarkDigest(b *testing.B) {
	agents := envInt("PATCHWORK_BENCH_AGENTS", 500)
	events := envInt("PATCHWORK_BENCH_EVENTS", 3)
	conc := envInt("PATCHWORK_BENCH_CONCURRENCY", 1)
	const size = 10
	for _, dialect := range sqldbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			e := newEnv(b, sqldbtest.MustOpen(b, dialect))
			clients, teams := fastTeams(b, e, (agents+size-1)/size, size)
			drain(b, e.w)
			ctx := context.Background()
			day := time.Date(2026, 11, 22, 12, 0, 0, 0, e.loc)
			var notes int
			var enqueue time.Duration
			perTeam := size // with one event only, its actor has nothing to hear
			if events == 1 {
				perTeam = size - 1
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for k, c := range clients {
					for j := 0; j < events; j++ {
						// Each event tells the other size-1 members.
						if err := e.db.RecordTeamEventForTest(ctx, c, teams[k][j%size], patchwork.ActivityMemberJoined,
							"consent"); err != nil {
							b.Fatal(err)
						}
					}
				}
				if i == 0 {
					notes, _ = e.db.PendingDigestCount(ctx, patchwork.NotifyDaily)
				}
				analyze(b, e)
				day = day.AddDate(0, 0, 1)
				e.clk.Set(time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, e.loc))
				b.StartTimer()
				// The first run takes the digest job: it plans and enqueues
				// one email job per agent. Rendering and sending follow.
				t0 := time.Now()
				if _, err := e.w.RunOnce(ctx); err != nil {
					b.Fatal(err)
				}
				enqueue += time.Since(t0)
				deliver(b, e, len(clients)*perTeam, conc)
			}
			b.ReportMetric(enqueue.Seconds()/float64(b.N), "enqueue-s/op")
			b.ReportMetric(float64(notes), "notifications/op")
			b.ReportMetric(float64(len(clients)*perTeam*b.N)/b.Elapsed().Seconds(), "emails/s")
		})
	}
}
