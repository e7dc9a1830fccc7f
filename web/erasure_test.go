package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestEraseClientPages: the erasure page and its form are for admins
// alone — a signed-out visitor and a deactivated admin are sent to sign
// in, an agent (even one on the client's team) gets the missing page —
// a bad request is shown again with its messages and changes nothing, and
// once erased the client is gone from every page and search.
func TestEraseClientPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		admin := mustAdmin(t, e)
		gone := &patchwork.Agent{Email: "gone-admin@ashford.test", Name: "Gil Gone", AgencyID: e.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), gone, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		cl := e.MustCreateClient(t, member, &patchwork.Client{FirstName: secretFirst, LastName: secretLast,
			DateOfBirth: "05/04/2011", Aliases: []string{secretAlias}, Address: secretAddress, Phone: secretPhone})
		erase := "/admin/clients/" + strconv.FormatInt(cl.ID, 10) + "/erase"
		clientPage := "/clients/" + strconv.FormatInt(cl.ID, 10)
		good := url.Values{"reason": {"The client asked to be removed"}, "confirm": {"yes"}}
		goneB := e.signedIn(t, gone)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		anon, memberB, adminB := e.anonymous(t), e.signedIn(t, member), e.signedIn(t, admin)
		missingPage := memberB.get("/admin/no-such-page")
		notErased := func(t *testing.T, r response) {
			t.Helper()
			if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM clients WHERE id = $1 AND erased_at IS NULL AND first_name = $2`,
				cl.ID, secretFirst); n != 1 {
				t.Fatal("the client was erased")
			}
		}
		sameAsMissing := func(t *testing.T, r response) {
			t.Helper()
			notErased(t, r)
			if r.body != missingPage.body {
				t.Fatalf("a non-admin's answer differs from a missing page's:\n%s", r.body)
			}
		}
		search := "/search?q=" + url.QueryEscape(secretFirst+" "+secretLast) + "&scope=network"
		runScenarios(t,
			scenario{name: "signed-out form", as: anon, path: erase, status: http.StatusSeeOther, locationPrefix: "/login", notContains: secrets},
			scenario{name: "signed-out erase", as: anon, method: "POST", path: erase, form: good,
				status: http.StatusSeeOther, locationPrefix: "/login", after: notErased},
			scenario{name: "deactivated admin form", as: goneB, path: erase, status: http.StatusSeeOther, locationPrefix: "/login", notContains: secrets},
			scenario{name: "deactivated admin erase", as: goneB, method: "POST", path: erase, form: good,
				status: http.StatusSeeOther, locationPrefix: "/login", after: notErased},
			scenario{name: "member form", as: memberB, path: erase, status: http.StatusNotFound, notContains: secrets, after: sameAsMissing},
			scenario{name: "member erase", as: memberB, method: "POST", path: erase, form: good,
				status: http.StatusNotFound, notContains: secrets, after: sameAsMissing},
			scenario{name: "admin form for a missing client", as: adminB, path: "/admin/clients/999999/erase", status: http.StatusNotFound},
			scenario{name: "admin form", as: adminB, path: erase, status: http.StatusOK,
				contains: []string{"Erase " + secretFirst + " " + secretLast + " from Patchwork", "5 April 2011", secretAlias, "1 agent, 1 agency", "Erase for good"}},
			scenario{name: "admin erase without confirming", as: adminB, method: "POST", path: erase,
				form:   url.Values{"reason": {"The client asked to be removed"}},
				status: http.StatusUnprocessableEntity, contains: []string{"There is a problem", "Confirm that you understand", "The client asked to be removed"},
				after: notErased},
			scenario{name: "admin erase with the client's name in the reason", as: adminB, method: "POST", path: erase,
				form:   url.Values{"reason": {secretLast + " asked"}, "confirm": {"yes"}},
				status: http.StatusUnprocessableEntity, contains: []string{"The reason must not identify the client"}, after: notErased},
			scenario{name: "admin erase", as: adminB, method: "POST", path: erase, form: good, status: http.StatusSeeOther,
				location: "/admin/audit?action=" + patchwork.AuditClientErase},
			scenario{name: "admin sees the flash and the audit row", as: adminB, path: "/admin/audit?action=" + patchwork.AuditClientErase,
				status: http.StatusOK, contains: []string{"erased for good", "reason=The client asked to be removed", "Ada Admin"}, notContains: secrets},
			scenario{name: "former member's client page", as: memberB, path: clientPage, status: http.StatusNotFound, notContains: secrets},
			scenario{name: "former member's dashboard", as: memberB, path: "/", status: http.StatusOK, notContains: secrets},
			// The page repeats the words typed, so it is checked for results.
			scenario{name: "search", as: memberB, path: search, status: http.StatusOK,
				contains: []string{"No clients found in the whole network."}, notContains: []string{secretAlias, "5 April 2011", secretAddress}},
			scenario{name: "admin form after erasure", as: adminB, path: erase, status: http.StatusNotFound, notContains: secrets},
			scenario{name: "admin erase again", as: adminB, method: "POST", path: erase, form: good, status: http.StatusNotFound},
		)
	})
}
