package e2e

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

const newcomerEmail = "someone.new@patchwork.test"

// TestJourneySignup is sign-up in the demo on both databases: from the
// sign-in page to the demo outbox's email, its link, the choice of agency
// (after forgetting it), the details and password (after a refused one),
// signed in on the dashboard, then the profile. Every page passes axe-core
// and has no horizontal scrolling at 375 px.
func TestJourneySignup(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t)
			db := openSeeded(t, dialect)
			base := startServer(t, db)
			deliver := startOutboxWorker(t, db, base)
			b := newBrowser(t, base)

			b.visit("/login", "Sign in to Patchwork")
			b.step("follow the sign-up link",
				chromedp.Click(linkXPath("Sign up with your work email address")),
				chromedp.WaitVisible(h1XPath("Sign up to Patchwork")),
			)
			b.checkPage("sign-up page")
			b.step("ask for a sign-up link",
				chromedp.SendKeys(chromedp.ID("email"), newcomerEmail),
				chromedp.Click(buttonXPath("Continue")),
				chromedp.WaitVisible(h1XPath("Check your email")),
			)
			b.checkPage("check your email")

			deliver()
			b.step("open the demo outbox",
				chromedp.Click(linkXPath("demo outbox")),
				chromedp.WaitVisible(h1XPath("Outbox")),
			)
			b.checkPage("demo sign-up outbox")
			link := eval[string](b, "read the sign-up link", `(() => {
				const m = document.querySelector('main').innerText.match(/\/signup\/verify\?token=[A-Za-z0-9_-]+/);
				return m ? m[0] : '';
			})()`)
			if link == "" {
				t.Fatalf("no sign-up link in the demo outbox\n%s", b.where())
			}

			b.visit(link, "Choose your agency")
			b.checkPage("choose your agency")
			b.step("continue without choosing",
				chromedp.Click(buttonXPath("Continue")),
				chromedp.WaitVisible(chromedp.ID("agency-error")),
			)
			b.checkPage("choose your agency, with an error")
			b.step("choose an agency",
				chromedp.Click(labelXPath("North Children's Services")),
				chromedp.Click(buttonXPath("Continue")),
				chromedp.WaitVisible(h1XPath("Your details")),
			)
			b.checkPage("your details")
			b.step("fill in the details with too short a password",
				chromedp.SendKeys(chromedp.ID("name"), "Sam Newcomer"),
				chromedp.SendKeys(chromedp.ID("role"), "Family support worker"),
				chromedp.SendKeys(chromedp.ID("mobile"), "07700 900777"),
				chromedp.Click(chromedp.CSS(`label[for="preferred_contact"]`)),
				chromedp.Click(labelXPath("Ashby")),
				chromedp.SendKeys(chromedp.ID("password"), "too short"),
				chromedp.Click(buttonXPath("Create my account")),
				chromedp.WaitVisible(chromedp.ID("password-error")),
			)
			b.checkPage("your details, with an error")
			if v := eval[string](b, "read the name kept", `document.getElementById('name').value`); v != "Sam Newcomer" {
				t.Errorf("after the error the name field holds %q", v)
			}
			b.step("choose a good password",
				chromedp.SendKeys(chromedp.ID("password"), "lantern marigold tractor"),
				chromedp.Click(buttonXPath("Create my account")),
				chromedp.WaitVisible(h1XPath("My clients")),
			)
			b.checkPage("dashboard of the new agent")
			b.visit("/profile", "My profile")
			b.checkPage("profile of the new agent")
			if v := eval[string](b, "read the profile", `document.getElementById('role').value`); v != "Family support worker" {
				t.Errorf("the profile shows role %q", v)
			}
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}

// startOutboxWorker builds the demo's worker (emails into the local
// outbox, links to base) and returns a function that runs it until nothing is due.
func startOutboxWorker(t *testing.T, db *sqldb.DB, base string) func() {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, closeSender, err := app.NewWorker(db, app.Options{Demo: true, Log: log, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeSender() })
	return func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		for {
			n, err := w.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}
}
