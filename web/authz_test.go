package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/app"
	pwmail "patchwork/mail"
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

// secrets is every form of the client's data a page could show.
var secrets = []string{secretFirst, secretLast, secretAddress, secretPhone, "Featherquill", "5 April 2011", "2011-04-05"}

// clientRoute is a request about one client; %d in path is its id.
type clientRoute struct {
	name   string
	method string
	path   string
	form   url.Values
	// nonMember is the status a non-member (and a former member) gets.
	nonMember int
}

func (rt clientRoute) at(id int64) string {
	return strings.ReplaceAll(rt.path, "%d", strconv.FormatInt(id, 10))
}

// TestAuthorizationMatrix is the security contract (docs/security.md): for
// every route that shows client data, a logged-out visitor, a deactivated
// agent, a non-member and a former member learn nothing about the client —
// not even that it exists — and change nothing. A former member gets
// exactly what a non-member gets.
func TestAuthorizationMatrix(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Oscar Outsider", e.Council, e.LocalA)
		former := e.MustAgent(t, "Fern Former", e.Council, e.LocalA)
		leaver := e.MustAgent(t, "Dee Activated", e.Council, e.LocalA)
		cl := e.MustCreateClient(t, member, &patchwork.Client{FirstName: secretFirst, LastName: secretLast,
			DateOfBirth: "05/04/2011", Aliases: []string{secretAlias}, Address: secretAddress, Phone: secretPhone})
		e.MustJoin(t, leaver, cl)
		e.MustJoin(t, former, cl)
		if err := sqldb.NewClientService(e.DB).LeaveTeam(sqldbtest.As(former), cl.ID,
			patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		missing := cl.ID + 100000
		clientPage := "/clients/" + strconv.FormatInt(cl.ID, 10)

		memberB := e.signedIn(t, member)
		scenario{as: memberB, path: clientPage, status: http.StatusOK,
			contains: []string{secretFirst, secretAddress, "Dee Activated", "Fern Former left the team"}}.run(t)

		deactB := e.signedIn(t, leaver)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), leaver.ID); err != nil {
			t.Fatal(err)
		}
		// The non-member comes before the former member, whose answers are
		// compared with the non-member's.
		roles := []struct {
			name string
			b    *browser
		}{
			{"signed-out", e.anonymous(t)},
			{"deactivated", deactB},
			{"non-member", e.signedIn(t, outsider)},
			{"former member", e.signedIn(t, former)},
		}
		routes := []clientRoute{
			{"client page", "GET", "/clients/%d", nil, http.StatusNotFound},
			{"change details form", "GET", "/clients/%d/edit", nil, http.StatusNotFound},
			{"change details", "POST", "/clients/%d/edit", url.Values{"first_name": {"X"}, "last_name": {"Y"}, "date_of_birth": {"01/01/2010"}}, http.StatusNotFound},
			{"change details with bad input", "POST", "/clients/%d/edit", url.Values{}, http.StatusNotFound},
			{"join form without ticket", "GET", "/clients/%d/join", nil, http.StatusNotFound},
			{"join form with forged ticket", "GET", "/clients/%d/join?t=9999999999.00112233445566778899aabbccddeeff", nil, http.StatusNotFound},
			{"join without declaration", "POST", "/clients/%d/join", url.Values{"basis": {"consent"}}, http.StatusNotFound},
			{"leave form", "GET", "/clients/%d/leave", nil, http.StatusNotFound},
			{"attention form", "GET", "/clients/%d/attentions/new", nil, http.StatusNotFound},
			{"raise attention", "POST", "/clients/%d/attentions", url.Values{"category": {"concern"}, "message": {"x"}}, http.StatusNotFound},
			{"raise attention with bad input", "POST", "/clients/%d/attentions", url.Values{}, http.StatusNotFound},
			{"leave", "POST", "/clients/%d/leave", url.Values{"reason": {"case_closed"}}, http.StatusNotFound},
			{"leave without reason", "POST", "/clients/%d/leave", url.Values{}, http.StatusNotFound},
			{"contact dates form", "GET", "/clients/%d/membership", nil, http.StatusNotFound},
			{"set contact dates", "POST", "/clients/%d/membership", url.Values{"last_contact_on": {"1/1/2020"}, "next_contact_on": {"2/1/2020"}}, http.StatusNotFound},
			{"set contact dates with bad input", "POST", "/clients/%d/membership", url.Values{"last_contact_on": {"nonsense"}}, http.StatusNotFound},
			{"confirm membership", "POST", "/clients/%d/membership/confirm", nil, http.StatusNotFound},
			{"propose a lead", "POST", "/clients/%d/lead", url.Values{"agent_id": {strconv.FormatInt(member.ID, 10)}}, http.StatusNotFound},
			{"answer a lead proposal", "POST", "/clients/%d/lead/answer", url.Values{"answer": {"accept"}}, http.StatusNotFound},
			{"family picture", "GET", "/clients/%d/family", nil, http.StatusNotFound},
			{"circle form", "GET", "/clients/%d/circle/new", nil, http.StatusNotFound},
			{"add to circle", "POST", "/clients/%d/circle", url.Values{"related_client_id": {"1"}, "relationship": {"sibling"}}, http.StatusNotFound},
			{"add to circle with bad input", "POST", "/clients/%d/circle", url.Values{}, http.StatusNotFound},
			{"remove from circle", "POST", "/clients/%d/circle/1/remove", nil, http.StatusNotFound},
			{"invite form", "GET", "/clients/%d/invitations/new?q=Mary", nil, http.StatusNotFound},
			{"invite", "POST", "/clients/%d/invitations", url.Values{"email": {"new.colleague@ashford.test"}, "message": {"x"}}, http.StatusNotFound},
			{"invite with bad input", "POST", "/clients/%d/invitations", url.Values{"email": {"not an address"}}, http.StatusNotFound},
			{"invite a picked agent", "POST", "/clients/%d/invitations", url.Values{"agent_id": {strconv.FormatInt(outsider.ID, 10)}}, http.StatusNotFound},
			{"withdraw an invitation", "POST", "/clients/%d/invitations/1/withdraw", nil, http.StatusNotFound},
			{"member's phone-book page", "GET", "/agents/" + strconv.FormatInt(member.ID, 10) + "?c=%d", nil, http.StatusOK},
			{"dashboard", "GET", "/?c=%d", nil, http.StatusOK},
		}
		nonMemberGot := map[string]response{}
		for _, role := range roles {
			for _, rt := range routes {
				t.Run(role.name+"/"+rt.name, func(t *testing.T) {
					// The answer must not depend on whether the client exists.
					gotMissing := scenario{as: role.b, method: rt.method, path: rt.at(missing), form: rt.form}.send(t)
					sc := scenario{as: role.b, method: rt.method, path: rt.at(cl.ID), form: rt.form, notContains: secrets,
						status: rt.nonMember, after: func(t *testing.T, got response) {
							if withoutID(got.body, cl.ID) != withoutID(gotMissing.body, missing) ||
								withoutID(got.location, cl.ID) != withoutID(gotMissing.location, missing) {
								t.Fatalf("existing client: %d %q; missing client: %d %q — responses differ",
									got.status, got.location, gotMissing.status, gotMissing.location)
							}
						}}
					switch role.name {
					case "signed-out", "deactivated":
						sc.status, sc.locationPrefix = http.StatusSeeOther, "/login"
					}
					got := sc.run(t)
					switch role.name {
					case "non-member":
						nonMemberGot[rt.name] = got
					case "former member":
						if nm := nonMemberGot[rt.name]; got.body != nm.body || got.location != nm.location {
							t.Fatalf("a former member got other than a non-member: %d %q\n%s\nnon-member: %d %q\n%s",
								got.status, got.location, got.body, nm.status, nm.location, nm.body)
						}
					}
				})
			}
		}
		// Nothing any of them sent changed the client, its team or its
		// attentions.
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM attentions`); n != 0 {
			t.Errorf("%d attentions raised by people outside the team", n)
		}
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM invitations`); n != 0 {
			t.Errorf("%d invitations sent by people outside the team", n)
		}
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND left_at IS NULL`, cl.ID); n != 1 {
			t.Errorf("the team has %d current members, want the member alone", n)
		}
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM clients WHERE id = $1 AND first_name = $2`, cl.ID, secretFirst); n != 1 {
			t.Errorf("the client's details were changed by someone outside the team")
		}

		// Non-members and former members may search (docs/security.md rule
		// 2), but see only what is needed to recognise the person: never
		// address or phone; and a former member is offered to join again.
		networkSearch := "/search?q=" + url.QueryEscape(secretFirst+" "+secretLast) + "&scope=network"
		runScenarios(t,
			scenario{name: "non-member search", as: roles[2].b, path: networkSearch, status: http.StatusOK,
				contains: []string{secretFirst, "Join team"}, notContains: []string{secretAddress, secretPhone}},
			scenario{name: "former member search", as: roles[3].b, path: networkSearch, status: http.StatusOK,
				contains: []string{secretFirst, "Join team"}, notContains: []string{secretAddress, secretPhone, "View team"}},
			scenario{name: "signed-out search", as: roles[0].b, path: "/search?q=" + url.QueryEscape(secretFirst),
				status: http.StatusSeeOther, locationPrefix: "/login", notContains: secrets},
			scenario{name: "deactivated search", as: roles[1].b, path: "/search?q=" + url.QueryEscape(secretFirst),
				status: http.StatusSeeOther, locationPrefix: "/login", notContains: secrets},
			// The deactivated agent's membership ended and the team was told.
			scenario{name: "the team sees the deactivation", as: memberB, path: clientPage, status: http.StatusOK,
				contains: []string{"Dee Activated left the team (account closed)"}},
		)
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
	for _, s := range secrets {
		if strings.Contains(r.body, s) || strings.Contains(r.location, s) {
			t.Fatalf("response leaks %q (status %d)\n%s", s, r.status, r.body)
		}
	}
}

// mustAdmin creates an active admin of the council.
func mustAdmin(t *testing.T, e *env) *patchwork.Agent {
	t.Helper()
	a := &patchwork.Agent{Email: "admin@ashford.test", Name: "Ada Admin", Role: "Administrator", AgencyID: e.Council.ID, Admin: true}
	if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), a, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	return a
}

// mustFailedJob makes a job that failed for good, as an email does when
// the server refuses it for good.
func mustFailedJob(t *testing.T, e *env) *patchwork.Job {
	t.Helper()
	ctx := context.Background()
	if _, _, err := e.DB.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test.unsendable", MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	jobs, err := e.DB.ClaimJobs(ctx, "test", 1, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %d jobs, %v", len(jobs), err)
	}
	if failed, err := e.DB.FailJob(ctx, jobs[0], errors.New("550 no such user")); err != nil || !failed {
		t.Fatalf("fail job: %v, %v", failed, err)
	}
	return jobs[0]
}

// TestAdminRoutes: the failed-jobs page and its retry button are for admins
// alone; anyone else gets the page a missing address gets, and a retry by
// anyone else changes nothing. In demo mode an admin sees the whole outbox,
// an agent only the emails sent to them.
func TestAdminRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnvWith(t, db, app.Options{Demo: true})
		agent := e.MustAgent(t, "Nina Nonadmin", e.Council, e.LocalA)
		admin := mustAdmin(t, e)
		job := mustFailedJob(t, e)
		ctx := context.Background()
		for _, to := range []string{agent.Email, admin.Email} {
			if err := e.DB.SaveOutboxMessage(ctx, &pwmail.Message{ID: "test-" + to, To: to, Subject: "Note for " + to,
				Text: "Hello", HTML: "<p>Hello</p>", Date: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		retry := "/admin/jobs/" + strconv.FormatInt(job.ID, 10) + "/retry"
		jobStatus := func(want string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				j, err := e.DB.FindJobByID(ctx, job.ID)
				if err != nil || j.Status != want {
					t.Fatalf("job after the request: %+v, %v; want status %s", j, err, want)
				}
			}
		}
		anon, agentB, adminB := e.anonymous(t), e.signedIn(t, agent), e.signedIn(t, admin)
		notFound := agentB.get("/admin/no-such-page")
		notFound.must(t, http.StatusNotFound, "Page not found")
		sameAsMissingPage := func(t *testing.T, r response) {
			t.Helper()
			if r.body != notFound.body {
				t.Fatalf("a non-admin's answer differs from a missing page's:\n%s", r.body)
			}
		}
		jobText := []string{"#" + strconv.FormatInt(job.ID, 10), "test.unsendable", "550 no such user"}
		runScenarios(t,
			scenario{name: "signed-out failed jobs", as: anon, path: "/admin/jobs",
				status: http.StatusSeeOther, locationPrefix: "/login", notContains: jobText},
			scenario{name: "signed-out retry", as: anon, method: "POST", path: retry,
				status: http.StatusSeeOther, locationPrefix: "/login", after: jobStatus(patchwork.JobFailed)},
			scenario{name: "signed-out outbox", as: anon, path: "/dev/mail",
				status: http.StatusSeeOther, locationPrefix: "/login", notContains: []string{"Note for"}},
			scenario{name: "non-admin failed jobs", as: agentB, path: "/admin/jobs",
				status: http.StatusNotFound, notContains: jobText, after: sameAsMissingPage},
			scenario{name: "non-admin retry", as: agentB, method: "POST", path: retry,
				status: http.StatusNotFound, notContains: jobText, after: func(t *testing.T, r response) {
					sameAsMissingPage(t, r)
					jobStatus(patchwork.JobFailed)(t, r)
				}},
			scenario{name: "admin failed jobs", as: adminB, path: "/admin/jobs",
				status: http.StatusOK, contains: append([]string{"Failed jobs", `action="` + retry + `"`}, jobText...)},
			scenario{name: "admin retry of a missing job", as: adminB, method: "POST", path: "/admin/jobs/999999/retry",
				status: http.StatusNotFound, after: jobStatus(patchwork.JobFailed)},
			scenario{name: "admin retry", as: adminB, method: "POST", path: retry,
				status: http.StatusSeeOther, location: "/admin/jobs", after: jobStatus(patchwork.JobQueued)},
			scenario{name: "admin failed jobs after the retry", as: adminB, path: "/admin/jobs",
				status: http.StatusOK, contains: []string{"The job will be tried again.", "No failed jobs."}},
			scenario{name: "admin outbox", as: adminB, path: "/dev/mail",
				status: http.StatusOK, contains: []string{"Note for " + agent.Email, "Note for " + admin.Email}},
			// An agent sees only the emails sent to them: others' say who
			// works with which client and carry their unsubscribe links.
			scenario{name: "agent outbox", as: agentB, path: "/dev/mail",
				status: http.StatusOK, contains: []string{"Note for " + agent.Email}, notContains: []string{"Note for " + admin.Email}},
		)
	})
}

// TestAgencyPage: every active agent may open an agency's phone-book page;
// a sensitive agency shows outsiders only its generic label and contact
// route; a missing agency is a missing page; signed-out and deactivated
// visitors are sent to sign in.
func TestAgencyPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		outsider := e.MustAgent(t, "Olga Outsider", e.Council, e.LocalA)
		staff := e.MustAgent(t, "Sam Staff", e.Sensitive, e.LocalA)
		gone := e.MustAgent(t, "Gus Gone", e.Council, e.LocalA)
		goneB := e.signedIn(t, gone)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		council := "/agencies/" + strconv.FormatInt(e.Council.ID, 10)
		sensitive := "/agencies/" + strconv.FormatInt(e.Sensitive.ID, 10)
		outsiderB := e.signedIn(t, outsider)
		notFound := outsiderB.get("/agencies/999999")
		runScenarios(t,
			scenario{name: "agency page", as: outsiderB, path: council, status: http.StatusOK,
				contains: []string{"Ashford Children&#39;s Services", "01234 000000", "duty@ashford.test", "Ashford"}},
			scenario{name: "sensitive agency to an outsider", as: outsiderB, path: sensitive, status: http.StatusOK,
				contains: []string{"Support service", "Call 0800 000 111 and ask for the duty worker"}, notContains: []string{"Safe Haven"}},
			scenario{name: "sensitive agency to its own staff", as: e.signedIn(t, staff), path: sensitive, status: http.StatusOK,
				contains: []string{"Safe Haven Domestic Abuse Service"}},
			scenario{name: "missing agency", as: outsiderB, path: "/agencies/999999", status: http.StatusNotFound,
				contains: []string{"Page not found"}},
			scenario{name: "not an id", as: outsiderB, path: "/agencies/abc", status: http.StatusNotFound, after: func(t *testing.T, r response) {
				if r.body != notFound.body {
					t.Fatalf("a malformed id gets other than a missing agency:\n%s", r.body)
				}
			}},
			scenario{name: "signed out", as: e.anonymous(t), path: sensitive, status: http.StatusSeeOther,
				locationPrefix: "/login", notContains: []string{"Safe Haven", "Support service"}},
			scenario{name: "deactivated", as: goneB, path: council, status: http.StatusSeeOther,
				locationPrefix: "/login", notContains: []string{"01234 000000"}},
		)
	})
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
	})
}
