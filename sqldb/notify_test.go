package sqldb_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// plan is how one recipient's notification of the latest event is to be
// delivered.
type plan struct {
	Delivery string
	HasJob   bool
	Handled  bool
}

func planOf(t *testing.T, db *sqldb.DB, agentID int64, kind string) (plan, bool) {
	t.Helper()
	var p plan
	var job, handled sql.NullInt64
	err := db.QueryRowForTest(`SELECT delivery, job_id, handled_at FROM notifications
		WHERE agent_id = $1 AND kind = $2 AND activity_id = (SELECT MAX(id) FROM activities)`,
		agentID, kind).Scan(&p.Delivery, &job, &handled)
	if err == sql.ErrNoRows {
		return p, false
	} else if err != nil {
		t.Fatal(err)
	}
	p.HasJob, p.Handled = job.Valid, handled.Valid
	return p, true
}

func setPrefs(t *testing.T, db *sqldb.DB, a *patchwork.Agent, mode string) {
	t.Helper()
	prefs := map[string]string{}
	for _, k := range patchwork.NotificationKinds {
		prefs[k.Kind] = mode
	}
	if err := sqldb.NewNotificationPrefsService(db, []byte("s")).UpdateNotificationPrefs(sqldbtest.As(a), prefs); err != nil {
		t.Fatal(err)
	}
}

// TestNotificationDeliveryPlan checks, for every event kind, who is told and
// how, as decided inside the event's transaction.
func TestNotificationDeliveryPlan(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		actor := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		dflt := w.MustAgent(t, "Bob Defaults", w.Council, w.LocalA)
		never := w.MustAgent(t, "Carol Never", w.Council, w.LocalA)
		weekly := w.MustAgent(t, "Dan Weekly", w.Council, w.LocalA)
		outsider := w.MustAgent(t, "Olly Outsider", w.Council, w.LocalA)
		setPrefs(t, db, never, patchwork.NotifyNever)
		setPrefs(t, db, weekly, patchwork.NotifyWeekly)
		cl := w.MustClient(t, actor, "Zebedee", "Quixote-Vantablack", "2011-02-03")
		for _, a := range []*patchwork.Agent{dflt, never, weekly} {
			w.MustJoin(t, a, cl)
		}

		immediate := plan{patchwork.NotifyImmediate, true, false}
		daily := plan{patchwork.NotifyDaily, false, false}
		wk := plan{patchwork.NotifyWeekly, false, false}
		nvr := plan{patchwork.NotifyNever, false, true}
		for _, tc := range []struct {
			name, kind, detail  string
			dflt, never, weekly plan
		}{
			{"attention", patchwork.ActivityAttentionRaised, "", immediate, nvr, wk},
			{"urgent attention", patchwork.ActivityAttentionRaised, patchwork.DetailUrgent, immediate, nvr, immediate},
			{"joined", patchwork.ActivityMemberJoined, "consent", daily, nvr, wk},
			{"left", patchwork.ActivityMemberLeft, "case_closed", daily, nvr, wk},
			{"details changed", patchwork.ActivityClientUpdated, "address", wk, nvr, wk},
			{"circle changed", patchwork.ActivityCircleChanged, "", wk, nvr, wk},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := db.RecordTeamEventForTest(ctx, cl.ID, actor.ID, tc.kind, tc.detail); err != nil {
					t.Fatal(err)
				}
				for _, r := range []struct {
					a    *patchwork.Agent
					want plan
				}{{dflt, tc.dflt}, {never, tc.never}, {weekly, tc.weekly}} {
					if got, ok := planOf(t, db, r.a.ID, tc.kind); !ok || got != r.want {
						t.Errorf("%s: plan = %+v (found %v), want %+v", r.a.Name, got, ok, r.want)
					}
				}
				for _, a := range []*patchwork.Agent{actor, outsider} {
					if _, ok := planOf(t, db, a.ID, tc.kind); ok {
						t.Errorf("%s was notified", a.Name)
					}
				}
			})
		}

		t.Run("invitation", func(t *testing.T) {
			if err := db.RecordInvitationForTest(ctx, cl.ID, actor.ID, outsider.ID); err != nil {
				t.Fatal(err)
			}
			if got, ok := planOf(t, db, outsider.ID, patchwork.ActivityTeamInvited); !ok || got != immediate {
				t.Errorf("invitee plan = %+v (found %v)", got, ok)
			}
			for _, a := range []*patchwork.Agent{actor, dflt, never, weekly} {
				if _, ok := planOf(t, db, a.ID, patchwork.ActivityTeamInvited); ok {
					t.Errorf("%s was told of an invitation to someone else", a.Name)
				}
			}
		})

		t.Run("a failed event enqueues nothing", func(t *testing.T) {
			before := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs`)
			svc := sqldb.NewClientService(db)
			// Joining twice fails in the transaction: no activity, no job.
			err := svc.JoinTeam(sqldbtest.As(dflt), cl.ID, patchwork.JoinRequest{Ticket: sqldbtest.MustTicket(t, db, dflt, cl.ID),
				Declaration: true, Basis: patchwork.BasisConsent})
			if patchwork.ErrorCode(err) != patchwork.ECONFLICT {
				t.Fatalf("joining twice: %v, want ECONFLICT", err)
			}
			if after := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs`); after != before {
				t.Fatalf("jobs %d → %d", before, after)
			}
		})
	})
}

func TestNotificationPrefs(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		carol := w.MustAgent(t, "Carol Cole", w.Council, w.LocalA)
		secret := []byte("deployment secret")
		svc := sqldb.NewNotificationPrefsService(db, secret)

		got, err := svc.FindNotificationPrefs(sqldbtest.As(bob))
		if err != nil || len(got) != len(patchwork.NotificationKinds) {
			t.Fatalf("prefs = %v, %v", got, err)
		}
		for kind, want := range map[string]string{
			patchwork.ActivityAttentionRaised: patchwork.NotifyImmediate, patchwork.ActivityTeamInvited: patchwork.NotifyImmediate,
			patchwork.ActivityMemberJoined: patchwork.NotifyDaily, patchwork.ActivityMemberLeft: patchwork.NotifyDaily,
			patchwork.ActivityClientUpdated: patchwork.NotifyWeekly, patchwork.ActivityCircleChanged: patchwork.NotifyWeekly,
		} {
			if got[kind] != want {
				t.Errorf("default for %s = %q, want %q", kind, got[kind], want)
			}
		}
		if _, err := svc.FindNotificationPrefs(sqldbtest.As(nil)); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("no caller: %v", err)
		}
		err = svc.UpdateNotificationPrefs(sqldbtest.As(bob), map[string]string{"client.created": "daily",
			patchwork.ActivityMemberJoined: "hourly"})
		if f := patchwork.ErrorFields(err); len(f) != 2 || f["client.created"] == "" || f[patchwork.ActivityMemberJoined] == "" {
			t.Fatalf("invalid update: %v %v", err, f)
		}
		if err := svc.UpdateNotificationPrefs(sqldbtest.As(bob), map[string]string{
			patchwork.ActivityMemberJoined: patchwork.NotifyImmediate}); err != nil {
			t.Fatal(err)
		}

		token := patchwork.SignUnsubscribeToken(secret, bob.ID, []string{patchwork.ActivityMemberJoined}, clk.Now())
		bad := []struct{ name, token string }{
			{"empty", ""},
			{"garbage", "not-a-token"},
			{"other secret", patchwork.SignUnsubscribeToken([]byte("other"), bob.ID, []string{patchwork.ActivityMemberJoined}, clk.Now())},
			{"altered agent", alter(token)},
			{"expired", patchwork.SignUnsubscribeToken(secret, bob.ID, []string{patchwork.ActivityMemberJoined},
				clk.Now().Add(-patchwork.UnsubscribeTokenTTL-time.Hour))},
			{"unknown kind", patchwork.SignUnsubscribeToken(secret, bob.ID, []string{"client.created"}, clk.Now())},
		}
		for _, tc := range bad {
			if _, err := svc.Unsubscribe(ctx, tc.token); patchwork.ErrorCode(err) != patchwork.EINVALID {
				t.Errorf("%s token: %v", tc.name, err)
			}
		}
		if u, err := svc.CheckUnsubscribe(ctx, token); err != nil || len(u.Kinds) != 1 || u.Email != bob.Email {
			t.Fatalf("check = %+v, %v; want bob's address and one kind", u, err)
		}
		for _, tc := range bad {
			if _, err := svc.CheckUnsubscribe(ctx, tc.token); patchwork.ErrorCode(err) != patchwork.EINVALID {
				t.Errorf("check %s token: %v", tc.name, err)
			}
		}
		if _, err := svc.CheckUnsubscribe(ctx, patchwork.SignUnsubscribeToken(secret, bob.ID+1000, []string{patchwork.ActivityMemberJoined}, clk.Now())); patchwork.ErrorCode(err) != patchwork.EINVALID {
			t.Errorf("check a token of no account: %v", err)
		}
		if p, _ := svc.FindNotificationPrefs(sqldbtest.As(bob)); p[patchwork.ActivityMemberJoined] != patchwork.NotifyImmediate {
			t.Fatal("checking a token changed the preference")
		}
		// No one is signed in; twice is harmless.
		for i := 0; i < 2; i++ {
			if kinds, err := svc.Unsubscribe(ctx, token); err != nil || len(kinds) != 1 || kinds[0] != patchwork.ActivityMemberJoined {
				t.Fatalf("unsubscribe = %v, %v", kinds, err)
			}
		}
		p, _ := svc.FindNotificationPrefs(sqldbtest.As(bob))
		if p[patchwork.ActivityMemberJoined] != patchwork.NotifyNever || p[patchwork.ActivityAttentionRaised] != patchwork.NotifyImmediate ||
			p[patchwork.ActivityMemberLeft] != patchwork.NotifyDaily {
			t.Fatalf("bob after unsubscribe = %v", p)
		}
		if p, _ := svc.FindNotificationPrefs(sqldbtest.As(carol)); p[patchwork.ActivityMemberJoined] != patchwork.NotifyDaily {
			t.Fatalf("carol changed too: %v", p)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`,
			patchwork.AuditUnsubscribe, bob.ID); n != 2 {
			t.Fatalf("unsubscribe audit rows = %d", n)
		}
		if _, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err != nil {
			t.Fatal(err)
		}
	})
}

// alter flips one character of the token's payload, keeping its signature.
func alter(token string) string {
	b := []byte(token)
	if b[3] == 'A' {
		b[3] = 'B'
	} else {
		b[3] = 'A'
	}
	return string(b)
}
