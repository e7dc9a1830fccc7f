package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork"
)

// TestAgencyAdminOverHTTP walks an area admin through an agency's life:
// a form with mistakes comes back with a message beside each field and
// what was typed; a good one adds the agency waiting for approval; it is
// approved and edited; suspending it signs its agent's live session out
// and tells the team on the client's page; lifting it lets the agent sign
// in again and puts them back on the team, which is told.
func TestAgencyAdminOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District)
		colleague := e.MustAgent(t, "Cody Colleague", e.Council, e.LocalA)
		b := e.signedIn(t, admin)
		local := strconv.FormatInt(e.LocalA.ID, 10)
		bad := url.Values{"name": {""}, "sector": {"Space"}, "email": {"not an address"}, "domains": {"good.example.org\nnot a domain"},
			"sensitive": {"yes"}, "contact_route": {"Ask at reception"}, "status": {"pending"}}
		var id string
		runScenarios(t,
			scenario{name: "the form", as: b, path: "/admin/agencies/new", status: http.StatusOK,
				contains: []string{"Add an agency", `for="sector"`, e.LocalA.Name}},
			scenario{name: "mistakes", as: b, method: "POST", path: "/admin/agencies", form: bad, status: http.StatusUnprocessableEntity,
				contains: []string{"There is a problem", "Enter the agency&#39;s name", "Choose the agency&#39;s sector",
					"Enter each domain on its own line", "Enter the label a sensitive agency is shown under",
					"Select at least one local area of your districts", "Ask at reception", "not a domain", `id="name-error"`},
				after: func(t *testing.T, r response) {
					if n := mustCount(t, e, `SELECT COUNT(*) FROM agencies`); n != 2 {
						t.Errorf("a form with mistakes added an agency: %d agencies", n)
					}
				}},
			scenario{name: "add, waiting for approval", as: b, method: "POST", path: "/admin/agencies",
				form: url.Values{"name": {"Ashford Youth Hub"}, "sector": {"Youth services"}, "areas": {local},
					"email_domain": {"hub.test"}, "status": {"pending"}},
				status: http.StatusSeeOther, locationPrefix: "/admin/agencies/",
				after: func(t *testing.T, r response) { id = strings.TrimPrefix(r.location, "/admin/agencies/") }},
		)
		path := "/admin/agencies/" + id
		hub := &patchwork.Agency{ID: int64(mustCount(t, e, `SELECT id FROM agencies WHERE name = 'Ashford Youth Hub'`)), EmailDomain: "hub.test"}
		worker := e.MustAgent(t, "Wren Worker", hub, e.LocalA)
		cl := e.MustClient(t, colleague, "Ada", "Accessor", "03/04/2012")
		e.MustJoin(t, worker, cl)
		live := e.signedIn(t, worker)
		live.get("/").must(t, http.StatusOK)
		runScenarios(t,
			scenario{name: "its page", as: b, path: path, status: http.StatusOK,
				contains: []string{"Waiting for approval", "hub.test", "Approve Ashford Youth Hub"}},
			scenario{name: "approve", as: b, method: "POST", path: path + "/approve", status: http.StatusSeeOther, location: path},
			scenario{name: "approved", as: b, path: path, status: http.StatusOK,
				contains: []string{"The agency was approved", "Suspend Ashford Youth Hub"}},
			scenario{name: "approve again", as: b, method: "POST", path: path + "/approve", status: http.StatusSeeOther, location: path},
			scenario{name: "is said so", as: b, path: path, status: http.StatusOK, contains: []string{"This agency is not waiting for approval."}},
			scenario{name: "the edit form keeps its values", as: b, path: path + "/edit", status: http.StatusOK,
				contains: []string{`value="Ashford Youth Hub"`, "hub.test", "Save changes"}},
			scenario{name: "an edit with a mistake", as: b, method: "POST", path: path + "/edit",
				form: url.Values{"name": {"Ashford Youth Hub"}, "sector": {"Youth services"}, "areas": {local},
					"sensitive": {"yes"}, "generic_label": {"Youth support"}, "email_domain": {"hub.test"}, "generic_email": {"duty@hub.test"}},
				status: http.StatusUnprocessableEntity, contains: []string{"Enter a mailbox that is not at the agency&#39;s own domain",
					`value="Youth support"`, "Edit Ashford Youth Hub"}},
			scenario{name: "an edit", as: b, method: "POST", path: path + "/edit",
				form: url.Values{"name": {"Ashford Youth Hub"}, "sector": {"Charity"}, "areas": {local}, "sensitive": {"yes"},
					"generic_label": {"Youth support"}, "email_domain": {"hub.test"}, "domains": {"hub.test\nyouth.example.org"}},
				status: http.StatusSeeOther, location: path},
			scenario{name: "edited", as: b, path: path, status: http.StatusOK,
				contains: []string{"Charity", "Youth support", "youth.example.org"}},
			scenario{name: "suspend", as: b, method: "POST", path: path + "/suspend", status: http.StatusSeeOther, location: path},
			scenario{name: "suspended", as: b, path: path, status: http.StatusOK,
				contains: []string{"1 agent was signed out", "Lift the suspension of Ashford Youth Hub"}},
			scenario{name: "the live session is over", as: live, path: "/", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "the team was told", as: e.signedIn(t, colleague), path: "/clients/" + strconv.FormatInt(cl.ID, 10),
				status: http.StatusOK, contains: []string{"Wren Worker left the team (their agency was suspended)"}},
			scenario{name: "no one by one", as: b, method: "POST", path: "/admin/agents/" + strconv.FormatInt(worker.ID, 10) + "/reactivate",
				status: http.StatusConflict, contains: []string{"Their agency is suspended"}},
			scenario{name: "the list", as: b, path: "/admin/agencies?status=suspended", status: http.StatusOK,
				contains: []string{"1 agency", "Ashford Youth Hub", "Suspended"}},
			scenario{name: "lift", as: b, method: "POST", path: path + "/unsuspend", status: http.StatusSeeOther, location: path},
			scenario{name: "lifted", as: b, path: path, status: http.StatusOK, contains: []string{"1 agent can sign in again"}},
			scenario{name: "the team was told of the return", as: e.signedIn(t, colleague), path: "/clients/" + strconv.FormatInt(cl.ID, 10),
				status: http.StatusOK, contains: []string{"Wren Worker is back on the team (their agency&#39;s suspension was lifted)"}},
		)
		e.signedIn(t, worker).get("/").must(t, http.StatusOK)
		for _, action := range []string{patchwork.AuditAgencyCreate, patchwork.AuditAgencyApprove, patchwork.AuditAgencyUpdate,
			patchwork.AuditAgencySuspend, patchwork.AuditAgencyUnsuspend} {
			if n := mustCount(t, e, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, admin.ID); n != 1 {
				t.Errorf("audit rows %s = %d, want 1", action, n)
			}
		}
	})
}

// TestAgencyExportIsFormulaSafe: the agency list's CSV export holds every
// agency the filters select, and a cell a spreadsheet would run as a
// formula is written as text. It is audited as an export.
func TestAgencyExportIsFormulaSafe(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		b := e.signedIn(t, sys)
		evil := []string{"=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)"}
		for _, name := range evil {
			b.post("/admin/agencies", url.Values{"name": {name}, "sector": {"Other"}, "areas": {strconv.FormatInt(e.LocalB.ID, 10)},
				"status": {"active"}}).must(t, http.StatusSeeOther)
		}
		r := b.get("/admin/agencies.csv?area=" + strconv.FormatInt(e.LocalB.ID, 10))
		r.must(t, http.StatusOK)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("Content-Type %q", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+len(evil) || rows[0][1] != "name" {
			t.Fatalf("export has %d rows, want a header and %d agencies:\n%s", len(rows), len(evil), r.body)
		}
		got := map[string]bool{}
		for _, row := range rows[1:] {
			got[row[1]] = true
		}
		for _, name := range evil {
			if !got["'"+name] {
				t.Errorf("%q is not written as text: %v", name, got)
			}
		}
		if n := mustCount(t, e, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAgencyExport); n != 1 {
			t.Errorf("export audit rows = %d, want 1", n)
		}
	})
}
