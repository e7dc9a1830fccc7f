package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"patchwork/importer"
	"patchwork/sqldb/sqldbtest"
)

// TestJourneyGovernance walks a data-protection officer's pages — the
// audit log filtered to one client, the client's access report, the
// network statistics, the alerts (an unusual-access one among them), the
// retention lists (a warned agent among them), the failed emails (sending
// one again), the imports (one done, one refused for its problems), and
// the erasure form with its errors and then the erasure — on both
// databases. Every page passes axe-core at
// 1280 px and 375 px and does not scroll sideways at 375 px.
func TestJourneyGovernance(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t)
			db := openSeeded(t, dialect)
			if err := db.RebuildStats(context.Background()); err != nil {
				t.Fatal(err)
			}
			var id int64
			var name, network string
			if err := db.QueryRowForTest(`SELECT id, first_name || ' ' || last_name FROM clients ORDER BY id LIMIT 1`).Scan(&id, &name); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowForTest(`SELECT name FROM areas WHERE parent_id IS NULL ORDER BY name LIMIT 1`).Scan(&network); err != nil {
				t.Fatal(err)
			}
			// An unusual-access alert and an agent warned for not signing
			// in, so that the alerts and retention pages show their tables.
			if _, err := db.ExecForTest(`INSERT INTO admin_alerts (kind, detail, created_at, agent_id, pattern_day, pattern_rows)
				SELECT 'team_churn', 'joined and then left 6 client teams in one day (the threshold is 5)', 1764590400000000, MIN(id), 1764547200000000, 6 FROM agents`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecForTest(`UPDATE agents SET inactivity_warned_at = 1 WHERE id = (SELECT MAX(id) FROM agents)`); err != nil {
				t.Fatal(err)
			}
			// Two imports for the imports page: one done, one refused.
			for _, file := range []string{"name,sector,local_areas\nGovernance Test Trust,Charity,\n",
				"name,sector,local_areas\nNowhere Trust,Charity,Narnia\n"} {
				if _, err := importer.ImportAgencies(sqldbtest.System(), db, strings.NewReader(file), importer.Options{FileName: "agencies.csv"}); err != nil {
					t.Fatal(err)
				}
			}
			b := newBrowser(t, startServer(t, db))
			signInAs(t, b, "admin@patchwork.test")
			pages := []struct{ path, h1 string }{
				{"/admin/audit", "Audit log"},
				{fmt.Sprintf("/admin/audit?client=%d", id), "Audit log"},
				{fmt.Sprintf("/admin/clients/%d/access-report", id), "Everything Patchwork holds about " + name},
				{"/admin/stats", "Network statistics: " + network},
				{"/admin/alerts", "Alerts"},
				{"/admin/retention", "Retention"},
				{"/admin/imports", "Imports"},
				{fmt.Sprintf("/admin/clients/%d/erase", id), "Erase " + name + " from Patchwork"},
			}
			checkFailedEmails(t, b, db)
			for _, p := range pages {
				b.visit(p.path, p.h1)
				b.checkPage(p.path)
			}
			b.step("erase without a reason or confirmation",
				chromedp.Click(buttonXPath("Erase for good")),
				chromedp.WaitVisible(`//h2[normalize-space()="There is a problem"]`))
			b.checkPage("erasure form with errors")
			b.step("erase",
				chromedp.SendKeys(chromedp.ID("reason"), "The client asked to be removed"),
				chromedp.Click(labelXPath("I understand this cannot be undone")),
				chromedp.Click(buttonXPath("Erase for good")),
				chromedp.WaitVisible(h1XPath("Audit log")))
			b.checkPage("audit log after the erasure")
			if !strings.Contains(b.path(), "/admin/audit") {
				t.Fatalf("after erasure the browser is at %s", b.path())
			}
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}
