package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestAttentions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		raiser := e.MustAgent(t, "Rae Raiser", e.Council, e.LocalA)
		member := e.MustAgent(t, "Mina Member", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Otis Outsider", e.Council, e.LocalA)
		cl := e.MustClient(t, raiser, "Tilly", "Attwood", "2013-05-06")
		e.MustJoin(t, member, cl)
		client := "/clients/" + strconv.FormatInt(cl.ID, 10)
		rb, mb, ob := e.signedIn(t, raiser), e.signedIn(t, member), e.signedIn(t, outsider)
		const secret = "Mother reports threats from ex-partner"
		long := strings.Repeat("x", 1001)
		attentions := func(want int) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				if n := count(t, e, `SELECT COUNT(*) FROM attentions`); n != want {
					t.Fatalf("%d attentions, want %d", n, want)
				}
			}
		}
		runScenarios(t,
			scenario{name: "form", as: rb, path: client + "/attentions/new", status: http.StatusOK,
				contains: []string{"Raise an attention", "Tilly Attwood"}},
			scenario{name: "too long", as: rb, method: "POST", path: client + "/attentions",
				form:   url.Values{"category": {"concern"}, "message": {long}},
				status: http.StatusUnprocessableEntity, contains: []string{"Message must be 1,000 characters or fewer", long, `value="concern" checked`},
				after: attentions(0)},
			scenario{name: "no category", as: rb, method: "POST", path: client + "/attentions", form: url.Values{"message": {secret}},
				status: http.StatusUnprocessableEntity, contains: []string{"Select what kind of attention this is", secret},
				after: attentions(0)},
			// An outsider cannot raise, see, acknowledge or resolve.
			scenario{name: "outsider raises", as: ob, method: "POST", path: client + "/attentions",
				form: url.Values{"category": {"concern"}, "message": {"x"}}, status: http.StatusNotFound, after: attentions(0)},
			scenario{name: "outsider opens the form", as: ob, path: client + "/attentions/new", status: http.StatusNotFound,
				notContains: []string{"Tilly"}},
			scenario{name: "raise", as: rb, method: "POST", path: client + "/attentions",
				form:   url.Values{"category": {"concern"}, "message": {secret}, "urgent": {"yes"}},
				status: http.StatusSeeOther, after: func(t *testing.T, r response) {
					attentions(1)(t, r)
					// The member is told (a notification row, delivered by the
					// mail pipeline); the raiser is not.
					for who, want := range map[int64]int{member.ID: 1, raiser.ID: 0} {
						if n := count(t, e, `SELECT COUNT(*) FROM notifications WHERE agent_id = `+strconv.FormatInt(who, 10)+
							` AND kind = 'attention.raised'`); n != want {
							t.Fatalf("agent %d has %d attention notifications, want %d", who, n, want)
						}
					}
				}},
		)
		att := "/attentions/" + strconv.Itoa(count(t, e, `SELECT MAX(id) FROM attentions`))
		acks := func(want int) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				if n := count(t, e, `SELECT COUNT(*) FROM attention_acks`); n != want {
					t.Fatalf("%d acks, want %d", n, want)
				}
			}
		}
		runScenarios(t,
			scenario{name: "member's dashboard", as: mb, path: "/", status: http.StatusOK,
				contains: []string{"Open attentions", "New", "Urgent", "Tilly Attwood"}},
			scenario{name: "member's client page", as: mb, path: client, status: http.StatusOK,
				contains: []string{secret, "Urgent", "Not yet seen by: Mina Member", att + "/ack"}},
			scenario{name: "member's card offers to mark it seen", as: mb, path: client, status: http.StatusOK,
				contains: []string{"Mark as seen", `href="` + att + `/resolve"`}, notContains: []string{"Resolved ("}},
			scenario{name: "outsider acknowledges", as: ob, method: "POST", path: att + "/ack", form: url.Values{"note": {"done"}},
				status: http.StatusNotFound, notContains: []string{secret, "Tilly"}, after: acks(0)},
			scenario{name: "outsider resolves", as: ob, method: "POST", path: att + "/resolve", form: url.Values{"note": {"done"}},
				status: http.StatusNotFound, notContains: []string{secret, "Tilly"}},
			scenario{name: "acknowledge", as: mb, method: "POST", path: att + "/ack", status: http.StatusSeeOther, after: acks(1)},
			scenario{name: "acknowledge twice changes nothing", as: mb, method: "POST", path: att + "/ack",
				status: http.StatusSeeOther, after: acks(1)},
			scenario{name: "raiser sees who saw it", as: rb, path: client, status: http.StatusOK,
				contains: []string{"Seen by: Mina Member", "Mina Member saw an attention", "You raised an urgent attention"}},
			scenario{name: "seen: the card says so", as: mb, path: client, status: http.StatusOK,
				contains: []string{"You have seen this.", `href="` + att + `/resolve"`}, notContains: []string{"Mark as seen", "Resolved ("}},
			scenario{name: "resolve page", as: mb, path: att + "/resolve", status: http.StatusOK,
				contains: []string{"Resolve an attention", "Tilly Attwood", secret, "Raised by Rae Raiser", `href="` + client + `#attention-`,
					"How was it resolved?"}},
			scenario{name: "resolve without a note", as: mb, method: "POST", path: att + "/resolve", form: url.Values{"note": {"  "}},
				status: http.StatusUnprocessableEntity, contains: []string{"Enter how this was resolved", "Tilly Attwood", secret,
					`href="` + client + `#attention-`, "govuk-error-summary"},
				after: func(t *testing.T, r response) {
					if n := count(t, e, `SELECT COUNT(*) FROM attentions WHERE resolved_at IS NOT NULL`); n != 0 {
						t.Fatalf("%d attentions resolved by an empty note", n)
					}
				}},
			scenario{name: "resolve", as: mb, method: "POST", path: att + "/resolve", form: url.Values{"note": {"Discussed at strategy meeting"}},
				status: http.StatusSeeOther},
			scenario{name: "raiser sees it resolved", as: rb, path: client, status: http.StatusOK,
				contains: []string{"Resolved by Mina Member", "Discussed at strategy meeting", "Resolved (1)", "No open attentions",
					"pw-card--resolved"}, notContains: []string{att + "/resolve"}},
			scenario{name: "resolve page of a resolved attention", as: rb, path: att + "/resolve", status: http.StatusOK,
				contains: []string{"This attention was resolved by Mina Member"}, notContains: []string{"<textarea"}},
			scenario{name: "resolve twice", as: rb, method: "POST", path: att + "/resolve", form: url.Values{"note": {"again"}},
				status: http.StatusConflict},
			scenario{name: "no longer open on the dashboard", as: mb, path: "/", status: http.StatusOK,
				contains: []string{"Open attentions (0)"}, notContains: []string{"#attention-"}},
			// After leaving the team the attention is out of reach.
			scenario{name: "leave", as: mb, method: "POST", path: client + "/leave", form: url.Values{"reason": {"case_closed"}},
				status: http.StatusSeeOther},
			scenario{name: "former member acknowledges", as: mb, method: "POST", path: att + "/ack", status: http.StatusNotFound},
			scenario{name: "former member opens the resolve page", as: mb, path: att + "/resolve", status: http.StatusNotFound,
				notContains: []string{secret, "Tilly"}},
		)
	})
}

func count(t *testing.T, e *env, q string) int {
	t.Helper()
	return sqldbtest.MustCount(t, e.DB, q)
}

// TestAttentionPagesAuthorization: an attention is client data. Its resolve
// page and its actions answer a signed-out visitor, a deactivated agent, a
// non-member and a former member exactly as for an attention that does not
// exist, and change nothing.
func TestAttentionPagesAuthorization(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Oscar Outsider", e.Council, e.LocalA)
		former := e.MustAgent(t, "Fern Former", e.Council, e.LocalA)
		leaver := e.MustAgent(t, "Dee Activated", e.Council, e.LocalA)
		cl := e.MustClient(t, member, secretFirst, secretLast, "2011-04-05")
		e.MustJoin(t, former, cl)
		e.MustJoin(t, leaver, cl)
		const secret = "Mother reports threats from ex-partner"
		scenario{as: e.signedIn(t, member), method: "POST", path: "/clients/" + strconv.FormatInt(cl.ID, 10) + "/attentions",
			form: url.Values{"category": {"concern"}, "message": {secret}}, status: http.StatusSeeOther}.run(t)
		attID := int64(count(t, e, `SELECT MAX(id) FROM attentions`))
		formerB, deactB := e.signedIn(t, former), e.signedIn(t, leaver)
		scenario{as: formerB, method: "POST", path: "/clients/" + strconv.FormatInt(cl.ID, 10) + "/leave",
			form: url.Values{"reason": {"case_closed"}}, status: http.StatusSeeOther}.run(t)
		scenario{as: formerB, path: "/", status: http.StatusOK, contains: []string{"You have left the team"}}.run(t) // the flash, once
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), leaver.ID); err != nil {
			t.Fatal(err)
		}
		roles := []struct {
			name string
			b    *browser
		}{{"signed-out", e.anonymous(t)}, {"deactivated", deactB}, {"non-member", e.signedIn(t, outsider)}, {"former member", formerB}}
		routes := []struct {
			name, method, path string
			form               url.Values
		}{
			{"resolve page", "GET", "/attentions/%d/resolve", nil},
			{"resolve", "POST", "/attentions/%d/resolve", url.Values{"note": {"done"}}},
			{"resolve without a note", "POST", "/attentions/%d/resolve", url.Values{}},
			{"mark as seen", "POST", "/attentions/%d/ack", nil},
		}
		at := func(p string, id int64) string { return strings.ReplaceAll(p, "%d", strconv.FormatInt(id, 10)) }
		for _, role := range roles {
			for _, rt := range routes {
				t.Run(role.name+"/"+rt.name, func(t *testing.T) {
					missing := scenario{as: role.b, method: rt.method, path: at(rt.path, attID+1000), form: rt.form}.send(t)
					sc := scenario{as: role.b, method: rt.method, path: at(rt.path, attID), form: rt.form, status: http.StatusNotFound,
						notContains: append([]string{secret}, secrets...), after: func(t *testing.T, got response) {
							// Only the sign-in redirect echoes the address.
							norm := func(s string, id int64) string {
								return strings.ReplaceAll(s, "%2Fattentions%2F"+strconv.FormatInt(id, 10)+"%2F", "%2Fattentions%2FID%2F")
							}
							if norm(got.body, attID) != norm(missing.body, attID+1000) || norm(got.location, attID) != norm(missing.location, attID+1000) {
								t.Fatalf("existing attention: %d %q; missing: %d %q — responses differ\n%s\n----\n%s", got.status, got.location, missing.status, missing.location, got.body, missing.body)
							}
						}}
					switch role.name {
					case "signed-out", "deactivated":
						sc.status, sc.locationPrefix = http.StatusSeeOther, "/login"
					}
					sc.run(t)
				})
			}
		}
		if n := count(t, e, `SELECT COUNT(*) FROM attention_acks`); n != 0 {
			t.Errorf("%d acknowledgements by people outside the team", n)
		}
		if n := count(t, e, `SELECT COUNT(*) FROM attentions WHERE resolved_at IS NOT NULL`); n != 0 {
			t.Errorf("%d attentions resolved by people outside the team", n)
		}
	})
}
