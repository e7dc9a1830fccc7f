package worker_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	pwmail "patchwork/mail"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// team makes a client whose team is alice plus n others, and returns them.
func (e *env) team(t testing.TB, n int) (*patchwork.Client, *patchwork.Agent, []*patchwork.Agent) {
	t.Helper()
	w := e.world
	alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
	c := e.mustSecretClient(t, alice, "Zebedee")
	var others []*patchwork.Agent
	for i := 0; i < n; i++ {
		a := w.MustAgent(t, "Member Number", w.Council, w.LocalA)
		w.MustJoin(t, a, c)
		others = append(others, a)
	}
	return c, alice, others
}

func emailJob(t *testing.T, db *sqldb.DB) *patchwork.Job {
	t.Helper()
	var id int64
	if err := db.QueryRowForTest(`SELECT id FROM jobs WHERE unique_key LIKE 'notification:%' ORDER BY id DESC LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	j, err := db.FindJobByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestSMTPDownThenBack: while the server refuses, the email waits with
// growing pauses; when it accepts again, the email arrives exactly once.
func TestSMTPDownThenBack(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		c, alice, others := e.team(t, 1)
		bob := others[0]
		drain(t, e.w)
		e.smtp.Reset()
		e.smtp.Refuse(true)
		e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
		drain(t, e.w)
		j := emailJob(t, db)
		if j.Status != patchwork.JobQueued || j.Attempts != 1 || !strings.Contains(j.LastError, "451") ||
			!j.RunAt.Equal(e.clk.Now().Add(sqldb.Backoff(1))) {
			t.Fatalf("after a refusal: %+v", j)
		}
		// Nothing is tried before the backoff ends: no hammering.
		e.clk.Add(sqldb.Backoff(1) - time.Second)
		drain(t, e.w)
		if e.smtp.Refused() != 1 {
			t.Fatalf("tried %d times before the backoff ended", e.smtp.Refused())
		}
		e.clk.Add(time.Second)
		drain(t, e.w)
		if j := emailJob(t, db); e.smtp.Refused() != 2 || j.Attempts != 2 {
			t.Fatalf("second attempt: refused %d, %+v", e.smtp.Refused(), j)
		}
		e.smtp.Refuse(false)
		e.clk.Add(sqldb.Backoff(2))
		drain(t, e.w)
		for i := 0; i < 5; i++ {
			e.clk.Add(time.Hour)
			drain(t, e.w)
		}
		if got := e.smtp.To(bob.Email); len(got) != 1 || len(e.smtp.Messages()) != 1 {
			t.Fatalf("delivered %d to bob, %d in all; want exactly 1", len(got), len(e.smtp.Messages()))
		}
		if j := emailJob(t, db); j.Status != patchwork.JobDone || j.Attempts != 3 {
			t.Fatalf("job = %+v", j)
		}
	})
}

// TestRejectedRecipientFailsAtOnce: a server that refuses one recipient for
// good (550) makes that email fail at the first attempt, visible to admins,
// while the same event still reaches the rest of the team.
func TestRejectedRecipientFailsAtOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		c, alice, others := e.team(t, 2)
		drain(t, e.w)
		e.smtp.Reset()
		e.smtp.RejectRecipient(others[0].Email)
		e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
		drain(t, e.w)
		var id int64
		if err := db.QueryRowForTest(`SELECT j.id FROM jobs j WHERE j.status = 'failed'`).Scan(&id); err != nil {
			t.Fatalf("no failed job: %v", err)
		}
		j, err := db.FindJobByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Attempts != 1 || !strings.Contains(j.LastError, "550") {
			t.Fatalf("rejected recipient's job = %+v", j)
		}
		if got := e.smtp.To(others[1].Email); len(got) != 1 || len(e.smtp.Messages()) != 1 {
			t.Fatalf("delivered %d to the other member, %d in all; want 1", len(got), len(e.smtp.Messages()))
		}
		// Nothing more is tried later.
		for i := 0; i < 5; i++ {
			e.clk.Add(time.Hour)
			drain(t, e.w)
		}
		if j, _ := db.FindJobByID(context.Background(), id); j.Attempts != 1 || j.Status != patchwork.JobFailed {
			t.Fatalf("after five hours: %+v", j)
		}
	})
}

// TestFailedAfterMaxAttempts: a server that never accepts makes the email
// fail for good after DefaultMaxAttempts, visible to admins, and its
// notification is not marked handled.
func TestFailedAfterMaxAttempts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		c, alice, _ := e.team(t, 1)
		drain(t, e.w)
		e.smtp.Refuse(true)
		e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
		for i := 0; i < 3*sqldb.DefaultMaxAttempts; i++ {
			drain(t, e.w)
			e.clk.Add(time.Hour)
		}
		j := emailJob(t, db)
		if j.Status != patchwork.JobFailed || j.Attempts != sqldb.DefaultMaxAttempts {
			t.Fatalf("job = %+v after %d refusals", j, e.smtp.Refused())
		}
		admin := &patchwork.Agent{Email: "admin@ashford.test", Name: "Ada Admin", AgencyID: e.world.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		failed, _, err := sqldb.NewJobService(db).FindFailedJobs(sqldbtest.As(admin), 1)
		found := false
		for _, f := range failed {
			found = found || f.ID == j.ID
		}
		if err != nil || !found {
			t.Fatalf("failed jobs = %v, %v", failed, err)
		}
		var unhandled int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM notifications WHERE job_id = $1 AND handled_at IS NULL`, j.ID).Scan(&unhandled); err != nil {
			t.Fatal(err)
		}
		if unhandled != 1 {
			t.Fatalf("unhandled notifications of the failed job = %d", unhandled)
		}
		// An admin retries once the server is back; it arrives.
		e.smtp.Refuse(false)
		if err := sqldb.NewJobService(db).RetryJob(sqldbtest.As(admin), j.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, e.w)
		if j := emailJob(t, db); j.Status != patchwork.JobDone || len(e.smtp.Messages()) == 0 {
			t.Fatalf("after retry: %+v, %d delivered", j, len(e.smtp.Messages()))
		}
	})
}

// TestKilledWorker: a worker claims jobs and dies before sending. The
// emails wait for the lock to expire, then arrive once each.
func TestKilledWorker(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		c, alice, others := e.team(t, 3)
		drain(t, e.w)
		e.smtp.Reset()
		e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
		lease := 5 * time.Minute
		claimed, err := db.ClaimJobs(context.Background(), "doomed", 10, lease)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		// … and the process is killed here.
		e.clk.Add(lease - time.Second)
		drain(t, e.w)
		if len(e.smtp.Messages()) != 0 {
			t.Fatal("sent while another worker held the lock")
		}
		e.clk.Add(time.Second)
		drain(t, e.w)
		for _, a := range others {
			if got := e.smtp.To(a.Email); len(got) != 1 {
				t.Errorf("%s got %d emails", a.Email, len(got))
			}
		}
		if len(e.smtp.Messages()) != 3 {
			t.Fatalf("delivered %d, want 3", len(e.smtp.Messages()))
		}
	})
}

// TestCrashAfterSend: the server accepts an email but the worker never
// records it (killed, or the reply was lost). The email is sent again — the
// one in flight is the only one that can repeat — with the same Message-ID.
func TestCrashAfterSend(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		c, alice, others := e.team(t, 1)
		drain(t, e.w)
		e.smtp.Reset()
		smtp, err := pwmail.NewSMTPSender(e.smtp.URL(), "Patchwork <no-reply@patchwork.test>")
		if err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		flaky := e.newWorker(t, "flaky", pwmail.SenderFunc(func(ctx context.Context, m *pwmail.Message) error {
			if err := smtp.Send(ctx, m); err != nil {
				return err
			}
			var lost error
			once.Do(func() { lost = errors.New("connection reset before the reply") })
			return lost
		}))
		e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
		drain(t, flaky)
		e.clk.Add(time.Hour)
		drain(t, flaky)
		got := e.smtp.To(others[0].Email)
		if len(got) != 2 || got[0].Header("Message-Id") != got[1].Header("Message-Id") {
			t.Fatalf("delivered %d copies: %v", len(got), summary(got))
		}
	})
}

// TestWorkersSideBySide runs two workers, each with several loops, against
// one database while events pour in: every email arrives exactly once.
func TestWorkersSideBySide(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		const members, events = 25, 8
		c, alice, others := e.team(t, members)
		drain(t, e.w)
		e.smtp.Reset()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, id := range []string{"instance-a", "instance-b"} {
			w := e.newWorker(t, id, nil)
			w.Config.Concurrency = 3
			w.Config.Batch = 4
			wg.Go(func() { w.Run(ctx) })
		}
		for i := 0; i < events; i++ {
			e.event(t, c, alice, patchwork.ActivityAttentionRaised, patchwork.DetailUrgent)
		}
		if got := e.smtp.WaitFor(members*events, time.Minute); len(got) < members*events {
			t.Errorf("delivered %d of %d emails within a minute", len(got), members*events)
		}
		// Every email has arrived; the workers stop once no job is left
		// waiting, so a job claimed twice has been sent twice by the time
		// Run returns (a job in hand is always finished).
		sqldbtest.Eventually(t, time.Minute, "every due job to be done", func() bool {
			var waiting int
			if err := db.QueryRowForTest(`SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND run_at <= $1`,
				e.clk.Now().UnixMicro()).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			return waiting == 0
		})
		cancel()
		wg.Wait()
		ids := map[string]int{}
		for _, m := range e.smtp.Messages() {
			ids[m.Header("Message-Id")]++
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s delivered %d times", id, n)
			}
		}
		for _, a := range others {
			if got := len(e.smtp.To(a.Email)); got != events {
				t.Errorf("%s got %d emails, want %d", a.Email, got, events)
			}
		}
		var done int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM jobs WHERE status = 'done' AND unique_key LIKE 'notification:%'`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done != members*events {
			t.Errorf("%d email jobs done, want %d", done, members*events)
		}
	})
}

// TestRunStopsOnCancel: Run returns promptly once its context is cancelled.
func TestRunStopsOnCancel(t *testing.T) {
	db := sqldbtest.MustOpen(t, "sqlite")
	e := newEnv(t, db)
	c, alice, _ := e.team(t, 1)
	drain(t, e.w)
	e.smtp.Reset()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.w.Run(ctx); close(done) }()
	// Run is under way once it has delivered an email.
	e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
	if got := e.smtp.WaitFor(1, time.Minute); len(got) != 1 {
		t.Fatalf("Run delivered %d emails, want 1", len(got))
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestPanicIsAFailure: a job that panics is recorded as a failed attempt
// and retried; the worker carries on.
func TestPanicIsAFailure(t *testing.T) {
	db := sqldbtest.MustOpen(t, "sqlite")
	e := newEnv(t, db)
	c, alice, _ := e.team(t, 1)
	drain(t, e.w)
	boom := e.newWorker(t, "boom", pwmail.SenderFunc(func(context.Context, *pwmail.Message) error { panic("template bug") }))
	e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
	drain(t, boom)
	if j := emailJob(t, db); j.Status != patchwork.JobQueued || j.Attempts != 1 || !strings.Contains(j.LastError, "panic: template bug") {
		t.Fatalf("job = %+v", j)
	}
	e.clk.Add(time.Hour)
	drain(t, e.w)
	if j := emailJob(t, db); j.Status != patchwork.JobDone || len(e.smtp.Messages()) != 1 {
		t.Fatalf("after the fix: %+v, %d delivered", j, len(e.smtp.Messages()))
	}
}
