package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"patchwork"
)

// The admin lists that page and export: access requests (waiting and
// decided), merges, duplicates, failed jobs, imports, alerts and the
// retention page's two lists.

// listRows is what fillAdminLists made: the retention list's clients,
// by reference, and the warned agents (who also merged the merges).
type listRows struct {
	clients []*patchwork.Client
	agents  []*patchwork.Agent
}

// fillAdminLists adds n rows to each list, row i's free text being
// text(list, i): a waiting request's organisation and reason ("waiting"),
// a decided one's ("decided"), a failed job's error ("job"), an import's
// file name ("import"), an alert's detail ("alert"), a duplicate pair's
// reasons ("pair") and a warned agent's name ("agent"), who is also the
// admin named on merge i. Clients 1..n are on the retention list, each
// paired with client 0 in the duplicates queue and merged into it.
// Rows are written straight into the tables, as no form would take such
// text.
func fillAdminLists(t *testing.T, e *env, n int, text func(list string, i int) string) listRows {
	t.Helper()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := e.DB.ExecForTest(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	creator := e.MustAgent(t, "Cora Creator", e.Council, e.LocalA)
	var rows listRows
	first := e.MustClient(t, creator, "Kept", "Keeper", "01/01/2001")
	now := time.Now().UnixMicro()
	for i := range n {
		at := now + int64(i) // row i is newer than row i-1
		exec(`INSERT INTO access_requests (email, agency_name, manager_name, manager_email, reason, status, created_at)
			VALUES ($1, $2, 'Manny Manager', 'manny@later.test', $3, 'pending', $4)`,
			fmt.Sprintf("ask%02d@later.test", i), text("waiting", i), text("waiting", i), at)
		exec(`INSERT INTO access_requests (email, agency_name, manager_name, manager_email, reason, status, created_at, decided_at)
			VALUES ($1, $2, 'Manny Manager', 'manny@later.test', $3, 'refused', $4, $4)`,
			fmt.Sprintf("done%02d@later.test", i), text("decided", i), text("decided", i), at)
		exec(`INSERT INTO jobs (kind, run_at, attempts, max_attempts, status, last_error, created_at, done_at)
			VALUES ('list_test', $1, 8, 8, 'failed', $2, $1, $1)`, at, text("job", i))
		exec(`INSERT INTO imports (kind, file_name, file_sha256, options, status, rows_total, rows_done, started_at,
			run_started_at, updated_at, finished_at) VALUES ('clients', $1, $2, '', 'done', 2, 2, $3, $3, $3, $3)`,
			text("import", i), fmt.Sprintf("sha%02d", i), at)
		exec(`INSERT INTO admin_alerts (kind, detail, created_at) VALUES ($1, $2, $3)`, patchwork.AlertAuditVerify, text("alert", i), at)
		c := e.MustClient(t, creator, "Reta", "Retained", "02/02/2002")
		a := e.MustAgent(t, "Ina Inactive", e.Council, e.LocalA)
		exec(`UPDATE clients SET retention_flagged_at = $1 WHERE id = $2`, at, c.ID)
		exec(`UPDATE agents SET name = $1, inactivity_warned_at = $2 WHERE id = $3`, text("agent", i), at, a.ID)
		exec(`INSERT INTO duplicate_pairs (client_a, client_b, reasons, status, found_at) VALUES ($1, $2, $3, 'open', $4)`,
			first.ID, c.ID, text("pair", i), at)
		exec(`INSERT INTO client_merges (keep_id, merge_id, merged_by, merged_at) VALUES ($1, $2, $3, $4)`, first.ID, c.ID, a.ID, at)
		rows.clients, rows.agents = append(rows.clients, c), append(rows.agents, a)
	}
	return rows
}

// adminList is one paged list, for TestAdminListsPage.
type adminList struct {
	name   string
	path   string // the list's page
	second string // its second page, as the first page links it
	marker string // the text of fillAdminLists that tells the list's rows apart ("" for the client references)
}

var pagedLists = []adminList{
	{"waiting access requests", "/admin/access-requests", "/admin/access-requests?page=2", "waiting"},
	{"decided access requests", "/admin/access-requests", "/admin/access-requests?decided=2#decided", "decided"},
	{"merges", "/admin/merges", "/admin/merges?page=2", "agent"},
	{"duplicates", "/admin/duplicates", "/admin/duplicates?page=2", "pair"},
	{"failed jobs", "/admin/jobs", "/admin/jobs?page=2", "job"},
	{"imports", "/admin/imports", "/admin/imports?page=2", "import"},
	{"alerts", "/admin/alerts", "/admin/alerts?page=2", "alert"},
	{"clients due for erasure", "/admin/retention", "/admin/retention?page=2", ""},
	{"agents due for deactivation", "/admin/retention", "/admin/retention?agents=2#agents", "agent"},
}

// TestAdminListsPage: every admin list shows patchwork.AdminPageSize rows
// a page; the first page links the second (and no third), which shows
// the rows the first did not, links back and no further; on a page of
// two lists, each list's links keep the other's page.
func TestAdminListsPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		n := patchwork.AdminPageSize + 1
		text := func(list string, i int) string { return fmt.Sprintf("%s row %02d", list, i) }
		rows := fillAdminLists(t, e, n, text)
		admin := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		for _, l := range pagedLists {
			t.Run(l.name, func(t *testing.T) {
				markers := make([]string, n)
				for i := range n {
					if l.marker == "" {
						markers[i] = patchwork.ClientRef(rows.clients[i].ID)
					} else {
						markers[i] = text(l.marker, i)
					}
				}
				shown := func(body string) []int {
					var on []int
					for i, m := range markers {
						if strings.Contains(body, m) {
							on = append(on, i)
						}
					}
					return on
				}
				base, _, _ := strings.Cut(l.second, "#")
				first := admin.get(l.path)
				first.must(t, http.StatusOK, `href="`+l.second+`"`, `rel="next"`)
				if strings.Contains(first.body, strings.Replace(base, "=2", "=3", 1)) {
					t.Errorf("the first page links a third page of %d rows", n)
				}
				second := admin.get(base)
				second.must(t, http.StatusOK, `rel="prev"`)
				one, two := shown(first.body), shown(second.body)
				if len(one) != patchwork.AdminPageSize || len(two) != 1 {
					t.Fatalf("page 1 shows rows %v, page 2 rows %v: want %d then 1", one, two, patchwork.AdminPageSize)
				}
				if slices.Contains(one, two[0]) {
					t.Errorf("page 2 shows row %d again", two[0])
				}
				if l.marker != "waiting" && l.marker != "decided" && l.path != "/admin/retention" && strings.Contains(second.body, `rel="next"`) {
					t.Errorf("the last page links a next page")
				}
			})
		}
		// Each list of a page of two keeps the other's page.
		admin.get("/admin/access-requests?page=2").must(t, http.StatusOK, `href="/admin/access-requests?decided=2&amp;page=2#decided"`)
		admin.get("/admin/retention?agents=2").must(t, http.StatusOK, `href="/admin/retention?agents=2&amp;page=2"`)
	})
}

// adminExport is one CSV export, for TestAdminExports.
type adminExport struct {
	path   string
	header []string
	column string // the column holding fillAdminLists' text ("" for none)
	audit  string // the action its audit row is written as
}

var adminExports = []adminExport{
	{"/admin/access-requests.csv", []string{"id", "email", "organisation", "manager", "manager_email", "reason", "status",
		"approved_for", "asked", "decided"}, "reason", patchwork.AuditAccessExport},
	{"/admin/merges.csv", []string{"id", "kept_client", "merged_client", "merged_by", "merged_at", "undone_at", "can_undo"},
		"merged_by", patchwork.AuditMergeExport},
	{"/admin/duplicates.csv", []string{"id", "client_a", "name_a", "date_of_birth_a", "postcode_a", "team_size_a",
		"client_b", "name_b", "date_of_birth_b", "postcode_b", "team_size_b", "reasons", "found_at"}, "reasons", patchwork.AuditDuplicateExport},
	{"/admin/jobs.csv", []string{"id", "kind", "attempts", "last_error", "failed_at"}, "last_error", patchwork.AuditJobExport},
	{"/admin/imports.csv", []string{"id", "kind", "file", "status", "rows_done", "rows_total", "imported", "unchanged", "problems",
		"runs", "started", "finished"}, "file", patchwork.AuditImportExport},
	{"/admin/alerts.csv", []string{"id", "at", "kind", "what", "agent_id", "agent", "day", "count", "detail"}, "detail",
		patchwork.AuditAlertExport},
	{"/admin/retention.csv", []string{"client", "listed", "erased_on"}, "", patchwork.AuditRetentionExport},
	{"/admin/retention-agents.csv", []string{"agent_id", "name", "agency", "last_sign_in", "warned", "deactivated_on"}, "name",
		patchwork.AuditInactiveExport},
}

// formulae are values a spreadsheet would run, or read as a formula's
// start, were they written as they are.
var formulae = []string{`=HYPERLINK("http://evil.example","x")`, "+1+1", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturned"}

// TestAdminExports: each list's CSV export, linked from its page, holds
// every row (not a page) under its header; a value that starts like a
// formula comes out as text with a leading apostrophe, and so does no
// cell of any export start like one; each export writes one audit row.
func TestAdminExports(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		n := len(formulae)
		fillAdminLists(t, e, n, func(_ string, i int) string { return formulae[i] })
		admin := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		for _, x := range adminExports {
			t.Run(x.path, func(t *testing.T) {
				page := strings.TrimSuffix(strings.Replace(x.path, "-agents", "", 1), ".csv")
				admin.get(page).must(t, http.StatusOK, `href="`+x.path+`"`)
				r := admin.get(x.path)
				r.must(t, http.StatusOK)
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
					t.Fatalf("Content-Type %q", ct)
				}
				if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
					t.Errorf("Content-Disposition %q", cd)
				}
				rd := csv.NewReader(strings.NewReader(r.body))
				got, err := rd.ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(got) == 0 || !slices.Equal(got[0], x.header) {
					t.Fatalf("header %v, want %v", got, x.header)
				}
				want := n
				if x.path == "/admin/access-requests.csv" {
					want = 2 * n // waiting and decided
				}
				if len(got)-1 != want {
					t.Fatalf("%d rows, want %d:\n%s", len(got)-1, want, r.body)
				}
				for _, row := range got[1:] {
					for i, cell := range row {
						if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
							t.Errorf("%s %q starts like a formula", x.header[i], cell)
						}
					}
				}
				if c := mustCount(t, e, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, x.audit); c != 1 {
					t.Errorf("%s audit rows = %d, want 1", x.audit, c)
				}
				if x.column == "" {
					return
				}
				col := slices.Index(x.header, x.column)
				var cells []string
				for _, row := range got[1:] {
					cells = append(cells, row[col])
				}
				for _, f := range formulae {
					// The CSV reader reads a quoted carriage return as
					// a newline.
					if !slices.Contains(cells, "'"+f) && !slices.Contains(cells, "'"+strings.ReplaceAll(f, "\r", "\n")) {
						t.Errorf("%q is not written as text: %q", f, cells)
					}
				}
			})
		}
	})
}
