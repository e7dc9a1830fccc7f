package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// TestJourneyAdminAreas walks an administrator's area pages on both
// databases: the hierarchy, a local area with a rename refused and then
// made, an agent's areas, and a client moved to another local area. Every
// page passes axe-core at 1280 px and 375 px and does not scroll sideways
// at 375 px.
func TestJourneyAdminAreas(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t)
			db := openSeeded(t, dialect)
			var area, other, agent, client int64
			var areaName, agentName, clientName string
			if err := db.QueryRowForTest(`SELECT id, name FROM areas WHERE kind = 'local' ORDER BY name LIMIT 1`).Scan(&area, &areaName); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowForTest(`SELECT id FROM areas WHERE kind = 'local' ORDER BY name DESC LIMIT 1`).Scan(&other); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowForTest(`SELECT id, name FROM agents WHERE is_admin = 0 ORDER BY id LIMIT 1`).Scan(&agent, &agentName); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowForTest(`SELECT id, first_name || ' ' || last_name FROM clients ORDER BY id LIMIT 1`).Scan(&client, &clientName); err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, startServer(t, db))
			signInAs(t, b, "admin@patchwork.test")
			b.visit("/admin/areas", "Areas")
			b.checkPage("areas")
			areaPath := fmt.Sprintf("/admin/areas/%d", area)
			b.visit(areaPath, areaName)
			b.checkPage("a local area")
			b.step("rename to nothing",
				chromedp.SetValue(chromedp.ID("name"), "   "),
				chromedp.Click(buttonXPath("Save")),
				chromedp.WaitVisible(`//h2[normalize-space()="There is a problem"]`))
			b.checkPage("a local area with an error")
			b.step("rename",
				chromedp.SetValue(chromedp.ID("name"), areaName+" Vale"),
				chromedp.Click(buttonXPath("Save")),
				chromedp.WaitVisible(h1XPath(areaName+" Vale")))
			b.checkPage("a renamed local area")
			b.visit(fmt.Sprintf("/admin/agents/%d/areas", agent), "Areas of "+agentName)
			b.checkPage("an agent's areas")
			b.visit("/admin/clients/area", "Move a client to another area")
			b.checkPage("move a client: which client")
			b.step("choose the client",
				chromedp.SetValue(chromedp.ID("client"), patchwork.ClientRef(client)),
				chromedp.Click(buttonXPath("Continue")),
				chromedp.WaitVisible(fmt.Sprintf(`//dd[normalize-space()=%s]`, xpathString(clientName))))
			b.checkPage("move a client: where to")
			b.step("move the client",
				chromedp.SetValue(chromedp.ID("area_id"), fmt.Sprint(other)),
				chromedp.Click(buttonXPath("Move "+patchwork.ClientRef(client))),
				chromedp.WaitVisible(`//p[contains(normalize-space(), "was moved")]`))
			b.checkPage("move a client: moved")
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
			var n int
			if err := db.QueryRowForTest(`SELECT COUNT(*) FROM client_areas WHERE client_id = $1 AND area_id = $2`, client, other).Scan(&n); err != nil || n != 1 {
				t.Errorf("the client was not moved: %d, %v", n, err)
			}
		})
	}
}
