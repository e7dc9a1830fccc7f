package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"patchwork/importer"
	"patchwork/sqldb/sqldbtest"
)

// TestAdminImportsPage: a system admin's /admin/imports lists each import
// with its status, rows done of the file's rows and its problems, and
// links to itself to refresh; a refused import says nothing was written.
// (Who may see it is TestAdminAuthorizationMatrix's.)
func TestAdminImportsPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		ctx := sqldbtest.System()
		head := "name,sector,local_areas\n"
		good := head + "Ashford Food Bank,Charity,Ashford\nBexley Youth Club,Charity,Bexley\n"
		bad := head + "Carlow Care,Charity,Ashford\nNowhere Trust,Charity,Narnia\n"
		if _, err := importer.ImportAgencies(ctx, e.DB, strings.NewReader(good), importer.Options{FileName: "/tmp/agencies.csv"}); err != nil {
			t.Fatal(err)
		}
		if _, err := importer.ImportAgencies(ctx, e.DB, strings.NewReader(bad), importer.Options{FileName: "more.csv"}); err != nil {
			t.Fatal(err)
		}
		page := e.signedIn(t, sys).get("/admin/imports")
		page.must(t, http.StatusOK, "Imports", `href="/admin/imports"`, "agencies from agencies.csv", "Done", "2 of 2",
			"agencies from more.csv", "Not imported: rows have problems", "0 of 2")
		if body := html.UnescapeString(page.body); !strings.Contains(body, `row 3: local_areas: no local area is called "Narnia"`) {
			t.Errorf("the page does not list the refused import's problem:\n%s", body)
		}
		if strings.Contains(page.body, "/tmp/") {
			t.Error("the page shows where the file was, not only its name")
		}
	})
}
