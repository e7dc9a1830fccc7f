package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"patchwork"
)

// TestMergeOverHTTP: the merge page shows both clients, POST
// /admin/clients/merge answers 303, then a member of either team opening
// /clients/{merge_id} is sent to /clients/{keep_id}, while a non-member
// gets the missing client's 404, byte for byte. The merges page undoes it.
func TestMergeOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		onA := e.MustAgent(t, "Ali OnA", e.Council, e.LocalA)
		onB := e.MustAgent(t, "Bea OnB", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Out Sider", e.Council, e.LocalA)
		a := e.MustClient(t, onA, "Jordan", "Merriweather", "04/05/2011")
		b := e.MustClient(t, onB, "Jordan", "Merriwether", "04/05/2011")
		admin := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		keep, merge := strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10)
		member, stranger := e.signedIn(t, onB), e.signedIn(t, outsider)
		missing := stranger.get("/clients/999999")
		runScenarios(t,
			scenario{name: "sent empty", as: admin, path: "/admin/clients/merge?keep_id=&merge_id=",
				status: http.StatusUnprocessableEntity, contains: []string{"There is a problem", "Enter the number of the client to keep",
					"Enter the number of the client to merge into it"}},
			scenario{name: "the same client twice", as: admin, path: "/admin/clients/merge?keep_id=" + keep + "&merge_id=" + keep,
				status: http.StatusUnprocessableEntity, contains: []string{"There is a problem", "Enter two different clients", `value="` + keep + `"`}},
			scenario{name: "the two clients side by side", as: admin, path: "/admin/clients/merge?keep_id=" + keep + "&merge_id=" + patchwork.ClientRef(b.ID),
				status: http.StatusOK, contains: []string{"Jordan Merriweather", "Jordan Merriwether", "Merge " + patchwork.ClientRef(b.ID) + " into " + patchwork.ClientRef(a.ID)}},
			scenario{name: "merge", as: admin, method: "POST", path: "/admin/clients/merge",
				form: url.Values{"keep_id": {keep}, "merge_id": {merge}}, status: http.StatusSeeOther, location: "/admin/merges"},
			scenario{name: "B's member is sent to A", as: member, path: "/clients/" + merge,
				status: http.StatusSeeOther, location: "/clients/" + keep},
			scenario{name: "and is on A's team", as: member, path: "/clients/" + keep,
				status: http.StatusOK, contains: []string{"Jordan Merriweather", "merged a duplicate record into this client"}},
			scenario{name: "a non-member learns nothing", as: stranger, path: "/clients/" + merge,
				status: http.StatusNotFound, after: func(t *testing.T, r response) {
					if r.body != missing.body {
						t.Fatalf("a non-member's answer differs from a missing client's:\n%s", r.body)
					}
				}},
			scenario{name: "the merges page offers the undo", as: admin, path: "/admin/merges",
				status: http.StatusOK, contains: []string{"Undo"}},
		)
		id := mustCount(t, e, `SELECT id FROM client_merges`)
		runScenarios(t,
			scenario{name: "undo", as: admin, method: "POST", path: "/admin/merges/" + strconv.Itoa(id) + "/undo",
				status: http.StatusSeeOther, location: "/admin/merges"},
			scenario{name: "B is back", as: member, path: "/clients/" + merge,
				status: http.StatusOK, contains: []string{"Jordan Merriwether"}},
			scenario{name: "and its member is off A's team", as: member, path: "/clients/" + keep,
				status: http.StatusNotFound},
		)
	})
}
