package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// adminPage is one admin page the journey opens: its path and heading, the
// fields typed into by keyboard, and its main action, reached by Tab and
// used by a key.
type adminPage struct {
	path, h1 string
	system   bool       // for system admins only (an area admin has no such page)
	fill     []keyInput // fields to Tab to and type into, in order, before the action
	action   string     // CSS selector of the main action
	key      string     // the key that uses it: kb.Enter, or " " for a button
	then     string     // JavaScript condition that holds once the action is done
	after    bool       // check the page the action leads to as well (a state no other entry opens)
}

// keyInput is keys typed into the field the selector names.
type keyInput struct{ selector, keys string }

// maxTabs bounds the Tab presses to a page's main action: the header, the
// filters and a page of a list come before some.
const maxTabs = 150

// h1Is holds when the page's heading is text.
func h1Is(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('h1')].some(h => h.textContent.replace(/\s+/g, ' ').trim() === %s)`, jsString(text))
}

// flashSays holds when the success banner says text.
func flashSays(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('.govuk-notification-banner__heading')].some(e => e.textContent.includes(%s))`, jsString(text))
}

// shows holds when an element the selector names is on the page.
func shows(selector string) string {
	return fmt.Sprintf(`!!document.querySelector(%s)`, jsString(selector))
}

// adminPagesFor lists every GET page under /admin (but the CSV exports),
// in the order the journey takes them: an action may prepare the next page
// (the duplicates queue's merge leads to the merge page, whose merge the
// merges page undoes).
func adminPagesFor(w *adminWorld) []adminPage {
	agent := fmt.Sprintf("/admin/agents/%d", w.agentID)
	spare := fmt.Sprintf("/admin/agents/%d", w.spareID)
	agency := fmt.Sprintf("/admin/agencies/%d", w.agencyID)
	local := fmt.Sprintf("/admin/areas/%d", w.localID)
	keep, merge := patchwork.ClientRef(w.keepID), patchwork.ClientRef(w.mergeID)
	mergeURL := fmt.Sprintf("/admin/clients/merge?keep_id=%d&merge_id=%d", w.keepID, w.mergeID)
	report := fmt.Sprintf("/admin/clients/%d/access-report", w.clientID)
	return []adminPage{
		{path: "/admin", h1: "Administration",
			action: `main a[href="/admin/invitations"]`, key: kb.Enter, then: h1Is("Pending invitations")},
		{path: "/admin/invitations", h1: "Pending invitations",
			action: fmt.Sprintf(`form[action="/admin/invitations/%d/resend"] button`, w.invitationID), key: kb.Enter,
			then: flashSays("The invitation was emailed again"), after: true},
		{path: "/admin/agents", h1: "People", fill: []keyInput{{"#q", w.agentName}},
			action: `form[action="/admin/agents"] button[type=submit]`, key: kb.Enter,
			then: `location.search.includes('q=') && ` + shows(fmt.Sprintf(`main table a[href=%q]`, agent))},
		{path: agent, h1: w.agentName,
			action: fmt.Sprintf(`a[href="%s/areas"]`, agent), key: kb.Enter, then: h1Is("Areas of " + w.agentName)},
		{path: agent + "/areas", h1: "Areas of " + w.agentName,
			action: `main form[method=post] button[type=submit]`, key: " ", then: flashSays("The agent's areas were saved")},
		{path: "/admin/agencies", h1: "Agencies", fill: []keyInput{{"#q", w.agencyName}},
			action: `form[action="/admin/agencies"] button[type=submit]`, key: kb.Enter,
			then: `location.search.includes('q=') && ` + shows(fmt.Sprintf(`main table a[href=%q]`, agency))},
		{path: "/admin/agencies/new", h1: "Add an agency",
			action: `main form[method=post] button[type=submit]`, key: kb.Enter, then: shows("#name-error")},
		{path: agency, h1: w.agencyName,
			action: fmt.Sprintf(`a[href="%s/edit"]`, agency), key: kb.Enter, then: h1Is("Edit " + w.agencyName)},
		{path: agency + "/edit", h1: "Edit " + w.agencyName,
			action: `main form[method=post] button[type=submit]`, key: kb.Enter, then: flashSays("The agency's details were saved")},
		{path: "/admin/areas", h1: "Areas",
			action: fmt.Sprintf(`main a[href=%q]`, local), key: kb.Enter, then: h1Is(w.localName)},
		{path: local, h1: w.localName,
			action: fmt.Sprintf(`form[action=%q] button[type=submit]`, local), key: " ", then: flashSays("The area was saved")},
		{path: "/admin/clients/area", h1: "Move a client to another area",
			action: `form[action="/admin/clients/area"][method=get] button[type=submit]`, key: " ",
			then: shows(".govuk-error-summary") + ` && document.getElementById('client-error') !== null`, after: true},
		{path: "/admin/clients/area", h1: "Move a client to another area", fill: []keyInput{{"#client", keep}},
			action: `form[action="/admin/clients/area"][method=get] button[type=submit]`, key: kb.Enter,
			then: shows(`#area_id`), after: true},
		{path: "/admin/duplicates", h1: "Duplicate clients",
			action: fmt.Sprintf(`main a[href=%q]`, mergeURL), key: kb.Enter,
			then: shows(`form[action="/admin/clients/merge"][method=post] button`)},
		{path: "/admin/clients/merge", h1: "Merge two clients",
			action: `form[action="/admin/clients/merge"][method=get] button[type=submit]`, key: kb.Enter,
			then: shows(".govuk-error-summary") + ` && document.getElementById('keep_id-error') !== null`, after: true},
		{path: "/admin/clients/merge", h1: "Merge two clients", fill: []keyInput{{"#keep_id", keep}, {"#merge_id", merge}},
			action: `form[action="/admin/clients/merge"][method=get] button[type=submit]`, key: kb.Enter,
			then: shows(`form[action="/admin/clients/merge"][method=post] button`)},
		{path: mergeURL, h1: "Merge two clients",
			action: `form[action="/admin/clients/merge"][method=post] button`, key: kb.Enter,
			then: flashSays(merge + " was merged into " + keep), after: true},
		{path: "/admin/merges", h1: "Merges",
			action: `form[action$="/undo"] button`, key: " ", then: flashSays("The merge was undone"), after: true},
		{path: "/admin/alerts", h1: "Alerts",
			action: fmt.Sprintf(`main a[href=%q]`, agent), key: kb.Enter, then: h1Is(w.agentName)},
		{path: spare, h1: w.spareName,
			action: `form[action$="/deactivate"] button`, key: kb.Enter, then: flashSays("The agent was deactivated")},
		{path: spare, h1: w.spareName,
			action: `form[action$="/reactivate"] button`, key: " ", then: flashSays("The agent can sign in again")},
		{path: "/admin/access-requests", h1: "Access requests", system: true,
			fill:   []keyInput{{fmt.Sprintf("#agency-%d", w.accessRequestID), kb.ArrowDown}},
			action: fmt.Sprintf(`form[action="/admin/access-requests/%d/approve"] button`, w.accessRequestID), key: kb.Enter,
			then: flashSays("The request was approved"), after: true},
		{path: "/admin/imports", h1: "Imports", system: true,
			action: `main a[href="/admin/imports"]`, key: kb.Enter, then: shows(`li[id^="import-"]`)},
		{path: "/admin/emails", h1: "Failed emails", system: true,
			action: `form[action="/admin/emails/retry"] button`, key: kb.Enter, then: h1Is("Send 1 email again?")},
		{path: "/admin/jobs", h1: "Failed jobs", system: true,
			action: fmt.Sprintf(`form[action="/admin/jobs/%d/retry"] button`, w.jobID), key: " ", then: flashSays("The job will be tried again")},
		{path: "/admin/retention", h1: "Retention", system: true,
			action: fmt.Sprintf(`main a[href="/admin/agents/%d"]`, w.warnedID), key: kb.Enter, then: h1Is(w.warnedName)},
		{path: "/admin/stats", h1: "Network statistics: " + w.network, system: true,
			action: `form[action="/admin/stats"] button[type=submit]`, key: kb.Enter, then: `location.search.includes('measure=')`},
		{path: "/admin/audit", h1: "Audit log", system: true,
			action: `form[action="/admin/audit"] button[type=submit]`, key: kb.Enter, then: `location.search.length > 1`},
		{path: report, h1: "Everything Patchwork holds about " + w.clientName, system: true,
			action: fmt.Sprintf(`main a[href="/admin/audit?client=%d"]`, w.clientID), key: kb.Enter, then: h1Is("Audit log")},
		{path: fmt.Sprintf("/admin/clients/%d/erase", w.clientID), h1: "Erase " + w.clientName + " from Patchwork", system: true,
			action: `main form[method=post] button[type=submit]`, key: kb.Enter, then: shows(".govuk-error-summary")},
	}
}

// TestAdminPagesJourneyCoversEveryAdminPage reads the routes the server
// registers: every GET page under /admin (a CSV export is a download, not
// a page) must be one the admin pages journey opens, so that a new admin
// page is checked in the browser too.
func TestAdminPagesJourneyCoversEveryAdminPage(t *testing.T) {
	src, err := os.ReadFile("../web/routes.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`"GET (/admin[^" ]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 10 {
		t.Fatalf("found %d admin routes in web/routes.go; has the route list moved?", len(routes))
	}
	w := &adminWorld{agentID: 1, agencyID: 2, localID: 3, spareID: 4, keepID: 5, mergeID: 6, invitationID: 7,
		accessRequestID: 8, jobID: 9, warnedID: 10, clientID: 11}
	param := regexp.MustCompile(`\{[a-z]+\}`)
	var opened []string
	for _, p := range adminPagesFor(w) {
		u, err := url.Parse(p.path)
		if err != nil {
			t.Fatal(err)
		}
		opened = append(opened, u.Path)
	}
	for _, r := range routes {
		pattern := r[1]
		if strings.HasSuffix(pattern, ".csv") {
			continue
		}
		re := regexp.MustCompile("^" + param.ReplaceAllString(pattern, "[0-9]+") + "$") // paths are letters, digits, - and /
		found := false
		for _, path := range opened {
			found = found || re.MatchString(path)
		}
		if !found {
			t.Errorf("GET %s is opened by no entry of adminPagesFor: add it, with its main action", pattern)
		}
	}
}

// TestJourneyAdminPages opens every admin page as a system admin and, for
// the pages an area admin has, as the area admin of agent2's district, on
// both databases, with data on each. Every page passes axe-core at 1280 px
// and 375 px and does not scroll sideways at 375 px, and its main action is
// reached by Tab and used by Enter or Space.
func TestJourneyAdminPages(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		for _, role := range []string{"system admin", "area admin"} {
			t.Run(dialect+"/"+role, func(t *testing.T) {
				chromiumPath(t)
				db := openSeeded(t, dialect)
				w := seedAdminWorld(t, db)
				b := newBrowser(t, startServer(t, db))
				email := "admin@patchwork.test"
				if role == "area admin" {
					email = w.areaAdmin
				}
				signInAs(t, b, email)
				for _, p := range adminPagesFor(w) {
					if p.system && role == "area admin" {
						continue
					}
					b.visit(p.path, p.h1)
					b.checkPage(p.path)
					b.useMainAction(p)
					if p.after {
						b.checkPage(p.path + " after its main action")
					}
				}
				if errs := b.consoleErrors(); len(errs) > 0 {
					t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
				}
			})
		}
	}
}

// useMainAction fills in p's fields and uses its main action by keyboard
// alone, from the top of the page, and waits for the page the action leads
// to (a new page: the one it was used on is marked, and the mark must go).
func (b *browser) useMainAction(p adminPage) {
	b.t.Helper()
	if !eval[bool](b, p.path+": mark the page", `window.pwBeforeAction = true`) {
		b.t.Fatalf("%s: the page could not be marked", p.path)
	}
	for _, f := range p.fill {
		b.tabTo(p.path+": "+f.selector, f.selector, maxTabs)
		b.press(p.path+": type into "+f.selector, f.keys)
	}
	b.tabTo(p.path+": the main action "+p.action, p.action, maxTabs)
	b.press(p.path+": use the main action", p.key)
	b.waitAcrossNavigation(p.path+": after the main action, "+p.then, `!window.pwBeforeAction && (`+p.then+`)`)
}

// waitAcrossNavigation waits until condition holds on the page the browser
// shows, which may be a page still loading: a wait cut short by the page
// being replaced is started again on the new one.
func (b *browser) waitAcrossNavigation(what, condition string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithDeadline(b.ctx, deadline)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && (`+condition+`)`,
			chromedp.WithPollingInterval(pollInterval), chromedp.WithPollingTimeout(time.Until(deadline))))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			b.t.Fatalf("%s: %v\n%s", what, err, b.where())
		}
	}
}
