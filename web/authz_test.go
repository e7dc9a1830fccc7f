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

// Distinctive client data: none of it may reach anyone outside the team.
const (
	secretFirst   = "Zebedee"
	secretLast    = "Quillfeather"
	secretAddress = "77 Secretpath Lane"
	secretPhone   = "01234 999888"
	secretAlias   = "Zeb Featherquill"
)

// TestAuthorizationMatrix is the security contract: for every route that
// shows client data, a logged-out visitor, a deactivated agent and a
// non-member learn nothing about the client — not even that it exists.
func TestAuthorizationMatrix(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Oscar Outsider", e.Council, e.LocalA)
		leaver := e.MustAgent(t, "Dee Activated", e.Council, e.LocalA)
		cl := e.MustCreateClient(t, member, &patchwork.Client{FirstName: secretFirst, LastName: secretLast,
			DateOfBirth: "05/04/2011", Aliases: []string{secretAlias}, Address: secretAddress, Phone: secretPhone})
		e.MustJoin(t, leaver, cl)
		missing := cl.ID + 100000

		memberB := e.signedIn(t, member)
		memberB.get("/clients/"+strconv.FormatInt(cl.ID, 10)).must(t, http.StatusOK, secretFirst, secretAddress, "Dee Activated")

		deactB := e.signedIn(t, leaver)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), leaver.ID); err != nil {
			t.Fatal(err)
		}
		roles := map[string]*browser{
			"signed-out":  e.anonymous(t),
			"non-member":  e.signedIn(t, outsider),
			"deactivated": deactB,
		}
		type route struct {
			name   string
			method string
			path   string // %d is the client id
			form   url.Values
		}
		routes := []route{
			{"client page", "GET", "/clients/%d", nil},
			{"change details form", "GET", "/clients/%d/edit", nil},
			{"change details", "POST", "/clients/%d/edit", url.Values{"first_name": {"X"}, "last_name": {"Y"}, "date_of_birth": {"01/01/2010"}}},
			{"change details with bad input", "POST", "/clients/%d/edit", url.Values{}},
			{"join form without ticket", "GET", "/clients/%d/join", nil},
			{"join form with forged ticket", "GET", "/clients/%d/join?t=9999999999.00112233445566778899aabbccddeeff", nil},
			{"join without declaration", "POST", "/clients/%d/join", url.Values{"basis": {"consent"}}},
			{"leave form", "GET", "/clients/%d/leave", nil},
			{"attention form", "GET", "/clients/%d/attentions/new", nil},
			{"raise attention", "POST", "/clients/%d/attentions", url.Values{"category": {"concern"}, "message": {"x"}}},
			{"raise attention with bad input", "POST", "/clients/%d/attentions", url.Values{}},
			{"leave", "POST", "/clients/%d/leave", url.Values{"reason": {"case_closed"}}},
			{"leave without reason", "POST", "/clients/%d/leave", url.Values{}},
			{"member's phone-book page", "GET", "/agents/" + strconv.FormatInt(member.ID, 10) + "?c=%d", nil},
			{"dashboard", "GET", "/?c=%d", nil},
		}
		for roleName, b := range roles {
			for _, rt := range routes {
				t.Run(roleName+"/"+rt.name, func(t *testing.T) {
					send := func(id int64) response {
						p := strings.ReplaceAll(rt.path, "%d", strconv.FormatInt(id, 10))
						if rt.method == "POST" {
							return b.post(p, rt.form)
						}
						return b.get(p)
					}
					got, gotMissing := send(cl.ID), send(missing)
					assertNothingLeaks(t, got)
					if roleName != "non-member" {
						if got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/login") {
							t.Fatalf("status %d location %q, want 303 to /login", got.status, got.location)
						}
					}
					// The answer must not depend on whether the client exists.
					if got.status != gotMissing.status ||
						withoutID(got.body, cl.ID) != withoutID(gotMissing.body, missing) ||
						withoutID(got.location, cl.ID) != withoutID(gotMissing.location, missing) {
						t.Fatalf("existing client: %d %q; missing client: %d %q — responses differ",
							got.status, got.location, gotMissing.status, gotMissing.location)
					}
				})
			}
		}
		// Non-members may search (PRODUCT.md rule 2), but see only what is
		// needed to recognise the person: never address or phone.
		res := roles["non-member"].get("/search?q=" + url.QueryEscape(secretFirst+" "+secretLast) + "&scope=network")
		res.must(t, http.StatusOK, secretFirst, "Join team")
		for _, s := range []string{secretAddress, secretPhone} {
			if strings.Contains(res.body, s) {
				t.Fatalf("search result shows %q", s)
			}
		}
		for _, name := range []string{"signed-out", "deactivated"} {
			res := roles[name].get("/search?q=" + url.QueryEscape(secretFirst))
			assertNothingLeaks(t, res)
			if res.status != http.StatusSeeOther {
				t.Fatalf("%s search: status %d", name, res.status)
			}
		}
		// The deactivated agent's membership ended and the team was told.
		memberB.get("/clients/"+strconv.FormatInt(cl.ID, 10)).must(t, http.StatusOK, "Dee Activated left the team (account closed)")
	})
}

// withoutID replaces the client id where a page echoes its own address.
func withoutID(s string, id int64) string {
	ids := strconv.FormatInt(id, 10)
	s = strings.ReplaceAll(s, "/clients/"+ids, "/clients/ID")
	return strings.ReplaceAll(s, "%2Fclients%2F"+ids, "%2Fclients%2FID")
}

func assertNothingLeaks(t *testing.T, r response) {
	t.Helper()
	for _, s := range []string{secretFirst, secretLast, secretAddress, secretPhone, "Featherquill", "5 April 2011", "2011-04-05"} {
		if strings.Contains(r.body, s) || strings.Contains(r.location, s) {
			t.Fatalf("response leaks %q (status %d)\n%s", s, r.status, r.body)
		}
	}
}

// TestJoinTicket: the join page shows who the client is only with the
// ticket from a search result shown to this agent.
func TestJoinTicket(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		joiner := e.MustAgent(t, "Jo Joiner", e.Council, e.LocalA)
		other := e.MustAgent(t, "Ola Other", e.Council, e.LocalA)
		cl := e.MustClient(t, member, secretFirst, secretLast, "2011-04-05")
		jb := e.signedIn(t, joiner)
		res := jb.get("/search?q=" + url.QueryEscape(secretFirst+" "+secretLast))
		res.must(t, http.StatusOK, secretFirst)
		i := strings.Index(res.body, "/clients/"+strconv.FormatInt(cl.ID, 10)+"/join?t=")
		if i < 0 {
			t.Fatalf("no join link in results\n%s", res.body)
		}
		link := res.body[i:]
		link = strings.ReplaceAll(link[:strings.IndexByte(link, '"')], "&amp;", "&")
		jb.get(link).must(t, http.StatusOK, secretFirst, "I am working with this client")
		// The same ticket is worthless to another agent.
		ob := e.signedIn(t, other)
		r := ob.get(link)
		assertNothingLeaks(t, r)
		if r.status != http.StatusNotFound {
			t.Fatalf("other agent with ticket: %d", r.status)
		}
		u, _ := url.Parse(link)
		jb.post("/clients/"+strconv.FormatInt(cl.ID, 10)+"/join", url.Values{"t": {u.Query().Get("t")}, "basis": {"safeguarding"}, "declaration": {"yes"}}).
			must(t, http.StatusSeeOther)
		jb.get("/clients/"+strconv.FormatInt(cl.ID, 10)).must(t, http.StatusOK, "Jo Joiner", "joined the team (safeguarding)")
		if n := sqldbtest.CountNotifications(t, e.DB, member.ID); n != 1 {
			t.Fatalf("member notifications = %d", n)
		}
		_ = patchwork.BasisSafeguarding
	})
}
