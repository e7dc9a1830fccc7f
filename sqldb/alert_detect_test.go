package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// alertWorld is a network with a system admin, the North district's area
// admin and the South district's, and a creator who adds the clients.
type alertWorld struct {
	db                   *sqldb.DB
	w                    *sqldbtest.World
	south                *sqldbtest.Elsewhere
	clock                *sqldbtest.Clock
	sys, north, southAdm *patchwork.Agent
	creator              *patchwork.Agent
}

func newAlertWorld(t *testing.T, db *sqldb.DB) *alertWorld {
	t.Helper()
	aw := &alertWorld{db: db, clock: sqldbtest.NewClock(db), w: sqldbtest.MustWorld(t, db)}
	aw.south = aw.w.MustElsewhere(t)
	aw.sys = aw.w.MustSystemAdmin(t, "Sid System", aw.w.Council)
	aw.north = aw.w.MustAreaAdmin(t, "Nadia Northadmin", aw.w.Council, aw.w.District)
	aw.southAdm = aw.w.MustAreaAdmin(t, "Sol Southadmin", aw.south.Agency, aw.south.District)
	aw.creator = aw.w.MustAgent(t, "Cora Creator", aw.w.Council, aw.w.LocalA)
	return aw
}

// client adds a client in area.
func (aw *alertWorld) client(t *testing.T, n int, area *patchwork.Area) *patchwork.Client {
	t.Helper()
	return aw.w.MustCreateClient(t, aw.creator, &patchwork.Client{FirstName: "Alex", LastName: fmt.Sprintf("Client%c", 'A'+n),
		DateOfBirth: fmt.Sprintf("%02d/03/2010", n+1), AreaIDs: []int64{area.ID}})
}

// run runs detection and checks how many alerts it opened.
func (aw *alertWorld) run(t *testing.T, want int) {
	t.Helper()
	n, err := aw.db.RunUnusualAccess(context.Background())
	if err != nil || n != want {
		t.Fatalf("detection opened %d alerts, %v; want %d", n, err, want)
	}
}

// alertEmails counts the alert emails queued for agentID.
func (aw *alertWorld) alertEmails(t *testing.T, agentID int64) int {
	t.Helper()
	return sqldbtest.MustCount(t, aw.db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND payload LIKE $2`,
		sqldb.JobAccountEmail, fmt.Sprintf(`%%"kind":"%s","agent_id":%d,%%`, sqldb.AccountEmailUnusualAccess, agentID))
}

// checkAlert checks the one alert about agent: its kind and count, that
// the system admin and the agent's district's admin see it and were
// emailed, that the other district's admin does so only if southToo (the
// agent joined a client there, which puts the agent in that admin's reach),
// and that it was audited by the system.
func (aw *alertWorld) checkAlert(t *testing.T, agent *patchwork.Agent, kind string, rows int, southToo bool) {
	t.Helper()
	svc := sqldb.NewAlertService(aw.db)
	all, _, err := svc.FindAlerts(sqldbtest.As(aw.sys), 1)
	if err != nil || len(all) != 1 {
		t.Fatalf("system admin's alerts: %+v, %v", all, err)
	}
	a := all[0]
	if a.Kind != kind || a.AgentID != agent.ID || a.AgentName != agent.Name || a.Count != rows ||
		!a.Day.Equal(aw.clock.Now().Truncate(24*time.Hour)) {
		t.Fatalf("alert: %+v; want %s about agent %d with %d rows on the clock's day", a, kind, agent.ID, rows)
	}
	if strings.Contains(a.Detail, "Client") || strings.Contains(a.Detail, "Alex") {
		t.Fatalf("the alert names a client: %q", a.Detail)
	}
	if got, _, err := svc.FindAlerts(sqldbtest.As(aw.north), 1); err != nil || len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("the district's admin sees %+v, %v", got, err)
	}
	south := 0
	if southToo {
		south = 1
	}
	if got, _, err := svc.FindAlerts(sqldbtest.As(aw.southAdm), 1); err != nil || len(got) != south {
		t.Fatalf("another district's admin sees %+v, %v", got, err)
	}
	if _, _, err := svc.FindAlerts(sqldbtest.As(agent), 1); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
		t.Fatalf("the agent's alerts: %v", err)
	}
	for who, want := range map[*patchwork.Agent]int{aw.sys: 1, aw.north: 1, aw.southAdm: south, agent: 0} {
		if n := aw.alertEmails(t, who.ID); n != want {
			t.Errorf("%s got %d alert emails, want %d", who.Name, n, want)
		}
	}
	if n := sqldbtest.MustCount(t, aw.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id IS NULL AND detail = $2`,
		patchwork.AuditUnusualAccess, fmt.Sprintf("alert=%d kind=%s agent=%d", a.ID, kind, agent.ID)); n != 1 {
		t.Errorf("the alert is audited %d times", n)
	}
}

// noRepeat runs detection again, that day and the next, and checks that
// nothing new is opened or emailed.
func (aw *alertWorld) noRepeat(t *testing.T) {
	t.Helper()
	emails := aw.alertEmails(t, aw.sys.ID)
	aw.run(t, 0)
	aw.clock.Add(24 * time.Hour) // the day is now yesterday, checked once more
	aw.run(t, 0)
	if n := sqldbtest.MustCount(t, aw.db, `SELECT COUNT(*) FROM admin_alerts`); n != 1 {
		t.Fatalf("%d alerts after running again", n)
	}
	if n := aw.alertEmails(t, aw.sys.ID); n != emails {
		t.Fatalf("running again emailed again: %d → %d", emails, n)
	}
	if n, err := sqldb.NewAuditService(aw.db).VerifyAudit(sqldbtest.System()); err != nil {
		t.Fatalf("verify (%d rows): %v", n, err)
	}
}

// TestAlertTeamChurn: an agent who joins and then leaves one team fewer
// than the threshold in a day is not alerted on; the next one opens one
// alert, told to the system admin and the district's admin, once.
func TestAlertTeamChurn(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		aw := newAlertWorld(t, db)
		db.Alerts = patchwork.AlertThresholds{TeamChurn: 3, OutsideViews: -1, SearchFactor: -1}
		churner := aw.w.MustAgent(t, "Chad Churner", aw.w.Council, aw.w.LocalA)
		clients := sqldb.NewClientService(db)
		churn := func(c *patchwork.Client) {
			t.Helper()
			aw.w.MustJoin(t, churner, c)
			aw.clock.Add(time.Minute)
			if err := clients.LeaveTeam(sqldbtest.As(churner), c.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
				t.Fatal(err)
			}
		}
		// Joined but not left, and left a team joined the day before:
		// neither counts.
		old := aw.client(t, 8, aw.w.LocalA)
		aw.w.MustJoin(t, churner, old)
		aw.clock.Add(24 * time.Hour)
		stay := aw.client(t, 9, aw.w.LocalA)
		aw.w.MustJoin(t, churner, stay)
		if err := clients.LeaveTeam(sqldbtest.As(churner), old.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		churn(aw.client(t, 0, aw.w.LocalA))
		churn(aw.client(t, 1, aw.w.LocalA))
		aw.run(t, 0) // two: just under
		churn(aw.client(t, 2, aw.w.LocalA))
		aw.run(t, 1) // three: the threshold
		aw.checkAlert(t, churner, patchwork.AlertTeamChurn, 3, false)
		aw.noRepeat(t)
	})
}

// TestAlertOutsideViews: views of clients in another district count (each
// client once, however often viewed); views in the agent's district, in
// another local area of it too, do not.
func TestAlertOutsideViews(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		aw := newAlertWorld(t, db)
		db.Alerts = patchwork.AlertThresholds{TeamChurn: -1, OutsideViews: 3, SearchFactor: -1}
		viewer := aw.w.MustAgent(t, "Vic Viewer", aw.w.Council, aw.w.LocalA)
		clients := sqldb.NewClientService(db)
		view := func(c *patchwork.Client) {
			t.Helper()
			if _, err := clients.FindClientProfile(sqldbtest.As(viewer), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		var outside []*patchwork.Client
		for i := range 3 {
			c := aw.client(t, i, aw.south.Local)
			aw.w.MustJoin(t, viewer, c)
			outside = append(outside, c)
		}
		for i, area := range []*patchwork.Area{aw.w.LocalA, aw.w.LocalB, aw.w.LocalB} {
			c := aw.client(t, 5+i, area)
			aw.w.MustJoin(t, viewer, c)
			view(c)
		}
		view(outside[0])
		view(outside[1])
		view(outside[1])
		aw.run(t, 0) // two clients outside: just under
		view(outside[2])
		aw.run(t, 1)
		aw.checkAlert(t, viewer, patchwork.AlertOutsideViews, 3, true)
		aw.noRepeat(t)
	})
}

// TestAlertSearchVolume: an agent is alerted on when they search at least
// the minimum and more than factor times the median of the agents who
// searched that day; at exactly factor times, or under the minimum, not.
func TestAlertSearchVolume(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		aw := newAlertWorld(t, db)
		db.Alerts = patchwork.AlertThresholds{TeamChurn: -1, OutsideViews: -1, SearchFactor: 3, SearchMinimum: 4}
		search := sqldb.NewSearchService(db)
		searches := func(a *patchwork.Agent, n int) {
			t.Helper()
			for range n {
				if _, err := search.Search(sqldbtest.As(a), patchwork.SearchQuery{Text: "Alex Smith"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, name := range []string{"Pat Peer", "Pip Peer", "Poe Peer"} {
			searches(aw.w.MustAgent(t, name, aw.w.Council, aw.w.LocalA), 2)
		}
		heavy := aw.w.MustAgent(t, "Hal Heavy", aw.w.Council, aw.w.LocalA)
		searches(heavy, 6) // the median of 2, 2, 2, 6 is 2: six is three times it, not more
		aw.run(t, 0)
		searches(heavy, 1)
		db.Alerts.SearchMinimum = 8 // seven is more than three times, but under the minimum
		aw.run(t, 0)
		db.Alerts.SearchMinimum = 7
		aw.run(t, 1)
		aw.checkAlert(t, heavy, patchwork.AlertSearchVolume, 7, false)
		aw.noRepeat(t)
	})
}
