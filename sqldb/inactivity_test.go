package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestInactivity: with the default periods, an agent who has not signed
// in for six months is warned by email, once; one who then signs in is not
// deactivated; one who does not is deactivated a month after the warning,
// their memberships ended and the deactivation audited by the system with
// the rule as its reason. The warned agents are listed for system admins.
func TestInactivity(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		sleepy := w.MustAgent(t, "Sam Sleepy", w.Council, w.LocalA)
		back := w.MustAgent(t, "Bea Back", w.Council, w.LocalA)
		busy := w.MustAgent(t, "Bo Busy", w.Council, w.LocalA)
		cl := w.MustClient(t, sleepy, "Tess", "Teamed", "01/01/2012")
		agents := sqldb.NewAgentService(db)
		signIn := func(a *patchwork.Agent) {
			t.Helper()
			if _, err := agents.Authenticate(context.Background(), a.Email, sqldbtest.Password); err != nil {
				t.Fatalf("%s signs in: %v", a.Name, err)
			}
		}
		run := func(wantWarned, wantDeactivated int) {
			t.Helper()
			warned, deactivated, err := db.RunInactivity(context.Background())
			if err != nil || warned != wantWarned || deactivated != wantDeactivated {
				t.Fatalf("inactivity: warned %d, deactivated %d, %v; want %d, %d", warned, deactivated, err, wantWarned, wantDeactivated)
			}
		}
		warnings := func(a *patchwork.Agent) int {
			t.Helper()
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND payload LIKE $2`, sqldb.JobAccountEmail,
				fmt.Sprintf(`%%"kind":"%s","agent_id":%d}`, sqldb.AccountEmailInactivity, a.ID))
		}
		day := 24 * time.Hour
		clock.Add(100 * day)
		signIn(sys)
		signIn(busy)
		clock.Add(patchwork.DefaultInactivityDays*day - 100*day - time.Hour)
		run(0, 0) // just under six months since sleepy and back were added
		clock.Add(2 * time.Hour)
		run(2, 0)
		for a, want := range map[*patchwork.Agent]int{sleepy: 1, back: 1, busy: 0, sys: 0} {
			if n := warnings(a); n != want {
				t.Errorf("%s was warned %d times, want %d", a.Name, n, want)
			}
		}
		list, _, err := sqldb.NewInactivityService(db).FindInactiveAgents(sqldbtest.As(sys), 1)
		if err != nil || len(list) != 2 || list[0].AgentID != sleepy.ID || list[1].AgentID != back.ID ||
			!list[0].LastSignIn.IsZero() || !list[0].DeactivateOn.Equal(list[0].WarnedAt.AddDate(0, 0, patchwork.DefaultInactivityGraceDays)) {
			t.Fatalf("warned agents: %+v, %v", list, err)
		}
		if _, _, err := sqldb.NewInactivityService(db).FindInactiveAgents(sqldbtest.As(busy), 1); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("warned agents for an agent: %v", err)
		}
		run(0, 0) // warned once, not every day
		clock.Add(day)
		signIn(back)
		clock.Add((patchwork.DefaultInactivityGraceDays-1)*day - 2*time.Hour)
		run(0, 0) // two hours short of a month since the warning
		clock.Add(3 * time.Hour)
		run(0, 1)
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents WHERE id = $1 AND active = 0`, sleepy.ID); n != 1 {
			t.Fatal("the warned agent was not deactivated")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents WHERE active = 1 AND id IN ($1, $2, $3)`, back.ID, busy.ID, sys.ID); n != 3 {
			t.Fatal("an agent who signed in was deactivated")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND client_id = $2 AND left_at IS NULL`,
			sleepy.ID, cl.ID); n != 0 {
			t.Fatal("the deactivated agent is still on a team")
		}
		want := fmt.Sprintf("agent=%d reason=inactivity: not signed in for %d days, then %d more days after a warning",
			sleepy.ID, patchwork.DefaultInactivityDays, patchwork.DefaultInactivityGraceDays)
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id IS NULL AND detail = $2`,
			patchwork.AuditAgentDeact, want); n != 1 {
			t.Fatalf("the deactivation is audited %d times as %q", n, want)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id IS NULL`,
			patchwork.AuditInactivityWarn); n != 2 {
			t.Fatalf("%d warnings audited", n)
		}
		if list, _, err := sqldb.NewInactivityService(db).FindInactiveAgents(sqldbtest.As(sys), 1); err != nil || len(list) != 0 {
			t.Fatalf("warned agents after the run: %+v, %v", list, err)
		}
		// An admin reactivates the agent: the period starts again.
		if err := sqldb.NewAdminService(db).ReactivateAgent(sqldbtest.As(sys), sleepy.ID); err != nil {
			t.Fatal(err)
		}
		clock.Add(day)
		run(0, 0)
		if n, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err != nil {
			t.Fatalf("verify (%d rows): %v", n, err)
		}
	})
}
