package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

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
			scenario{name: "outsider acknowledges", as: ob, method: "POST", path: att + "/ack", form: url.Values{"note": {"done"}},
				status: http.StatusNotFound, notContains: []string{secret, "Tilly"}, after: acks(0)},
			scenario{name: "outsider resolves", as: ob, method: "POST", path: att + "/resolve", form: url.Values{"note": {"done"}},
				status: http.StatusNotFound, notContains: []string{secret, "Tilly"}},
			scenario{name: "acknowledge", as: mb, method: "POST", path: att + "/ack", status: http.StatusSeeOther, after: acks(1)},
			scenario{name: "acknowledge twice changes nothing", as: mb, method: "POST", path: att + "/ack",
				status: http.StatusSeeOther, after: acks(1)},
			scenario{name: "raiser sees who saw it", as: rb, path: client, status: http.StatusOK,
				contains: []string{"Seen by: Mina Member", "Mina Member saw an attention", "You raised an urgent attention"}},
			scenario{name: "resolve without a note", as: mb, method: "POST", path: att + "/resolve", form: url.Values{"note": {"  "}},
				status: http.StatusUnprocessableEntity, contains: []string{"Enter how this was resolved"}},
			scenario{name: "resolve", as: mb, method: "POST", path: att + "/resolve", form: url.Values{"note": {"Discussed at strategy meeting"}},
				status: http.StatusSeeOther},
			scenario{name: "raiser sees it resolved", as: rb, path: client, status: http.StatusOK,
				contains: []string{"Resolved by Mina Member", "Discussed at strategy meeting"}},
			scenario{name: "resolve twice", as: rb, method: "POST", path: att + "/resolve", form: url.Values{"note": {"again"}},
				status: http.StatusConflict},
			scenario{name: "no longer open on the dashboard", as: mb, path: "/", status: http.StatusOK,
				contains: []string{"Open attentions (0)"}, notContains: []string{"#attention-"}},
			// After leaving the team the attention is out of reach.
			scenario{name: "leave", as: mb, method: "POST", path: client + "/leave", form: url.Values{"reason": {"case_closed"}},
				status: http.StatusSeeOther},
			scenario{name: "former member acknowledges", as: mb, method: "POST", path: att + "/ack", status: http.StatusNotFound},
		)
	})
}

func count(t *testing.T, e *env, q string) int {
	t.Helper()
	return sqldbtest.MustCount(t, e.DB, q)
}
