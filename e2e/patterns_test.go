package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// signIn signs the browser in as the demo's agent2 from the sign-in page;
// noJS says the browser runs no scripts.
func signIn(t *testing.T, b *browser, noJS bool) {
	t.Helper()
	if noJS {
		b.visitNoScript("/login", "Sign in to Patchwork")
	} else {
		b.visit("/login", "Sign in to Patchwork")
	}
	b.step("sign in",
		chromedp.SendKeys(chromedp.ID("email"), agentEmail),
		chromedp.SendKeys(chromedp.ID("password"), agentPassword),
		chromedp.Click(buttonXPath("Sign in")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
}

// joinPath is the join page of w's client, through a ticket issued to agent2
// as a search result would issue it.
func joinPath(t *testing.T, db *sqldb.DB, w world) string {
	t.Helper()
	var id int64
	if err := db.QueryRowForTest(`SELECT id FROM agents WHERE email = $1`, agentEmail).Scan(&id); err != nil {
		t.Fatal(err)
	}
	ticket := sqldbtest.MustTicket(t, db, &patchwork.Agent{ID: id}, w.clientID)
	return fmt.Sprintf("/clients/%d/join?t=%s", w.clientID, url.QueryEscape(ticket))
}

// disableScripts turns JavaScript off in the browser's tab, for the
// journeys that must work without it.
func disableScripts(b *browser) { setScripts(b, false) }

func setScripts(b *browser, on bool) {
	b.step(fmt.Sprintf("JavaScript on: %v", on), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

// waitForNoScript is waitFor on a page loaded without JavaScript: the
// browser's polling needs timers, which do not run while scripts are off,
// so scripts are on while it waits (the page's own were skipped as it
// loaded and do not run later).
func (b *browser) waitForNoScript(what, condition string) {
	b.t.Helper()
	setScripts(b, true)
	b.waitFor(what, condition)
	setScripts(b, false)
}

// visitNoScript is visit without JavaScript.
func (b *browser) visitNoScript(path, h1 string) {
	b.t.Helper()
	b.step("visit "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(h1XPath(h1)))
	b.waitForNoScript("visit "+path+": page loaded and styled", pageReady)
}

// checkPageNoScript is checkPage on a page loaded without JavaScript. axe
// needs timers, which do not run while scripts are off, so scripts are on
// for the check alone: the page's own scripts were skipped as it loaded
// and do not run later.
func (b *browser) checkPageNoScript(name string) {
	b.t.Helper()
	setScripts(b, true)
	if eval[bool](b, name+": look for GOV.UK Frontend", `document.body.classList.contains('js-enabled')`) {
		b.t.Fatalf("%s: the page's scripts ran", name)
	}
	b.checkPage(name)
	setScripts(b, false)
}

// focusContrast is what the header's focus state looks like.
type focusContrast struct {
	Text     float64 `json:"text"`     // the focused link's text on its background
	Header   float64 `json:"header"`   // the focus background against the header's
	Focused  string  `json:"focused"`  // what has the focus
	Current  string  `json:"current"`  // the link marked aria-current
	Outlines string  `json:"outlines"` // the focus background and colour, for a message
}

// TestJourneyGovukPatterns walks the GOV.UK patterns with JavaScript on
// (GOV.UK Frontend's components and the copy button at work) and off
// (every flow still works), at desktop and phone width, axe-clean in
// every state, error states included.
func TestJourneyGovukPatterns(t *testing.T) {
	chromiumPath(t)
	db := openSeeded(t, "sqlite")
	base := startServer(t, db)
	w := pickWorld(t, db)

	t.Run("with JavaScript", func(t *testing.T) {
		b := newBrowser(t, base)
		signIn(t, b, false)
		b.waitFor("GOV.UK Frontend started", `document.body.classList.contains('govuk-frontend-supported')`)

		// The header: the focus state is readable on the dark blue and the
		// current section is marked.
		for _, sel := range []string{".pw-header__logo", `.pw-nav a[href="/people"]`, ".pw-nav .pw-linkbutton"} {
			fc := eval[focusContrast](b, "measure the focus of "+sel, `(() => {
				const el = document.querySelector(`+jsString(sel)+`); el.focus();
				const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
				const lum = c => { const v = c.map(x => { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
					return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
				const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
				const st = getComputedStyle(el), hd = getComputedStyle(document.querySelector('.pw-header'));
				return {text: ratio(rgb(st.color), rgb(st.backgroundColor)), header: ratio(rgb(st.backgroundColor), rgb(hd.backgroundColor)),
					focused: document.activeElement === el ? `+jsString(sel)+` : String(document.activeElement && document.activeElement.tagName),
					current: (document.querySelector('.pw-nav [aria-current="page"]') || {}).textContent || '',
					outlines: st.backgroundColor + ' / ' + st.color + ' on ' + hd.backgroundColor};
			})()`)
			if fc.Focused != sel || fc.Text < 4.5 || fc.Header < 3 {
				t.Errorf("focus on %s: text contrast %.2f (want ≥ 4.5), against the header %.2f (want ≥ 3): %s (focused %s)",
					sel, fc.Text, fc.Header, fc.Outlines, fc.Focused)
			}
			if fc.Current != "My clients" {
				t.Errorf("the dashboard marks %q as the current section, want My clients", fc.Current)
			}
		}

		// Join: the explanation is revealed under Other only.
		b.visit(joinPath(t, db, w), "Join "+w.clientName+"'s team")
		if !eval[bool](b, "the explanation is hidden", `document.getElementById('basis_note').offsetParent === null`) {
			t.Errorf("the explanation shows before Other is chosen")
		}
		b.checkPage("join form (JavaScript)")
		b.step("choose Other", chromedp.Click(labelXPath("Other")), chromedp.WaitVisible(chromedp.ID("basis_note")))
		b.waitFor("the explanation has a character count", `!!document.querySelector('#basis_note ~ .govuk-character-count__status')`)
		b.step("choose Other without an explanation",
			chromedp.Click(labelXPath("I am working with this client")),
			chromedp.Click(buttonXPath("Join team")),
			chromedp.WaitVisible(chromedp.ID("basis_note-error")),
		)
		b.waitFor("the error summary has the focus", `document.activeElement && document.activeElement.id === 'error-summary'`)
		b.checkPage("join form, Other without an explanation (JavaScript)")
		b.step("follow the summary's link to the explanation", chromedp.Click(chromedp.CSS(`.govuk-error-summary a[href="#basis_note"]`)))
		b.waitFor("the explanation has the focus", `document.activeElement && document.activeElement.id === 'basis_note'`)
		b.step("explain and join",
			chromedp.SendKeys(chromedp.ID("basis_note"), "Court-appointed guardian"),
			chromedp.Click(buttonXPath("Join team")),
			chromedp.WaitVisible(flashXPath("You have joined the team")),
		)
		b.waitFor("client page loaded", pageReady)

		// The team's addresses: a copy button that copies every one.
		if eval[bool](b, "look for the addresses", `!!document.getElementById('team-emails')`) {
			b.step("allow the clipboard", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				for _, name := range []string{"clipboard-read", "clipboard-write"} {
					if _, err := cdp.Call(ctx, tg, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{Origin: base,
						Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted}); err != nil {
						return err
					}
				}
				var err error
				return err
			}))
			b.step("copy the addresses",
				chromedp.Click(chromedp.CSS("summary.govuk-details__summary")),
				chromedp.Click(buttonXPath("Copy addresses")),
				chromedp.WaitVisible(`//p[@role='status'][contains(., 'Copied')]`),
			)
			if got := eval[bool](b, "read the clipboard", `navigator.clipboard.readText().then(t => t === document.getElementById('team-emails').value)`,
				chromedp.EvalAwaitPromise); !got {
				t.Errorf("the clipboard does not hold the team's addresses")
			}
			b.checkPage("client page, addresses copied")
		} else {
			t.Errorf("the client page of %s has no addresses to copy", w.clientName)
		}

		// Attention: a character count under the text.
		b.step("open the attention form", chromedp.Click(linkXPath("Raise an attention")), chromedp.WaitVisible(h1XPath("Raise an attention")))
		b.step("type the attention", chromedp.SendKeys(chromedp.ID("message"), "Moved house"))
		b.waitFor("the count says what is left", `(document.querySelector('.govuk-character-count__status') || {}).textContent.includes('989 characters remaining')`)
		b.step("send it without a category", chromedp.Click(buttonXPath("Raise attention")), chromedp.WaitVisible(chromedp.ID("category-error")))
		b.waitFor("the error summary has the focus", `document.activeElement && document.activeElement.id === 'error-summary'`)
		b.checkPage("attention form with errors (JavaScript)")
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
		}
	})

	t.Run("without JavaScript", func(t *testing.T) {
		b := newBrowser(t, base)
		disableScripts(b)
		signIn(t, b, true)
		// Leave first, so that the join below is a fresh one.
		var me int64
		if err := db.QueryRowForTest(`SELECT id FROM agents WHERE email = $1`, agentEmail).Scan(&me); err != nil {
			t.Fatal(err)
		}
		if err := sqldb.NewClientService(db).LeaveTeam(patchwork.NewContextWithCaller(context.Background(), &patchwork.Agent{ID: me, Active: true}),
			w.clientID, patchwork.LeaveRequest{Reason: "joined_by_mistake"}); err != nil && patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("leave before the journey without JavaScript: %v", err)
		}
		b.visitNoScript(joinPath(t, db, w), "Join "+w.clientName+"'s team")
		if eval[bool](b, "look for GOV.UK Frontend", `document.body.classList.contains('govuk-frontend-supported')`) {
			t.Fatalf("scripts ran with JavaScript off")
		}
		if !eval[bool](b, "the explanation shows", `document.getElementById('basis_note').offsetParent !== null`) {
			t.Errorf("without JavaScript the explanation is hidden")
		}
		b.checkPageNoScript("join form (no JavaScript)")
		b.step("join under Other",
			chromedp.Click(labelXPath("Other")),
			chromedp.SendKeys(chromedp.ID("basis_note"), "Court-appointed guardian"),
			chromedp.Click(labelXPath("I am working with this client")),
			chromedp.Click(buttonXPath("Join team")),
			chromedp.WaitVisible(flashXPath("You have joined the team")),
		)
		b.waitForNoScript("client page loaded", pageReady)
		if eval[bool](b, "look for a copy button", `!!document.querySelector('.pw-copy-button')`) {
			t.Errorf("a copy button shows without JavaScript")
		}
		b.checkPageNoScript("client page (no JavaScript)")
		b.step("open the attention form", chromedp.Click(linkXPath("Raise an attention")), chromedp.WaitVisible(h1XPath("Raise an attention")))
		b.step("send it without a category", chromedp.Click(buttonXPath("Raise attention")), chromedp.WaitVisible(chromedp.ID("category-error")))
		b.waitForNoScript("the error summary has the focus", `document.activeElement && document.activeElement.id === 'error-summary'`)
		if info := eval[string](b, "read the limit", `document.getElementById('message-info').textContent`); info != "You can enter up to 1,000 characters" {
			t.Errorf("without JavaScript the limit reads %q", info)
		}
		b.checkPageNoScript("attention form with errors (no JavaScript)")
		b.step("raise the attention",
			chromedp.Click(labelXPath("Update")),
			chromedp.SendKeys(chromedp.ID("message"), "Moved house"),
			chromedp.Click(buttonXPath("Raise attention")),
			chromedp.WaitVisible(flashXPath("Attention raised")),
		)
	})
}
