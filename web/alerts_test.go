package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAlertsPage: a failed audit check shows on the alerts page, and a
// client listed for retention on the retention page, for admins; a signed-out visitor and a deactivated admin are sent to sign
// in, an agent gets the missing page.
func TestAlertsPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		agent := e.MustAgent(t, "Nell Nonadmin", e.Council, e.LocalA)
		admin := mustAdmin(t, e)
		gone := &patchwork.Agent{Email: "gone-admin@ashford.test", Name: "Gil Gone", AgencyID: e.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), gone, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		goneB := e.signedIn(t, gone)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		adminB := e.signedIn(t, admin)
		adminB.get("/admin/alerts").must(t, http.StatusOK, "No alerts")
		if opened, err := e.DB.RecordAuditCheck(context.Background(), "audit: row 3 was altered"); err != nil || !opened {
			t.Fatalf("record: %v, %v", opened, err)
		}
		cl := e.MustClient(t, agent, "Rita", "Retained", "01/01/2010")
		if _, err := e.DB.ExecForTest(`UPDATE clients SET retention_flagged_at = 1 WHERE id = $1`, cl.ID); err != nil {
			t.Fatal(err)
		}
		agentB := e.signedIn(t, agent)
		missing := agentB.get("/admin/no-such-page")
		runScenarios(t,
			scenario{name: "admin", as: adminB, path: "/admin/alerts", status: http.StatusOK,
				contains: []string{"the audit log failed its check", "audit: row 3 was altered"}},
			scenario{name: "retention list", as: adminB, path: "/admin/retention", status: http.StatusOK,
				contains: []string{patchwork.ClientRef(cl.ID), "1 Jan 1970 00:00:00 UTC"}, notContains: []string{"Retained"}},
			scenario{name: "retention list deactivated", as: goneB, path: "/admin/retention", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "signed out", as: e.anonymous(t), path: "/admin/alerts", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "deactivated admin", as: goneB, path: "/admin/alerts", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "agent", as: agentB, path: "/admin/alerts", status: http.StatusNotFound, notContains: []string{"row 3"},
				after: func(t *testing.T, r response) {
					if r.body != missing.body {
						t.Fatal("an agent's answer differs from a missing page's")
					}
				}},
		)
	})
}

// TestUnusualAccessAlertPage: an agent who joins and leaves a team (one is
// the threshold here) is alerted on; the system admin sees the alert with
// links to the agent and to exactly the audit rows behind it; the area
// admin of the agent's district sees it too and may read that agent's
// rows, and no other part of the audit log; another district's admin sees
// neither. The retention page lists
// an agent warned for not signing in.
func TestUnusualAccessAlertPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		south := e.MustElsewhere(t)
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		north := e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District)
		southAdmin := e.MustAreaAdmin(t, "Sol Southadmin", south.Agency, south.District)
		creator := e.MustAgent(t, "Cora Creator", e.Council, e.LocalA)
		churner := e.MustAgent(t, "Chad Churner", e.Council, e.LocalA)
		cl := e.MustClient(t, creator, "Quentin", "Quiet", "05/06/2011")
		e.DB.Alerts = patchwork.AlertThresholds{TeamChurn: 1, OutsideViews: -1, SearchFactor: -1}
		e.MustJoin(t, churner, cl)
		if err := sqldb.NewClientService(e.DB).LeaveTeam(sqldbtest.As(churner), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		if n, err := e.DB.RunUnusualAccess(context.Background()); err != nil || n != 1 {
			t.Fatalf("detection: %d, %v", n, err)
		}
		var day int64
		if err := e.DB.QueryRowForTest(`SELECT pattern_day FROM admin_alerts WHERE agent_id = $1`, churner.ID).Scan(&day); err != nil {
			t.Fatal(err)
		}
		d := time.UnixMicro(day).UTC().Format(time.DateOnly)
		joins := fmt.Sprintf("/admin/audit?action=team.join&amp;actor=%d&amp;from=%s&amp;to=%s", churner.ID, d, d)
		agentPage := fmt.Sprintf("/admin/agents/%d", churner.ID)
		sysB := e.signedIn(t, sys)
		runScenarios(t,
			scenario{name: "system admin", as: sysB, path: "/admin/alerts", status: http.StatusOK,
				contains:    []string{"an agent joined and then left many client teams", "Chad Churner", joins, agentPage, "joined and then left 1 client teams"},
				notContains: []string{"Quentin", "Quiet"}},
			scenario{name: "district's admin", as: e.signedIn(t, north), path: "/admin/alerts", status: http.StatusOK,
				contains: []string{"Chad Churner", agentPage, joins}, notContains: []string{"Quiet"}},
			scenario{name: "other district's admin", as: e.signedIn(t, southAdmin), path: "/admin/alerts", status: http.StatusOK,
				contains: []string{"No alerts"}, notContains: []string{"Chad Churner"}},
		)
		// The link leads to the join and nothing else.
		r := sysB.get(strings.ReplaceAll(joins, "&amp;", "&"))
		r.must(t, http.StatusOK, "team.join")
		if strings.Contains(r.body, "team.leave") || strings.Count(r.body, "<td class=\"govuk-table__cell\">team.join") != 1 {
			t.Fatalf("the alert's rows are not exactly its join\n%s", r.body)
		}
		// The district's admin reads the agent's rows there, and nothing
		// else of the audit log; another district's admin not even those.
		northB, southB := e.signedIn(t, north), e.signedIn(t, southAdmin)
		rows := strings.ReplaceAll(joins, "&amp;", "&")
		r = northB.get(rows)
		r.must(t, http.StatusOK, "team.join", patchwork.ClientRef(cl.ID))
		for _, no := range []string{"/access-report", "audit.csv", `name="client"`, `name="agency"`} {
			if strings.Contains(r.body, no) {
				t.Errorf("the area admin's audit page offers %q", no)
			}
		}
		southAgent := e.MustAgent(t, "Stan South", south.Agency, south.Local)
		for who, b := range map[string]*browser{"district's admin": northB, "other district's admin": southB} {
			missing := b.get("/admin/no-such-page")
			paths := []string{"/admin/audit", fmt.Sprintf("/admin/audit?actor=%d&client=%d", churner.ID, cl.ID),
				fmt.Sprintf("/admin/audit?actor=%d&agency=%d", churner.ID, e.Council.ID), fmt.Sprintf("/admin/audit.csv?actor=%d", churner.ID)}
			if b == southB {
				paths = append(paths, rows)
			} else {
				paths = append(paths, fmt.Sprintf("/admin/audit?actor=%d", southAgent.ID))
			}
			for _, p := range paths {
				if got := b.get(p); got.status != http.StatusNotFound || got.body != missing.body {
					t.Errorf("%s: %s answered %d, want the missing page", who, p, got.status)
				}
			}
		}
		if _, err := e.DB.ExecForTest(`UPDATE agents SET inactivity_warned_at = 1 WHERE id = $1`, creator.ID); err != nil {
			t.Fatal(err)
		}
		sysB.get("/admin/retention").must(t, http.StatusOK, "Agents who have not signed in", "Cora Creator", "1 Jan 1970 00:00:00 UTC")
	})
}
