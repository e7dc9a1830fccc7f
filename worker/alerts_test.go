package worker_test

import (
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestUnusualAccessEmail: the hourly detection the worker schedules opens
// an alert for an agent who joined and left a team (the threshold is one
// here) and emails it, over real SMTP, to the system admin and the area
// admin of the agent's district, once; the email names neither the client
// nor the agent.
func TestUnusualAccessEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		db.Alerts = patchwork.AlertThresholds{TeamChurn: 1, OutsideViews: -1, SearchFactor: -1}
		sys := e.world.MustSystemAdmin(t, "Sid System", e.world.Council)
		north := e.world.MustAreaAdmin(t, "Nadia Northadmin", e.world.Council, e.world.District)
		creator := e.world.MustAgent(t, "Cora Creator", e.world.Council, e.world.LocalA)
		churner := e.world.MustAgent(t, "Chad Churner", e.world.Council, e.world.LocalA)
		cl := e.mustSecretClient(t, creator, "Zebedee")
		e.world.MustJoin(t, churner, cl)
		if err := sqldb.NewClientService(db).LeaveTeam(sqldbtest.As(churner), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		before := len(e.smtp.Messages())
		e.at(t, 2026, time.November, 22, 11, 5)
		msgs := e.smtp.WaitFor(before+2, 30*time.Second)
		to := map[string]bool{}
		for _, m := range msgs[before:] {
			if !strings.Contains(m.Header("Subject"), "Unusual access") {
				continue
			}
			for _, a := range m.To {
				to[a] = true
			}
			checkNoClientData(t, m)
			text, html := parts(t, m.Raw)
			for _, s := range []string{"Chad", "Churner", churner.Email, patchwork.ClientRef(cl.ID)} {
				if strings.Contains(string(m.Raw), s) || strings.Contains(text, s) || strings.Contains(html, s) {
					t.Errorf("the alert email names %q:\n%s", s, text)
				}
			}
			if !strings.Contains(text, "joined and then left many client teams") || !strings.Contains(text, "/admin/alerts") {
				t.Errorf("the alert email does not say what was seen or where:\n%s", text)
			}
		}
		if len(to) != 2 || !to[sys.Email] || !to[north.Email] {
			t.Fatalf("alert emails went to %v, want the system admin and the district's admin", to)
		}
		n := len(e.smtp.Messages())
		e.at(t, 2026, time.November, 22, 12, 5) // the next hour: told already
		if got := len(e.smtp.Messages()); got != n {
			t.Fatalf("%d emails after the next hour's run, want %d", got, n)
		}
	})
}

// TestInactivityWarningEmail: the daily inactivity run warns an agent who
// has not signed in for six months by email, saying by when to sign in.
func TestInactivityWarningEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		sleepy := e.world.MustAgent(t, "Sam Sleepy", e.world.Council, e.world.LocalA)
		before := len(e.smtp.Messages())
		e.at(t, 2027, time.June, 1, 9, 0) // 191 days later
		msgs := e.smtp.WaitFor(before+1, 30*time.Second)
		found := false
		for _, m := range msgs[before:] {
			if len(m.To) == 1 && m.To[0] == sleepy.Email {
				text, _ := parts(t, m.Raw)
				found = strings.Contains(m.Header("Subject"), "will be deactivated") && strings.Contains(text, "Sign in before Thursday 1 July 2027")
				if !found {
					t.Errorf("warning:\n%s", text)
				}
			}
		}
		if !found {
			t.Fatal("the inactive agent was not warned")
		}
	})
}
