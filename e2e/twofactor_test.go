package e2e

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"patchwork"
	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestJourneyFirstRunAndTwoFactor is a new agent's first sign-in on both
// databases: accept the terms of use, land in the walkthrough and skip it,
// dismiss a banner on the dashboard, set up two-factor sign-in with a code
// computed from the secret the page shows, keep the recovery codes, sign
// out, and sign in again with the password and a code. Every page passes
// axe-core and has no horizontal scrolling at 375 px.
func TestJourneyFirstRunAndTwoFactor(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t)
			db := sqldbtest.MustOpen(t, dialect)
			w := sqldbtest.MustWorld(t, db)
			nell := &patchwork.Agent{Email: "nell@ashford.test", Name: "Nell Newcomer", Role: "Family support worker",
				AgencyID: w.Council.ID, PreferredContact: patchwork.ContactEmail}
			if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), nell, sqldbtest.Password); err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
			srv, err := app.NewServer(db, app.Options{Log: log,
				Terms: patchwork.NewTerms("Follow your own organisation's consent and information-sharing procedures before you add a client or search for one.\n\nKeep your account to yourself.", "")})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
			b := newBrowser(t, ts.URL)
			runFirstRun(t, b, nell)
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}

// totpStep is the 30-second time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / 30 }

// codeFor is the code an authenticator app shows for secret in step.
func codeFor(t *testing.T, secret string, step int64) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func signInTo(b *browser, a *patchwork.Agent, h1 string) {
	b.t.Helper()
	b.visit("/login", "Sign in to Patchwork")
	b.step("sign in as "+a.Email,
		chromedp.SendKeys(chromedp.ID("email"), a.Email),
		chromedp.SendKeys(chromedp.ID("password"), sqldbtest.Password),
		chromedp.Click(buttonXPath("Sign in")),
		chromedp.WaitVisible(h1XPath(h1)),
	)
	b.waitFor(h1+": page loaded", pageReady)
}

func runFirstRun(t *testing.T, b *browser, a *patchwork.Agent) {
	// The first sign-in goes to the terms of use, which must be accepted.
	signInTo(b, a, "Terms of use")
	b.checkPage("terms of use")
	b.step("accept the terms",
		chromedp.Click(labelXPath("I have read these terms and I accept them")),
		chromedp.Click(buttonXPath("Accept and continue")),
		chromedp.WaitVisible(h1XPath("Complete your profile")),
	)
	b.checkPage("walkthrough, step 1")
	b.step("next step of the walkthrough",
		chromedp.Click(linkXPath("Next step: Choose your areas")),
		chromedp.WaitVisible(h1XPath("Choose your areas")),
	)
	b.checkPage("walkthrough, step 2")
	b.step("skip the walkthrough",
		chromedp.Click(buttonXPath("Skip the guide")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
	b.checkPage("dashboard with next steps")
	banners := eval[string](b, "read the banners", `[...document.querySelectorAll('.pw-guidance')].map(e => e.innerText).join('\n')`)
	for _, want := range []string{"Your profile has no phone number — colleagues can't call you", "You are on no teams yet — search for a client you work with"} {
		if !strings.Contains(banners, want) {
			t.Errorf("the dashboard lacks the banner %q; it shows:\n%s", want, banners)
		}
	}
	if strings.Contains(banners, "Four short steps") {
		t.Errorf("the walkthrough is still offered after skipping it")
	}
	phoneBanner := `//div[contains(@class,'pw-guidance')][contains(., 'no phone number')]`
	b.step("dismiss the phone banner",
		chromedp.Click(phoneBanner+`//button`),
		chromedp.WaitNotPresent(phoneBanner),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
	b.waitFor("dashboard loaded", pageReady)
	if eval[bool](b, "look for the phone banner", `[...document.querySelectorAll('.pw-guidance')].some(e => e.innerText.includes('no phone number'))`) {
		t.Error("the dismissed banner is still shown")
	}

	// Set up two-factor sign-in: the first code typed wrong, then right.
	b.visit("/settings/security", "Two-factor sign-in")
	b.checkPage("two-factor set-up")
	secret := eval[string](b, "read the secret", `document.getElementById('two-factor-secret').textContent.trim()`)
	if len(secret) < 16 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Fatalf("the secret shown is %q, want base32 text", secret)
	}
	if !eval[bool](b, "QR code drawn", `(() => { const i = document.querySelector('img.pw-qr'); return !!i && i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/png'); })()`) {
		t.Error("the QR code image did not load")
	}
	b.step("type a wrong code",
		chromedp.SendKeys(chromedp.ID("code"), "12345"),
		chromedp.Click(buttonXPath("Turn on two-factor sign-in")),
		chromedp.WaitVisible(chromedp.ID("code-error")),
	)
	b.checkPage("two-factor set-up with an error")
	if v := eval[string](b, "read the code field", `document.getElementById('code').value`); v != "" {
		t.Errorf("the code field keeps %q after a wrong code", v)
	}
	enrolled := totpStep(time.Now())
	b.step("type the code the app would show",
		chromedp.SendKeys(chromedp.ID("code"), codeFor(t, secret, enrolled)),
		chromedp.Click(buttonXPath("Turn on two-factor sign-in")),
		chromedp.WaitVisible(h1XPath("Two-factor sign-in is on")),
	)
	b.checkPage("recovery codes")
	if n := eval[int](b, "count recovery codes", `document.querySelectorAll('#recovery-codes code').length`); n != 10 {
		t.Errorf("%d recovery codes shown, want 10", n)
	}
	b.step("keep the recovery codes",
		chromedp.Click(linkXPath("I have saved my recovery codes")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)

	// Sign out, and in again: the password, then a code.
	b.step("sign out",
		chromedp.Click(buttonXPath("Sign out")),
		chromedp.WaitVisible(h1XPath("Sign in to Patchwork")),
	)
	signInTo(b, a, "Enter the code from your authenticator app")
	b.checkPage("sign-in code")
	// The enrolment's code is spent; an app whose clock is a step ahead,
	// within the drift allowed, shows the next one.
	step := max(totpStep(time.Now()), enrolled+1)
	b.step("type the next code",
		chromedp.SendKeys(chromedp.ID("code"), codeFor(t, secret, step)),
		chromedp.Click(buttonXPath("Continue")),
		chromedp.WaitVisible(h1XPath("My clients")),
	)
	if p := b.path(); p != "/" {
		t.Errorf("after the code the browser is at %s, want the dashboard", p)
	}
	b.checkPage("dashboard after two-factor sign-in")
}
