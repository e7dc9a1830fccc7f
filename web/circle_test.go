package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// TestCircleContract drives POST /clients/{id}/circle as the contract
// states: the link shows on both clients with the reciprocal wording, the
// related client shows only what a non-member may see, and a bad request is
// answered beside the field with nothing changed.
func TestCircleContract(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		me := e.MustAgent(t, "Mina Both", e.Council, e.LocalA)
		mate := e.MustAgent(t, "Al Childteam", e.Council, e.LocalA)
		hidden := e.MustAgent(t, "Hedda Hidden", e.Sensitive, e.LocalA)
		child := e.MustCreateClient(t, me, &patchwork.Client{FirstName: "Kit", LastName: "Lane", DateOfBirth: "01/02/2015",
			Address: "1 Lane End", Postcode: "AB1 2CD"})
		parent := e.MustCreateClient(t, me, &patchwork.Client{FirstName: secretFirst, LastName: secretLast, DateOfBirth: "05/04/1985",
			Address: secretAddress, Phone: secretPhone})
		e.MustJoin(t, mate, child)
		e.MustJoin(t, hidden, parent)
		meB, mateB := e.signedIn(t, me), e.signedIn(t, mate)
		childPage := "/clients/" + strconv.FormatInt(child.ID, 10)
		parentPage := "/clients/" + strconv.FormatInt(parent.ID, 10)
		ids := func(id int64) string { return strconv.FormatInt(id, 10) }

		runScenarios(t,
			scenario{name: "the form lists my other clients", as: meB, path: childPage + "/circle/new", status: http.StatusOK,
				contains: []string{"Add to Kit Lane's circle", secretFirst + " " + secretLast}},
			scenario{name: "the filter keeps matching names", as: meB, path: childPage + "/circle/new?q=nobody", status: http.StatusOK,
				contains: []string{"None of your other clients"}, notContains: []string{secretLast}},
			scenario{name: "no relationship", as: meB, method: "POST", path: childPage + "/circle",
				form: url.Values{"related_client_id": {ids(parent.ID)}}, status: http.StatusUnprocessableEntity,
				contains: []string{"There is a problem", "Select how they are related"},
				after: func(t *testing.T, _ response) {
					if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM circle_links`); n != 0 {
						t.Fatalf("%d links after a bad request", n)
					}
				}},
			scenario{name: "link the parent", as: meB, method: "POST", path: childPage + "/circle",
				form:   url.Values{"related_client_id": {ids(parent.ID)}, "relationship": {patchwork.RelParent}},
				status: http.StatusSeeOther, location: childPage + "#circle"},
			scenario{name: "the child shows a parent", as: meB, path: childPage, status: http.StatusOK,
				contains: []string{secretFirst + " " + secretLast + "</a>", "Parent · age", "View team", "You added a parent to the circle"}},
			scenario{name: "the parent shows a child", as: meB, path: parentPage, status: http.StatusOK,
				contains: []string{">Kit Lane</a>", "Child · age", "You added a child to the circle"}},
			// On the child's team only: the parent's name, age, team size and
			// agencies, the sensitive one under its generic label, and Join
			// team — none of the parent's details or team's contacts.
			scenario{name: "a member of one team only", as: mateB, path: childPage, status: http.StatusOK,
				contains: []string{secretFirst + " " + secretLast, "Team of 2 agents", e.Sensitive.GenericLabel, "Join team",
					"Mina Both added a parent to the circle"},
				notContains: []string{secretAddress, secretPhone, "5 April 1985", e.Sensitive.Name, "Hedda Hidden", hidden.Mobile,
					parentPage + "\"", "/agencies/" + ids(e.Sensitive.ID)}},
			scenario{name: "linked again", as: meB, method: "POST", path: parentPage + "/circle",
				form:   url.Values{"related_client_id": {ids(child.ID)}, "relationship": {patchwork.RelChild}},
				status: http.StatusSeeOther, location: parentPage + "#circle"},
		)

		// The join link is a ticket the join page accepts.
		page := mateB.get(childPage)
		i := strings.Index(page.body, "/clients/"+ids(parent.ID)+"/join?t=")
		if i < 0 {
			t.Fatal("no join link\n" + page.body)
		}
		link := page.body[i:]
		link = strings.ReplaceAll(link[:strings.IndexByte(link, '"')], "&amp;", "&")
		runScenarios(t,
			scenario{name: "join from the circle", as: mateB, path: link, status: http.StatusOK, contains: []string{secretFirst}},
			scenario{name: "remove from the child's side", as: mateB, method: "POST",
				path: childPage + "/circle/" + ids(parent.ID) + "/remove", status: http.StatusSeeOther, location: childPage + "#circle"},
			scenario{name: "gone from the parent", as: meB, path: parentPage, status: http.StatusOK,
				contains: []string{"Al Childteam removed a child from the circle", "Circle (0)"}},
			scenario{name: "removing again", as: mateB, method: "POST",
				path: childPage + "/circle/" + ids(parent.ID) + "/remove", status: http.StatusNotFound},
		)
	})
}

// TestFamilyPicture: GET /clients/{id}/family shows the client at the
// centre and the circle around, as a picture and a table; agents only for
// teams the viewer is on, a sensitive agency only under its generic label,
// and each node links only to what the viewer may open.
func TestFamilyPicture(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		me := e.MustAgent(t, "Fay Family", e.Council, e.LocalA)
		mate := e.MustAgent(t, "Gil Onlychild", e.Council, e.LocalA)
		hidden := e.MustAgent(t, "Hal Hiddenworker", e.Sensitive, e.LocalA)
		child := e.MustCreateClient(t, me, &patchwork.Client{FirstName: "Kit", LastName: "Lane", DateOfBirth: "01/02/2015"})
		parent := e.MustCreateClient(t, me, &patchwork.Client{FirstName: secretFirst, LastName: secretLast, DateOfBirth: "05/04/1985",
			Address: secretAddress, Phone: secretPhone})
		e.MustJoin(t, mate, child)
		e.MustJoin(t, hidden, parent)
		meB, mateB := e.signedIn(t, me), e.signedIn(t, mate)
		ids := func(id int64) string { return strconv.FormatInt(id, 10) }
		meB.post("/clients/"+ids(child.ID)+"/circle", url.Values{"related_client_id": {ids(parent.ID)}, "relationship": {"parent"}}).
			must(t, http.StatusSeeOther)
		family := "/clients/" + ids(child.ID) + "/family"
		runScenarios(t,
			scenario{name: "on both teams", as: meB, path: family, status: http.StatusOK,
				contains: []string{"<svg", `role="group"`, "Kit Lane at the centre, with 1 person in the circle", "<table",
					secretFirst + " " + secretLast, "Parent, age", "Hal Hiddenworker", "Gil Onlychild",
					`href="/clients/` + ids(parent.ID) + `"`}},
			scenario{name: "on the child's team only", as: mateB, path: family, status: http.StatusOK,
				contains: []string{secretFirst, "Parent, age", e.Sensitive.GenericLabel, "/clients/" + ids(parent.ID) + "/join?t=",
					"2 practitioners — join the team to see who", "Fay Family", "Gil Onlychild"},
				notContains: []string{secretAddress, secretPhone, "Hal Hiddenworker", e.Sensitive.Name, hidden.Mobile,
					`href="/clients/` + ids(parent.ID) + `"`, "/agencies/" + ids(e.Sensitive.ID), "/agents/" + ids(hidden.ID)}},
		)
	})
}
