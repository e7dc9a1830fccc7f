package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

const (
	noPhoneBanner = "Your profile has no phone number — colleagues can&#39;t call you"
	noTeamsBanner = "You are on no teams yet — search for a client you work with"
	guideBanner   = "New to Patchwork? Four short steps get you started"
)

// TestGuidanceBanners: a new agent sees next steps on the dashboard, search
// and client pages; each dismissal is remembered for that agent only.
func TestGuidanceBanners(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		newbie := &patchwork.Agent{Email: "newbie@ashford.test", Name: "Nell Newbie", Role: "Family support worker",
			AgencyID: e.Council.ID, PreferredContact: patchwork.ContactEmail}
		if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), newbie, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		b := e.signedIn(t, newbie)
		b.get("/").must(t, http.StatusOK, noPhoneBanner, noTeamsBanner, guideBanner, `href="/welcome"`)
		b.get("/search").must(t, http.StatusOK, noPhoneBanner, noTeamsBanner)
		if strings.Contains(b.get("/search").body, guideBanner) {
			t.Error("the guide's banner is for the dashboard only")
		}
		// Dismissing one banner keeps the others, and returns to the page.
		res := b.post("/guidance/dismiss", url.Values{"item": {patchwork.GuidanceNoPhone}, "next": {"/search"}})
		if res.status != http.StatusSeeOther || res.location != "/search" {
			t.Fatalf("dismiss: %d %q", res.status, res.location)
		}
		dash := b.get("/")
		dash.must(t, http.StatusOK, noTeamsBanner)
		if strings.Contains(dash.body, noPhoneBanner) {
			t.Fatal("dismissed banner still shown")
		}
		// Dismissal is remembered across sessions.
		if strings.Contains(e.signedIn(t, newbie).get("/search").body, noPhoneBanner) {
			t.Fatal("dismissal forgotten at the next sign-in")
		}
		// Another agent without a phone still sees it.
		other := &patchwork.Agent{Email: "other@ashford.test", Name: "Otto Other", AgencyID: e.Council.ID, PreferredContact: patchwork.ContactEmail}
		if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), other, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		e.signedIn(t, other).get("/").must(t, http.StatusOK, noPhoneBanner)
		// Once on a team, the no-teams banner goes; the client page shows
		// the no-phone one to whom it applies.
		cl := e.MustClient(t, other, "Cora", "Clientele", "01/02/2014")
		cp := e.signedIn(t, other).get("/clients/" + strconv.FormatInt(cl.ID, 10))
		cp.must(t, http.StatusOK, noPhoneBanner)
		if strings.Contains(cp.body, noTeamsBanner) {
			t.Error("no-teams banner on a client's page")
		}
		// A bad item changes nothing.
		b.post("/guidance/dismiss", url.Values{"item": {"everything"}, "next": {"/"}}).must(t, http.StatusBadRequest)
		// An off-site next goes home.
		if res := b.post("/guidance/dismiss", url.Values{"item": {patchwork.GuidanceNoTeams}, "next": {"//evil.example"}}); res.location != "/" {
			t.Errorf("off-site next: %q", res.location)
		}
		if strings.Contains(b.get("/").body, noTeamsBanner) {
			t.Error("no-teams banner after dismissal")
		}
	})
}

// TestWalkthrough: four steps, each an ordinary page, that can be skipped
// or finished; either ends the dashboard's invitation to it.
func TestWalkthrough(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sam := e.MustAgent(t, "Sam Starter", e.Council, e.LocalA)
		b := e.signedIn(t, sam)
		steps := []struct{ path, heading, link string }{
			{"/welcome", "Complete your profile", `href="/profile"`},
			{"/welcome?step=2", "Choose your areas", `href="/profile#areas-hint"`},
			{"/welcome?step=3", "Find your first client", `href="/search"`},
			{"/welcome?step=4", "Choose your emails", `href="/settings/notifications"`},
		}
		for i, st := range steps {
			res := b.get(st.path)
			res.must(t, http.StatusOK, "step "+strconv.Itoa(i+1)+" of 4", st.heading, st.link)
			if i < 3 && !strings.Contains(res.body, "Skip the guide") {
				t.Errorf("%s: cannot be skipped", st.path)
			}
		}
		b.get("/welcome?step=4").must(t, http.StatusOK, "Finish the guide")
		b.get("/welcome?step=5").must(t, http.StatusNotFound)
		b.get("/").must(t, http.StatusOK, guideBanner)
		res := b.post("/guidance/dismiss", url.Values{"item": {patchwork.GuidanceWalkthrough}, "next": {"/"}})
		if res.status != http.StatusSeeOther || res.location != "/" {
			t.Fatalf("skip: %d %q", res.status, res.location)
		}
		if strings.Contains(b.get("/").body, guideBanner) {
			t.Fatal("the guide is still offered after skipping it")
		}
	})
}
