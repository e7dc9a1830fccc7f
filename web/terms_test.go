package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
	"patchwork/ui"
)

// serverWith serves db with opts beside the test's env (a second server on
// the same database, as after a restart with other settings).
func serverWith(t *testing.T, db *sqldb.DB, opts app.Options) *env {
	t.Helper()
	opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := app.NewServer(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{srv: ts}
}

// TestTermsGate: until an agent accepts the deployment's terms of use, only
// the terms page and signing out are reachable; a new version asks again.
func TestTermsGate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		v1 := patchwork.NewTerms("Follow your organisation's procedures.\n\nSecond paragraph.", "v1")
		e := newEnvWith(t, db, app.Options{Terms: v1})
		sam := e.MustAgent(t, "Sam Terms", e.Council, e.LocalA)
		cl := e.MustClient(t, sam, "Tabitha", "Termsworth", "04/05/2013")
		client := "/clients/" + strconv.FormatInt(cl.ID, 10)
		b := e.signedIn(t, sam)
		for _, path := range []string{"/", client, "/search?q=Tabitha", "/profile", "/settings/sessions", "/welcome"} {
			res := b.get(path)
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/terms") || strings.Contains(res.body, "Termsworth") {
				t.Errorf("before accepting, %s: %d %q", path, res.status, res.location)
			}
		}
		// A form post changes nothing either.
		leave := b.post(client+"/leave", url.Values{"reason": {"case_closed"}})
		if leave.status != http.StatusSeeOther || leave.location != "/terms" {
			t.Errorf("leave before accepting: %d %q", leave.status, leave.location)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND left_at IS NULL`, sam.ID); n != 1 {
			t.Fatalf("the post changed memberships: %d", n)
		}
		page := b.get("/terms")
		page.must(t, http.StatusOK, "Follow your organisation&#39;s procedures.", "<p class=\"govuk-body\">Second paragraph.</p>", `name="accept"`, "Version v1")
		refused := b.post("/terms", url.Values{"next": {client}})
		refused.must(t, http.StatusUnprocessableEntity, "Select that you accept the terms of use")
		if fieldError(refused.body, "accept") == "" {
			t.Fatal("no message beside the checkbox")
		}
		if at, err := sqldb.NewTermsService(db).FindTermsAcceptance(sqldbtest.As(sam), "v1"); err != nil || !at.IsZero() {
			t.Fatalf("refused form recorded an acceptance: %v %v", at, err)
		}
		res := b.post("/terms", url.Values{"accept": {"yes"}, "next": {client}})
		if res.status != http.StatusSeeOther || res.location != client {
			t.Fatalf("first acceptance on the way to a client: %d %q", res.status, res.location)
		}
		b.get(client).must(t, http.StatusOK, "Termsworth")
		b.get("/terms").must(t, http.StatusOK, "You accepted these terms on")
		// Signing in again asks nothing.
		e.signedIn(t, sam).get("/").must(t, http.StatusOK)

		// The deployment changes its terms: everyone accepts them again.
		v2 := serverWith(t, db, app.Options{Terms: patchwork.NewTerms("New terms.", "")})
		b2 := v2.signedIn(t, sam)
		res = b2.get(client)
		if res.status != http.StatusSeeOther || res.location != "/terms?next="+url.QueryEscape(client) {
			t.Fatalf("new version: %d %q", res.status, res.location)
		}
		res = b2.post("/terms", url.Values{"accept": {"yes"}, "next": {client}})
		if res.status != http.StatusSeeOther || res.location != client {
			t.Fatalf("second acceptance: %d %q", res.status, res.location)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM terms_acceptances WHERE agent_id = $1`, sam.ID); n != 2 {
			t.Fatalf("%d versions recorded", n)
		}
	})
}

// TestShippedTerms: the terms Patchwork ships remind agents of their own
// organisation's procedures before adding or searching for a client.
func TestShippedTerms(t *testing.T) {
	terms := patchwork.NewTerms(ui.DefaultTerms(), "")
	for _, want := range []string{"consent and information-sharing procedures", "before you add a client or search for one"} {
		if !strings.Contains(terms.Text, want) {
			t.Errorf("shipped terms lack %q", want)
		}
	}
	if len(terms.Version) != 12 || len(terms.Paragraphs()) < 3 {
		t.Errorf("version %q, %d paragraphs", terms.Version, len(terms.Paragraphs()))
	}
	if patchwork.NewTerms(ui.DefaultTerms()+" changed", "").Version == terms.Version {
		t.Error("a change to the text keeps the version")
	}
}
