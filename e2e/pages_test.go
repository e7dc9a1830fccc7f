package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestJourneyPractitionerPages walks the pages a practitioner lives in —
// a client's attentions (mark as seen, resolve), the phone book (people
// filtered and paged, an agency's staff, the way back) and a search widened
// from the local areas to the district and the network — on both databases with
// JavaScript, and on SQLite once more with JavaScript switched off, since
// every flow must work without it. Every state visited passes axe-core at
// 1280 px and 375 px and does not scroll sideways at 375 px.
func TestJourneyPractitionerPages(t *testing.T) {
	type run struct {
		dialect string
		script  bool
	}
	var runs []run
	for _, d := range sqldbtest.Dialects {
		runs = append(runs, run{d, true})
	}
	runs = append(runs, run{"sqlite", false})
	for _, r := range runs {
		name := r.dialect
		if !r.script {
			name += "/without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			chromiumPath(t)
			db := openSeeded(t, r.dialect)
			base := startServer(t, db)
			att := raiseForJourney(t, db)
			pb := &pagesBrowser{browser: newBrowser(t, base), noScript: !r.script}
			if pb.noScript {
				pb.blockScripts()
			}
			signInAs(t, pb.browser, agentEmail)
			checkAttentions(t, pb, att)
			checkPhoneBook(t, pb)
			checkWidening(t, pb)
			if errs := pb.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}

// pagesBrowser is a browser that may run the journey with the pages'
// JavaScript switched off.
type pagesBrowser struct {
	*browser
	noScript bool
}

// blockScripts stops the browser loading any script file, as a failed
// download or a user's settings would. Patchwork's pages have no inline
// script (the CSP forbids it), so no page script runs; the test's own
// evaluations (axe, measurements, waits) still do, through the DevTools
// protocol.
func (b *pagesBrowser) blockScripts() {
	b.t.Helper()
	b.step("block script files", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{
			{URLPattern: "*://*:*/*.js", Block: true}, {URLPattern: "*://*:*/*.mjs", Block: true}}})
		return err
	}))
}

// signInAs signs in with the demo password and lands on the dashboard.
func signInAs(t *testing.T, b *browser, email string) {
	t.Helper()
	b.visit("/login", "Sign in to Patchwork")
	b.step("sign in as "+email,
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), agentPassword),
		chromedp.Click(buttonXPath("Sign in")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
}

// journeyAttention is an attention another member raised on one of the
// journey agent's clients.
type journeyAttention struct {
	id, clientID int64
	clientName   string
	message      string
}

// raiseForJourney has another member of one of agent2's teams raise an
// attention there.
func raiseForJourney(t *testing.T, db *sqldb.DB) journeyAttention {
	t.Helper()
	var a journeyAttention
	var other int64
	var first, last string
	err := db.QueryRowForTest(`SELECT m.client_id, o.agent_id, c.first_name, c.last_name FROM memberships m
		JOIN agents me ON me.id = m.agent_id AND me.email = $1
		JOIN memberships o ON o.client_id = m.client_id AND o.agent_id <> m.agent_id AND o.left_at IS NULL
		JOIN clients c ON c.id = m.client_id
		WHERE m.left_at IS NULL ORDER BY m.client_id, o.agent_id LIMIT 1`, agentEmail).Scan(&a.clientID, &other, &first, &last)
	if err != nil {
		t.Fatalf("find a team agent2 shares with someone: %v", err)
	}
	raiser, err := sqldb.NewAgentService(db).FindCaller(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	a.clientName, a.message = first+" "+last, "Strategy meeting moved to Thursday 10am at the school."
	att, err := sqldb.NewAttentionService(db).RaiseAttention(sqldbtest.As(raiser), a.clientID,
		patchwork.AttentionInput{Category: "meeting_request", Message: a.message, Urgent: true})
	if err != nil {
		t.Fatal(err)
	}
	a.id = att.ID
	return a
}

// checkAttentions marks an attention as seen, opens its resolve page,
// submits it without a note (an error there), resolves it and finds it
// collapsed under "Resolved (1)".
func checkAttentions(t *testing.T, b *pagesBrowser, a journeyAttention) {
	t.Helper()
	card := fmt.Sprintf("attention-%d", a.id)
	b.visit(fmt.Sprintf("/clients/%d", a.clientID), a.clientName)
	b.checkPage("client page with a new attention")
	// The card takes the main column's whole width.
	if narrow := eval[bool](b.browser, "measure the attention card", fmt.Sprintf(`(() => {
		const card = document.getElementById(%s), list = card.parentElement;
		return card.getBoundingClientRect().width < list.getBoundingClientRect().width - 1;
	})()`, jsString(card))); narrow {
		t.Errorf("the attention card is narrower than its list")
	}
	b.step("mark the attention as seen",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#%s form[action$="/ack"] button`, card))),
		chromedp.WaitVisible(fmt.Sprintf(`//li[@id=%s]//p[contains(., 'You have seen this.')]`, xpathString(card))),
	)
	b.checkPage("client page, attention seen")

	b.step("open the resolve page",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#%s a[href$="/resolve"]`, card))),
		chromedp.WaitVisible(h1XPath("Resolve an attention")),
	)
	b.waitFor("resolve page loaded", pageReady)
	shown := eval[string](b.browser, "read the resolve page", `document.querySelector('main').innerText`)
	for _, want := range []string{a.clientName, a.message, "Back to " + a.clientName} {
		if !strings.Contains(shown, want) {
			t.Errorf("the resolve page does not show %q:\n%s", want, shown)
		}
	}
	b.checkPage("resolve page")
	b.step("resolve without a note",
		chromedp.Click(buttonXPath("Resolve attention")),
		chromedp.WaitVisible(chromedp.ID("note-error")),
	)
	b.waitFor("resolve page with an error loaded", pageReady)
	if got := eval[string](b.browser, "read the error", `document.getElementById('note-error').textContent`); !strings.Contains(got, "Enter how this was resolved") {
		t.Errorf("the note's error says %q", got)
	}
	b.checkPage("resolve page with an error")
	b.step("resolve with a note",
		chromedp.SendKeys(chromedp.ID("note"), "Meeting held; plan agreed."),
		chromedp.Click(buttonXPath("Resolve attention")),
		chromedp.WaitVisible(flashXPath("Attention resolved")),
	)
	b.waitFor("client page loaded", pageReady)
	if open := eval[bool](b.browser, "read the resolved list", `(() => {
		const d = document.getElementById('resolved-attentions');
		return !d || d.open || !d.querySelector('summary').textContent.includes('Resolved (1)');
	})()`); open {
		t.Errorf("the resolved attention is not collapsed under \"Resolved (1)\"")
	}
	b.checkPage("client page, attention resolved")
	b.step("open Resolved (1)",
		chromedp.Click(chromedp.CSS(`#resolved-attentions summary`)),
		chromedp.WaitVisible(fmt.Sprintf(`//li[@id=%s]//p[contains(., 'Meeting held; plan agreed.')]`, xpathString(card))),
	)
	b.checkPage("client page, resolved attentions shown")
}

// phoneBookCards counts the people listed on the current page.
const phoneBookCards = `document.querySelectorAll('main ul.pw-cards > li').length`

// checkPhoneBook opens the phone book from the header, pages through its
// people, filters them by name, opens an agency's page with its staff and
// goes back by the breadcrumbs.
func checkPhoneBook(t *testing.T, b *pagesBrowser) {
	t.Helper()
	b.step("open the phone book from the header",
		chromedp.Click(`//nav[@aria-label='Main']//a[normalize-space()='Phone book']`),
		chromedp.WaitVisible(`//h2[normalize-space()='People']`),
	)
	b.waitFor("phone book loaded", pageReady)
	if n := eval[int](b.browser, "count the people", phoneBookCards); n != 20 {
		t.Errorf("the phone book lists %d people on its first page, want 20", n)
	}
	if !eval[bool](b.browser, "look for tel: links", `!!document.querySelector('main ul.pw-cards a[href^="tel:"]')`) {
		t.Errorf("the phone book has no tappable number")
	}
	b.checkPage("phone book: people")
	b.step("go to the next page",
		chromedp.Click(chromedp.CSS(`nav.govuk-pagination a[rel="next"]`)),
		chromedp.WaitVisible(`//p[@role='status'][contains(., 'Page 2.')]`),
	)
	b.checkPage("phone book: people, page 2")
	name := eval[string](b.browser, "read a name", `document.querySelector('main ul.pw-cards h3').textContent.trim()`)
	last := name[strings.LastIndex(name, " ")+1:]
	b.step("filter by "+last,
		chromedp.SetValue(chromedp.ID("q"), last),
		chromedp.Click(buttonXPath("Show")),
		chromedp.WaitVisible(`//p[@role='status'][contains(., 'match')]`),
	)
	b.waitFor("filtered phone book loaded", pageReady)
	names := eval[[]string](b.browser, "read the names", `[...document.querySelectorAll('main ul.pw-cards h3')].map(h => h.textContent.trim())`)
	if !slices.Contains(names, name) {
		t.Errorf("filtered by %q the phone book lists %q, not %q", last, names, name)
	}
	for _, n := range names {
		if !strings.Contains(strings.ToLower(n), strings.ToLower(last)) {
			t.Errorf("filtered by %q the phone book lists %q", last, n)
		}
	}
	b.checkPage("phone book filtered by name")
	agency := eval[string](b.browser, "read the agency", `document.querySelector('main ul.pw-cards a[href^="/agencies/"]').textContent.trim()`)
	b.step("open "+agency,
		chromedp.Click(chromedp.CSS(`main ul.pw-cards a[href^="/agencies/"]`)),
		chromedp.WaitVisible(h1XPath(agency)),
		chromedp.WaitVisible(chromedp.ID("staff-heading")),
	)
	b.waitFor("agency page loaded", pageReady)
	staff := eval[[]string](b.browser, "read the staff", `[...document.querySelectorAll('ul[aria-labelledby="staff-heading"] h3')].map(h => h.textContent.trim())`)
	if !slices.Contains(staff, name) {
		t.Errorf("%s's page lists %q as staff, not %q", agency, staff, name)
	}
	b.checkPage("agency page with its staff")
	b.step("back to the phone book",
		chromedp.Click(`//nav[@aria-label='Breadcrumb']//a[normalize-space()='Phone book']`),
		chromedp.WaitVisible(`//h2[normalize-space()='People']`),
	)
	b.step("open the agencies",
		chromedp.Click(`//nav[@aria-label='Phone book']//a[normalize-space()='Agencies']`),
		chromedp.WaitVisible(`//h2[normalize-space()='Agencies']`),
	)
	b.checkPage("phone book: agencies")
}

// widenState is what the search page says about its scope.
type widenState struct {
	Status     string   `json:"status"`
	Links      []string `json:"links"`
	LinksFirst bool     `json:"linksFirst"`
	Results    int      `json:"results"`
}

const readWiden = `(() => {
	const links = [...document.querySelectorAll('ul.pw-widen a')];
	const first = document.querySelector('ul[aria-labelledby="clients-heading"]');
	return {status: document.querySelector('p[role="status"]').textContent.trim(),
		links: links.map(a => a.textContent.trim()),
		linksFirst: !!links.length && (!first || !!(links[0].compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING)),
		results: first ? first.children.length : 0};
})()`

// checkWidening searches a common surname and widens it twice: the links
// sit above the results and say how many more each scope adds, and each
// wider scope shows that many more.
func checkWidening(t *testing.T, b *pagesBrowser) {
	t.Helper()
	b.step("search for Smith",
		chromedp.SetValue(chromedp.ID("header-search"), "Smith"),
		chromedp.Click(chromedp.CSS(".pw-header__search button")),
		chromedp.WaitVisible(chromedp.ID("clients-heading")),
	)
	b.waitFor("search results loaded", pageReady)
	local := eval[widenState](b.browser, "read the local results", readWiden)
	if !local.LinksFirst || len(local.Links) != 2 {
		t.Fatalf("local results: widen links %q, above the results: %v", local.Links, local.LinksFirst)
	}
	b.checkPage("search: local results")
	more := func(link string) int {
		var n int
		if _, err := fmt.Sscanf(link[strings.LastIndex(link, "(")+1:], "%d more)", &n); err != nil {
			t.Fatalf("link %q does not say how many more: %v", link, err)
		}
		return n
	}
	toDistrict := more(local.Links[0])
	b.step("show results from the district",
		chromedp.Click(`//a[starts-with(normalize-space(), 'Show results from the district')]`),
		chromedp.WaitVisible(`//p[@role='status'][contains(., 'in your district')]`),
	)
	b.waitFor("district results loaded", pageReady)
	district := eval[widenState](b.browser, "read the district results", readWiden)
	if toDistrict == 0 || district.Results != min(20, local.Results+toDistrict) {
		t.Errorf("the district link promised %d more than %d; the district shows %d", toDistrict, local.Results, district.Results)
	}
	if len(district.Links) != 1 || !strings.HasPrefix(district.Links[0], "Show results from the whole network") || !district.LinksFirst {
		t.Errorf("district results: widen links %q, above the results: %v", district.Links, district.LinksFirst)
	}
	b.checkPage("search: district results")
	b.step("show results from the whole network",
		chromedp.Click(`//a[starts-with(normalize-space(), 'Show results from the whole network')]`),
		chromedp.WaitVisible(`//p[@role='status'][contains(., 'in the whole network')]`),
	)
	b.waitFor("network results loaded", pageReady)
	network := eval[widenState](b.browser, "read the network results", readWiden)
	if toNetwork := more(district.Links[0]); toNetwork == 0 || network.Results != min(20, district.Results+toNetwork) {
		t.Errorf("the network link promised %d more than %d; the network shows %d", toNetwork, district.Results, network.Results)
	}
	if len(network.Links) != 0 {
		t.Errorf("the whole network still offers to widen: %q", network.Links)
	}
	b.checkPage("search: network results")
}
