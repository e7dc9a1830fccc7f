package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestStatsPages: the statistics page and its CSV are for admins alone;
// small counts read "<5" with their complement withheld; the chart is an
// SVG image with a text equivalent; and two overlapping exports hold the
// same month cells and no totals, so differencing them reveals nothing.
func TestStatsPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Ann Agent", e.Council, e.LocalA)
		b := e.MustAgent(t, "Ben Agent", e.Council, e.LocalB)
		admin := mustAdmin(t, e)
		gone := &patchwork.Agent{Email: "gone-admin@ashford.test", Name: "Gil Gone", AgencyID: e.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(e.DB).CreateAgent(sqldbtest.System(), gone, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 7; i++ {
			e.MustCreateClient(t, a, &patchwork.Client{FirstName: "Stat", LastName: fmt.Sprintf("Many%c", 'a'+i), DateOfBirth: "01/01/2010",
				AreaIDs: []int64{e.LocalA.ID}})
		}
		for i := 0; i < 2; i++ {
			e.MustCreateClient(t, b, &patchwork.Client{FirstName: "Stat", LastName: fmt.Sprintf("Few%c", 'a'+i), DateOfBirth: "01/01/2010",
				AreaIDs: []int64{e.LocalB.ID}})
		}
		goneB := e.signedIn(t, gone)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.RebuildStats(sqldbtest.System()); err != nil {
			t.Fatal(err)
		}
		month := time.Now().UTC().Format("2006-01")
		prev := time.Now().UTC().AddDate(0, -2, 0).Format("2006-01")
		district := "/admin/stats?area=" + strconv.FormatInt(e.District.ID, 10)
		adminB := e.signedIn(t, admin)
		runScenarios(t,
			scenario{name: "signed out", as: e.anonymous(t), path: "/admin/stats", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "signed out csv", as: e.anonymous(t), path: "/admin/stats.csv", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "deactivated admin", as: goneB, path: "/admin/stats", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "deactivated admin csv", as: goneB, path: "/admin/stats.csv", status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "agent", as: e.signedIn(t, a), path: "/admin/stats", status: http.StatusNotFound, notContains: []string{"Network statistics"}},
			scenario{name: "district", as: adminB, path: district, status: http.StatusOK,
				contains: []string{"Network statistics: North district", `role="img"`, "<title id=\"chart-title\">Clients in North district",
					"Ashford", "Bexley", "&lt;5", ">9<"}, notContains: []string{"Stat Few", "Stat Many"}},
			scenario{name: "bad month", as: adminB, path: "/admin/stats?from=2026-1&to=x", status: http.StatusBadRequest,
				contains: []string{"There is a problem", "Enter the first month as YYYY-MM", `value="2026-1"`}},
		)
		export := func(from string) map[string]string {
			t.Helper()
			r := adminB.get("/admin/stats.csv?area=" + strconv.FormatInt(e.District.ID, 10) + "&from=" + from + "&to=" + month)
			r.must(t, http.StatusOK)
			recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, rec := range recs[1:] {
				if rec[3] < from || rec[3] > month {
					t.Errorf("a row outside the range: %v", rec)
				}
				if strings.Contains(strings.ToLower(strings.Join(rec, " ")), "total") {
					t.Errorf("a total row: %v", rec)
				}
				out[rec[0]+" "+rec[3]+" "+rec[4]] = rec[5]
			}
			return out
		}
		wide, narrow := export(prev), export(month)
		for k, v := range narrow {
			if wide[k] != v {
				t.Errorf("%s: %q in one export, %q in the other", k, wide[k], v)
			}
		}
		ids := func(a *patchwork.Area) string {
			return strconv.FormatInt(a.ID, 10) + " " + month + " " + patchwork.StatClients
		}
		if narrow[ids(e.LocalB)] != "<5" || narrow[ids(e.LocalA)] != "<5" || narrow[ids(e.District)] != "9" {
			t.Errorf("clients this month: Ashford %q, Bexley %q, district %q; want <5, <5 (its complement), 9",
				narrow[ids(e.LocalA)], narrow[ids(e.LocalB)], narrow[ids(e.District)])
		}
	})
}
