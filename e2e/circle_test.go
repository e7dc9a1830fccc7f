package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestJourneyCircleAndFamily walks the team around the family on both
// databases: link two of one's own clients into a circle (after a
// validation error, from the household hint), set one's contact dates,
// become lead professional, see the family picture and the dashboard's
// upcoming visits. Every page passes axe-core and has no horizontal
// scrolling at 375 px — the family picture included.
func TestJourneyCircleAndFamily(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t)
			db := openSeeded(t, dialect)
			base := startServer(t, db)
			child, parent := addFamily(t, db)
			b := newBrowser(t, base)
			runFamilyJourney(t, b, child, parent)
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}

// addFamily adds two clients at one address with the journey's agent on
// both teams, and a colleague of a sensitive agency on the parent's team.
func addFamily(t *testing.T, db *sqldb.DB) (child, parent *patchwork.Client) {
	t.Helper()
	var id int64
	if err := db.QueryRowForTest(`SELECT id FROM agents WHERE email = $1`, agentEmail).Scan(&id); err != nil {
		t.Fatalf("find %s: %v", agentEmail, err)
	}
	me := &patchwork.Agent{ID: id, Email: agentEmail, Active: true}
	svc := sqldb.NewClientService(db)
	child = &patchwork.Client{FirstName: "Rowan", LastName: "Familyjourney", DateOfBirth: "3/4/2016",
		Address: "14 Orchard Row, Ashford", Postcode: "AS1 4OR"}
	parent = &patchwork.Client{FirstName: "Morgan", LastName: "Familyjourney-Longsurname", DateOfBirth: "9/10/1988",
		Address: "14 orchard row ashford", Postcode: "as14or"}
	for _, c := range []*patchwork.Client{child, parent} {
		if err := svc.CreateClient(sqldbtest.As(me), c); err != nil {
			t.Fatalf("add %s: %v", c.FirstName, err)
		}
	}
	var other int64
	if err := db.QueryRowForTest(`SELECT a.id FROM agents a JOIN agencies g ON g.id = a.agency_id
		WHERE g.sensitive = 1 AND a.active = 1 ORDER BY a.id LIMIT 1`).Scan(&other); err != nil {
		t.Fatalf("find an agent of a sensitive agency in the demo network: %v", err)
	}
	o := &patchwork.Agent{ID: other, Active: true}
	svc.JoinLimit = 0
	ticket, err := db.IssueJoinTicket(t.Context(), other, parent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.JoinTeam(sqldbtest.As(o), parent.ID, patchwork.JoinRequest{Ticket: ticket, Declaration: true,
		Basis: patchwork.BasisSafeguarding}); err != nil {
		t.Fatalf("put a sensitive agency's agent on the parent's team: %v", err)
	}
	return child, parent
}

func runFamilyJourney(t *testing.T, b *browser, child, parent *patchwork.Client) {
	childPath := fmt.Sprintf("/clients/%d", child.ID)
	b.visit("/login", "Sign in to Patchwork")
	b.step("sign in",
		chromedp.SendKeys(chromedp.ID("email"), agentEmail),
		chromedp.SendKeys(chromedp.ID("password"), agentPassword),
		chromedp.Click(buttonXPath("Sign in")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
	b.visit(childPath, child.Name())
	if !eval[bool](b, "look for the household hint", `document.body.innerText.includes('Your clients who live at the same address')`) {
		t.Errorf("the client page does not offer %s, at the same address", parent.Name())
	}
	b.checkPage("client page with a household hint")

	b.step("open the circle form",
		chromedp.Click(linkXPath("Add to circle")),
		chromedp.WaitVisible(h1XPath("Add to "+child.Name()+"'s circle")),
	)
	b.checkPage("circle form")
	b.step("filter my clients",
		chromedp.SendKeys(chromedp.ID("q"), "Morgan"),
		chromedp.Click(buttonXPath("Filter")),
		chromedp.WaitVisible(`//p[@role='status'][contains(., '1 of your clients matches')]`),
	)
	b.waitFor("filtered form loaded", pageReady)
	b.checkPage("circle form, filtered")
	b.step("add without a relationship",
		chromedp.Click(labelXPath("Morgan Familyjourney-Longsurname born 9 October 1988")),
		chromedp.Click(buttonXPath("Add to circle")),
		chromedp.WaitVisible(chromedp.ID("relationship-error")),
	)
	b.checkPage("circle form with errors")
	b.step("add the parent",
		chromedp.Click(labelXPath("Parent")),
		chromedp.Click(buttonXPath("Add to circle")),
		chromedp.WaitVisible(flashXPath("Added to the circle")),
	)
	b.waitFor("client page loaded", pageReady)
	circle := eval[string](b, "read the circle", `(document.querySelector('ul[aria-labelledby="circle"]') || {}).innerText || ''`)
	if !strings.Contains(circle, "Morgan Familyjourney-Longsurname") || !strings.Contains(circle, "Parent") {
		t.Errorf("the circle shows:\n%s", circle)
	}
	b.checkPage("client page with a circle")

	// Contact dates, from my own card.
	next := time.Now().AddDate(0, 0, 5)
	b.step("open my contact dates",
		chromedp.Click(linkXPath("Update your contact dates")),
		chromedp.WaitVisible(h1XPath("Your contact with "+child.Name())),
	)
	b.checkPage("contact dates form")
	b.step("a last contact in the future",
		chromedp.SendKeys(chromedp.ID("last_contact_on"), next.Format("2/1/2006")),
		chromedp.Click(buttonXPath("Save contact dates")),
		chromedp.WaitVisible(chromedp.ID("last_contact_on-error")),
	)
	b.checkPage("contact dates form with errors")
	b.step("save the contact dates",
		chromedp.SetValue(chromedp.ID("last_contact_on"), time.Now().AddDate(0, 0, -2).Format("2/1/2006")),
		chromedp.SendKeys(chromedp.ID("next_contact_on"), next.Format("2 Jan 2006")),
		chromedp.SendKeys(chromedp.ID("next_contact_time"), "10:30"),
		chromedp.Click(labelXPath("Visit")),
		chromedp.Click(buttonXPath("Save contact dates")),
		chromedp.WaitVisible(flashXPath("Your contact dates are saved")),
	)
	b.waitFor("client page loaded", pageReady)
	team := eval[string](b, "read the team", `(document.querySelector('ul[aria-labelledby="team"]') || {}).innerText || ''`)
	if !strings.Contains(team, "last saw 2 days ago · next visit") {
		t.Errorf("the team list shows:\n%s", team)
	}

	// Lead professional: propose oneself.
	b.step("propose myself as lead",
		chromedp.Click(chromedp.CSS(`#lead summary`)),
		chromedp.WaitVisible(chromedp.ID("agent_id")),
		chromedp.Click(buttonXPath("Propose")),
		chromedp.WaitVisible(flashXPath("You are now the lead professional")),
	)
	b.waitFor("client page loaded", pageReady)
	b.checkPage("client page with a lead professional")

	b.step("open the family picture",
		chromedp.Click(linkXPath("See the team around the family")),
		chromedp.WaitVisible(chromedp.CSS("svg.pw-family__svg--wide")),
	)
	b.checkPage("the team around the family")
	// At desktop the wide drawing is shown and fits; on a phone the column
	// is shown instead, drawn at least at its own size, so that its
	// 14-unit text is at least 14 px.
	if !eval[bool](b, "the wide picture fits", `(() => {
		const s = document.querySelector('svg.pw-family__svg--wide').getBoundingClientRect();
		return s.width > 0 && s.right <= document.documentElement.clientWidth &&
			document.querySelector('svg.pw-family__svg--narrow').getBoundingClientRect().width === 0;
	})()`) {
		t.Errorf("at desktop width the wide family picture is not the one shown, or is wider than the page")
	}
	b.step("emulate a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	b.waitFor("phone width", fmt.Sprintf("window.innerWidth === %d", phoneWidth))
	scale := eval[float64](b, "the phone picture's scale", `(() => {
		const s = document.querySelector('svg.pw-family__svg--narrow').getBoundingClientRect();
		return s.right <= document.documentElement.clientWidth ? s.width / 320 : 0;
	})()`)
	if scale < 1 {
		t.Errorf("on a phone the family picture is drawn at %.2f of its size (or sticks out), want at least 1", scale)
	}
	b.step("follow the parent's node on the phone",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`svg.pw-family__svg--narrow a[href="/clients/%d"]`, parent.ID))),
		chromedp.WaitVisible(h1XPath(parent.Name())),
	)
	b.step("back to desktop", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}))
	b.waitFor("desktop width", fmt.Sprintf("window.innerWidth === %d", desktopWidth))

	b.visit("/", "My clients")
	if !eval[bool](b, "look for the upcoming visit", `document.getElementById('upcoming').nextElementSibling.innerText.includes('Rowan Familyjourney')`) {
		t.Errorf("the dashboard does not list the upcoming visit")
	}
	b.checkPage("dashboard with upcoming visits")
}
