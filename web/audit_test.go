package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAuditPages: the audit viewer, its CSV export and a client's access
// report are for admins alone — signed-out visitors and a deactivated
// admin are sent to sign in, an agent (even on the client's team) gets the
// missing page — and show admins what they promise: filtered rows, a
// formula-safe export, a printable report and its JSON.
func TestAuditPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		formula := e.MustAgent(t, "=Eve Formula", e.Council, e.LocalA)
		admin := mustAdmin(t, e)
		gone := &patchwork.Agent{Email: "gone-admin@ashford.test", Name: "Gil Gone", AgencyID: e.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), gone, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		cl := e.MustCreateClient(t, member, &patchwork.Client{FirstName: secretFirst, LastName: secretLast,
			DateOfBirth: "05/04/2011", Aliases: []string{secretAlias}, Address: secretAddress, Phone: secretPhone})
		ids := strconv.FormatInt(cl.ID, 10)
		goneB := e.signedIn(t, gone)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		anon, memberB, adminB := e.anonymous(t), e.signedIn(t, member), e.signedIn(t, admin)
		e.signedIn(t, formula) // a sign-in row whose actor's name starts with =
		memberB.get("/clients/"+ids).must(t, http.StatusOK, secretFirst)
		missingPage := memberB.get("/admin/no-such-page")
		sameAsMissing := func(t *testing.T, r response) {
			t.Helper()
			if r.body != missingPage.body {
				t.Fatalf("a non-admin's answer differs from a missing page's:\n%s", r.body)
			}
		}
		paths := []string{"/admin/audit?client=" + ids, "/admin/audit.csv?client=" + ids,
			"/admin/clients/" + ids + "/access-report", "/admin/clients/" + ids + "/access-report?format=json"}
		var scs []scenario
		for _, p := range paths {
			scs = append(scs,
				scenario{name: "signed out " + p, as: anon, path: p, status: http.StatusSeeOther, locationPrefix: "/login", notContains: secrets},
				scenario{name: "deactivated admin " + p, as: goneB, path: p, status: http.StatusSeeOther, locationPrefix: "/login", notContains: secrets},
				scenario{name: "member " + p, as: memberB, path: p, status: http.StatusNotFound, notContains: secrets, after: sameAsMissing})
		}
		runScenarios(t, scs...)
		// None of those refused requests reached the log as an admin read.
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM audit_events WHERE action IN ($1, $2, $3)`,
			patchwork.AuditLogView, patchwork.AuditLogExport, patchwork.AuditAccessReport); n != 0 {
			t.Fatalf("%d admin reads recorded for refused requests", n)
		}

		runScenarios(t,
			scenario{name: "client filter", as: adminB, path: "/admin/audit?client=" + patchwork.ClientRef(cl.ID), status: http.StatusOK,
				contains: []string{"client.create", "client.view", "Mary Member", patchwork.ClientRef(cl.ID)}, notContains: append(secrets, "auth.login")},
			scenario{name: "bad filter", as: adminB, path: "/admin/audit?from=2026-13-01&actor=abc", status: http.StatusBadRequest,
				contains: []string{"There is a problem", "The first day must be a date", "Enter the agent&#39;s number as a number", `value="2026-13-01"`}},
			scenario{name: "report", as: adminB, path: "/admin/clients/" + ids + "/access-report", status: http.StatusOK,
				contains: []string{"Everything Patchwork holds about " + secretFirst + " " + secretLast, secretAddress, secretPhone, secretAlias,
					"Mary Member", "client.create", "client.view", "admin.access_report", "Download as JSON"}},
			scenario{name: "report of a missing client", as: adminB, path: "/admin/clients/999999/access-report", status: http.StatusNotFound},
		)

		res := adminB.get("/admin/clients/" + ids + "/access-report?format=json")
		res.must(t, http.StatusOK)
		var rep patchwork.AccessReport
		if err := json.Unmarshal([]byte(res.body), &rep); err != nil {
			t.Fatalf("report JSON: %v\n%s", err, res.body)
		}
		if rep.Client.LastName != secretLast || len(rep.Memberships) != 1 || len(rep.Events) < 3 {
			t.Fatalf("report JSON: %+v", rep)
		}

		res = adminB.get("/admin/audit.csv?action=" + patchwork.AuditLogin)
		res.must(t, http.StatusOK)
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("export Content-Type %q", ct)
		}
		records, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, rec := range records[1:] {
			if rec[5] != patchwork.AuditLogin {
				t.Errorf("export row of another action: %v", rec)
			}
			if strings.Contains(rec[3], "Eve Formula") {
				found = true
				if rec[3] != "'=Eve Formula" {
					t.Errorf("a name starting with = is exported as %q", rec[3])
				}
			}
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("cell %q would be read as a formula", cell)
				}
			}
		}
		if !found || len(records) < 3 {
			t.Fatalf("export: %d records, formula agent found %v\n%s", len(records), found, res.body)
		}
	})
}
