package web_test

import (
	"net/http"
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

const (
	firefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	safariIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

// TestSessionsPage: "Your sessions" lists both of the agent's sign-ins with
// their device, browser and network, marks this one, and "Sign out
// everywhere else" ends the other at once.
func TestSessionsPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sam := e.MustAgent(t, "Sam Sessions", e.Council, e.LocalA)
		kim := e.MustAgent(t, "Kim Other", e.Council, e.LocalA)
		laptop, phone := e.withAgent(t, firefoxWindows), e.withAgent(t, safariIPhone)
		laptop.signIn(sam.Email, sqldbtest.Password)
		phone.signIn(sam.Email, sqldbtest.Password)
		other := e.signedIn(t, kim)

		res := laptop.get("/settings/sessions")
		res.must(t, http.StatusOK, "Firefox on Windows computer", "Safari on iPhone", "127.0.0.0/24",
			"Sign out everywhere else", "30 minutes", "12 hours")
		if n := strings.Count(res.body, "This session"); n != 1 {
			t.Fatalf(`"This session" appears %d times`, n)
		}
		if i, j := strings.Index(res.body, "This session"), strings.Index(res.body, "Safari on iPhone"); i < 0 || i > j {
			t.Errorf("the laptop's session is not the one marked as this one")
		}
		res = laptop.post("/settings/sessions/sign-out-others", nil)
		if res.status != http.StatusSeeOther || res.location != "/settings/sessions" {
			t.Fatalf("sign out everywhere else: %d %q", res.status, res.location)
		}
		phone.signedOut("after sign out everywhere else")
		res = laptop.get("/settings/sessions")
		res.must(t, http.StatusOK, "signed out of 1 other session", "Firefox on Windows computer", "You are not signed in anywhere else")
		if strings.Contains(res.body, "Safari on iPhone") {
			t.Error("the ended session is still listed")
		}
		// Another agent's session is not theirs to end.
		other.get("/").must(t, http.StatusOK)
	})
}

// TestDeactivationEndsLiveSession: an agent signed in when an admin
// deactivates them has no session left at once — before their next
// request — and that request is signed out.
func TestDeactivationEndsLiveSession(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sam := e.MustAgent(t, "Sam Leaving", e.Council, e.LocalA)
		b := e.signedIn(t, sam)
		b.get("/").must(t, http.StatusOK)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), sam.ID); err != nil {
			t.Fatal(err)
		}
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM sessions WHERE agent_id = $1`, sam.ID); n != 0 {
			t.Fatalf("sessions left after deactivation: %d", n)
		}
		b.signedOut("after deactivation")
	})
}
