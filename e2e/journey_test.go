// Package e2e drives a real Patchwork server through headless Chromium:
// the journeys a practitioner takes, with axe-core accessibility checks and
// a small-screen (no horizontal scrolling) check on every page visited.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"patchwork/app"
	"patchwork/demo"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// journeySize is a demo network small enough to seed in a second or two but
// big enough for search to have neighbours and other areas.
var journeySize = demo.Size{Clients: 60, Agents: 37}

const (
	agentEmail    = "agent2@patchwork.test"
	agentPassword = "demo"
)

// TestJourneyJoinAndLeaveTeam is the core journey on both databases: sign
// in, find a client one is not working with yet, join their team (after a
// validation error), see the team, leave it, and lose sight of the client.
// Then it visits the other main pages. Every page passes axe-core and has
// no horizontal scrolling at 375 px.
func TestJourneyJoinAndLeaveTeam(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t) // skip (or fail in CI) before seeding anything
			start := time.Now()
			db := openSeeded(t, dialect)
			base := startServer(t, db)
			w := pickWorld(t, db)
			addTeams(t, db, dashboardTeams)
			t.Logf("%s: seeded and serving in %v; journey client %q (id %d, in agent2's areas: %v)",
				dialect, time.Since(start).Round(time.Millisecond), w.clientName, w.clientID, w.nearby)
			b := newBrowser(t, base)
			runJourney(t, b, w)
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
			t.Logf("%s: journey took %v", dialect, time.Since(start).Round(time.Millisecond))
		})
	}
}

// openSeeded opens a fresh, migrated database of dialect seeded with the
// demo network.
func openSeeded(t *testing.T, dialect string) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	var db *sqldb.DB
	switch dialect {
	case "sqlite":
		var err error
		db, err = sqldb.Open(ctx, filepath.Join(t.TempDir(), "patchwork.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrate sqlite: %v", err)
		}
	default:
		db = sqldbtest.MustOpen(t, dialect) // skips locally, fails in CI, without PostgreSQL
	}
	// A deadline, so that a store that hangs fails here with a message
	// rather than at the test binary's timeout.
	seedCtx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if err := demo.Seed(seedCtx, db, journeySize); err != nil {
		t.Fatalf("seed demo network: %v", err)
	}
	return db
}

// startServer serves Patchwork on db exactly as production wires it.
func startServer(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := app.NewServer(db, app.Options{Demo: true, Log: log})
	if err != nil {
		t.Fatalf("build server: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// world is what the journey needs to know about the seeded data.
type world struct {
	agentName      string // agent2, who takes the journey
	clientID       int64
	clientName     string // first and last name
	nearby         bool   // the client is in one of agent2's local areas
	otherAgentID   int64
	otherAgentName string
	first, last    string
}

// joinFormState is what the join form shows after a validation error.
type joinFormState struct {
	Error        string `json:"error"`
	NextToField  bool   `json:"nextToField"`
	DescribedBy  string `json:"describedBy"`
	BasisChecked bool   `json:"basisChecked"`
	Declared     bool   `json:"declared"`
	Title        string `json:"title"`
	SummaryLinks string `json:"summaryLinks"`
}

// pickWorld chooses a client agent2 is not working with, with a name no
// other client has, preferring one outside agent2's local areas so that the
// journey has to widen the search to the whole network.
func pickWorld(t *testing.T, db *sqldb.DB) world {
	t.Helper()
	var w world
	var agentID int64
	if err := db.QueryRowForTest(`SELECT id, name FROM agents WHERE email = $1`, agentEmail).Scan(&agentID, &w.agentName); err != nil {
		t.Fatalf("find %s: %v", agentEmail, err)
	}
	var nearby int
	err := db.QueryRowForTest(`
		SELECT c.id, c.first_name, c.last_name,
			CASE WHEN EXISTS (SELECT 1 FROM client_areas ca JOIN agent_areas aa ON aa.area_id = ca.area_id
				WHERE ca.client_id = c.id AND aa.agent_id = $1) THEN 1 ELSE 0 END AS nearby
		FROM clients c
		WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.client_id = c.id AND m.agent_id = $1 AND m.left_at IS NULL)
			AND (SELECT COUNT(*) FROM clients c2 WHERE c2.first_name = c.first_name AND c2.last_name = c.last_name) = 1
			AND c.last_name NOT LIKE '%''%'
		ORDER BY nearby, c.id
		LIMIT 1`, agentID).Scan(&w.clientID, &w.first, &w.last, &nearby)
	if err != nil {
		t.Fatalf("find a client agent2 is not working with: %v", err)
	}
	w.clientName = w.first + " " + w.last
	w.nearby = nearby == 1
	if err := db.QueryRowForTest(`SELECT id, name FROM agents WHERE email = $1`, "agent1@patchwork.test").Scan(&w.otherAgentID, &w.otherAgentName); err != nil {
		t.Fatalf("find agent1: %v", err)
	}
	return w
}

func runJourney(t *testing.T, b *browser, w world) {
	clientPath := fmt.Sprintf("/clients/%d", w.clientID)
	joinLink := chromedp.CSS(fmt.Sprintf(`a[href^="%s/join?"]`, clientPath))

	// Sign in, by keyboard first.
	b.visit("/login", "Sign in to Patchwork")
	b.checkPage("login page")
	checkLoginKeyboard(t, b)
	b.step("sign in",
		chromedp.SendKeys(chromedp.ID("email"), agentEmail),
		chromedp.SendKeys(chromedp.ID("password"), agentPassword),
		chromedp.Click(buttonXPath("Sign in")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
	if p := b.path(); p != "/" {
		t.Fatalf("after signing in the browser is at %s, want the dashboard /", p)
	}
	b.checkPage("dashboard")
	checkDashboard(t, b)

	// Search from the header for the client, widening to the whole network
	// as a user would if they are not in the local results.
	b.step("search for "+w.clientName,
		chromedp.SendKeys(chromedp.ID("header-search"), w.clientName),
		chromedp.Click(chromedp.CSS(".pw-header__search button")),
		chromedp.WaitVisible(chromedp.ID("clients-heading")),
	)
	b.checkPage("search results")
	if !eval[bool](b, "look for the client", fmt.Sprintf(`!!document.querySelector(%s)`, jsString(string(joinLink)))) {
		t.Logf("%s is not in the local results; widening the search to the whole network", w.clientName)
		b.step("show results from the whole network",
			chromedp.Click(`//a[starts-with(normalize-space(), 'Show results from the whole network')]`),
			chromedp.WaitVisible(`//p[@role='status'][contains(., 'in the whole network')]`),
		)
		b.checkPage("search results (whole network)")
	}

	// Join the team: first forget the declaration.
	b.step("open the join form of "+w.clientName,
		chromedp.Click(joinLink),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`form[action="%s/join"]`, clientPath))),
	)
	if h1 := eval[string](b, "read h1", `document.querySelector('h1').textContent.trim()`); h1 != "Join "+w.clientName+"'s team" {
		t.Errorf("join form heading is %q, want it to name %s", h1, w.clientName)
	}
	b.checkPage("join form")
	b.step("submit the join form without the declaration",
		chromedp.Click(labelXPath("Safeguarding")),
		chromedp.Click(buttonXPath("Join team")),
		chromedp.WaitVisible(chromedp.ID("declaration-error")),
	)
	b.waitFor("join form with errors loaded", pageReady)
	form := eval[joinFormState](b, "read the join form's errors", `(() => {
		const err = document.getElementById('declaration-error'), box = document.getElementById('declaration');
		return {error: err.textContent.trim(),
			nextToField: !!box && err.closest('.govuk-form-group') === box.closest('.govuk-form-group') &&
				err.closest('.govuk-form-group').classList.contains('govuk-form-group--error'),
			describedBy: box ? box.getAttribute('aria-describedby') || '' : '',
			basisChecked: !!document.getElementById('basis-safeguarding') && document.getElementById('basis-safeguarding').checked,
			declared: !!box && box.checked,
			title: document.title,
			summaryLinks: [...document.querySelectorAll('.govuk-error-summary a')].map(a => a.getAttribute('href') + ' ' + a.textContent.trim()).join('; ')};
	})()`)
	if !strings.Contains(form.Error, "Confirm that you are working with this client") {
		t.Errorf("declaration error is %q, want the message asking to confirm", form.Error)
	}
	if !form.NextToField {
		t.Errorf("the declaration error is not in the declaration's form group")
	}
	if !strings.Contains(form.DescribedBy, "declaration-error") {
		t.Errorf("the declaration checkbox has aria-describedby %q, want it to name declaration-error", form.DescribedBy)
	}
	if !form.BasisChecked {
		t.Errorf("the lawful basis chosen (Safeguarding) is no longer selected after the error")
	}
	if form.Declared {
		t.Errorf("the declaration is ticked after submitting it unticked")
	}
	if !strings.HasPrefix(form.Title, "Error: ") {
		t.Errorf("page title %q does not start with \"Error: \"", form.Title)
	}
	if !strings.Contains(form.SummaryLinks, "#declaration ") {
		t.Errorf("error summary links %q: want one to #declaration", form.SummaryLinks)
	}
	b.checkPage("join form with errors")

	b.step("join the team",
		chromedp.Click(labelXPath("I am working with this client")),
		chromedp.Click(buttonXPath("Join team")),
		chromedp.WaitVisible(flashXPath("You have joined the team")),
	)
	if p := b.path(); p != clientPath {
		t.Errorf("after joining the browser is at %s, want %s", p, clientPath)
	}
	b.waitFor("client page loaded", pageReady)
	team := eval[string](b, "read the team", `(document.querySelector('ul[aria-labelledby="team"]') || {}).innerText || ''`)
	if !strings.Contains(team, w.agentName) {
		t.Errorf("the team does not list %s after joining; it shows:\n%s", w.agentName, team)
	}
	b.checkPage("client page")

	// Raise an attention: first with a mistake, then properly; the team
	// sees it on the client page.
	b.step("open the attention form",
		chromedp.Click(linkXPath("Raise an attention")),
		chromedp.WaitVisible(h1XPath("Raise an attention")),
	)
	b.checkPage("attention form")
	b.step("raise an attention without a category",
		chromedp.SendKeys(chromedp.ID("message"), "Moved to a new address; school informed."),
		chromedp.Click(buttonXPath("Raise attention")),
		chromedp.WaitVisible(chromedp.ID("category-error")),
	)
	b.checkPage("attention form with errors")
	b.step("raise the attention",
		chromedp.Click(labelXPath("Update")),
		chromedp.Click(buttonXPath("Raise attention")),
		chromedp.WaitVisible(flashXPath("Attention raised")),
	)
	b.checkPage("client page with an attention")
	b.step("open the change-details form",
		chromedp.Click(chromedp.CSS(`a[href$="/edit"]`)),
		chromedp.WaitVisible(h1XPath("Change details")),
	)
	b.checkPage("change details form")
	b.step("back to the client", chromedp.Navigate(b.base+clientPath), chromedp.WaitVisible(chromedp.ID("team")))

	// Leave the team; the client disappears from view.
	b.step("open the leave page",
		chromedp.Click(linkXPath("Leave this team")),
		chromedp.WaitVisible(chromedp.ID("reason")),
	)
	b.checkPage("leave page")
	b.step("leave the team",
		chromedp.Click(labelXPath("Case closed")),
		chromedp.Click(buttonXPath("Leave team")),
		chromedp.WaitVisible(flashXPath("You have left the team")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
	if p := b.path(); p != "/" {
		t.Errorf("after leaving the browser is at %s, want the dashboard /", p)
	}
	b.checkPage("dashboard after leaving")

	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+clientPath))
	cancel()
	if err != nil {
		t.Fatalf("visit %s again: %v", clientPath, err)
	}
	if resp.Status != http.StatusNotFound {
		t.Errorf("%s after leaving: status %d, want 404", clientPath, resp.Status)
	}
	b.step("see the not-found page", chromedp.WaitVisible(h1XPath("Client not found")))
	b.checkPage("client page after leaving (not found)")

	// The other main pages.
	b.visit("/settings/notifications", "Email settings")
	b.checkPage("email settings")

	b.visit("/profile", "My profile")
	b.checkPage("profile page")

	b.visit("/settings/password", "Change your password")
	b.checkPage("change password")
	b.visit("/settings/sessions", "Your sessions")
	b.checkPage("your sessions")
	b.visit("/password/forgot", "Reset your password")
	b.checkPage("forgotten password")
	b.visit("/password/reset?token=not-a-live-token", "This link no longer works")
	b.checkPage("reset link that no longer works")

	b.visit("/agencies", "Phone book")
	b.checkPage("phone book")
	agency := eval[string](b, "read the first agency", `document.querySelector('main table a[href^="/agencies/"]').textContent.trim()`)
	b.step("open "+agency,
		chromedp.Click(chromedp.CSS(`main table a[href^="/agencies/"]`)),
		chromedp.WaitVisible(h1XPath(agency)),
	)
	b.checkPage("agency page")

	b.visit(fmt.Sprintf("/agents/%d", w.otherAgentID), w.otherAgentName)
	b.checkPage("agent page")

	b.visit("/clients/new", "Add a client")
	b.checkPage("add-client form")
	b.step("submit the add-client form empty",
		chromedp.Click(buttonXPath("Add client")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")),
		chromedp.WaitVisible(chromedp.ID("first_name-error")),
	)
	// The summary takes the focus (autofocus, no script needed) and lists
	// the errors in the order of the fields.
	b.waitFor("the error summary has the focus", `document.activeElement && document.activeElement.id === 'error-summary'`)
	if links := eval[string](b, "read the summary's links", `[...document.querySelectorAll('.govuk-error-summary a')].map(a => a.getAttribute('href')).join(' ')`); !strings.HasPrefix(links, "#first_name #last_name #date_of_birth") {
		t.Errorf("error summary links %q, want them in the order of the fields (#first_name #last_name #date_of_birth)", links)
	}
	b.checkPage("add-client form with errors")
}

// checkLoginKeyboard tabs through the login page from the top: the skip
// link comes first (and shows itself), then the form is reachable in order.
func checkLoginKeyboard(t *testing.T, b *browser) {
	t.Helper()
	first := b.tab()
	if !strings.Contains(" "+first.Class+" ", " govuk-skip-link ") {
		t.Errorf("first Tab on the login page focuses %s, want the skip link", first)
	} else if !first.Visible {
		t.Errorf("the skip link stays invisible when focused")
	}
	want := []string{"email", "password", "sign in"}
	var order []string
	for i := 0; i < 12 && len(want) > 0; i++ {
		el := b.tab()
		order = append(order, el.String())
		var got string
		switch {
		case el.ID == "email":
			got = "email"
		case el.ID == "password":
			got = "password"
		case el.Tag == "button" && el.Text == "Sign in":
			got = "sign in"
		default:
			continue
		}
		if got != want[0] {
			t.Errorf("Tab reached %s before %s (focus order: %s)", got, want[0], strings.Join(order, " → "))
			return
		}
		if !el.Visible {
			t.Errorf("focused %s is not visible", got)
		}
		want = want[1:]
	}
	if len(want) > 0 {
		t.Errorf("Tab never reached %s (focus order: %s)", strings.Join(want, ", "), strings.Join(order, " → "))
	}
}

// flashXPath selects the success banner's message.
func flashXPath(text string) string {
	return fmt.Sprintf(`//*[contains(@class,'govuk-notification-banner__heading')][contains(., %s)]`, xpathString(text))
}
