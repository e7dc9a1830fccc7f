package e2e

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"patchwork/app"
	"patchwork/sqldb"
)

// tabTo presses Tab until the focused element matches the CSS selector,
// and fails if it is not reached within max presses (or is not visible).
func (b *browser) tabTo(what, selector string, max int) {
	b.t.Helper()
	var seen []string
	for i := 0; i < max; i++ {
		el := b.tab()
		seen = append(seen, el.String())
		if eval[bool](b, "is "+what+" focused", fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%s)`, jsString(selector))) {
			if !el.Visible {
				b.t.Fatalf("%s has the focus but is not visible", what)
			}
			return
		}
	}
	b.t.Fatalf("Tab never reached %s in %d presses (%s)\n%s", what, max, strings.Join(seen, " → "), b.where())
}

// press sends keys (text or kb constants) to the focused element.
func (b *browser) press(what, keys string) {
	b.t.Helper()
	b.step(what, chromedp.KeyEvent(keys))
}

// memberClient is a client the demo's agent2 is on the team of, with a name
// no other client has.
func memberClient(t *testing.T, db *sqldb.DB) (id int64, name string) {
	t.Helper()
	var first, last string
	err := db.QueryRowForTest(`
		SELECT c.id, c.first_name, c.last_name FROM clients c
		JOIN memberships m ON m.client_id = c.id AND m.left_at IS NULL
		JOIN agents a ON a.id = m.agent_id AND a.email = $1
		WHERE (SELECT COUNT(*) FROM clients c2 WHERE c2.first_name = c.first_name AND c2.last_name = c.last_name) = 1
			AND c.last_name NOT LIKE '%''%'
		ORDER BY c.id LIMIT 1`, agentEmail).Scan(&id, &first, &last)
	if err != nil {
		t.Fatalf("find a client of agent2: %v", err)
	}
	return id, first + " " + last
}

// TestJourneyKeyboardAndInterruptedSession walks the main flow by keyboard
// alone (Tab to move, Enter to follow and send, Space to choose, typing):
// sign in, search, open the client, raise an attention. While the attention
// is being typed the session times out; sending it shows the sign-in page,
// and signing in again brings the form back filled in, to send. The walk
// runs at 1280 px and at 375 px, and without JavaScript; every page is
// axe-clean.
func TestJourneyKeyboardAndInterruptedSession(t *testing.T) {
	chromiumPath(t)
	db := openSeeded(t, "sqlite")
	var off atomic.Int64
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := app.NewServer(db, app.Options{Demo: true, Log: log,
		Now: func() time.Time { return time.Now().Add(time.Duration(off.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	clientID, clientName := memberClient(t, db)

	for _, tc := range []struct {
		name    string
		phone   bool
		noJS    bool
		message string
	}{
		{"1280 px", false, false, "Moved to a new address on Friday"},
		{"375 px", true, false, "School place confirmed for September"},
		{"without JavaScript", false, true, "New phone number given to the GP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, ts.URL)
			if tc.noJS {
				disableScripts(b)
			}
			check := func(name string) {
				t.Helper()
				if tc.noJS {
					b.checkPageNoScript(name) // waits for the page with scripts on
					return
				}
				b.waitFor(name+": page loaded and styled", pageReady)
				switch {
				case tc.phone:
					b.checkReflow(name)
					b.runAxe(name, "375 px")
				default:
					b.checkPage(name)
				}
			}
			signInByKeyboard := func() {
				b.tabTo("the email field", "#email", 20)
				b.press("type the email", agentEmail)
				b.tabTo("the password field", "#password", 3)
				b.press("type the password", agentPassword)
				b.press("send the sign-in form", kb.Enter)
			}

			off.Store(0)
			if tc.noJS {
				b.visitNoScript("/login", "Sign in to Patchwork")
			} else {
				b.visit("/login", "Sign in to Patchwork")
			}
			if tc.phone {
				b.step("emulate a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
				b.waitFor("phone width", fmt.Sprintf("window.innerWidth === %d", phoneWidth))
			}
			check("sign-in page")
			signInByKeyboard()
			b.step("the dashboard", chromedp.WaitVisible(h1XPath("My clients")))
			check("dashboard")

			b.tabTo("the search box", "#header-search", 10)
			b.press("type the client's name", clientName)
			b.press("search", kb.Enter)
			b.step("search results", chromedp.WaitVisible(chromedp.ID("clients-heading")))
			check("search results")
			b.tabTo("the client's result", fmt.Sprintf(`main a[href="/clients/%d"]`, clientID), 60)
			b.press("open the client", kb.Enter)
			b.step("the client page", chromedp.WaitVisible(h1XPath(clientName)))
			check("client page")

			b.tabTo("Raise an attention", fmt.Sprintf(`a[href="/clients/%d/attentions/new"]`, clientID), 60)
			b.press("open the attention form", kb.Enter)
			b.step("the attention form", chromedp.WaitVisible(h1XPath("Raise an attention")))
			check("attention form")
			b.tabTo("the first category", "#category", 20)
			b.press("choose it", " ")
			b.tabTo("the message", "#message", 5)
			b.press("type the message", tc.message)

			// The agent is called away; the session times out.
			off.Store(int64(31 * time.Minute))
			b.tabTo("Raise attention", "main button[type=submit]", 5)
			b.press("send the attention", kb.Enter)
			b.step("the sign-in page says what happened", chromedp.WaitVisible(`//*[contains(@class,'govuk-notification-banner__heading')][contains(., 'You were signed out')]`))
			if strings.Contains(eval[string](b, "read the page's source", `document.documentElement.outerHTML`), tc.message) {
				t.Errorf("the sign-in page shows the message as text")
			}
			check("sign-in page after the session timed out")
			signInByKeyboard()
			b.step("the form comes back", chromedp.WaitVisible(h1XPath("Raise an attention")))
			if got := eval[string](b, "read the message", `document.getElementById('message').value`); got != tc.message {
				t.Errorf("after signing in again the message is %q, want %q", got, tc.message)
			}
			if !eval[bool](b, "read the category", `document.getElementById('category').checked`) {
				t.Errorf("after signing in again the category is not chosen")
			}
			check("attention form filled in again")
			b.tabTo("Raise attention", "main button[type=submit]", 20)
			b.press("send the attention again", kb.Enter)
			b.step("the attention is raised", chromedp.WaitVisible(flashXPath("Attention raised")))
			if !strings.Contains(eval[string](b, "read the attentions", `document.body.innerText`), tc.message) {
				t.Errorf("the client page does not show the attention raised")
			}
			check("client page with the attention")
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}
