package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestPhoneBook: the phone book lists people as well as agencies, filtered
// by name, agency, sector and area, 20 a page; numbers are tel: links;
// agency pages list their staff; every page links back. Only active
// signed-in agents reach it.
func TestPhoneBook(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.MustAgent(t, "Vera Viewer", e.Council, e.LocalA)
		for i := 1; i <= 22; i++ {
			e.MustAgent(t, fmt.Sprintf("Pat Many%02d", i), e.Council, e.LocalA)
		}
		bea := e.MustAgent(t, "Bea Bexley", e.Council, e.LocalB)
		gone := e.MustAgent(t, "Gus Gone", e.Council, e.LocalB)
		goneB := e.signedIn(t, gone)
		if err := sqldb.NewAgentService(e.DB).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		vb := e.signedIn(t, viewer)
		council := strconv.FormatInt(e.Council.ID, 10)
		runScenarios(t,
			scenario{name: "first page", as: vb, path: "/people", status: http.StatusOK,
				contains: []string{"Phone book", "24 people in the phone book.", "Page 1.", `href="/people?page=2"`, "Bea Bexley",
					"tel:" + telDigits(bea.Mobile), `aria-current="page">People`, `href="/agencies"`},
				notContains: []string{"Gus Gone", "Pat Many20"}},
			scenario{name: "second page", as: vb, path: "/people?page=2", status: http.StatusOK,
				contains: []string{"Page 2.", "Pat Many20", "Vera Viewer", `rel="prev"`}, notContains: []string{"Bea Bexley"}},
			scenario{name: "past the last page", as: vb, path: "/people?page=99", status: http.StatusOK, contains: []string{"Page 2."}},
			scenario{name: "by name", as: vb, path: "/people?q=many+07", status: http.StatusOK,
				contains: []string{"1 person matches", "Pat Many07", `value="many 07"`, "Clear the filters"}, notContains: []string{"Pat Many08"}},
			scenario{name: "by area", as: vb, path: "/people?area=" + strconv.FormatInt(e.LocalB.ID, 10), status: http.StatusOK,
				contains: []string{"1 person matches", "Bea Bexley"}, notContains: []string{"Pat Many"}},
			scenario{name: "by district", as: vb, path: "/people?area=" + strconv.FormatInt(e.District.ID, 10), status: http.StatusOK,
				contains: []string{"24 people match"}},
			scenario{name: "by agency, kept in the filter", as: vb, path: "/people?agency=" + council + "&q=bea", status: http.StatusOK,
				contains: []string{"1 person matches", `value="` + council + `" selected`}},
			scenario{name: "by sector", as: vb, path: "/people?sector=Charity", status: http.StatusOK,
				contains: []string{"0 people match", `value="Charity" selected`}, notContains: []string{"Bea Bexley"}},
			scenario{name: "nonsense filters filter nothing", as: vb, path: "/people?agency=x&area=-3&q=%25", status: http.StatusOK,
				contains: []string{"24 people"}},
			scenario{name: "agencies", as: vb, path: "/agencies", status: http.StatusOK,
				contains: []string{`aria-current="page">Agencies`, `href="/people"`, "tel:" + telDigits(e.Council.Phone)}},
			scenario{name: "agency page lists its staff", as: vb, path: "/agencies/" + council, status: http.StatusOK,
				contains: []string{"Staff (24)", "Bea Bexley", "tel:" + telDigits(bea.Mobile), `href="/people"`, `href="/agencies"`}},
			scenario{name: "agent page links back", as: vb, path: "/agents/" + strconv.FormatInt(bea.ID, 10), status: http.StatusOK,
				contains: []string{`class="govuk-breadcrumbs__link" href="/people"`, `href="/agencies/` + council + `"`}},
			scenario{name: "signed out", as: e.anonymous(t), path: "/people", status: http.StatusSeeOther, locationPrefix: "/login",
				notContains: []string{"Bea Bexley"}},
			scenario{name: "deactivated", as: goneB, path: "/people", status: http.StatusSeeOther, locationPrefix: "/login",
				notContains: []string{"Bea Bexley"}},
		)
		if !strings.Contains(vb.get("/").body, `href="/people"`) {
			t.Errorf("the header does not lead to the phone book's people")
		}
	})
}
