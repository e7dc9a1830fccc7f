package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// shortDay is how the team list writes a day: "Tue 24 Nov", with the year
// when it is not this year's.
func shortDay(t, now time.Time) string {
	if t.Year() != now.Year() {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}

// TestContactDatesContract drives POST /clients/{id}/membership as the
// contract states: dates as the forms accept them, 303, and the team list
// then shows both; a bad date is answered beside the field, nothing
// changed; the dashboard lists upcoming visits and asks about past ones.
func TestContactDatesContract(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		me := e.MustAgent(t, "Vic Visitor", e.Council, e.LocalA)
		mate := e.MustAgent(t, "Tam Teammate", e.Council, e.LocalA)
		cl := e.MustClient(t, me, "Ola", "Reed", "01/01/2012")
		e.MustJoin(t, mate, cl)
		meB, mateB := e.signedIn(t, me), e.signedIn(t, mate)
		page := "/clients/" + strconv.FormatInt(cl.ID, 10)
		now := time.Now().Local()
		last, next := now.AddDate(0, 0, -3), now.AddDate(0, 0, 10)
		changed := func(t *testing.T, _ response) {
			if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM memberships WHERE last_contact_on <> '' OR next_contact_on <> ''`); n != 0 {
				t.Fatalf("%d memberships changed by a refused request", n)
			}
		}
		runScenarios(t,
			scenario{name: "the form", as: meB, path: page + "/membership", status: http.StatusOK,
				contains: []string{"Your contact with Ola Reed", "Next planned visit or contact"}},
			scenario{name: "a last contact in the future", as: meB, method: "POST", path: page + "/membership",
				form:   url.Values{"last_contact_on": {next.Format("2/1/2006")}, "next_contact_on": {"nonsense"}},
				status: http.StatusUnprocessableEntity, after: changed,
				contains: []string{"There is a problem", "The last contact cannot be in the future", "Enter the next contact as a date",
					`value="nonsense"`}},
			scenario{name: "both dates", as: meB, method: "POST", path: page + "/membership",
				form: url.Values{"last_contact_on": {last.Format("2/1/2006")}, "next_contact_on": {next.Format("2 Jan 2006")},
					"next_contact_kind": {"visit"}, "next_contact_time": {"10am"}},
				status: http.StatusSeeOther, location: page + "#team"},
			scenario{name: "the team list shows both", as: mateB, path: page, status: http.StatusOK,
				contains: []string{"last saw 3 days ago · next visit " + shortDay(next, now) + ", 10:00", "Vic Visitor updated their contact dates"}},
			scenario{name: "my upcoming visits", as: meB, path: "/", status: http.StatusOK,
				contains: []string{"My upcoming visits (1)", "visit " + shortDay(next, now) + ", 10:00"}, notContains: []string{"Did these happen?"}},
			scenario{name: "the contract's ISO dates, no kind", as: meB, method: "POST", path: page + "/membership",
				form:   url.Values{"last_contact_on": {last.Format("2006-01-02")}, "next_contact_on": {now.AddDate(0, 0, -1).Format("2006-01-02")}},
				status: http.StatusSeeOther},
			scenario{name: "a past next date is asked about", as: meB, path: "/", status: http.StatusOK,
				contains: []string{"Did these happen? (1)", "contact planned for " + shortDay(now.AddDate(0, 0, -1), now), "Yes, it happened"}},
			scenario{name: "it happened", as: meB, method: "POST", path: page + "/membership",
				form:   url.Values{"last_contact_on": {now.AddDate(0, 0, -1).Format("2006-01-02")}, "next_contact_on": {""}, "back": {"dashboard"}},
				status: http.StatusSeeOther, location: "/"},
			scenario{name: "the team list after", as: mateB, path: page, status: http.StatusOK,
				contains: []string{"last saw yesterday"}, notContains: []string{"next contact", "next visit"}},
		)
	})
}

// TestLeadProfessionalPages walks the handshake through the pages: the
// proposed agent is asked on the client's page, accepts, and is shown first
// with the tag.
func TestLeadProfessionalPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.MustAgent(t, "Ann Proposer", e.Council, e.LocalA)
		bob := e.MustAgent(t, "Bob Proposed", e.Council, e.LocalA)
		cl := e.MustClient(t, ann, "Ike", "Moss", "01/01/2012")
		e.MustJoin(t, bob, cl)
		annB, bobB := e.signedIn(t, ann), e.signedIn(t, bob)
		page := "/clients/" + strconv.FormatInt(cl.ID, 10)
		runScenarios(t,
			scenario{name: "propose", as: annB, method: "POST", path: page + "/lead", form: url.Values{"agent_id": {strconv.FormatInt(bob.ID, 10)}},
				status: http.StatusSeeOther, location: page + "#team"},
			scenario{name: "the others see it waiting", as: annB, path: page, status: http.StatusOK,
				contains:    []string{"Ann Proposer proposed Bob Proposed as lead professional; waiting for them to accept."},
				notContains: []string{`value="accept"`}},
			scenario{name: "the proposed agent is asked", as: bobB, path: page, status: http.StatusOK,
				contains: []string{"Ann Proposer proposed you as lead professional", `value="accept"`, `value="decline"`}},
			scenario{name: "someone else cannot answer", as: annB, method: "POST", path: page + "/lead/answer",
				form: url.Values{"answer": {"accept"}}, status: http.StatusNotFound},
			scenario{name: "accept", as: bobB, method: "POST", path: page + "/lead/answer", form: url.Values{"answer": {"accept"}},
				status: http.StatusSeeOther, location: page + "#team"},
			scenario{name: "shown first with the tag", as: annB, path: page, status: http.StatusOK,
				contains: []string{`<li class="pw-card"><h3 class="govuk-heading-s"><a class="govuk-link" href="/agents/` + strconv.FormatInt(bob.ID, 10) +
					`">Bob Proposed</a></h3><p class="govuk-body-s govuk-!-margin-bottom-1"><strong class="govuk-tag govuk-tag--green">Lead professional</strong>`,
					"Bob Proposed became lead professional", "You proposed a lead professional"}},
		)
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND kind = $2`,
			ann.ID, patchwork.ActivityLeadChanged); n != 1 {
			t.Fatalf("the proposer was told %d times of the acceptance, want 1", n)
		}
	})
}
