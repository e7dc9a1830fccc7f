package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"patchwork"
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

// TestPhoneBookAgencies: the phone book's agencies, 50 a page, filtered by
// part of the name and by sector, the filters kept in the form and the
// page links. A sensitive agency is listed and found under its generic
// label; its name finds nothing.
func TestPhoneBookAgencies(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		agencies := sqldb.NewAgencyService(e.DB)
		for i := 1; i <= 52; i++ {
			g := &patchwork.Agency{Name: fmt.Sprintf("Many School %02d", i), Sector: "Education", EmailDomain: fmt.Sprintf("many%02d.test", i)}
			if err := agencies.CreateAgency(sqldbtest.System(), g); err != nil {
				t.Fatal(err)
			}
		}
		vb := e.signedIn(t, e.MustAgent(t, "Vera Viewer", e.Council, e.LocalA))
		runScenarios(t,
			// 54 in all: the council, the sensitive agency and the schools.
			scenario{name: "first page", as: vb, path: "/agencies", status: http.StatusOK,
				contains: []string{"54 agencies in the phone book.", "Page 1.", `href="/agencies?page=2"`, "Ashford Children", "Many School 49",
					`<label class="govuk-label" for="q">Name</label>`},
				notContains: []string{"Many School 50", "Support service"}},
			scenario{name: "second page", as: vb, path: "/agencies?page=2", status: http.StatusOK,
				contains:    []string{"Page 2.", "Many School 50", "Many School 52", "Support service", `rel="prev"`},
				notContains: []string{"Many School 49", e.Sensitive.Name}},
			scenario{name: "past the last page", as: vb, path: "/agencies?page=9", status: http.StatusOK, contains: []string{"Page 2."}},
			scenario{name: "by name, kept in the filter", as: vb, path: "/agencies?q=school+0", status: http.StatusOK,
				contains:    []string{"9 agencies match", "Many School 09", `value="school 0"`, "Clear the filters"},
				notContains: []string{"Many School 10", `href="/agencies?page=2"`}},
			scenario{name: "by sector, kept in the page links", as: vb, path: "/agencies?sector=Education&page=2", status: http.StatusOK,
				contains: []string{"52 agencies match", "Page 2.", `value="Education" selected`, `href="/agencies?sector=Education"`}},
			scenario{name: "a sensitive agency's name finds nothing", as: vb, path: "/agencies?q=haven", status: http.StatusOK,
				contains: []string{"0 agencies match"}, notContains: []string{e.Sensitive.Name, "Support service"}},
			scenario{name: "its label finds it", as: vb, path: "/agencies?q=support", status: http.StatusOK,
				contains: []string{"1 agency matches", "Support service"}, notContains: []string{e.Sensitive.Name}},
			scenario{name: "signed out", as: e.anonymous(t), path: "/agencies", status: http.StatusSeeOther, locationPrefix: "/login",
				notContains: []string{"Many School"}},
		)
	})
}

// TestPeopleFilterWithManyAgencies: with more agencies than a list of
// choices holds, the people filter offers no list; it leads to the
// agencies instead, and a filter by one agency (the link from its page)
// names it and keeps it across the other filters.
func TestPeopleFilterWithManyAgencies(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		agencies := sqldb.NewAgencyService(e.DB)
		for i := 1; i <= 200; i++ { // 202 with the council and the sensitive agency
			g := &patchwork.Agency{Name: fmt.Sprintf("Many School %03d", i), Sector: "Education", EmailDomain: fmt.Sprintf("many%03d.test", i)}
			if err := agencies.CreateAgency(sqldbtest.System(), g); err != nil {
				t.Fatal(err)
			}
		}
		vb := e.signedIn(t, e.MustAgent(t, "Vera Viewer", e.Council, e.LocalA))
		e.MustAgent(t, "Bea Bexley", e.Council, e.LocalB)
		council := strconv.FormatInt(e.Council.ID, 10)
		runScenarios(t,
			scenario{name: "no list of agencies", as: vb, path: "/people", status: http.StatusOK,
				contains:    []string{`<a class="govuk-link" href="/agencies">find the agency</a>`, "2 people in the phone book."},
				notContains: []string{`id="agency"`, "Many School 001"}},
			scenario{name: "one agency's staff, named and kept", as: vb, path: "/people?agency=" + council + "&q=bea", status: http.StatusOK,
				contains: []string{"1 person matches", `<input type="hidden" name="agency" value="` + council + `">`, "Staff of",
					`href="/agencies/` + council + `"`, "Bea Bexley"}},
			scenario{name: "a sensitive agency under its label", as: vb, path: "/people?agency=" + strconv.FormatInt(e.Sensitive.ID, 10),
				status: http.StatusOK, contains: []string{"Staff of", "Support service"}, notContains: []string{e.Sensitive.Name}},
		)
	})
}
