package web_test

import (
	"context"
	"net/http"
	"testing"

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
