package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// govukFrontendJS is the SHA-256 of govuk-frontend.min.js of the npm
// package govuk-frontend 6.6.0, committed unchanged.
const govukFrontendJS = "0391e416adb9af2c69addede9d650a5f31939a7092544fa82a6f4c70201026d0"

// TestFrontendScripts: every page loads GOV.UK Frontend's JavaScript (the
// committed 6.6.0 release) through Patchwork's own module, as module
// scripts from this site, with no inline script, under the unchanged CSP.
func TestFrontendScripts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Ada Able", e.Council, e.LocalA)
		for _, b := range []*browser{e.anonymous(t), e.signedIn(t, a)} {
			path := "/login"
			if b != nil && b.get("/").status == http.StatusOK {
				path = "/"
			}
			r := b.get(path)
			r.must(t, http.StatusOK)
			csp := r.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
				t.Fatalf("CSP %q", csp)
			}
			m := regexp.MustCompile(`<script type="module" src="(/static/[0-9a-f]+/app\.js)" data-govuk-frontend="(/static/[0-9a-f]+/vendor/govuk-frontend-6\.6\.0\.min\.js)"></script>`).FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("%s: no module script loading app.js with GOV.UK Frontend\n%s", path, r.body)
			}
			if n := strings.Count(r.body, "<script"); n != 1 {
				t.Fatalf("%s: %d script elements, want only the module", path, n)
			}
			for i, want := range []string{"initAll", govukFrontendJS} {
				js := b.get(m[i+1])
				js.must(t, http.StatusOK)
				if ct := js.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
					t.Fatalf("%s: Content-Type %q", m[i+1], ct)
				}
				if i == 1 {
					sum := sha256.Sum256([]byte(js.body))
					if hex.EncodeToString(sum[:]) != want {
						t.Fatalf("%s is not GOV.UK Frontend 6.6.0's govuk-frontend.min.js", m[i+1])
					}
				} else if !strings.Contains(js.body, want) {
					t.Fatalf("%s does not start GOV.UK Frontend", m[i+1])
				}
			}
		}
	})
}

// TestGovukPatterns checks the GOV.UK patterns of the forms: the join page's
// back link, lawful-basis radios at normal size with a hint each and the
// explanation revealed under Other only; a character count on the
// attention's text; the duplicate prompt as a notification banner before
// the h1; the main navigation marking the current section.
func TestGovukPatterns(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		owner := e.MustAgent(t, "Otto Owner", e.Council, e.LocalA)
		joiner := e.MustAgent(t, "Jo Joiner", e.Council, e.LocalA)
		cl := e.MustClient(t, owner, "Olivia", "Brown", "2020-04-02")
		id := strconv.FormatInt(cl.ID, 10)
		jb := e.signedIn(t, joiner)
		ob := e.signedIn(t, owner)
		ticket := sqldbtest.MustTicket(t, e.DB, joiner, cl.ID)
		joinPath := "/clients/" + id + "/join?t=" + url.QueryEscape(ticket)

		t.Run("join page", func(t *testing.T) {
			r := jb.get(joinPath)
			r.must(t, http.StatusOK, `<a class="govuk-back-link" href="/search">Back</a>`,
				`<div class="govuk-radios">`,
				`aria-describedby="basis-item-hint"`, `id="basis-item-hint" class="govuk-hint govuk-radios__hint">The client`,
				`id="basis-safeguarding-item-hint"`, `id="basis-statutory_duty-item-hint"`, `id="basis-other-item-hint"`,
				`value="other" aria-describedby="basis-other-item-hint" data-pw-reveal="conditional-basis-other">`,
				`<div class="govuk-radios__conditional govuk-radios__conditional--hidden" id="conditional-basis-other">`,
				"Members who chose to be told about colleagues joining will get an email")
			if strings.Contains(r.body, "govuk-radios--small") || strings.Contains(r.body, "will be told at once") {
				t.Fatalf("small radios or a promise the team is told at once\n%s", r.body)
			}
			// The explanation sits inside the reveal, after Other.
			reveal := r.body[strings.Index(r.body, `id="conditional-basis-other"`):]
			if !strings.Contains(reveal[:strings.Index(reveal, "</fieldset>")], `name="basis_note"`) {
				t.Fatalf("the explanation is not inside Other's reveal\n%s", r.body)
			}
			// Came from search results: the back link goes there.
			req, _ := http.NewRequest(http.MethodGet, jb.base+joinPath, nil)
			req.Header.Set("Referer", jb.base+"/search?q=olivia+brown")
			jb.do(req).must(t, http.StatusOK, `href="/search?q=olivia&#43;brown">Back</a>`, `name="back" value="/search?q=olivia&#43;brown"`)
			req.Header.Set("Referer", "https://evil.example/x")
			jb.do(req).must(t, http.StatusOK, `href="/search">Back</a>`)

			// Other without a note: the reveal is open, the error inside it,
			// the back link kept.
			r = jb.post("/clients/"+id+"/join", url.Values{"t": {ticket}, "basis": {"other"}, "declaration": {"yes"}, "back": {"/search?q=x"}})
			r.must(t, http.StatusUnprocessableEntity, `<div class="govuk-radios__conditional" id="conditional-basis-other">`,
				`id="basis_note-error"`, `href="/search?q=x">Back</a>`)
			r = jb.post("/clients/"+id+"/join", url.Values{"t": {ticket}, "basis": {"other"}, "declaration": {"yes"}, "back": {"//evil.example"}})
			r.must(t, http.StatusUnprocessableEntity, `href="/">Back</a>`)

			// A note typed under Other, then Consent chosen: the note is dropped.
			r = jb.post("/clients/"+id+"/join", url.Values{"t": {ticket}, "basis": {"consent"}, "declaration": {"yes"},
				"basis_note": {strings.Repeat("x", patchwork.MaxNoteLength+1)}})
			r.must(t, http.StatusSeeOther)
			if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND client_id = $2 AND left_at IS NULL AND basis = 'consent' AND COALESCE(basis_note, '') = ''`, joiner.ID, cl.ID); n != 1 {
				t.Fatalf("%d memberships on consent without a note, want 1", n)
			}
			jb.get("/").must(t, http.StatusOK, "Members who chose to be told about joins will get an email")
		})

		t.Run("character count", func(t *testing.T) {
			ob.get("/clients/"+id+"/attentions/new").must(t, http.StatusOK,
				`<div class="govuk-form-group govuk-character-count" data-module="govuk-character-count" data-maxlength="1000">`,
				`class="govuk-textarea govuk-js-character-count" id="message" name="message" rows="6" aria-describedby="message-info message-hint"`,
				`<div id="message-info" class="govuk-hint govuk-character-count__message">You can enter up to 1,000 characters</div>`)
		})

		t.Run("duplicate prompt", func(t *testing.T) {
			r := ob.post("/clients", url.Values{"first_name": {"Olivia"}, "last_name": {"Brown"}, "date_of_birth": {"2 April 2020"}})
			r.must(t, http.StatusOK, `<div class="govuk-notification-banner" role="region" aria-labelledby="matches-title">`,
				`<p class="govuk-notification-banner__heading">Is this your client?</p>`)
			if strings.Contains(r.body, "govuk-warning-text") ||
				strings.Index(r.body, "govuk-notification-banner") > strings.Index(r.body, `<h1 class="govuk-heading-l">Add a client</h1>`) {
				t.Fatalf("the duplicate prompt is not a notification banner before the h1\n%s", r.body)
			}
		})

		t.Run("current section", func(t *testing.T) {
			for path, want := range map[string]string{
				"/":            `<a href="/" aria-current="page">My clients</a>`,
				"/clients/new": `<a href="/clients/new" aria-current="page">Add a client</a>`,
				"/people":      `<a href="/people" aria-current="page">Phone book</a>`,
				"/agencies":    `<a href="/people" aria-current="page">Phone book</a>`,
				"/agencies/" + strconv.FormatInt(e.Council.ID, 10): `<a href="/people" aria-current="page">Phone book</a>`,
				"/profile":                `<a href="/profile" aria-current="page">My profile</a>`,
				"/settings/password":      `<a href="/profile" aria-current="page">My profile</a>`,
				"/settings/notifications": `<a href="/settings/notifications" aria-current="page">Emails</a>`,
				"/clients/" + id:          "",
			} {
				r := ob.get(path)
				r.must(t, http.StatusOK)
				nav := r.body[strings.Index(r.body, `<nav aria-label="Main">`):]
				nav = nav[:strings.Index(nav, "</nav>")]
				n := strings.Count(nav, `aria-current="page"`)
				if want == "" && n != 0 || want != "" && (n != 1 || !strings.Contains(nav, want)) {
					t.Errorf("%s: %d aria-current marks, want %q", path, n, want)
				}
			}
		})
	})
}
