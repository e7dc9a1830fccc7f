package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// dashboardTeams is how many more teams the journey's agent is put on, so
// that the dashboard is that of a practitioner on 80+ teams.
const dashboardTeams = 85

// addTeams adds n clients with the journey's agent as their team's first
// member, named Nico Manyteams01 … so that a filter can pick one out.
func addTeams(t *testing.T, db *sqldb.DB, n int) {
	t.Helper()
	var id int64
	if err := db.QueryRowForTest(`SELECT id FROM agents WHERE email = $1`, agentEmail).Scan(&id); err != nil {
		t.Fatalf("find %s: %v", agentEmail, err)
	}
	// The caller as a signed-in session would carry them.
	me := &patchwork.Agent{ID: id, Email: agentEmail, Active: true}
	svc := sqldb.NewClientService(db)
	for i := 1; i <= n; i++ {
		c := &patchwork.Client{FirstName: "Nico", LastName: fmt.Sprintf("Manyteams%02d", i), DateOfBirth: fmt.Sprintf("%d/%d/2014", i%28+1, i%12+1)}
		if err := svc.CreateClient(sqldbtest.As(me), c); err != nil {
			t.Fatalf("add client %d of %d: %v", i, n, err)
		}
	}
}

// dashboardCards counts the client cards on the current page.
const dashboardCards = `document.querySelectorAll('ul[aria-labelledby="my-teams"] > li').length`

// checkDashboard walks the dashboard of an agent on 80+ teams: 20 cards a
// page with the activity beside them at desktop, a filter by name, a sort by
// name and the next page, each through the page's own links and GET form,
// each state checked with axe-core at both widths and for sideways scrolling.
func checkDashboard(t *testing.T, b *browser) {
	t.Helper()
	if n := eval[int](b, "count the cards", dashboardCards); n != 20 {
		t.Errorf("the dashboard shows %d cards, want 20 a page", n)
	}
	// At desktop width the recent activity starts level with the cards, not
	// below them.
	if below := eval[bool](b, "compare the activity's place with the cards'", `(() => {
		const act = document.getElementById('recent-activity').getBoundingClientRect();
		const cards = document.querySelector('ul[aria-labelledby="my-teams"]').getBoundingClientRect();
		return act.top > cards.bottom;
	})()`); below {
		t.Errorf("at %d px the recent activity is below the cards", desktopWidth)
	}

	b.step("filter the dashboard by name",
		chromedp.SetValue(chromedp.ID("q"), "manyteams07"),
		chromedp.Click(buttonXPath("Show")),
		chromedp.WaitVisible(`//p[@role='status'][contains(., '1 client matches')]`),
	)
	b.waitFor("filtered dashboard loaded", pageReady)
	if n := eval[int](b, "count the filtered cards", dashboardCards); n != 1 {
		t.Errorf("filtered by manyteams07 the dashboard shows %d cards, want 1", n)
	}
	b.checkPage("dashboard filtered by name")

	// Choosing an option is a property change, as the keyboard or a tap on
	// the list makes it.
	if !eval[bool](b, "clear the filter and choose Name in Sort by", `(() => {
		document.getElementById('q').value = '';
		document.getElementById('sort').value = 'name';
		return document.getElementById('sort').value === 'name' && document.getElementById('q').value === '';
	})()`) {
		t.Fatal("could not clear the filter and choose Name in Sort by")
	}
	b.step("sort the dashboard by name", chromedp.Click(buttonXPath("Show")),
		chromedp.WaitVisible(`//p[@role='status'][contains(., 'You are on')]`))
	b.waitFor("the dashboard sorted by name", `location.search.includes('sort=name') && !!document.querySelector('nav.govuk-pagination')`)
	b.waitFor("sorted dashboard loaded", pageReady)
	names := eval[[]string](b, "read the card names", `[...document.querySelectorAll('ul[aria-labelledby="my-teams"] h3')].map(h => h.textContent.trim().toLowerCase())`)
	for i := 1; i < len(names); i++ {
		if names[i-1] > names[i] {
			t.Errorf("sorted by name, %q comes before %q", names[i-1], names[i])
			break
		}
	}
	b.checkPage("dashboard sorted by name")

	b.step("go to the next page",
		chromedp.Click(chromedp.CSS(`nav.govuk-pagination a[rel="next"]`)),
		chromedp.WaitVisible(`//p[@role='status'][contains(., 'Page 2.')]`),
	)
	b.waitFor("the second page", `location.search.includes('page=2') && location.search.includes('sort=name') && !!document.querySelector('a[aria-current="page"][aria-label="Page 2"]')`)
	b.waitFor("second page loaded", pageReady)
	if n := eval[int](b, "count the second page's cards", dashboardCards); n != 20 {
		t.Errorf("the second page shows %d cards, want 20", n)
	}
	if first := eval[string](b, "read the second page's first card", `document.querySelector('ul[aria-labelledby="my-teams"] h3').textContent.trim()`); strings.EqualFold(first, names[0]) {
		t.Errorf("the second page starts with %q, as the first did", first)
	}
	b.checkPage("dashboard page 2")
}
