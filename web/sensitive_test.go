package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestSensitiveAgencyPagesMasked renders every page where an agent of a
// sensitive agency appears — the client's team cards, "Email the whole
// team" and the copy box, the agent's page, the agency's page, the
// agencies list and search — and checks that an outsider sees no address at
// the agency's domain and no direct line, only the generic mailbox and
// phone, while the agent, a colleague and an admin see the real ones.
func TestSensitiveAgencyPagesMasked(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		staff := e.MustAgent(t, "Sandy Shelter", e.Sensitive, e.LocalA)
		colleague := e.MustAgent(t, "Cass Colleague", e.Sensitive, e.LocalA)
		member := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Oz Outsider", e.Council, e.LocalA)
		admin := &patchwork.Agent{Email: "ada@ashford.test", Name: "Ada Admin", AgencyID: e.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		const landline = "01632 960999"
		if _, err := e.DB.ExecForTest(`UPDATE agents SET contact_email = 'sandy.shelter@safehaven.test', landline = $1 WHERE id = $2`,
			landline, staff.ID); err != nil {
			t.Fatal(err)
		}
		cl := e.MustClient(t, member, "Robin", "Ashdown", "2010-06-07")
		e.MustJoin(t, staff, cl)
		secrets := []string{"safehaven.test", "Safe Haven", staff.Mobile, landline, telDigits(staff.Mobile), telDigits(landline)}
		clientPage := "/clients/" + strconv.FormatInt(cl.ID, 10)
		agentPage := "/agents/" + strconv.FormatInt(staff.ID, 10)
		agencyPage := "/agencies/" + strconv.FormatInt(e.Sensitive.ID, 10)

		mb, ob := e.signedIn(t, member), e.signedIn(t, outsider)
		pages := []struct {
			name    string
			b       *browser
			path    string
			generic []string
		}{
			{"client page", mb, clientPage, []string{`href="mailto:duty@support-line.test"`, "duty@support-line.test</textarea>",
				"tel:0800000111", "Call 0800 000 111"}},
			{"agent page as a team member", mb, agentPage, []string{"mailto:duty@support-line.test", "tel:0800000111"}},
			{"agent page as an outsider", ob, agentPage, []string{"mailto:duty@support-line.test", "tel:0800000111"}},
			{"agency page", ob, agencyPage, []string{"Support service", "mailto:duty@support-line.test", "tel:0800000111"}},
			{"agencies", ob, "/agencies", []string{"Support service"}},
			{"agency page's staff", ob, agencyPage, []string{"Sandy Shelter", "Cass Colleague", "Staff (2)"}},
			{"phone book's people", ob, "/people", []string{"Sandy Shelter", "Support service", "tel:0800000111"}},
			{"phone book filtered by the agency", ob, "/people?agency=" + strconv.FormatInt(e.Sensitive.ID, 10),
				[]string{"Sandy Shelter", "Cass Colleague", "2 people match"}},
			{"phone book filtered by name", mb, "/people?q=sandy", []string{"Sandy Shelter", "1 person matches", "mailto:duty@support-line.test"}},
			{"search for the agent", ob, "/search?q=Sandy+Shelter", []string{"Sandy Shelter", "Support service"}},
			{"search for the agency", ob, "/search?q=Support+service", []string{"Support service"}},
		}
		for _, p := range pages {
			r := p.b.get(p.path)
			r.must(t, http.StatusOK, p.generic...)
			for _, s := range secrets {
				if strings.Contains(r.body, s) {
					t.Errorf("%s shows %q to someone outside the sensitive agency", p.name, s)
				}
			}
		}
		for who, a := range map[string]*patchwork.Agent{"the agent": staff, "a colleague": colleague, "an admin": admin} {
			r := e.signedIn(t, a).get(agentPage)
			r.must(t, http.StatusOK, "mailto:sandy.shelter@safehaven.test", "tel:"+telDigits(staff.Mobile), "tel:"+telDigits(landline))
			if who == "an admin" {
				r.must(t, http.StatusOK, "Safe Haven Domestic Abuse Service")
			}
		}

		// Publishing direct contacts to team members shows them on the
		// client's team, and to no outsider.
		if _, err := e.DB.ExecForTest(`UPDATE agencies SET publish_direct = 1 WHERE id = $1`, e.Sensitive.ID); err != nil {
			t.Fatal(err)
		}
		mb.get(clientPage).must(t, http.StatusOK, "mailto:sandy.shelter@safehaven.test", "tel:"+telDigits(landline))
		mb.get(agentPage).must(t, http.StatusOK, "mailto:sandy.shelter@safehaven.test")
		// The phone book's lists are no team's page: like search, they show
		// nobody's direct contacts, not even to a team member.
		for _, path := range []string{"/people?q=Sandy", agencyPage} {
			r := mb.get(path)
			r.must(t, http.StatusOK, "Sandy Shelter")
			for _, s := range secrets {
				if strings.Contains(r.body, s) {
					t.Errorf("with contacts published to teams, %s shows %q to a team member", path, s)
				}
			}
		}
		for _, path := range []string{agentPage, "/search?q=Sandy+Shelter", "/people?q=Sandy", agencyPage} {
			r := ob.get(path)
			r.must(t, http.StatusOK)
			for _, s := range secrets {
				if strings.Contains(r.body, s) {
					t.Errorf("with contacts published to teams, %s shows %q to a non-member", path, s)
				}
			}
		}
	})
}

func telDigits(s string) string { return strings.ReplaceAll(s, " ", "") }

var mailtoHref = regexp.MustCompile(`href="(mailto:[^"]*)"`)

// TestMailtoLinksEscaped: contact emails stored with a query in them (put
// straight into the database, as before addresses were checked) stay one
// recipient in every mailto: link — the team cards, "Email the whole team"
// and the agent's page — and add no hidden Cc or Bcc.
func TestMailtoLinksEscaped(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		hostile := e.MustAgent(t, "Hal Hostile", e.Council, e.LocalA)
		cl := e.MustClient(t, member, "Robin", "Ashdown", "2010-06-07")
		e.MustJoin(t, hostile, cl)
		other := e.MustAgent(t, "Ola Other", e.Council, e.LocalA)
		e.MustJoin(t, other, cl)
		for id, addr := range map[int64]string{
			hostile.ID: "x@a.test?cc=evil@evil.example&bcc=spy@evil.example",
			other.ID:   `o@a.test,"><script>alert(1)</script>&body=hi#frag`,
		} {
			if _, err := e.DB.ExecForTest(`UPDATE agents SET contact_email = $1 WHERE id = $2`, addr, id); err != nil {
				t.Fatal(err)
			}
		}
		b := e.signedIn(t, member)
		for _, path := range []string{"/clients/" + strconv.FormatInt(cl.ID, 10), "/agents/" + strconv.FormatInt(hostile.ID, 10),
			"/agents/" + strconv.FormatInt(other.ID, 10)} {
			r := b.get(path)
			r.must(t, http.StatusOK)
			hrefs := mailtoHref.FindAllStringSubmatch(r.body, -1)
			if len(hrefs) == 0 {
				t.Fatalf("%s has no mailto: link", path)
			}
			for _, h := range hrefs {
				// The one header Patchwork adds is the whole-team link's
				// subject, the client's reference.
				u := strings.TrimSuffix(html.UnescapeString(h[1]), "?subject=Patchwork%20client%20"+patchwork.ClientRef(cl.ID))
				if strings.ContainsAny(u, "?&#<>\"") {
					t.Errorf("%s: mailto link %q can add headers or recipients", path, u)
				}
			}
			if strings.Contains(r.body, "<script>alert") {
				t.Errorf("%s: a stored address was not escaped", path)
			}
		}
		// The whole-team link names each member once, separated by commas.
		r := b.get("/clients/" + strconv.FormatInt(cl.ID, 10))
		want := `href="mailto:x@a.test%3Fcc%3Devil@evil.example%26bcc%3Dspy@evil.example,o@a.test%2C%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%26body%3Dhi%23frag?subject=Patchwork%20client%20` + patchwork.ClientRef(cl.ID) + `"`
		if !strings.Contains(r.body, want) {
			t.Errorf("whole-team link: want %s in\n%s", want, mailtoHref.FindAllString(r.body, -1))
		}
	})
}
