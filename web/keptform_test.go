package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"patchwork"
	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// keptIn returns the sealed form a sign-in page carries.
func keptIn(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<input type="hidden" name="kept" value="([A-Za-z0-9_-]+)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the sign-in page carries no kept form\n%s", body)
	}
	return m[1]
}

// TestKeptOverSignIn: an attention, a new client or a change of details
// sent after the session timed out is not saved and not lost: the sign-in
// page carries it sealed (never as text), and signing in again as the same
// agent shows the form filled in, to send again. Another agent signing in
// gets their dashboard and none of the text; an altered or missing seal
// keeps nothing.
func TestKeptOverSignIn(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		var off atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(off.Load())) }
		e := newEnvWith(t, db, app.Options{Now: now})
		ada := e.MustAgent(t, "Ada Able", e.Council, e.LocalA)
		bob := e.MustAgent(t, "Bob Baker", e.Council, e.LocalA)
		cl := e.MustClient(t, ada, "Quentin", "Oddfellow", "2012-03-04")
		id := strconv.FormatInt(cl.ID, 10)
		const secret = "Brother seen carrying a knife"
		attention := url.Values{"category": {"concern"}, "message": {secret}, "urgent": {"yes"}}
		signInForm := func(a *patchwork.Agent, kept string) url.Values {
			return url.Values{"email": {a.Email}, "password": {sqldbtest.Password}, "kept": {kept}}
		}
		attentions := func(t *testing.T, want int) {
			t.Helper()
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM attentions WHERE client_id = $1`, cl.ID); n != want {
				t.Fatalf("%d attentions, want %d", n, want)
			}
		}
		// timedOut signs ada in, lets her session go idle, and sends form
		// to path: the answer is the sign-in page with the form kept.
		timedOut := func(t *testing.T, path string, form url.Values) (*browser, string) {
			t.Helper()
			off.Store(0)
			b := e.signedIn(t, ada)
			off.Store(int64(31 * time.Minute))
			r := b.post(path, form)
			r.must(t, http.StatusUnauthorized, "Sign in to Patchwork", "You were signed out, so what you sent was not saved")
			for _, v := range form {
				for _, s := range v {
					if len(s) > 3 && (strings.Contains(r.body, s) || strings.Contains(strings.Join(r.header.Values("Set-Cookie"), " "), s)) {
						t.Fatalf("the sign-in page shows %q as text\n%s", s, r.body)
					}
				}
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control %q on a page carrying a kept form", cc)
			}
			return b, keptIn(t, r.body)
		}

		t.Run("attention", func(t *testing.T) {
			b, kept := timedOut(t, "/clients/"+id+"/attentions", attention)
			attentions(t, 0)
			// A wrong password keeps it still.
			r := b.post("/login", url.Values{"email": {ada.Email}, "password": {"wrong"}, "kept": {kept}})
			r.must(t, http.StatusUnauthorized, `name="kept" value="`+kept+`"`)
			r = b.post("/login", signInForm(ada, kept))
			r.must(t, http.StatusOK, "Raise an attention", `action="/clients/`+id+`/attentions"`, ">"+secret+"</textarea>",
				`value="concern" checked`, `name="urgent" type="checkbox" value="yes" checked`,
				"You were signed out, so this was not saved. What you typed is below")
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control %q on the refilled form", cc)
			}
			attentions(t, 0) // nothing is sent on the agent's behalf
			b.post("/clients/"+id+"/attentions", attention).must(t, http.StatusSeeOther)
			attentions(t, 1)
		})

		t.Run("another agent signs in", func(t *testing.T) {
			b, kept := timedOut(t, "/clients/"+id+"/attentions", attention)
			r := b.post("/login", signInForm(bob, kept))
			if r.status != http.StatusSeeOther || r.location != "/" || strings.Contains(r.body, secret) {
				t.Fatalf("bob signing in with ada's kept form: %d to %q\n%s", r.status, r.location, r.body)
			}
			if r := b.get("/"); strings.Contains(r.body, secret) || strings.Contains(r.body, "You were signed out") {
				t.Fatalf("bob's dashboard shows ada's form\n%s", r.body)
			}
		})

		t.Run("altered seal", func(t *testing.T) {
			b, kept := timedOut(t, "/clients/"+id+"/attentions", attention)
			altered := kept[:len(kept)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(kept, "AA")]
			if r := b.post("/login", signInForm(ada, altered)); r.status != http.StatusSeeOther || r.location != "/" {
				t.Fatalf("an altered kept form: %d to %q\n%s", r.status, r.location, r.body)
			}
		})

		t.Run("new client", func(t *testing.T) {
			form := url.Values{"first_name": {"Zebedee"}, "last_name": {"Quill"}, "date_of_birth": {"5 May 2015"}, "confirm_new": {"1"}}
			b, kept := timedOut(t, "/clients", form)
			r := b.post("/login", signInForm(ada, kept))
			r.must(t, http.StatusOK, "Add a client", `value="Zebedee"`, `value="Quill"`, `value="5 May 2015"`, "What you typed is below")
			if strings.Contains(r.body, `name="confirm_new"`) {
				t.Fatalf("the refilled form skips the duplicate check\n%s", r.body)
			}
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients WHERE first_name = 'Zebedee'`); n != 0 {
				t.Fatalf("%d clients added while signed out", n)
			}
		})

		t.Run("change of details", func(t *testing.T) {
			form := url.Values{"first_name": {"Quentin"}, "last_name": {"Oddfellow"}, "date_of_birth": {"4 March 2012"}, "phone": {"07700 900123"}}
			b, kept := timedOut(t, "/clients/"+id+"/edit", form)
			b.post("/login", signInForm(ada, kept)).must(t, http.StatusOK, `action="/clients/`+id+`/edit"`, `value="07700 900123"`)
		})

		t.Run("a visitor with no session is sent to sign in as before", func(t *testing.T) {
			r := e.anonymous(t).post("/clients/"+id+"/attentions", attention)
			if r.status != http.StatusSeeOther || r.location != "/login" {
				t.Fatalf("signed-out post: %d to %q", r.status, r.location)
			}
		})
	})
}
