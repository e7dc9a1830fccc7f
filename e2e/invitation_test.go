package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestJourneyInvitation: a member invites a colleague found by name in the
// phone book, with a message; the colleague signs in, opens the
// invitation's link (as the email carries it), accepts it after a
// validation error and lands on the client's team. Every page passes
// axe-core and has no horizontal scrolling at 375 px.
func TestJourneyInvitation(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t)
			db := openSeeded(t, dialect)
			base := startServer(t, db)
			var agentID, clientID, inviteeID int64
			var clientName, inviteeName, inviteeEmail string
			if err := db.QueryRowForTest(`SELECT id FROM agents WHERE email = $1`, agentEmail).Scan(&agentID); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowForTest(`SELECT c.id, c.first_name || ' ' || c.last_name FROM memberships m
				JOIN clients c ON c.id = m.client_id WHERE m.agent_id = $1 AND m.left_at IS NULL ORDER BY c.id LIMIT 1`,
				agentID).Scan(&clientID, &clientName); err != nil {
				t.Fatalf("find a client of %s: %v", agentEmail, err)
			}
			// A colleague with a name nobody else has, not on the team.
			if err := db.QueryRowForTest(`SELECT a.id, a.name, a.email FROM agents a
				WHERE a.active = 1 AND a.is_admin = 0 AND a.email LIKE 'agent%'
				AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.client_id = $1 AND m.agent_id = a.id AND m.left_at IS NULL)
				AND (SELECT COUNT(*) FROM agents b WHERE b.name = a.name) = 1
				ORDER BY a.id LIMIT 1`, clientID).Scan(&inviteeID, &inviteeName, &inviteeEmail); err != nil {
				t.Fatalf("find a colleague to invite: %v", err)
			}
			b := newBrowser(t, base)
			clientPath := fmt.Sprintf("/clients/%d", clientID)

			b.visit("/login", "Sign in to Patchwork")
			b.step("sign in as the member",
				chromedp.SendKeys(chromedp.ID("email"), agentEmail),
				chromedp.SendKeys(chromedp.ID("password"), agentPassword),
				chromedp.Click(buttonXPath("Sign in")),
				chromedp.WaitVisible(h1XPath("My clients")),
			)
			b.visit(clientPath, clientName)
			b.step("open the invite page",
				chromedp.Click(linkXPath("Invite a colleague")),
				chromedp.WaitVisible(h1XPath("Invite a colleague to "+clientName+"'s team")),
			)
			b.checkPage("invite page")
			b.step("search the phone book for "+inviteeName,
				chromedp.SendKeys(chromedp.ID("q"), inviteeName),
				chromedp.Click(buttonXPath("Search the phone book")),
				chromedp.WaitVisible(`//legend[normalize-space()='Choose who to invite']`),
			)
			b.checkPage("invite page with colleagues found")
			b.step("send without choosing",
				chromedp.SendKeys(chromedp.ID("message"), "We both work with this family; ring me first."),
				chromedp.Click(buttonXPath("Send invitation")),
				chromedp.WaitVisible(chromedp.ID("email-error")),
			)
			b.checkPage("invite page with an error")
			b.step("choose "+inviteeName+" and send",
				chromedp.Click(fmt.Sprintf(`//label[starts-with(normalize-space(), %s)]`, xpathString(inviteeName+","))),
				chromedp.Click(buttonXPath("Send invitation")),
				chromedp.WaitVisible(flashXPath("Invitation sent to "+inviteeName)),
			)
			b.waitFor("client page loaded", pageReady)
			if got := eval[string](b, "read the invitations", `(document.querySelector('.pw-invitations') || {}).innerText || ''`); !strings.Contains(got, inviteeName) {
				t.Errorf("pending invitations do not list %s: %q", inviteeName, got)
			}
			b.checkPage("client page with an invitation")
			b.step("sign out", chromedp.Click(buttonXPath("Sign out")), chromedp.WaitVisible(h1XPath("Sign in to Patchwork")))

			// The link the email carries: the token derives from the
			// invitation's nonce and the deployment secret.
			var nonce string
			if err := db.QueryRowForTest(`SELECT nonce FROM invitations WHERE client_id = $1 AND invitee_id = $2`, clientID, inviteeID).Scan(&nonce); err != nil {
				t.Fatal(err)
			}
			secret, err := db.Secret(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			link := "/invitations/" + sqldb.InvitationToken(secret, nonce)
			b.step("open the link signed out",
				chromedp.Navigate(b.base+link),
				chromedp.WaitVisible(h1XPath("Sign in to Patchwork")),
			)
			b.step("sign in as the colleague",
				chromedp.SendKeys(chromedp.ID("email"), inviteeEmail),
				chromedp.SendKeys(chromedp.ID("password"), agentPassword),
				chromedp.Click(buttonXPath("Sign in")),
				chromedp.WaitVisible(h1XPath("Join "+clientName+"'s team")),
			)
			if p := b.path(); p != link {
				t.Errorf("after signing in the browser is at %s, want the invitation %s", p, link)
			}
			b.checkPage("invitation page")
			b.step("accept without the declaration",
				chromedp.Click(labelXPath("Consent")),
				chromedp.Click(buttonXPath("Accept and join team")),
				chromedp.WaitVisible(chromedp.ID("declaration-error")),
			)
			b.checkPage("invitation page with an error")
			b.step("accept",
				chromedp.Click(labelXPath("I am working with this client")),
				chromedp.Click(buttonXPath("Accept and join team")),
				chromedp.WaitVisible(flashXPath("You have joined the team")),
			)
			if p := b.path(); p != clientPath {
				t.Errorf("after accepting the browser is at %s, want %s", p, clientPath)
			}
			b.waitFor("client page loaded", pageReady)
			if team := eval[string](b, "read the team", `(document.querySelector('ul[aria-labelledby="team"]') || {}).innerText || ''`); !strings.Contains(team, inviteeName) {
				t.Errorf("the team does not list %s after accepting:\n%s", inviteeName, team)
			}
			b.checkPage("client page after accepting")
			b.visit(link, "This invitation has been used")
			b.checkPage("used invitation")
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}
