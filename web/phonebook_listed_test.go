package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestPhoneBookHidesUnlistedAgencies: a practitioner browsing the phone
// book never meets an agency waiting for approval or suspended: not in the
// list of agencies, the people filter's agencies, the people or the search
// box; its page and its agent's page answer exactly as missing ones do. A
// system admin opens its page, and the admin list of agencies shows it to
// system and area admins.
func TestPhoneBookHidesUnlistedAgencies(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.signedIn(t, e.MustAgent(t, "Vera Viewer", e.Council, e.LocalA))
		sys := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		north := e.signedIn(t, e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District))
		admin := sqldb.NewAgencyAdminService(e.DB)
		hub := &patchwork.Agency{Name: "Quillfeather Youth Hub", Sector: "Youth services", EmailDomain: "quillhub.test",
			Areas: []*patchwork.Area{e.LocalA}, Status: patchwork.AgencyPending}
		if err := admin.CreateAdminAgency(sqldbtest.System(), hub); err != nil {
			t.Fatal(err)
		}
		hana := e.MustAgent(t, "Hana Quillfeather", hub, e.LocalA)
		shut := &patchwork.Agency{Name: "Quillfeather Closed Clinic", Sector: "Health", EmailDomain: "quillshut.test",
			Areas: []*patchwork.Area{e.LocalA}}
		if err := admin.CreateAdminAgency(sqldbtest.System(), shut); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.SuspendAgency(sqldbtest.System(), shut.ID); err != nil {
			t.Fatal(err)
		}
		hubPath, shutPath := "/agencies/"+strconv.FormatInt(hub.ID, 10), "/agencies/"+strconv.FormatInt(shut.ID, 10)
		agentPath := "/agents/" + strconv.FormatInt(hana.ID, 10)
		missingAgency, missingAgent := viewer.get("/agencies/999999"), viewer.get("/agents/999999")
		likeMissing := func(missing response) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				if r.body != missing.body {
					t.Fatalf("the answer differs from a missing record's:\n%s", r.body)
				}
			}
		}
		hidden := []string{hub.Name, shut.Name, hana.Name}
		runScenarios(t,
			scenario{name: "agencies", as: viewer, path: "/agencies", status: http.StatusOK,
				contains: []string{`href="/agencies/` + strconv.FormatInt(e.Council.ID, 10) + `"`}, notContains: hidden},
			scenario{name: "the pending agency's page", as: viewer, path: hubPath, status: http.StatusNotFound,
				after: likeMissing(missingAgency)},
			scenario{name: "the suspended agency's page", as: viewer, path: shutPath, status: http.StatusNotFound,
				after: likeMissing(missingAgency)},
			scenario{name: "its agent's page", as: viewer, path: agentPath, status: http.StatusNotFound,
				after: likeMissing(missingAgent)},
			scenario{name: "people and their agency filter", as: viewer, path: "/people", status: http.StatusOK,
				contains: []string{"Vera Viewer"}, notContains: hidden},
			scenario{name: "people of the pending agency", as: viewer, path: "/people?agency=" + strconv.FormatInt(hub.ID, 10),
				status: http.StatusOK, notContains: hidden},
			scenario{name: "the search box", as: viewer, path: "/search?q=Quillfeather", status: http.StatusOK, notContains: hidden},
			scenario{name: "an area admin's phone book", as: north, path: hubPath, status: http.StatusNotFound},
			scenario{name: "a system admin opens it", as: sys, path: hubPath, status: http.StatusOK, contains: []string{hub.Name}},
			scenario{name: "the admin list, system admin", as: sys, path: "/admin/agencies", status: http.StatusOK,
				contains: []string{hub.Name, shut.Name}},
			scenario{name: "the admin list, area admin", as: north, path: "/admin/agencies", status: http.StatusOK,
				contains: []string{hub.Name, shut.Name}},
		)
	})
}
